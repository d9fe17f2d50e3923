//! kubectl's own plugin discovery finds the binary on PATH and runs it as `kubectl dnsrecords`.

use std::path::Path;
use std::process::Command;

use crate::support::{binary, root, stdout_of};

/// A PATH holding only a copy of the plugin, then the system's.
fn plugin_path(dir: &Path) -> String {
    std::fs::copy(binary(), dir.join("kubectl-dnsrecords")).expect("copy the plugin");
    let system = std::env::var("PATH").unwrap_or_default();
    format!("{}:{system}", dir.display())
}

fn kubectl(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("kubectl")
        .args(args)
        .env("PATH", plugin_path(dir))
        .env("HOME", dir)
        .env("KUBECONFIG", dir.join("no-kubeconfig"))
        .env_remove("NO_COLOR")
        .current_dir(root())
        .output()
        .expect("kubectl must be installed")
}

#[test]
fn kubectl_lists_and_runs_the_plugin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let list = kubectl(dir.path(), &["plugin", "list"]);
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(
        listed.contains(&format!("{}/kubectl-dnsrecords", dir.path().display())),
        "{listed}"
    );

    let args = [
        "-f",
        "examples/redis-statefulset.yaml",
        "-n",
        "cache",
        "svc/redis-headless",
    ];
    let mut through_kubectl = vec!["dnsrecords"];
    through_kubectl.extend(args);
    let out = kubectl(dir.path(), &through_kubectl);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let via_kubectl = String::from_utf8_lossy(&out.stdout);
    assert_eq!(via_kubectl, stdout_of(&args));
    assert!(via_kubectl.contains("redis-0.redis-headless.cache.svc.cluster.local."));
}

#[test]
fn help_through_kubectl_says_kubectl_dnsrecords() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = kubectl(dir.path(), &["dnsrecords", "--help"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: kubectl dnsrecords"));
}

#[test]
fn kubectl_completes_plugin_arguments_through_kubectl_complete_dnsrecords() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("kubectl_complete-dnsrecords");
    std::fs::copy(root().join("kubectl_complete-dnsrecords"), &script)
        .expect("copy the completion script");
    let complete = |args: &[&str]| {
        let mut full = vec!["__complete", "dnsrecords"];
        full.extend(args);
        let out = kubectl(dir.path(), &full);
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let services = complete(&["-f", "examples", "-n", "cache", "svc/"]);
    assert!(
        services.lines().any(|l| l == "svc/redis-headless"),
        "{services}"
    );
    assert!(services.lines().any(|l| l == ":4"), "{services}");
    let first = complete(&["-f", "examples", "-n", "streaming", ""]);
    assert!(first.lines().any(|l| l == "sts/"), "{first}");
    assert!(first.lines().any(|l| l == "kafka-headless"), "{first}");
    let formats = complete(&["-o", "z"]);
    assert!(formats.lines().any(|l| l == "zone"), "{formats}");
    let namespaces = complete(&["-f", "examples", "-n", ""]);
    assert!(
        namespaces.lines().any(|l| l == "cache") && namespaces.lines().any(|l| l == "streaming"),
        "{namespaces}"
    );
}
