//! `--verify` against real DNS software: BIND's `named` serving the tool's own `-o zone` output,
//! clean and with planted differences, over UDP and TCP; and servers that never answer or close
//! the connection.

use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};

use crate::support::apiserver::{ApiServer, ServerOptions};
use crate::support::named::Named;
use crate::support::portforward::PortForward;
use crate::support::{command, root, stdout_of};

const REDIS: [&str; 7] = [
    "-f",
    "examples/redis-statefulset.yaml",
    "-f",
    "examples/cluster-dns.yaml",
    "-n",
    "cache",
    "svc/redis-headless",
];

/// What named serves: the whole namespace's zone, as CoreDNS serves every Service of it — the
/// PTR of an endpoint address names it under each Service whose endpoints hold it, not only
/// under the verified target.
fn zone() -> String {
    stdout_of(&[&REDIS[..6], &["-o", "zone"]].concat())
}

/// The zone with one record removed and one address changed.
fn planted() -> String {
    let zone = zone();
    let removed = "redis-0.redis-headless.cache.svc.cluster.local. 30 IN A 10.244.1.10\n";
    let changed = "10-244-2-11.cache.pod.cluster.local. 30 IN A 10.244.2.11\n";
    assert!(zone.contains(removed) && zone.contains(changed), "{zone}");
    zone.replace(removed, "").replace(
        changed,
        "10-244-2-11.cache.pod.cluster.local. 30 IN A 10.244.2.99\n",
    )
}

fn verify_json(server: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let out = command()
        .args(REDIS)
        .args(["--verify", "--dns-server", server, "-o", "json"])
        .args(extra)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    (out.status.code().expect("exit code"), json)
}

#[test]
fn a_clean_zone_matches_over_udp_and_tcp() {
    let named = Named::serve(&zone());
    for (transport, extra) in [("udp", &[][..]), ("tcp", &["--tcp"][..])] {
        let (code, json) = verify_json(&named.server(), extra);
        let verify = &json["verify"];
        assert_eq!(verify["transport"], transport);
        assert_eq!(verify["server"], named.server());
        assert_eq!(verify["differences"], serde_json::json!([]), "{verify:#}");
        assert_eq!(verify["checked"], 12);
        assert_eq!(verify["matched"], 12);
        assert_eq!(code, 0, "{transport}");
    }
}

#[test]
fn planted_differences_are_exactly_the_two() {
    let named = Named::serve(&planted());
    for extra in [&[][..], &["--tcp"][..]] {
        let (code, json) = verify_json(&named.server(), extra);
        let differences = &json["verify"]["differences"];
        assert_eq!(
            differences,
            &serde_json::json!([
                {"name": "10-244-2-11.cache.pod.cluster.local.", "type": "A", "status": "differs",
                 "expected": ["10.244.2.11"], "served": ["10.244.2.99"],
                 "expected_rcode": "NOERROR", "served_rcode": "NOERROR",
                 "expected_ttl": 30, "served_ttl": 30},
                {"name": "redis-0.redis-headless.cache.svc.cluster.local.", "type": "A",
                 "status": "missing", "expected": ["10.244.1.10"], "served": [],
                 "expected_rcode": "NOERROR", "served_rcode": "NXDOMAIN", "expected_ttl": 30}
            ]),
            "{extra:?}"
        );
        assert_eq!(json["verify"]["matched"], 10);
        assert_eq!(code, 1);
    }
    // The table: a STATUS column, the summary and both sides of each difference.
    let out = command()
        .args(REDIS)
        .args(["--verify", "--dns-server", &named.server()])
        .output()
        .expect("run");
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        table.lines().next().is_some_and(|l| l.ends_with("STATUS")),
        "{table}"
    );
    assert!(table.contains(&format!(
        "verified 12 questions against {} over udp: 10 match, 2 differ\n\
         differs 10-244-2-11.cache.pod.cluster.local. A: expected 10.244.2.11; served 10.244.2.99\n\
         missing redis-0.redis-headless.cache.svc.cluster.local. A: expected 10.244.1.10; served NXDOMAIN\n",
        named.server()
    )), "{table}");
    let missing_row = table
        .lines()
        .find(|l| l.starts_with("redis-0.redis-headless.cache.svc.cluster.local."))
        .expect("the row");
    assert!(missing_row.ends_with("missing"), "{missing_row}");
}

#[test]
fn every_server_blocks_names_are_verified_under_its_own_stanza() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corefile = crate::support::two_block_corefile(dir.path());
    let args = [&REDIS[..6], &["--corefile", &corefile]].concat();
    let zone = stdout_of(&[&args[..], &["-o", "zone"]].concat());
    let removed = "redis-0.redis-headless.cache.svc.example.internal. 7 IN A 10.244.1.10\n";
    assert!(zone.contains(removed), "{zone}");
    let run = |named: &Named| {
        let out = command()
            .args(&args)
            .args(["--verify", "--dns-server", &named.server(), "-o", "json"])
            .output()
            .expect("run");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        (out.status.code(), json["verify"].clone())
    };
    let clean = Named::serve_zones(&zone, &["example.internal"]);
    let (code, verify) = run(&clean);
    assert_eq!(verify["differences"], serde_json::json!([]), "{verify:#}");
    // One question per (name, type) of the records: 16 of the . block (as many as with that block
    // alone) and 12 of example.internal.
    let checked = verify["checked"].as_u64().expect("checked");
    assert_eq!(checked, 28, "{verify:#}");
    assert_eq!(verify["matched"], verify["checked"]);
    assert_eq!(code, Some(0));
    drop(clean);
    // A name only the second block serves, missing from the server, is a difference, expected
    // with that stanza's TTL.
    let planted = Named::serve_zones(&zone.replace(removed, ""), &["example.internal"]);
    let (code, verify) = run(&planted);
    assert_eq!(
        verify["differences"],
        serde_json::json!([
            {"name": "redis-0.redis-headless.cache.svc.example.internal.", "type": "A",
             "status": "missing", "expected": ["10.244.1.10"], "served": [],
             "expected_rcode": "NOERROR", "served_rcode": "NXDOMAIN", "expected_ttl": 7}
        ]),
        "{verify:#}"
    );
    assert_eq!(verify["checked"].as_u64(), Some(checked));
    assert_eq!(code, Some(1));
}

#[test]
fn absent_names_are_asked_and_expected_nxdomain() {
    // Kafka's StatefulSet names a Service that does not exist: its peer names are absent facts.
    let args = [
        "-f",
        "examples/kafka-servicename-mismatch.yaml",
        "-f",
        "examples/cluster-dns.yaml",
        "-n",
        "streaming",
    ];
    let zone = stdout_of(&[&args[..], &["-o", "zone"]].concat());
    let named = Named::serve(&zone);
    let out = command()
        .args(args)
        .args([
            "--verify",
            "--dns-server",
            &named.server(),
            "-o",
            "json",
            "--fail-on",
            "never",
        ])
        .output()
        .expect("run");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    // Every absent fact is asked, reverse names included (they are facts, not `absent` lines).
    let absent = json["names"]
        .as_array()
        .expect("names")
        .iter()
        .filter(|f| f["state"] == "absent")
        .count();
    assert!(absent >= 7, "{absent}");
    let records: std::collections::BTreeSet<(String, String)> = json["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| (r["name"].to_string(), r["type"].to_string()))
        .collect();
    // An absent reverse name is not asked: kubeadm's Corefile hands it to `forward`
    // (`fallthrough in-addr.arpa ip6.arpa`), whose answer the tool does not predict.
    let reverse_absent = json["names"]
        .as_array()
        .expect("names")
        .iter()
        .filter(|f| f["state"] == "absent")
        .filter(|f| f["name"].as_str().is_some_and(|n| n.ends_with(".arpa.")))
        .count();
    assert!(reverse_absent >= 1);
    assert_eq!(
        json["verify"]["checked"],
        records.len() + absent - reverse_absent
    );
    assert_eq!(json["verify"]["differences"], serde_json::json!([]));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_server_that_never_answers_is_an_error() {
    // Bound, so datagrams are accepted and dropped: no ICMP refusal, only silence.
    let silent = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let server = silent.local_addr().expect("addr").to_string();
    let out = command()
        .args(REDIS)
        .args([
            "--verify",
            "--dns-server",
            &server,
            "--dns-timeout",
            "200ms",
        ])
        .output()
        .expect("run");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "error: the DNS server {server} did not answer over udp within 200ms (--dns-timeout)\n  \
             hint: check --dns-server and that the port is reachable; `kubectl port-forward` carries TCP only: add --tcp; a slow server needs a longer --dns-timeout\n"
        )
    );
    assert_eq!(out.status.code(), Some(17));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_server_that_closes_the_connection_is_an_error() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let server = listener.local_addr().expect("addr").to_string();
    // Accepts and closes every connection; the thread ends with the test process.
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            drop(stream);
        }
    });
    let out = command()
        .args(REDIS)
        .args(["--verify", "--dns-server", &server, "--tcp"])
        .output()
        .expect("run");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "error: the DNS server {server} closed the connection before answering\n  \
             hint: check that --dns-server names a DNS server (port 53 by default)\n"
        )
    );
    assert_eq!(out.status.code(), Some(17));
}

#[test]
fn verify_offline_needs_a_server() {
    let out = command().args(REDIS).arg("--verify").output().expect("run");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: --verify with -f needs --dns-server\n  \
         hint: offline there is no cluster to forward through: add --dns-server HOST[:PORT] (e.g. after `kubectl -n kube-system port-forward svc/kube-dns 5353:53`, with --tcp)\n"
    );
    assert_eq!(out.status.code(), Some(2));
}

/// The test API server with the redis example and CoreDNS's objects (two ready pods behind
/// kube-dns), forwarding port-forwards to `target`, plus a kubeconfig for it in namespace cache.
fn cluster(
    extra: &[&str],
    options: ServerOptions,
    target: Option<SocketAddr>,
) -> (ApiServer, tempfile::TempDir, PathBuf) {
    let root = root();
    let paths: Vec<PathBuf> = [
        "examples/redis-statefulset.yaml",
        "examples/cluster-dns.yaml",
    ]
    .iter()
    .chain(extra)
    .map(|p| root.join(p))
    .collect();
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let options = ServerOptions {
        port_forward: target.map(|target| PortForward { target }),
        ..options
    };
    let api = ApiServer::start(&refs, options);
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", Some("cache"));
    (api, dir, kubeconfig)
}

/// `--verify` live, through the port-forward: (exit code, stdout, stderr).
fn live_verify(kubeconfig: &Path, extra: &[&str]) -> (i32, String, String) {
    let out = command()
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["svc/redis-headless", "--verify"])
        .args(extra)
        .output()
        .expect("run");
    (
        out.status.code().expect("exit code"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn named_addr(named: &Named) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], named.port))
}

#[test]
fn through_the_port_forward_a_clean_zone_matches() {
    let named = Named::serve(&zone());
    let (api, _dir, kubeconfig) = cluster(&[], ServerOptions::default(), Some(named_addr(&named)));
    let (code, stdout, stderr) = live_verify(&kubeconfig, &["-o", "json"]);
    assert_eq!((code, stderr.as_str()), (0, ""), "{stdout}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let verify = &json["verify"];
    // The first ready CoreDNS pod by name, over TCP.
    assert_eq!(verify["server"], "kube-system/coredns-668d6bf9bc-4x9vq:53");
    assert_eq!(verify["transport"], "tcp");
    assert_eq!(verify["via"], "port-forward");
    assert_eq!(verify["checked"], 12);
    assert_eq!(verify["matched"], 12);
    assert_eq!(verify["differences"], serde_json::json!([]));
    // The forwards: a few websocket upgrades of the chosen pod, and nothing else that is not a
    // plain GET or LIST.
    let forwards: Vec<_> = api
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/portforward"))
        .collect();
    assert!(
        !forwards.is_empty() && forwards.len() <= 4,
        "{}",
        forwards.len()
    );
    for forward in &forwards {
        assert_eq!(
            forward.path,
            "/api/v1/namespaces/kube-system/pods/coredns-668d6bf9bc-4x9vq/portforward"
        );
        assert_eq!(forward.param("ports").as_deref(), Some("53"));
        assert_eq!(forward.status, 101);
        assert_eq!(forward.header("upgrade"), Some("websocket"));
    }
    assert!(api.requests().iter().all(|r| r.method == "GET"));
}

#[test]
fn through_the_port_forward_planted_differences_are_exactly_the_two() {
    let named = Named::serve(&planted());
    let (_api, _dir, kubeconfig) = cluster(&[], ServerOptions::default(), Some(named_addr(&named)));
    // --dns-pod chooses the other pod.
    let (code, stdout, stderr) = live_verify(
        &kubeconfig,
        &["-o", "json", "--dns-pod", "coredns-668d6bf9bc-b8m2t"],
    );
    assert_eq!((code, stderr.as_str()), (1, ""), "{stdout}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(
        json["verify"]["server"],
        "kube-system/coredns-668d6bf9bc-b8m2t:53"
    );
    let differences: Vec<(String, String)> = json["verify"]["differences"]
        .as_array()
        .expect("differences")
        .iter()
        .map(|d| (d["name"].to_string(), d["status"].to_string()))
        .collect();
    assert_eq!(
        differences,
        [
            (
                "\"10-244-2-11.cache.pod.cluster.local.\"".to_string(),
                "\"differs\"".to_string()
            ),
            (
                "\"redis-0.redis-headless.cache.svc.cluster.local.\"".to_string(),
                "\"missing\"".to_string()
            ),
        ]
    );
    assert_eq!(json["verify"]["matched"], 10);
    // The table's summary says how the questions travelled.
    let (code, table, _) = live_verify(&kubeconfig, &[]);
    assert_eq!(code, 1);
    assert!(
        table.contains(
            "verified 12 questions against kube-system/coredns-668d6bf9bc-4x9vq:53 over tcp through a port-forward: 10 match, 2 differ\n"
        ),
        "{table}"
    );
}

#[test]
fn a_forbidden_port_forward_names_the_permission() {
    let named = Named::serve(&zone());
    let options = ServerOptions {
        forbidden: vec![(
            "pods/portforward".to_string(),
            Some("kube-system".to_string()),
        )],
        ..ServerOptions::default()
    };
    let (_api, _dir, kubeconfig) = cluster(&[], options, Some(named_addr(&named)));
    let (code, stdout, stderr) = live_verify(&kubeconfig, &[]);
    assert_eq!(
        stderr,
        "error: forbidden to create pods/portforward in namespace kube-system (to ask pod coredns-668d6bf9bc-4x9vq on port 53)\n  \
         hint: grant create on pods/portforward in kube-system (the optional Role in deploy/rbac.yaml), or run `kubectl -n kube-system port-forward svc/kube-dns 5353:53` and pass --dns-server 127.0.0.1:5353 --tcp\n"
    );
    // The exit code of a forbidden target.
    assert_eq!(code, 8);
    assert_eq!(stdout, "");
}

#[test]
fn no_ready_coredns_pod_is_a_clear_error() {
    // Forbidding kube-system's EndpointSlices leaves no pod to choose: the same as none ready.
    let options = ServerOptions {
        forbidden: vec![(
            "endpointslices".to_string(),
            Some("kube-system".to_string()),
        )],
        ..ServerOptions::default()
    };
    let (api, _dir, kubeconfig) = cluster(&[], options, None);
    let (code, stdout, stderr) = live_verify(&kubeconfig, &[]);
    assert_eq!(
        stderr,
        "error: no ready CoreDNS pod in the kube-dns EndpointSlices of kube-system to ask\n  \
         hint: check `kubectl -n kube-system get endpointslices -l kubernetes.io/service-name=kube-dns` (reading them needs the kube-system Role of deploy/rbac.yaml); choose a pod with --dns-pod NAME or a server with --dns-server HOST[:PORT]\n"
    );
    assert_eq!(code, 17);
    assert_eq!(stdout, "");
    assert!(
        api.requests()
            .iter()
            .all(|r| !r.path.ends_with("/portforward"))
    );
}

#[test]
fn a_dns_pod_that_does_not_exist_is_not_found() {
    let (_api, _dir, kubeconfig) = cluster(&[], ServerOptions::default(), None);
    let (code, _, stderr) = live_verify(&kubeconfig, &["--dns-pod", "coredns-gone"]);
    assert!(
        stderr.starts_with(
            "error: pod \"coredns-gone\" not found in namespace kube-system (--dns-pod)\n"
        ),
        "{stderr}"
    );
    assert_eq!(code, 5);
}

#[test]
fn a_pod_that_does_not_listen_closes_the_forward() {
    // Nothing listens at the target: the server reports it on the error channel and closes.
    let closed = TcpListener::bind("127.0.0.1:0").expect("bind");
    let target = closed.local_addr().expect("addr");
    drop(closed);
    let (_api, _dir, kubeconfig) = cluster(&[], ServerOptions::default(), Some(target));
    let (code, _, stderr) = live_verify(&kubeconfig, &["--dns-timeout", "500ms"]);
    assert!(
        stderr.starts_with(
            "error: the port-forward to pod coredns-668d6bf9bc-4x9vq closed before the DNS server answered: error forwarding port 53 to pod: "
        ),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(
            "  hint: check that the pod serves DNS on TCP port 53, or choose another with --dns-pod\n"
        ),
        "{stderr}"
    );
    assert_eq!(code, 17);
}

/// Questions per second against `named` directly: 2,500 ClusterIP Services with a named port
/// (A, SRV, `_http._tcp` SRV and PTR each: 10,000 questions). Prints the figures; run with
/// `cargo test --release --test integration verify::throughput -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check"]
fn throughput_against_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = dir.path().join("services.yaml");
    let services: String = (0..2500)
        .map(|i| {
            format!(
                "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{i}\n  namespace: load\nspec:\n  clusterIP: 10.97.{}.{}\n  ports:\n  - name: http\n    port: 80\n",
                i / 250,
                i % 250 + 1
            )
        })
        .collect();
    std::fs::write(&manifest, services).expect("write");
    let manifest = manifest.display().to_string();
    // CoreDNS's own objects give the NS records an address: BIND loads no zone whose NS has none.
    let args = [
        "-f",
        manifest.as_str(),
        "-f",
        "examples/cluster-dns.yaml",
        "-n",
        "load",
        "--fail-on",
        "never",
    ];
    let zone = stdout_of(&[&args[..], &["-o", "zone"]].concat());
    let named = Named::serve(&zone);
    let time = |extra: &[&str]| -> (f64, serde_json::Value) {
        let start = std::time::Instant::now();
        let out = command()
            .args(args)
            .args(extra)
            .args(["-o", "json"])
            .output()
            .expect("run");
        let elapsed = start.elapsed().as_secs_f64();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let differences = &json["verify"]["differences"];
        assert_eq!(
            out.status.code(),
            Some(0),
            "{} {:#}",
            String::from_utf8_lossy(&out.stderr),
            differences.get(0).unwrap_or(differences)
        );
        (elapsed, json)
    };
    let (baseline, _) = time(&[]);
    let report = |label: &str, elapsed: f64, baseline: f64, json: &serde_json::Value| {
        let checked = json["verify"]["checked"].as_u64().expect("checked");
        assert_eq!(checked, 10_000);
        assert_eq!(json["verify"]["matched"], 10_000);
        let asking = elapsed - baseline;
        println!(
            "{checked} questions {label}: {elapsed:.2}s in all, {asking:.2}s asking beyond the {baseline:.2}s run without --verify: {:.0} questions/s",
            checked as f64 / asking
        );
    };
    for transport in [&[][..], &["--tcp"][..]] {
        let (elapsed, json) = time(
            &[
                &["--verify", "--dns-server", &named.server()][..],
                transport,
            ]
            .concat(),
        );
        let label = format!(
            "directly over {}",
            json["verify"]["transport"].as_str().unwrap_or_default()
        );
        report(&label, elapsed, baseline, &json);
    }
    // The same objects live, through the test API server's port-forward to the same named.
    let root = root();
    let dns = root.join("examples/cluster-dns.yaml");
    // The same Services as one JSON List: the test server holds YAML fixtures to a node budget.
    let items: Vec<serde_json::Value> = (0..2500)
        .map(|i| {
            serde_json::json!({
                "apiVersion": "v1", "kind": "Service",
                "metadata": {"name": format!("svc-{i}"), "namespace": "load"},
                "spec": {"clusterIP": format!("10.97.{}.{}", i / 250, i % 250 + 1),
                         "ports": [{"name": "http", "port": 80}]}
            })
        })
        .collect();
    let list = dir.path().join("services.json");
    std::fs::write(
        &list,
        serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items}).to_string(),
    )
    .expect("write");
    let api = ApiServer::start(
        &[list.as_path(), dns.as_path()],
        ServerOptions {
            port_forward: Some(PortForward {
                target: named_addr(&named),
            }),
            ..ServerOptions::default()
        },
    );
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", Some("load"));
    let live = |extra: &[&str]| -> (f64, serde_json::Value) {
        let start = std::time::Instant::now();
        let out = command()
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["--fail-on", "never", "-o", "json"])
            .args(extra)
            .output()
            .expect("run");
        let elapsed = start.elapsed().as_secs_f64();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (elapsed, serde_json::from_slice(&out.stdout).expect("json"))
    };
    let (live_baseline, _) = live(&[]);
    let (elapsed, json) = live(&["--verify"]);
    assert_eq!(json["verify"]["via"], "port-forward");
    report("through the port-forward", elapsed, live_baseline, &json);
}

/// `explain NAME --verify`: the walk's questions to cluster DNS, asked of the server too.
fn explain_verify(server: &str, extra: &[&str]) -> (i32, String, String) {
    let out = command()
        .args(["explain", "redis-0.redis-headless"])
        .args(&REDIS[..6])
        .args(["--verify", "--dns-server", server, "--tcp"])
        .args(extra)
        .output()
        .expect("run");
    (
        out.status.code().expect("exit code"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn explain_verify_asks_the_walks_questions_and_shows_both_answers() {
    let named = Named::serve(&zone());
    let (code, stdout, stderr) = explain_verify(&named.server(), &["-o", "json"]);
    assert_eq!((code, stderr.as_str()), (0, ""), "{stdout}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    // The first candidate of the search walk resolves: one question, answered alike.
    assert_eq!(json["result"]["resolves"], true);
    assert_eq!(json["verify"]["checked"], 1);
    assert_eq!(json["verify"]["matched"], 1);
    assert_eq!(json["verify"]["via"], "direct");
    let (code, table, _) = explain_verify(&named.server(), &[]);
    assert_eq!(code, 0);
    assert!(
        table.contains(&format!(
            "verified 1 questions against {} over tcp: 1 match, 0 differ\n\
             ok redis-0.redis-headless.cache.svc.cluster.local. A: expected 10.244.1.10; served 10.244.1.10\n",
            named.server()
        )),
        "{table}"
    );
}

#[test]
fn explain_verify_shows_where_the_server_differs_and_exits_1() {
    let named = Named::serve(&planted());
    let (code, stdout, stderr) = explain_verify(&named.server(), &["-o", "json"]);
    assert_eq!((code, stderr.as_str()), (1, ""), "{stdout}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    // The objects say it resolves; the server says it does not.
    assert_eq!(json["result"]["resolves"], true);
    assert_eq!(
        json["verify"]["differences"],
        serde_json::json!([
            {"name": "redis-0.redis-headless.cache.svc.cluster.local.", "type": "A",
             "status": "missing", "expected": ["10.244.1.10"], "served": [],
             "expected_rcode": "NOERROR", "served_rcode": "NXDOMAIN", "expected_ttl": 30}
        ])
    );
    let (_, table, _) = explain_verify(&named.server(), &[]);
    assert!(
        table.contains(
            "missing redis-0.redis-headless.cache.svc.cluster.local. A: expected 10.244.1.10; served NXDOMAIN\n"
        ),
        "{table}"
    );
}

#[test]
fn explain_verify_live_goes_through_the_port_forward() {
    let named = Named::serve(&zone());
    let (_api, _dir, kubeconfig) = cluster(&[], ServerOptions::default(), Some(named_addr(&named)));
    let out = command()
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args([
            "explain",
            "redis-0.redis-headless",
            "--verify",
            "-o",
            "json",
        ])
        .args(["--dns-pod", "coredns-668d6bf9bc-b8m2t"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!((out.status.code(), stderr.as_ref()), (Some(0), ""));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let verify = &json["verify"];
    assert_eq!(verify["via"], "port-forward");
    assert_eq!(verify["server"], "kube-system/coredns-668d6bf9bc-b8m2t:53");
    assert_eq!(
        (&verify["checked"], &verify["matched"]),
        (&1.into(), &1.into())
    );
}
