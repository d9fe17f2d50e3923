//! The live source end to end: the real binary, its kube client, TLS with a generated CA, a
//! bearer token, paging and failures, against the HTTPS test API server.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::apiserver::{ApiServer, ServerOptions};
use crate::support::raw::{Behaviour, RawServer};
use crate::support::{assert_fails, command, insecure_kubeconfig, stdout_of};

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
pub(crate) fn run(kubeconfig: &Path, args: &[&str]) -> (Option<i32>, String, String) {
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
    assert_one_round_trip(&api);
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

/// Every request was sent before the first answer came back.
fn assert_one_round_trip(api: &ApiServer) {
    let requests = api.requests();
    let last_start = requests.iter().map(|r| r.started).max().expect("requests");
    let first_finish = requests.iter().map(|r| r.finished).min().expect("requests");
    assert!(
        last_start < first_finish,
        "requests were not all in flight at once: {:?}",
        requests
            .iter()
            .map(|r| (&r.path, &r.query, r.started, r.finished))
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_target_in_a_crowded_namespace_is_still_one_round_trip() {
    // 1,200 Pods beside redis: pages of 500 would be three round trips for the Pod list alone.
    let dir = tempfile::tempdir().expect("tempdir");
    let crowd = dir.path().join("crowd.json");
    let pods: Vec<String> = (0..1200)
        .map(|i| {
            format!(
                r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"batch-{i}","namespace":"cache","labels":{{"app":"batch"}}}},"spec":{{"containers":[{{"name":"job","image":"busybox"}}]}},"status":{{"phase":"Running","podIP":"10.250.{}.{}"}}}}"#,
                i / 256,
                i % 256
            )
        })
        .collect();
    std::fs::write(
        &crowd,
        format!(
            r#"{{"apiVersion":"v1","kind":"List","items":[{}]}}"#,
            pods.join(",")
        ),
    )
    .expect("write the crowd");
    let root = crate::support::root();
    let (redis, dns) = (root.join(REDIS), root.join(CLUSTER_DNS));
    let api = ApiServer::start(
        &[redis.as_path(), dns.as_path(), crowd.as_path()],
        ServerOptions {
            latency: Duration::from_millis(200),
            ..ServerOptions::default()
        },
    );
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    // The crowd changes nothing about redis: the same report as without it.
    let quiet = server(ServerOptions::default());
    let quiet_kubeconfig = quiet.write_kubeconfig(dir.path(), "quiet", None);
    for target in ["svc/redis-headless", "sts/redis"] {
        api.clear_log();
        let (code, crowded, stderr) = run(&kubeconfig, &["-n", "cache", target, "-o", "json"]);
        assert_eq!(code, Some(0), "{target}: {stderr}");
        assert_one_round_trip(&api);
        let (_, alone, _) = run(&quiet_kubeconfig, &["-n", "cache", target, "-o", "json"]);
        assert_eq!(crowded, alone, "{target}");
    }
    // The namespace alone pages, as kubectl lists.
    api.clear_log();
    let (code, _, stderr) = run(&kubeconfig, &["-n", "cache"]);
    assert_eq!(code, Some(0), "{stderr}");
    let pod_pages: Vec<_> = api
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v1/namespaces/cache/pods")
        .collect();
    assert_eq!(pod_pages.len(), 3, "{pod_pages:?}");
    assert!(
        pod_pages
            .iter()
            .all(|r| r.param("limit").as_deref() == Some("500"))
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
    assert_fails(
        command()
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["-n", "cache", "svc/redis-headless"]),
        8,
        "error: forbidden: services \"redis-headless\" is forbidden: User \"system:serviceaccount:test:dnsrecords\" cannot get resource \"services\" in API group \"\" in the namespace \"cache\"\n  hint: ask for read access (get/list) to services, endpointslices, statefulsets and pods: see deploy/rbac.yaml\n",
    );

    let api = server(ServerOptions::default());
    let kubeconfig = api.write_kubeconfig(dir.path(), "config2", None);
    assert_fails(
        command()
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["-n", "cache", "svc/redis-headles"]),
        5,
        "error: services \"redis-headles\" not found in namespace \"cache\"\n  hint: did you mean svc/redis-headless or svc/redis?\n",
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
    assert_fails(
        command()
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["-n", "cache"]),
        7,
        &format!(
            "error: unauthorized: the server {} rejected the credentials of the current context\n  hint: your credentials expired or are wrong: log in again, or check `kubectl auth whoami`\n",
            api.url()
        ),
    );
}

#[test]
fn unreachable_server_and_broken_kubeconfig() {
    let dir = tempfile::tempdir().expect("tempdir");
    let api = server(ServerOptions::default());
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    let url = api.url();
    drop(api);
    assert_fails(
        command().arg("--kubeconfig").arg(&kubeconfig).args([
            "-n",
            "cache",
            "--request-timeout",
            "5s",
        ]),
        9,
        &format!(
            "error: the server {url} refused the connection\n  hint: nothing listens at that address: check the server URL and port in the kubeconfig (`kubectl config view --minify`) and that the API server is up\n"
        ),
    );

    let broken = dir.path().join("broken");
    std::fs::write(&broken, "clusters: [this is: not, a kubeconfig").expect("write");
    let (code, _, stderr) = run(&broken, &["-n", "cache"]);
    assert_eq!(code, Some(6), "{stderr}");
    let mut lines = stderr.lines();
    let error = lines.next().unwrap_or_default();
    assert!(
        error.starts_with(&format!(
            "error: invalid kubeconfig {}: failed to parse kubeconfig YAML: ",
            broken.display()
        )),
        "{stderr}"
    );
    assert_eq!(
        lines.collect::<Vec<_>>(),
        ["  hint: check it with `kubectl config view`, or pass --kubeconfig"],
        "{stderr}"
    );
}

#[test]
fn an_unknown_certificate_authority_fails_tls_unless_told_to_skip() {
    let api = server(ServerOptions::default());
    let other = server(ServerOptions::default());
    let dir = tempfile::tempdir().expect("tempdir");
    // A kubeconfig for `api` that trusts `other`'s CA: a CA of the same name but another key, so
    // the server's certificate has a bad signature.
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
    assert_fails(
        command()
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["-n", "cache"]),
        10,
        &format!(
            "error: TLS handshake with {} failed: invalid peer certificate: BadSignature\n  hint: the server's certificate is not valid for the kubeconfig's certificate-authority and server name; fix certificate-authority-data, or (test clusters only) pass --insecure-skip-tls-verify\n",
            api.url()
        ),
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
    assert_fails(
        command().arg("--kubeconfig").arg(&kubeconfig).args([
            "-n",
            "cache",
            "--request-timeout",
            "300ms",
        ]),
        11,
        &format!(
            "error: the server {} did not answer within 300ms (--request-timeout)\n  hint: raise --request-timeout (0 waits forever), or check the API server's health\n",
            api.url()
        ),
    );

    let api = server(ServerOptions {
        failures: vec![("/api/v1/namespaces/cache/pods".to_string(), 500)],
        ..ServerOptions::default()
    });
    let kubeconfig = api.write_kubeconfig(dir.path(), "config2", None);
    assert_fails(
        command()
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["-n", "cache"]),
        12,
        &format!(
            "error: the server {} answered 500: Internal error occurred: injected failure for /api/v1/namespaces/cache/pods\n  hint: retry; if it persists, check the API server's health\n",
            api.url()
        ),
    );
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

/// Whether a logged request is a LIST (its path ends in a resource's plural, not an object's name).
fn is_list(request: &crate::support::apiserver::LoggedRequest) -> bool {
    const LISTED: [&str; 7] = [
        "services",
        "endpointslices",
        "pods",
        "statefulsets",
        "namespaces",
        "networkpolicies",
        "deployments",
    ];
    request
        .path
        .rsplit('/')
        .next()
        .is_some_and(|last| LISTED.contains(&last))
}

#[test]
fn chunk_size_sets_every_lists_page_and_zero_asks_for_each_list_whole() {
    let api = server(ServerOptions::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    let offline = stdout_of(&["-f", REDIS, "-f", CLUSTER_DNS, "-A", "-o", "zone"]);
    for (chunk_size, limit) in [("2", Some("2")), ("0", None)] {
        api.clear_log();
        let (code, out, stderr) = run(
            &kubeconfig,
            &["-A", "-o", "zone", "--chunk-size", chunk_size],
        );
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(out, offline, "--chunk-size {chunk_size}");
        let requests = api.requests();
        let lists: Vec<_> = requests.iter().filter(|r| is_list(r)).collect();
        assert!(lists.len() >= 6, "{requests:?}");
        for list in &lists {
            assert_eq!(
                list.param("limit").as_deref(),
                limit,
                "--chunk-size {chunk_size}: {} {}",
                list.path,
                list.query
            );
        }
        // Pages of two objects take more than one request per list; whole lists one each.
        let continued = lists.iter().any(|r| r.param("continue").is_some());
        assert_eq!(continued, limit.is_some(), "--chunk-size {chunk_size}");
    }
}

#[test]
fn a_chunk_size_that_is_not_a_count_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = dir.path().join("never-read");
    for bad in ["-1", "many", "5000000000"] {
        let flag = format!("--chunk-size={bad}");
        let (code, out, stderr) = run(&kubeconfig, &["-A", &flag]);
        assert_eq!(code, Some(2), "--chunk-size {bad}: {stderr}");
        assert!(out.is_empty(), "{out}");
        assert!(
            stderr.contains(&format!("invalid value '{bad}' for '--chunk-size")),
            "{stderr}"
        );
    }
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

const NAMESPACE_RULE: &str = "a namespace is an RFC 1123 label: at most 63 lower case letters, digits and '-', starting and ending with a letter or digit";

#[test]
fn hostile_namespaces_and_names_send_no_request_at_all() {
    let api = server(ServerOptions::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    let hostile = "kube-system/secrets/foo?x=";
    assert_fails(
        command()
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["-n", hostile]),
        2,
        &format!(
            "error: invalid namespace \"kube-system/secrets/foo?x=\": may not contain '/'\n  hint: {NAMESPACE_RULE}\n"
        ),
    );
    assert_fails(
        command().arg("--kubeconfig").arg(&kubeconfig).args([
            "-n",
            "cache",
            "svc/redis-headless?watch=true",
        ]),
        2,
        "error: invalid Service name \"redis-headless?watch=true\": may not contain '?'\n  hint: a Service name is an RFC 1123 label: at most 63 lower case letters, digits and '-', starting and ending with a letter or digit\n",
    );
    // The same namespace as the context's default.
    let hostile_context = api.write_kubeconfig(dir.path(), "hostile", Some(hostile));
    assert_fails(
        command().arg("--kubeconfig").arg(&hostile_context),
        2,
        &format!(
            "error: invalid namespace \"kube-system/secrets/foo?x=\": may not contain '/' (the namespace of kubeconfig context \"test\")\n  hint: {NAMESPACE_RULE}; pass -n, or fix it with `kubectl config set-context --current --namespace=NAME`\n"
        ),
    );
    // Not a request, not even a connection.
    assert_eq!(api.requests().len(), 0, "{:?}", api.requests());
    assert_eq!(api.connections(), 0);
    // With -n, the context's namespace is not used, so it does not stand in the way.
    let (code, out, stderr) = run(&hostile_context, &["-n", "cache", "svc/redis-headless"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        out.contains("redis-headless.cache.svc.cluster.local."),
        "{out}"
    );
}

#[test]
fn every_request_carries_our_user_agent() {
    let api = server(ServerOptions::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    let (code, _, stderr) = run(&kubeconfig, &["-n", "cache", "svc/redis-headless"]);
    assert_eq!(code, Some(0), "{stderr}");
    let agent = dnsrecords::source::user_agent();
    assert!(
        agent.starts_with(&format!(
            "kubectl-dnsrecords/{} (",
            env!("CARGO_PKG_VERSION")
        )),
        "{agent}"
    );
    let requests = api.requests();
    assert!(!requests.is_empty());
    for request in &requests {
        assert_eq!(
            request.header("user-agent"),
            Some(agent.as_str()),
            "{}",
            request.path
        );
    }
}

/// The binary against a kubeconfig written for `server`, with extra flags.
fn against(dir: &Path, server: &str, args: &[&str]) -> assert_cmd::Command {
    let kubeconfig = dir.join("raw-config");
    std::fs::write(&kubeconfig, insecure_kubeconfig(server)).expect("write kubeconfig");
    let mut cmd = command();
    cmd.arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["-n", "cache"])
        .args(args);
    cmd
}

#[test]
fn a_connection_closed_on_accept_is_a_dropped_connection_not_a_tls_failure() {
    let raw = RawServer::start(Behaviour::CloseOnAccept);
    let dir = tempfile::tempdir().expect("tempdir");
    assert_fails(
        &mut against(dir.path(), &raw.url(), &[]),
        14,
        &format!(
            "error: the server {} closed the connection before answering\n  hint: check that the kubeconfig's server URL is the API server's HTTPS port; a proxy or load balancer on the way may be cutting connections\n",
            raw.url()
        ),
    );
    assert!(raw.connections() > 0);
}

#[test]
fn a_connection_dropped_after_the_request_is_a_dropped_connection() {
    let api = server(ServerOptions {
        drop_connections: vec!["/api/v1/namespaces/cache/pods".to_string()],
        ..ServerOptions::default()
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    assert_fails(
        command()
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["-n", "cache"]),
        14,
        &format!(
            "error: the server {} closed the connection before answering\n  hint: check that the kubeconfig's server URL is the API server's HTTPS port; a proxy or load balancer on the way may be cutting connections\n",
            api.url()
        ),
    );
    // The request did arrive: the connection went away mid-request.
    assert!(api.requests().iter().any(|r| r.status == 0));
}

#[test]
fn a_server_without_tls_is_a_tls_failure_with_its_own_hint() {
    let raw = RawServer::start(Behaviour::PlainHttp);
    let dir = tempfile::tempdir().expect("tempdir");
    assert_fails(
        &mut against(dir.path(), &raw.url(), &[]),
        10,
        &format!(
            "error: TLS handshake with {} failed: received corrupt message of type InvalidContentType\n  hint: the server does not speak TLS as expected: check that the kubeconfig's server URL is the API server's HTTPS port\n",
            raw.url()
        ),
    );
}

#[test]
fn a_stalled_handshake_times_out_at_the_connect_timeout() {
    let raw = RawServer::start(Behaviour::Stall);
    let dir = tempfile::tempdir().expect("tempdir");
    let started = std::time::Instant::now();
    assert_fails(
        &mut against(dir.path(), &raw.url(), &["--connect-timeout", "300ms"]),
        11,
        &format!(
            "error: the server {} did not complete the connection (TCP and TLS handshake) within 300ms (--connect-timeout)\n  hint: check the server address and your network, or raise --connect-timeout (0 waits forever)\n",
            raw.url()
        ),
    );
    // A shorter --request-timeout bounds connecting too, and the message says which fired.
    assert_fails(
        &mut against(dir.path(), &raw.url(), &["--request-timeout", "200ms"]),
        11,
        &format!(
            "error: the server {} did not complete the connection (TCP and TLS handshake) within 200ms (--request-timeout)\n  hint: check the server address and your network, or raise --request-timeout\n",
            raw.url()
        ),
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn an_address_without_a_route_is_unreachable() {
    // TCP to the broadcast address fails at once with "network unreachable", without a packet
    // leaving the machine.
    let dir = tempfile::tempdir().expect("tempdir");
    assert_fails(
        &mut against(dir.path(), "https://255.255.255.255:6443", &[]),
        13,
        "error: cannot reach the server https://255.255.255.255:6443: Network is unreachable (os error 101)\n  hint: check the server address in the kubeconfig and your network, VPN or proxy\n",
    );
}

#[test]
fn a_failing_exec_plugin_is_its_own_error_and_sends_nothing() {
    let api = server(ServerOptions::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let exits_1 = api.write_kubeconfig_with_user(
        dir.path(),
        "exits-1",
        "    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: sh
      args: [\"-c\", \"echo 'the token expired: log in again' >&2; exit 1\"]
      interactiveMode: Never
",
    );
    assert_fails(
        command()
            .arg("--kubeconfig")
            .arg(&exits_1)
            .args(["-n", "cache"]),
        15,
        "error: the credential plugin \"sh\" of user \"test\" exited with status 1: its stderr: \"the token expired: log in again\"\n  hint: run the plugin yourself to see why (users[].user.exec in the kubeconfig); usually the provider's login has expired\n",
    );
    let missing = api.write_kubeconfig_with_user(
        dir.path(),
        "missing",
        "    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: /nonexistent/credential-plugin
      interactiveMode: Never
",
    );
    assert_fails(
        command()
            .arg("--kubeconfig")
            .arg(&missing)
            .args(["-n", "cache"]),
        15,
        "error: the credential plugin \"/nonexistent/credential-plugin\" of user \"test\" could not be started: No such file or directory (os error 2)\n  hint: run the plugin yourself to see why (users[].user.exec in the kubeconfig); usually the provider's login has expired\n",
    );
    assert_eq!(api.connections(), 0);
}

#[test]
fn credentials_kube_cannot_use_are_a_client_configuration_error() {
    let api = server(ServerOptions::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig =
        api.write_kubeconfig_with_user(dir.path(), "config", "    tokenFile: /nonexistent/token\n");
    assert_fails(
        command()
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["-n", "cache"]),
        16,
        &format!(
            "error: cannot set up a client for {}: failed to read token file '\"/nonexistent/token\"': No such file or directory (os error 2)\n  hint: check the kubeconfig's certificate-authority, client-certificate, client-key and token entries (`kubectl config view --minify --raw`)\n",
            api.url()
        ),
    );
    assert_eq!(api.connections(), 0);
}

/// One validation boundary: malformed objects served by the API give the same records, names and
/// findings as the same objects read from a file, and the same notes but for the file position
/// the offline notes start with. One bad address drops that address only, on both paths.
#[test]
fn malformed_objects_give_the_same_report_live_and_offline() {
    let fixture = crate::support::root().join("tests/fixtures/apiserver/malformed.yaml");
    let dns = crate::support::root().join(CLUSTER_DNS);
    let api = ApiServer::start(
        &[fixture.as_path(), dns.as_path()],
        ServerOptions::default(),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    let (code, live, stderr) = run(&kubeconfig, &["-n", "broken", "-o", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let offline = stdout_of(&[
        "-f",
        fixture.to_str().expect("path"),
        "-f",
        CLUSTER_DNS,
        "-n",
        "broken",
        "-o",
        "json",
    ]);
    let live: serde_json::Value = serde_json::from_str(&live).expect("live json");
    let offline: serde_json::Value = serde_json::from_str(&offline).expect("offline json");
    for field in ["records", "names", "findings", "absent"] {
        assert_eq!(live[field], offline[field], "{field} differ");
    }
    let notes = |doc: &serde_json::Value| -> Vec<String> {
        let mut notes: Vec<String> = doc["notes"]
            .as_array()
            .expect("notes")
            .iter()
            .filter_map(|n| n["message"].as_str())
            .map(|m| match m.split_once(": document ") {
                Some((_, rest)) => rest.split_once(": ").map_or(m, |(_, m)| m).to_string(),
                None => m.to_string(),
            })
            .collect();
        notes.sort();
        notes
    };
    assert_eq!(notes(&live), notes(&offline));
    let text = live.to_string();
    assert!(
        text.contains("10-244-50-2.web.broken.svc.cluster.local."),
        "{text}"
    );
    assert!(
        text.contains(
            r#"endpoint address \"not-an-ip\" is not an IP address; that address is skipped"#
        ),
        "{text}"
    );
    assert!(text.contains("Service broken/Shouting"), "{text}");
    assert!(text.contains("Service broken/bad"), "{text}");
}
