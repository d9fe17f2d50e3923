//! Benchmark: the live path against the HTTPS test API server, side by side with kubectl on the
//! same server. Run with `cargo bench --bench live` (needs kubectl on PATH).
//!
//! 1. A generated cluster of 10,000 Services and 100,000 endpoints: `kubectl-dnsrecords -A -o
//!    json` against `kubectl get services,endpointslices -A -o json` — wall time and peak RSS.
//! 2. One Service with 50 ms of injected latency per request: `kubectl-dnsrecords svc/NAME`
//!    against `kubectl get svc NAME`.

#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    clippy::print_stdout
)]

#[path = "../tests/integration/support/apiserver.rs"]
#[allow(dead_code, unused_imports)]
mod apiserver;
// The test API server's pods/portforward endpoint, which apiserver.rs refers to.
#[path = "../tests/integration/support/portforward.rs"]
#[allow(dead_code)]
mod portforward;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use apiserver::{ApiServer, ServerOptions};

const SERVICES: usize = 10_000;
const ENDPOINTS_PER_SERVICE: usize = 10;

/// Writes the generated cluster as a `kind: List` JSON file (what the test server loads).
fn generate(path: &Path) {
    let mut items = String::new();
    for i in 0..SERVICES {
        let namespace = format!("ns-{}", i % 100);
        let name = format!("svc-{i}");
        let headless = i % 2 == 0;
        let cluster_ip = if headless {
            "None".to_string()
        } else {
            format!("10.{}.{}.{}", 96 + i / 65536, (i / 256) % 256, i % 256)
        };
        if !items.is_empty() {
            items.push(',');
        }
        let _ = write!(
            items,
            r#"{{"apiVersion":"v1","kind":"Service","metadata":{{"name":"{name}","namespace":"{namespace}"}},"spec":{{"clusterIP":"{cluster_ip}","clusterIPs":["{cluster_ip}"],"selector":{{"app":"{name}"}},"ports":[{{"name":"http","port":80,"protocol":"TCP"}}]}}}}"#
        );
        let mut endpoints = String::new();
        for j in 0..ENDPOINTS_PER_SERVICE {
            let n = i * ENDPOINTS_PER_SERVICE + j;
            if j > 0 {
                endpoints.push(',');
            }
            let hostname = if headless {
                format!(r#","hostname":"{name}-{j}""#)
            } else {
                String::new()
            };
            let _ = write!(
                endpoints,
                r#"{{"addresses":["10.{}.{}.{}"],"conditions":{{"ready":true}}{hostname},"targetRef":{{"kind":"Pod","name":"{name}-{j}","namespace":"{namespace}"}}}}"#,
                128 + n / 65536,
                (n / 256) % 256,
                n % 256
            );
        }
        let _ = write!(
            items,
            r#",{{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{{"name":"{name}-abcde","namespace":"{namespace}","labels":{{"kubernetes.io/service-name":"{name}"}}}},"addressType":"IPv4","ports":[{{"name":"http","port":8080,"protocol":"TCP"}}],"endpoints":[{endpoints}]}}"#
        );
    }
    let text = format!(r#"{{"apiVersion":"v1","kind":"List","items":[{items}]}}"#);
    std::fs::write(path, text).expect("write the generated cluster");
}

struct Measured {
    wall: Duration,
    peak_rss_kib: u64,
    output_bytes: usize,
}

/// Runs a command under GNU time for its peak RSS; best wall time of `runs`.
fn measure(program: &str, args: &[&str], envs: &[(&str, &Path)], runs: usize) -> Measured {
    let mut best: Option<Measured> = None;
    for _ in 0..runs {
        let mut command = Command::new("/usr/bin/time");
        command.arg("-f").arg("%M").arg(program).args(args);
        for (key, value) in envs {
            command.env(key, value);
        }
        let started = Instant::now();
        let output = command.output().expect("run the command");
        let wall = started.elapsed();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{program} failed: {stderr}"
        );
        let peak_rss_kib = stderr
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(0);
        let run = Measured {
            wall,
            peak_rss_kib,
            output_bytes: output.stdout.len(),
        };
        if best.as_ref().is_none_or(|b| run.wall < b.wall) {
            best = Some(run);
        }
    }
    best.expect("at least one run")
}

fn report(label: &str, ours: &Measured, theirs: &Measured) {
    println!(
        "{label}: kubectl-dnsrecords {:.0} ms, {} MiB peak ({} KiB out) | kubectl {:.0} ms, {} MiB peak ({} KiB out) | ratio wall {:.2}, memory {:.2}",
        ours.wall.as_secs_f64() * 1e3,
        ours.peak_rss_kib / 1024,
        ours.output_bytes / 1024,
        theirs.wall.as_secs_f64() * 1e3,
        theirs.peak_rss_kib / 1024,
        theirs.output_bytes / 1024,
        ours.wall.as_secs_f64() / theirs.wall.as_secs_f64(),
        ours.peak_rss_kib as f64 / theirs.peak_rss_kib.max(1) as f64
    );
}

fn main() {
    let ours = PathBuf::from(env!("CARGO_BIN_EXE_kubectl-dnsrecords"));
    let ours = ours.to_str().expect("utf-8 path").to_string();
    // The versioned kubectl beside the machine's wrapper, which would add a GET /version.
    let kubectl = std::env::var("BENCH_KUBECTL").unwrap_or_else(|_| "kubectl".to_string());
    let dir = tempfile::tempdir().expect("tempdir");

    let cluster = dir.path().join("cluster.json");
    let started = Instant::now();
    generate(&cluster);
    println!(
        "generated {SERVICES} services, {} endpoints in {:.1} s",
        SERVICES * ENDPOINTS_PER_SERVICE,
        started.elapsed().as_secs_f64()
    );
    let big = ApiServer::start(&[cluster.as_path()], ServerOptions::default());
    let kubeconfig = big.write_kubeconfig(dir.path(), "big", None);
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let envs = [
        ("KUBECONFIG", kubeconfig.as_path()),
        ("HOME", home.as_path()),
    ];
    let ours_all = measure(&ours, &["-A", "-o", "json", "--fail-on", "never"], &envs, 3);
    let kubectl_all = measure(
        &kubectl,
        &["get", "services,endpointslices", "-A", "-o", "json"],
        &envs,
        3,
    );
    report(
        "10,000 services / 100,000 endpoints, -A -o json",
        &ours_all,
        &kubectl_all,
    );
    // Where our time goes: the same fetch and analysis with almost nothing rendered (a selector
    // that matches no Service), and with the compact zone format instead of JSON.
    let quiet = ["-A", "-l", "bench=none", "-o", "json", "--fail-on", "never"];
    let ours_quiet = measure(&ours, &quiet, &envs, 3);
    let ours_zone = measure(&ours, &["-A", "-o", "zone", "--fail-on", "never"], &envs, 3);
    println!(
        "  breakdown: fetch + analyze, nothing rendered {:.0} ms / {} MiB; -o zone {:.0} ms ({} KiB out)",
        ours_quiet.wall.as_secs_f64() * 1e3,
        ours_quiet.peak_rss_kib / 1024,
        ours_zone.wall.as_secs_f64() * 1e3,
        ours_zone.output_bytes / 1024
    );
    drop(big);

    let redis = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/redis-statefulset.yaml");
    let dns = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/cluster-dns.yaml");
    let slow = ApiServer::start(
        &[redis.as_path(), dns.as_path()],
        ServerOptions {
            latency: Duration::from_millis(50),
            ..ServerOptions::default()
        },
    );
    let kubeconfig = slow.write_kubeconfig(dir.path(), "slow", None);
    let envs = [
        ("KUBECONFIG", kubeconfig.as_path()),
        ("HOME", home.as_path()),
    ];
    let ours_one = measure(&ours, &["-n", "cache", "svc/redis-headless"], &envs, 10);
    let kubectl_one = measure(
        &kubectl,
        &["get", "svc", "redis-headless", "-n", "cache"],
        &envs,
        10,
    );
    report("one Service, 50 ms API latency", &ours_one, &kubectl_one);
}
