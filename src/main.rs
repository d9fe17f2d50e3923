//! `kubectl-dnsrecords`: parses flags, runs, prints one error line plus a hint, sets the exit code.

#![allow(clippy::disallowed_methods)]

use std::io::{BufWriter, ErrorKind};
use std::process::ExitCode;

use clap::Parser;
use dnsrecords::cli::{self, Cli, CliError, Exit};

fn main() -> ExitCode {
    // `kubectl_complete-dnsrecords` calls `kubectl-dnsrecords __complete WORDS…` (kubectl 1.26+).
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("__complete") {
        let stdout = std::io::stdout();
        let _ = cli::complete(&args[1..], &mut stdout.lock());
        return ExitCode::SUCCESS;
    }
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
