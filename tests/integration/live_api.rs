//! The live source end to end: the real binary, its kube client, TLS with a generated CA, a
//! bearer token, paging and failures, against the HTTPS test API server.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::apiserver::{ApiServer, ServerOptions};
use crate::support::{command, stdout_of};

const REDIS: &str = "examples/redis-statefulset.yaml";
const CLUSTER_DNS: &str = "examples/cluster-dns.yaml";

fn fixtures() -> Vec<&'static Path> {
    vec![Path::new(REDIS), Path::new(CLUSTER_DNS)]
}

fn server(options: ServerOptions) -> ApiServer {
    let root = crate::support::root();
    let paths: Vec<PathBuf> = fixtures().iter().map(|p| root.join(p)).collect();
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    ApiServer::start(&refs, options)
}

/// Runs the binary against `kubeconfig` and returns (exit code, stdout, stderr).
fn run(kubeconfig: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = command()
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .output()
        .expect("run the binary");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        stderr,
    )
}

#[test]
fn live_records_equal_the_offline_run_on_the_same_objects() {
    let api = server(ServerOptions::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    let (code, live, stderr) = run(&kubeconfig, &["-n", "cache", "svc/redis-headless"]);
    assert_eq!(code, Some(0), "{stderr}");
    let offline = stdout_of(&[
        "-f",
        REDIS,
        "-f",
        CLUSTER_DNS,
        "-n",
        "cache",
        "svc/redis-headless",
    ]);
    assert_eq!(live, offline);
    assert!(live.contains("redis-0.redis-headless.cache.svc.cluster.local."));
    // No Secret is ever read and nothing is written.
    for request in api.requests() {
        assert_eq!(request.method, "GET", "{}", request.path);
        assert!(!request.path.contains("secrets"), "{}", request.path);
    }
    // The whole namespace and -A agree with the offline run too.
    let (_, live_ns, _) = run(&kubeconfig, &["-n", "cache", "-o", "json"]);
    assert_eq!(
        live_ns,
        stdout_of(&["-f", REDIS, "-f", CLUSTER_DNS, "-n", "cache", "-o", "json"])
    );
    let (_, live_all, _) = run(&kubeconfig, &["-A", "-o", "zone"]);
    assert_eq!(
        live_all,
        stdout_of(&["-f", REDIS, "-f", CLUSTER_DNS, "-A", "-o", "zone"])
    );
}

#[test]
fn a_single_service_costs_one_round_trip() {
    let api = server(ServerOptions {
        latency: Duration::from_millis(200),
        ..ServerOptions::default()
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    let (code, _, stderr) = run(&kubeconfig, &["-n", "cache", "svc/redis-headless"]);
    assert_eq!(code, Some(0), "{stderr}");
    let requests = api.requests();
    assert!(requests.len() >= 4, "{} requests", requests.len());
    // Every request was sent before the first answer came back: one round trip.
    let last_start = requests.iter().map(|r| r.started).max().expect("requests");
    let first_finish = requests.iter().map(|r| r.finished).min().expect("requests");
    assert!(
        last_start < first_finish,
        "requests were not all in flight at once: {:?}",
        requests
            .iter()
            .map(|r| (&r.path, r.started, r.finished))
            .collect::<Vec<_>>()
    );
    let paths: Vec<String> = requests
        .iter()
        .map(|r| format!("{}?{}", r.path, r.query))
        .collect();
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("/api/v1/namespaces/cache/services/redis-headless")),
        "{paths:?}"
    );
    assert!(
        paths.iter().any(|p| p
            .starts_with("/apis/discovery.k8s.io/v1/namespaces/cache/endpointslices")
            && p.contains("kubernetes.io%2Fservice-name%3Dredis-headless")),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("/api/v1/namespaces/kube-system/configmaps/coredns")),
        "{paths:?}"
    );
}

#[test]
fn the_contexts_namespace_is_the_default() {
    let api = server(ServerOptions::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", Some("cache"));
    let (code, out, stderr) = run(&kubeconfig, &["svc/redis-headless"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        out.contains("redis-headless.cache.svc.cluster.local."),
        "{out}"
    );
}

#[test]
fn kubeconfig_path_lists_are_merged_and_missing_files_ignored() {
    let api = server(ServerOptions::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let full = api.write_kubeconfig(dir.path(), "full", Some("cache"));
    // A first file that only says which context is current, then the real one; a missing file
    // in between is skipped as kubectl does.
    let first = dir.path().join("first");
    std::fs::write(
        &first,
        "apiVersion: v1\nkind: Config\ncurrent-context: test\n",
    )
    .expect("write");
    let list = std::env::join_paths([first.as_path(), &dir.path().join("missing"), full.as_path()])
        .expect("join");
    let out = command()
        .env("KUBECONFIG", list)
        .args(["svc/redis-headless"])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("redis-0.redis-headless.cache.svc.cluster.local.")
    );
}

#[test]
fn forbidden_lists_become_notes_not_failures() {
    let api = server(ServerOptions {
        forbidden: vec![
            ("statefulsets".to_string(), Some("cache".to_string())),
            ("configmaps".to_string(), Some("kube-system".to_string())),
            ("services".to_string(), Some("kube-system".to_string())),
            (
                "endpointslices".to_string(),
                Some("kube-system".to_string()),
            ),
            ("pods".to_string(), Some("kube-system".to_string())),
        ],
        ..ServerOptions::default()
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    let (code, out, stderr) = run(&kubeconfig, &["-n", "cache", "svc/redis-headless"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        out.contains("redis-0.redis-headless.cache.svc.cluster.local."),
        "{out}"
    );
    assert!(
        out.contains(
            "warning: cannot list statefulsets in cache (forbidden): StatefulSet peer names and checks skipped"
        ),
        "{out}"
    );
    assert!(
        out.contains("cannot read CoreDNS's objects in kube-system (forbidden)"),
        "{out}"
    );
    assert!(out.contains("assuming kubeadm's default"), "{out}");
}

#[test]
fn the_target_itself_forbidden_or_missing_is_an_error() {
    let api = server(ServerOptions {
        forbidden: vec![("services".to_string(), Some("cache".to_string()))],
        ..ServerOptions::default()
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    let (code, _, stderr) = run(&kubeconfig, &["-n", "cache", "svc/redis-headless"]);
    assert_eq!(code, Some(8), "{stderr}");
    assert!(stderr.starts_with("error: forbidden: "), "{stderr}");

    let api = server(ServerOptions::default());
    let kubeconfig = api.write_kubeconfig(dir.path(), "config2", None);
    let (code, _, stderr) = run(&kubeconfig, &["-n", "cache", "svc/redis-headles"]);
    assert_eq!(code, Some(5), "{stderr}");
    assert!(
        stderr.contains("error: services \"redis-headles\" not found in namespace \"cache\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: did you mean svc/redis-headless"),
        "{stderr}"
    );
}

#[test]
fn wrong_token_is_unauthorized() {
    let api = server(ServerOptions {
        token: "the-right-one".to_string(),
        ..ServerOptions::default()
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    let text = std::fs::read_to_string(&kubeconfig)
        .expect("read")
        .replace("the-right-one", "a-stale-one");
    std::fs::write(&kubeconfig, text).expect("write");
    let (code, _, stderr) = run(&kubeconfig, &["-n", "cache"]);
    assert_eq!(code, Some(7), "{stderr}");
    assert!(
        stderr.contains(&format!("unauthorized: the server {} rejected", api.url())),
        "{stderr}"
    );
}

#[test]
fn unreachable_server_and_broken_kubeconfig() {
    let dir = tempfile::tempdir().expect("tempdir");
    let api = server(ServerOptions::default());
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    drop(api);
    let (code, _, stderr) = run(&kubeconfig, &["-n", "cache", "--request-timeout", "5s"]);
    assert_eq!(code, Some(9), "{stderr}");
    assert!(
        stderr.starts_with("error: cannot reach the server https://127.0.0.1:"),
        "{stderr}"
    );

    let broken = dir.path().join("broken");
    std::fs::write(&broken, "clusters: [this is: not, a kubeconfig").expect("write");
    let (code, _, stderr) = run(&broken, &["-n", "cache"]);
    assert_eq!(code, Some(6), "{stderr}");
    assert!(
        stderr.contains(&format!("invalid kubeconfig {}", broken.display())),
        "{stderr}"
    );
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{stderr}"
    );
}

#[test]
fn an_unknown_certificate_authority_fails_tls_unless_told_to_skip() {
    let api = server(ServerOptions::default());
    let other = server(ServerOptions::default());
    let dir = tempfile::tempdir().expect("tempdir");
    // A kubeconfig for `api` that trusts `other`'s CA.
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    let other_config = other.write_kubeconfig(dir.path(), "other", None);
    let ca_line = |path: &Path| {
        std::fs::read_to_string(path)
            .expect("read")
            .lines()
            .find(|l| l.contains("certificate-authority-data"))
            .expect("ca line")
            .to_string()
    };
    let text = std::fs::read_to_string(&kubeconfig)
        .expect("read")
        .replace(&ca_line(&kubeconfig), &ca_line(&other_config));
    std::fs::write(&kubeconfig, text).expect("write");
    let (code, _, stderr) = run(&kubeconfig, &["-n", "cache"]);
    assert_eq!(code, Some(10), "{stderr}");
    assert!(
        stderr.starts_with("error: TLS handshake with https://127.0.0.1:"),
        "{stderr}"
    );
    let (code, out, stderr) = run(&kubeconfig, &["-n", "cache", "--insecure-skip-tls-verify"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(out.contains("redis-headless.cache.svc.cluster.local."));
}

#[test]
fn slow_server_times_out_and_server_errors_are_reported() {
    let api = server(ServerOptions {
        latency: Duration::from_secs(3),
        ..ServerOptions::default()
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    let (code, _, stderr) = run(&kubeconfig, &["-n", "cache", "--request-timeout", "300ms"]);
    assert_eq!(code, Some(11), "{stderr}");
    assert!(stderr.contains("did not answer in time"), "{stderr}");

    let api = server(ServerOptions {
        failures: vec![("/api/v1/namespaces/cache/pods".to_string(), 500)],
        ..ServerOptions::default()
    });
    let kubeconfig = api.write_kubeconfig(dir.path(), "config2", None);
    let (code, _, stderr) = run(&kubeconfig, &["-n", "cache"]);
    assert_eq!(code, Some(12), "{stderr}");
    assert!(stderr.contains("answered 500"), "{stderr}");
}

#[test]
fn all_namespaces_pages_through_lists_and_survives_expired_tokens() {
    let api = server(ServerOptions {
        max_page: Some(2),
        expire_continue_tokens: true,
        ..ServerOptions::default()
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    let (code, out, stderr) = run(&kubeconfig, &["-A", "-o", "zone"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        out,
        stdout_of(&["-f", REDIS, "-f", CLUSTER_DNS, "-A", "-o", "zone"])
    );
    let requests = api.requests();
    assert!(
        requests.iter().any(|r| r.query.contains("continue=")),
        "no page was continued"
    );
    assert!(requests.iter().any(|r| r.status == 410), "no token expired");
    assert!(requests.iter().all(|r| r.method == "GET"));
}

#[test]
fn findings_are_the_same_live_and_offline() {
    let root = crate::support::root();
    let kafka = root.join("examples/kafka-servicename-mismatch.yaml");
    let mysql = root.join("examples/mysql-statefulset.yaml");
    let dns = root.join(CLUSTER_DNS);
    let api = ApiServer::start(
        &[kafka.as_path(), mysql.as_path(), dns.as_path()],
        ServerOptions::default(),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    // Error finding: exit 1, the Service that was meant is named, live as offline.
    let (code, live, stderr) = run(&kubeconfig, &["-n", "streaming", "-o", "json"]);
    assert_eq!(code, Some(1), "{stderr}");
    let offline = stdout_of(&[
        "-f",
        "examples/kafka-servicename-mismatch.yaml",
        "-f",
        "examples/mysql-statefulset.yaml",
        "-f",
        CLUSTER_DNS,
        "-n",
        "streaming",
        "-o",
        "json",
    ]);
    assert_eq!(live, offline);
    assert!(live.contains("kafka-headless selects these pods and was probably meant"));
    // sts/NAME live: the StatefulSet's own finding; warnings only for MySQL → exit 0.
    let (code, live, stderr) = run(&kubeconfig, &["-n", "streaming", "sts/kafka"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(live.contains("error[service-name-mismatch]"), "{live}");
    let (code, live, stderr) = run(&kubeconfig, &["-n", "db", "sts/mysql"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(live.contains("warning[not-ready-endpoints]"), "{live}");
    assert!(!live.contains("error["), "{live}");
}

/// What could not be read is unknown, never a finding: with each list of the namespace
/// forbidden in turn, the Kafka example (a StatefulSet whose serviceName names no Service) keeps
/// only the findings that do not rest on that list, the names that do are `unknown` with a
/// `list-forbidden` cause, and one note says what was skipped.
#[test]
fn forbidden_lists_make_names_unknown_and_silence_their_findings() {
    let root = crate::support::root();
    let kafka = root.join("examples/kafka-servicename-mismatch.yaml");
    let dns = root.join(CLUSTER_DNS);
    let cases: [(&str, &[&str], &[&str]); 4] = [
        (
            "services",
            &["kafka-0.kafka.streaming.svc.cluster.local."],
            &[],
        ),
        (
            "endpointslices",
            &["kafka-headless.streaming.svc.cluster.local."],
            &["service-name-mismatch"],
        ),
        (
            "pods",
            &[],
            &["not-ready-endpoints", "service-name-mismatch"],
        ),
        (
            "statefulsets",
            &[],
            &["missing-hostname", "not-ready-endpoints"],
        ),
    ];
    for (resource, unknown, expected_findings) in cases {
        let api = ApiServer::start(
            &[kafka.as_path(), dns.as_path()],
            ServerOptions {
                forbidden: vec![(resource.to_string(), Some("streaming".to_string()))],
                ..ServerOptions::default()
            },
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
        let (code, out, stderr) = run(&kubeconfig, &["-n", "streaming", "-o", "json"]);
        assert!(code == Some(0) || code == Some(1), "{resource}: {stderr}");
        let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
        let mut findings: Vec<&str> = doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter_map(|f| f["id"].as_str())
            .collect();
        findings.sort();
        findings.dedup();
        assert_eq!(findings, expected_findings, "{resource} forbidden");
        for name in unknown {
            let fact = doc["names"]
                .as_array()
                .expect("names")
                .iter()
                .find(|f| f["name"] == *name)
                .unwrap_or_else(|| panic!("{resource}: no fact for {name}"));
            assert_eq!(fact["state"], "unknown", "{resource}: {fact}");
            assert_eq!(
                fact["causes"][0]["code"], "list-forbidden",
                "{resource}: {fact}"
            );
        }
        let notes = doc["notes"].to_string();
        assert!(
            notes.contains(&format!("cannot list {resource} in streaming (forbidden)")),
            "{resource}: {notes}"
        );
    }
}
