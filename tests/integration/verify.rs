//! `--verify` against real DNS software: BIND's `named` serving the tool's own `-o zone` output,
//! clean and with planted differences, over UDP and TCP; and servers that never answer or close
//! the connection.

use std::net::{TcpListener, UdpSocket};

use crate::support::named::Named;
use crate::support::{command, stdout_of};

const REDIS: [&str; 7] = [
    "-f",
    "examples/redis-statefulset.yaml",
    "-f",
    "examples/cluster-dns.yaml",
    "-n",
    "cache",
    "svc/redis-headless",
];

fn zone() -> String {
    stdout_of(&[&REDIS[..], &["-o", "zone"]].concat())
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
    assert_eq!(json["verify"]["checked"], records.len() + absent);
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
fn verify_needs_a_server() {
    let out = command().args(REDIS).arg("--verify").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--dns-server"));
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
    for transport in [&[][..], &["--tcp"][..]] {
        let (elapsed, json) = time(
            &[
                &["--verify", "--dns-server", &named.server()][..],
                transport,
            ]
            .concat(),
        );
        let checked = json["verify"]["checked"].as_u64().expect("checked");
        assert_eq!(checked, 10_000);
        assert_eq!(json["verify"]["matched"], 10_000);
        let asking = elapsed - baseline;
        println!(
            "{} questions over {}: {elapsed:.2}s in all, {asking:.2}s asking beyond the {baseline:.2}s run without --verify: {:.0} questions/s",
            checked,
            json["verify"]["transport"].as_str().unwrap_or_default(),
            checked as f64 / asking
        );
    }
}
