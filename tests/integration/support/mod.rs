//! Shared helpers: a command for the built binary with an environment that cannot reach the
//! user's kubeconfig or terminal settings, and paths to the bundled examples.

pub mod apiserver;
pub mod named;
pub mod portforward;
pub mod raw;
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
    Command::from_std(std_command())
}

/// [`command`] as a plain `std::process::Command`, for tests that wire stdout themselves.
pub fn std_command() -> std::process::Command {
    let mut cmd = std::process::Command::new(binary());
    // Everything from the environment that could change the output.
    for var in [
        "KUBECONFIG",
        "NO_COLOR",
        "CLICOLOR_FORCE",
        "CLICOLOR",
        "TERM",
        "KUBERNETES_SERVICE_HOST",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", std::env::temp_dir().join("dnsrecords-test-home"));
    cmd.current_dir(root());
    cmd
}

/// Runs `cmd` and asserts the exit code and the whole of stderr (one error line and its hint),
/// with nothing on stdout.
pub fn assert_fails(cmd: &mut Command, code: i32, stderr: &str) {
    let out = cmd.output().expect("run the binary");
    let actual = String::from_utf8_lossy(&out.stderr);
    assert_eq!(actual, stderr);
    assert_eq!(out.status.code(), Some(code), "{actual}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
}

/// A kubeconfig for a server without a CA of ours (the raw test servers): TLS verification is
/// off, so only the failure under test can stop the client.
pub fn insecure_kubeconfig(server: &str) -> String {
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: {server}
    insecure-skip-tls-verify: true
users:
- name: test
  user:
    token: test-token
contexts:
- name: test
  context:
    cluster: test
    user: test
current-context: test
"
    )
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

/// Writes a Corefile of two server blocks into `dir` and returns its path for `--corefile`: the
/// kubeadm-like `.:53` block, and `example.internal:53` whose own `kubernetes` stanza serves the
/// same objects under example.internal. with `ttl 7`, so its answers can be told apart.
pub fn two_block_corefile(dir: &Path) -> String {
    let path = dir.join("Corefile");
    std::fs::write(
        &path,
        ".:53 {\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n    forward . /etc/resolv.conf\n}\n\
         example.internal:53 {\n    kubernetes example.internal {\n        ttl 7\n    }\n}\n",
    )
    .expect("write the Corefile");
    path.to_str().expect("a UTF-8 temp path").to_string()
}
