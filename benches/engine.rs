//! Benchmark: the pure core (`analyze`: views, records, facts, findings) on generated clusters,
//! each scenario at two sizes ten times apart so the scaling is visible. Each run is a child
//! process, so its peak memory is its own. Run with `cargo bench --bench engine`; one run alone
//! with `cargo bench --bench engine -- SCENARIO SIZE` (e.g. `mixed 100000` for the scaling step
//! past the default sizes).
//!
//! Scenarios:
//! - `mixed`: SIZE Services in 100 namespaces, half headless with hostnames, half ClusterIP, ten
//!   ready endpoints each, one named port.
//! - `headless`: one headless Service with SIZE endpoints (a StatefulSet-sized Service taken to
//!   the extreme: every SRV answer de-duplicates SIZE entries).
//! - `namespace`: one namespace with SIZE (Service, EndpointSlice, Pod) triples, the pods owned by
//!   StatefulSets with hostnames, so the per-pod facts run against a crowded namespace.
//! - `selector`: `mixed` with every other Service labelled `tier=a`, analysed with `-A -l tier=a`,
//!   so the narrowing of records, facts and findings to a large selection is measured.

#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    clippy::print_stdout,
    clippy::print_stderr
)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use dnsrecords::analyze_dns_owned;
use dnsrecords::corefile;
use dnsrecords::model::{ClusterDns, ClusterSnapshot, LabelSelector, Selection};
use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1::{
    Pod, PodCondition, PodSpec, PodStatus, PodTemplateSpec, Service, ServicePort, ServiceSpec,
};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

/// The binary's allocator (see main.rs), so that the core's time and peak are the CLI's.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn meta(namespace: &str, name: &str, labels: &[(&str, &str)]) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: Some(namespace.to_string()),
        labels: Some(
            labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
        ),
        ..ObjectMeta::default()
    }
}

fn address(n: usize) -> String {
    format!("10.{}.{}.{}", 128 + n / 65536, (n / 256) % 256, n % 256)
}

fn service(namespace: &str, name: &str, cluster_ip: &str, selector: Option<&str>) -> Service {
    Service {
        metadata: meta(namespace, name, &[]),
        spec: Some(ServiceSpec {
            cluster_ip: Some(cluster_ip.to_string()),
            cluster_ips: Some(vec![cluster_ip.to_string()]),
            selector: selector.map(|app| BTreeMap::from([("app".to_string(), app.to_string())])),
            ports: Some(vec![ServicePort {
                name: Some("http".to_string()),
                port: 80,
                protocol: Some("TCP".to_string()),
                ..ServicePort::default()
            }]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

fn endpoint(n: usize, hostname: Option<String>, pod: Option<&str>, namespace: &str) -> Endpoint {
    Endpoint {
        addresses: vec![address(n)],
        conditions: Some(EndpointConditions {
            ready: Some(true),
            ..EndpointConditions::default()
        }),
        hostname,
        target_ref: pod.map(|name| k8s_openapi::api::core::v1::ObjectReference {
            kind: Some("Pod".to_string()),
            name: Some(name.to_string()),
            namespace: Some(namespace.to_string()),
            ..Default::default()
        }),
        ..Endpoint::default()
    }
}

fn slice(namespace: &str, service: &str, endpoints: Vec<Endpoint>) -> EndpointSlice {
    EndpointSlice {
        metadata: meta(
            namespace,
            &format!("{service}-abcde"),
            &[
                ("kubernetes.io/service-name", service),
                (
                    "endpointslice.kubernetes.io/managed-by",
                    "endpointslice-controller.k8s.io",
                ),
            ],
        ),
        address_type: "IPv4".to_string(),
        endpoints,
        ports: Some(vec![EndpointPort {
            name: Some("http".to_string()),
            port: Some(8080),
            protocol: Some("TCP".to_string()),
            ..EndpointPort::default()
        }]),
    }
}

fn mixed(size: usize) -> ClusterSnapshot {
    let mut snapshot = ClusterSnapshot::default();
    for i in 0..size {
        let namespace = format!("ns-{}", i % 100);
        let name = format!("svc-{i}");
        let headless = i % 2 == 0;
        let cluster_ip = if headless {
            "None".to_string()
        } else {
            format!("10.{}.{}.{}", 96 + i / 65536, (i / 256) % 256, i % 256)
        };
        snapshot
            .services
            .push(service(&namespace, &name, &cluster_ip, None));
        let endpoints = (0..10)
            .map(|j| {
                endpoint(
                    i * 10 + j,
                    headless.then(|| format!("{name}-{j}")),
                    None,
                    "",
                )
            })
            .collect();
        snapshot
            .endpoint_slices
            .push(slice(&namespace, &name, endpoints));
    }
    snapshot
}

fn headless(size: usize) -> ClusterSnapshot {
    let mut snapshot = ClusterSnapshot::default();
    snapshot.services.push(service("big", "wide", "None", None));
    let endpoints: Vec<Endpoint> = (0..size).map(|n| endpoint(n, None, None, "big")).collect();
    // The controller caps a slice at 1,000 endpoints.
    for (k, chunk) in endpoints.chunks(1000).enumerate() {
        let mut s = slice("big", "wide", chunk.to_vec());
        s.metadata.name = Some(format!("wide-{k}"));
        snapshot.endpoint_slices.push(s);
    }
    snapshot
}

fn namespace(size: usize) -> ClusterSnapshot {
    let mut snapshot = ClusterSnapshot::default();
    let ns = "crowded";
    for i in 0..size {
        let name = format!("app-{i}");
        let pod = format!("{name}-0");
        snapshot
            .services
            .push(service(ns, &name, "None", Some(&name)));
        snapshot.endpoint_slices.push(slice(
            ns,
            &name,
            vec![endpoint(i, Some(pod.clone()), Some(&pod), ns)],
        ));
        snapshot.stateful_sets.push(StatefulSet {
            metadata: meta(ns, &name, &[]),
            spec: Some(StatefulSetSpec {
                service_name: Some(name.clone()),
                replicas: Some(1),
                template: PodTemplateSpec {
                    metadata: Some(meta(ns, "", &[("app", &name)])),
                    spec: None,
                },
                ..StatefulSetSpec::default()
            }),
            status: None,
        });
        let mut pod_meta = meta(ns, &pod, &[("app", &name)]);
        pod_meta.owner_references = Some(vec![OwnerReference {
            api_version: "apps/v1".to_string(),
            kind: "StatefulSet".to_string(),
            name: name.clone(),
            uid: format!("uid-{i}"),
            ..OwnerReference::default()
        }]);
        snapshot.pods.push(
            Pod {
                metadata: pod_meta,
                spec: Some(PodSpec {
                    hostname: Some(pod.clone()),
                    subdomain: Some(name.clone()),
                    ..PodSpec::default()
                }),
                status: Some(PodStatus {
                    phase: Some("Running".to_string()),
                    pod_ip: Some(address(i)),
                    conditions: Some(vec![PodCondition {
                        type_: "Ready".to_string(),
                        status: "True".to_string(),
                        ..PodCondition::default()
                    }]),
                    ..PodStatus::default()
                }),
            }
            .into(),
        );
    }
    snapshot
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One scenario at one size, in this process: best of three. Each run analyses a snapshot of its
/// own and hands it over, as the CLI does (`analyze_dns_owned` frees the objects as the view is
/// built); building the snapshot is not timed.
fn run_one(scenario: &str, size: usize) {
    let mut selection = Selection::default();
    let build = || match scenario {
        "mixed" => mixed(size),
        "selector" => {
            let mut snapshot = mixed(size);
            for service in snapshot.services.iter_mut().step_by(2) {
                service
                    .metadata
                    .labels
                    .get_or_insert_default()
                    .insert("tier".to_string(), "a".to_string());
            }
            snapshot
        }
        "headless" => headless(size),
        "namespace" => namespace(size),
        other => {
            eprintln!("unknown scenario {other}");
            std::process::exit(2);
        }
    };
    if scenario == "selector" {
        selection.selector = Some(LabelSelector::parse("tier=a").expect("selector"));
    }
    let dns = ClusterDns::single(corefile::kubeadm_default());
    let mut best = Duration::MAX;
    let mut records = 0;
    let mut facts = 0;
    for _ in 0..3 {
        let snapshot = build();
        let run = Instant::now();
        let report = analyze_dns_owned(snapshot, &dns, &selection).expect("analyze");
        best = best.min(run.elapsed());
        records = report.records.len();
        facts = report.facts.len();
    }
    println!(
        "{scenario:>9} {size:>7}: {records:>7} records, {facts:>7} facts; analyze best of 3 {:>7.0} ms; peak RSS {:>5} MiB",
        best.as_secs_f64() * 1e3,
        peak_rss_kib().map_or(0, |k| k / 1024)
    );
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if let [scenario, size] = args.as_slice() {
        let size: usize = size.parse().expect("SIZE is a number");
        run_one(scenario, size);
        return;
    }
    let me = std::env::current_exe().expect("own path");
    for (scenario, small, large) in [
        ("mixed", 1_000, 10_000),
        ("headless", 10_000, 100_000),
        ("namespace", 4_000, 40_000),
        ("selector", 1_000, 10_000),
    ] {
        for size in [small, large] {
            let status = std::process::Command::new(&me)
                .arg(scenario)
                .arg(size.to_string())
                .status()
                .expect("run the scenario");
            assert!(status.success(), "{scenario} {size} failed");
        }
    }
}
