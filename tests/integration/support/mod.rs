//! Shared helpers: a command for the built binary with an environment that cannot reach the
//! user's kubeconfig or terminal settings, and paths to the bundled examples.

pub mod apiserver;
#[path = "../../common/zone_check.rs"]
pub mod zone_check;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The built `kubectl-dnsrecords` binary.
pub fn binary() -> &'static Path {
    assert_cmd::cargo::cargo_bin!("kubectl-dnsrecords")
}

/// The binary with a scrubbed environment: no kubeconfig, no colour variables, a temp HOME.
pub fn command() -> Command {
    let mut cmd = Command::new(binary());
    scrub(&mut cmd);
    cmd
}

/// Removes everything from the environment that could change the output.
pub fn scrub(cmd: &mut Command) {
    for var in [
        "KUBECONFIG",
        "NO_COLOR",
        "CLICOLOR_FORCE",
        "CLICOLOR",
        "TERM",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", std::env::temp_dir().join("dnsrecords-test-home"));
    cmd.current_dir(root());
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A bundled example, relative to the repository root.
pub fn example(name: &str) -> String {
    format!("examples/{name}")
}

/// Runs the binary and returns stdout, asserting that it printed records (exit 0, or 1 for
/// error findings), wrote nothing to stderr and did not panic.
pub fn stdout_of(args: &[&str]) -> String {
    let output = command().args(args).output().expect("run the binary");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        matches!(output.status.code(), Some(0 | 1)) && stderr.is_empty(),
        "exit {:?}: {stderr}",
        output.status.code()
    );
    String::from_utf8(output.stdout).expect("utf-8 output")
}
