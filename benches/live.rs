//! Benchmark: the live path against the HTTPS test API server, side by side with kubectl on the
//! same server. Run with `cargo bench --bench live` (needs kubectl on PATH).
//!
//! 1. A generated cluster of 10,000 Services, 100,000 endpoints and 100,000 Pods (one per
//!    endpoint): `kubectl-dnsrecords -A -o json` against `kubectl get services,endpointslices -A
//!    -o json`, and against the download floor — every page the tool fetches, fetched
//!    concurrently the same way and decoded not at all — wall time and peak RSS, ratios in one
//!    run. `-o zone` and `-o table` beside it (their peak RSS against `-o json`'s).
//! 2. Scaling: the same at a tenth of the size (`BENCH_SERVICES` sets the larger size, default
//!    10,000), and the ratio of the two: 10× the cluster should cost at most 10× time and memory.
//! 3. One Service and one StatefulSet of the large cluster with 50 ms of injected latency per
//!    request: `kubectl-dnsrecords svc/NAME` and `sts/NAME` against `kubectl get svc NAME` and
//!    `kubectl get sts NAME` (one round trip each, whatever the namespace holds).

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

const ENDPOINTS_PER_SERVICE: usize = 10;

/// Writes the generated cluster as a `kind: List` JSON file (what the test server loads):
/// `services` Services in 100 namespaces, each with one slice of ten endpoints and one Running,
/// Ready Pod per endpoint; half of them headless, each governing a StatefulSet of ten replicas
/// whose Pods carry hostname, subdomain and owner as the controller sets them.
fn generate(path: &Path, services: usize) {
    let mut items = String::new();
    for i in 0..services {
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
            let (pod_spec, owner) = if headless {
                (
                    format!(r#""hostname":"{name}-{j}","subdomain":"{name}","#),
                    format!(
                        r#","ownerReferences":[{{"apiVersion":"apps/v1","kind":"StatefulSet","name":"{name}","uid":"uid-{i}","controller":true}}]"#
                    ),
                )
            } else {
                (String::new(), String::new())
            };
            let ip = format!("10.{}.{}.{}", 128 + n / 65536, (n / 256) % 256, n % 256);
            let _ = write!(
                endpoints,
                r#"{{"addresses":["{ip}"],"conditions":{{"ready":true}}{hostname},"targetRef":{{"kind":"Pod","name":"{name}-{j}","namespace":"{namespace}"}}}}"#,
            );
            let _ = write!(
                items,
                r#",{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"{name}-{j}","namespace":"{namespace}","labels":{{"app":"{name}"}}{owner}}},"spec":{{{pod_spec}"containers":[{{"name":"app","image":"registry.example/app:1.0"}}]}},"status":{{"phase":"Running","podIP":"{ip}","podIPs":[{{"ip":"{ip}"}}],"conditions":[{{"type":"Ready","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z"}}]}}}}"#,
            );
        }
        if headless {
            let _ = write!(
                items,
                r#",{{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{{"name":"{name}","namespace":"{namespace}"}},"spec":{{"serviceName":"{name}","replicas":{ENDPOINTS_PER_SERVICE},"selector":{{"matchLabels":{{"app":"{name}"}}}},"template":{{"metadata":{{"labels":{{"app":"{name}"}}}},"spec":{{"containers":[{{"name":"app","image":"registry.example/app:1.0"}}]}}}}}}}}"#
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

/// The download floor: every list the tool's `-A` run fetches, each paged at the tool's page
/// size and all of them concurrently (as the tool does), the bytes counted and nothing decoded
/// but the continue token. Best wall time of `runs`; returns (wall, bytes).
fn download_floor(kubeconfig: &Path, runs: usize) -> (Duration, usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let kubeconfig = kube::config::Kubeconfig::read_from(kubeconfig).expect("kubeconfig");
        let config = kube::Config::from_custom_kubeconfig(
            kubeconfig,
            &kube::config::KubeConfigOptions::default(),
        )
        .await
        .expect("config");
        let client = kube::Client::try_from(config).expect("client");
        let lists = [
            "/api/v1/services",
            "/apis/discovery.k8s.io/v1/endpointslices",
            "/api/v1/pods",
            "/apis/apps/v1/statefulsets",
            "/api/v1/namespaces",
            "/apis/networking.k8s.io/v1/networkpolicies",
        ];
        let mut best: Option<(Duration, usize)> = None;
        for _ in 0..runs {
            let started = Instant::now();
            let sizes = futures::future::join_all(lists.iter().map(|path| {
                let client = client.clone();
                async move { fetch_pages(&client, path).await }
            }))
            .await;
            let wall = started.elapsed();
            let bytes = sizes.iter().sum();
            if best.is_none_or(|(b, _)| wall < b) {
                best = Some((wall, bytes));
            }
        }
        best.expect("at least one run")
    })
}

/// Fetches every page of one list; returns the bytes received.
async fn fetch_pages(client: &kube::Client, path: &str) -> usize {
    use http_body_util::BodyExt;
    let mut bytes = 0;
    let mut token: Option<String> = None;
    loop {
        let uri = match &token {
            Some(token) => format!("{path}?limit={PAGE_SIZE}&continue={}", query_escape(token)),
            None => format!("{path}?limit={PAGE_SIZE}"),
        };
        let request = http::Request::get(uri)
            .body(kube::client::Body::empty())
            .expect("request");
        let response = client.send(request).await.expect("list page");
        let body = response
            .into_body()
            .collect()
            .await
            .expect("page body")
            .to_bytes();
        bytes += body.len();
        token = continue_token(&body);
        if token.is_none() {
            return bytes;
        }
    }
}

/// A continue token for a query string: the test server's tokens are standard base64, whose
/// `+`, `/` and `=` must be percent-encoded.
fn query_escape(token: &str) -> String {
    token
        .chars()
        .map(|c| match c {
            '+' => "%2B".to_string(),
            '/' => "%2F".to_string(),
            '=' => "%3D".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// The `metadata.continue` of a list page, found without decoding the page.
fn continue_token(page: &[u8]) -> Option<String> {
    let key = br#""continue":""#;
    let start = page.windows(key.len()).position(|w| w == key)? + key.len();
    let end = start + page[start..].iter().position(|&b| b == b'"')?;
    let token = std::str::from_utf8(&page[start..end]).ok()?;
    (!token.is_empty()).then(|| token.to_string())
}

/// kubectl's page size, which the tool uses too.
const PAGE_SIZE: u32 = 500;

/// Our figures for one cluster size.
struct Size {
    services: usize,
    json: Measured,
    zone: Measured,
    table: Measured,
    floor: (Duration, usize),
}

fn mib(kib: u64) -> u64 {
    kib / 1024
}

fn ms(wall: Duration) -> f64 {
    wall.as_secs_f64() * 1e3
}

/// Profiling aid: serves the generated cluster of `services` Services and writes its kubeconfig
/// to `kubeconfig`, until standard input closes, so that a profiler can run the tool against it
/// (`BENCH_SERVE_KUBECONFIG=path cargo bench --bench live`; `BENCH_LATENCY_MS` adds latency).
fn serve_only(dir: &Path, kubeconfig: &Path, services: usize) {
    let cluster = dir.join("cluster.json");
    generate(&cluster, services);
    // BENCH_LATENCY_MS: latency added to every request, to see how the lists' pages chain.
    let latency = std::env::var("BENCH_LATENCY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::ZERO, Duration::from_millis);
    let options = ServerOptions {
        latency,
        ..ServerOptions::default()
    };
    let server = ApiServer::start(&[cluster.as_path()], options);
    let written = server.write_kubeconfig(dir, "serve", None);
    std::fs::copy(&written, kubeconfig).expect("copy the kubeconfig");
    println!(
        "serving {services} services; kubeconfig at {}",
        kubeconfig.display()
    );
    let mut line = String::new();
    while std::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) {}
    drop(server);
}

fn main() {
    let ours = PathBuf::from(env!("CARGO_BIN_EXE_kubectl-dnsrecords"));
    let ours = ours.to_str().expect("utf-8 path").to_string();
    // The versioned kubectl beside the machine's wrapper, which would add a GET /version.
    let kubectl = std::env::var("BENCH_KUBECTL").unwrap_or_else(|_| "kubectl".to_string());
    let large: usize = std::env::var("BENCH_SERVICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    if let Ok(path) = std::env::var("BENCH_SERVE_KUBECONFIG") {
        serve_only(dir.path(), Path::new(&path), large);
        return;
    }

    let mut sizes = Vec::new();
    for services in [large / 10, large] {
        let cluster = dir.path().join(format!("cluster-{services}.json"));
        let started = Instant::now();
        generate(&cluster, services);
        println!(
            "generated {services} services, {} endpoints, {} pods in {:.1} s",
            services * ENDPOINTS_PER_SERVICE,
            services * ENDPOINTS_PER_SERVICE,
            started.elapsed().as_secs_f64()
        );
        let server = ApiServer::start(&[cluster.as_path()], ServerOptions::default());
        let kubeconfig = server.write_kubeconfig(dir.path(), &format!("k{services}"), None);
        let envs = [
            ("KUBECONFIG", kubeconfig.as_path()),
            ("HOME", home.as_path()),
        ];
        let json = measure(&ours, &["-A", "-o", "json", "--fail-on", "never"], &envs, 3);
        let zone = measure(&ours, &["-A", "-o", "zone", "--fail-on", "never"], &envs, 2);
        let table = measure(&ours, &["-A", "--fail-on", "never"], &envs, 2);
        let floor = download_floor(&kubeconfig, 3);
        let size = Size {
            services,
            json,
            zone,
            table,
            floor,
        };
        println!(
            "{services} services: -A -o json {:.0} ms / {} MiB ({} KiB out); -o zone {:.0} ms / {} MiB; table {:.0} ms / {} MiB; download floor {:.0} ms for {} MiB of pages (ratio {:.1}x the floor)",
            ms(size.json.wall),
            mib(size.json.peak_rss_kib),
            size.json.output_bytes / 1024,
            ms(size.zone.wall),
            mib(size.zone.peak_rss_kib),
            ms(size.table.wall),
            mib(size.table.peak_rss_kib),
            ms(size.floor.0),
            size.floor.1 / (1024 * 1024),
            size.json.wall.as_secs_f64() / size.floor.0.as_secs_f64()
        );
        if services == large {
            let theirs = measure(
                &kubectl,
                &["get", "services,endpointslices", "-A", "-o", "json"],
                &envs,
                3,
            );
            report(
                &format!("{services} services, -A -o json against kubectl"),
                &size.json,
                &theirs,
            );
        }
        sizes.push(size);
        drop(server);
    }
    if let [small, big] = sizes.as_slice() {
        println!(
            "scaling {} -> {} services: wall {:.1}x, memory {:.1}x (goal: at most 10x)",
            small.services,
            big.services,
            big.json.wall.as_secs_f64() / small.json.wall.as_secs_f64(),
            big.json.peak_rss_kib as f64 / small.json.peak_rss_kib.max(1) as f64
        );
    }

    // One named target in the large cluster, with 50 ms of latency on every request: its
    // namespace holds 100 Services, 50 StatefulSets and 1,000 Pods, which paged lists would
    // fetch in several round trips.
    let cluster = dir.path().join(format!("cluster-{large}.json"));
    let slow = ApiServer::start(
        &[cluster.as_path()],
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
    let ours_one = measure(&ours, &["-n", "ns-1", "svc/svc-1"], &envs, 10);
    let kubectl_one = measure(&kubectl, &["get", "svc", "svc-1", "-n", "ns-1"], &envs, 10);
    report(
        &format!("one Service of {large}, 50 ms API latency"),
        &ours_one,
        &kubectl_one,
    );
    let ours_sts = measure(&ours, &["-n", "ns-0", "sts/svc-0"], &envs, 10);
    let kubectl_sts = measure(&kubectl, &["get", "sts", "svc-0", "-n", "ns-0"], &envs, 10);
    report(
        &format!("one StatefulSet of {large}, 50 ms API latency"),
        &ours_sts,
        &kubectl_sts,
    );
}
