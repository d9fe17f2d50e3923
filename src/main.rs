//! `kubectl-dnsrecords`: parses flags, runs, prints one error line plus a hint, sets the exit code.

#![allow(clippy::disallowed_methods)]

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;
use dnsrecords::cli::{self, Cli, CliError, Exit};
use dnsrecords::render::escape;

/// jemalloc rather than glibc's allocator: a large cluster's run frees millions of small objects
/// interleaved with large allocations. Against the bench cluster (10k Services, 100k Pods) glibc
/// spent 4.5–4.9 s of user time where jemalloc spends 2.2–3.0 s, at the same peak RSS.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    // `kubectl_complete-dnsrecords` calls `kubectl-dnsrecords __complete WORDS…` (kubectl 1.26+).
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("__complete") {
        let stdout = std::io::stdout();
        // Completion prints nothing on failure: the shell would show it as a candidate.
        let _ = cli::complete(&args[1..], &mut stdout.lock());
        return ExitCode::SUCCESS;
    }
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let exit = match cli::run(&cli, &mut out) {
        Ok(exit) => exit,
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        Err(err) if err.is_broken_pipe() => Exit::Success,
        Err(err) => {
            report(&err);
            err.exit()
        }
    };
    ExitCode::from(exit.code())
}

/// `error: MESSAGE[: DETAIL]` and `  hint: HINT` on stderr. A closed stderr is ignored: there is
/// nowhere left to say anything, and the exit code still tells.
fn report(err: &CliError) {
    let mut message = err.to_string();
    if let Some(detail) = err.detail() {
        message.push_str(": ");
        message.push_str(&detail);
    }
    // Messages quote names from objects, files and the server's Status: one escaping module
    // keeps their control and bidi characters from reaching the terminal raw.
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "error: {}", escape::terminal(&message));
    if let Some(hint) = err.hint() {
        let _ = writeln!(stderr, "  hint: {}", escape::terminal(&hint));
    }
}
