//! `kubectl-dnsrecords`: parses flags, runs, prints one error line plus a hint, sets the exit code.

use std::io::{BufWriter, ErrorKind};
use std::process::ExitCode;

use clap::Parser;
use dnsrecords::cli::{self, Cli, CliError, Exit};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let exit = match cli::run(&cli, &mut out) {
        Ok(exit) => exit,
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        Err(CliError::Io(err)) if err.kind() == ErrorKind::BrokenPipe => Exit::Success,
        Err(err) => {
            report(&err);
            err.exit()
        }
    };
    ExitCode::from(u8::try_from(exit.code()).unwrap_or(1))
}

#[allow(clippy::print_stderr)]
fn report(err: &CliError) {
    let mut message = err.to_string();
    let mut cause = std::error::Error::source(err);
    while let Some(inner) = cause {
        message.push_str(&format!(": {inner}"));
        cause = inner.source();
    }
    eprintln!("error: {message}");
    if let Some(hint) = err.hint() {
        eprintln!("  hint: {hint}");
    }
}
