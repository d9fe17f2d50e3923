//! Benchmark: the record engine on a generated cluster of 10,000 Services and 100,000 endpoints
//! (half headless, half ClusterIP, ten ready endpoints each, one named port). Prints wall time per
//! phase and the process's peak memory. Run with `cargo bench --bench engine`.

#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    clippy::print_stdout
)]

use std::collections::BTreeMap;
use std::time::Instant;

use dnsrecords::analyze;
use dnsrecords::corefile;
use dnsrecords::model::{ClusterSnapshot, Selection};
use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

const SERVICES: usize = 10_000;
const ENDPOINTS_PER_SERVICE: usize = 10;

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

fn generate() -> ClusterSnapshot {
    let mut snapshot = ClusterSnapshot::default();
    for i in 0..SERVICES {
        let namespace = format!("ns-{}", i % 100);
        let name = format!("svc-{i}");
        let headless = i % 2 == 0;
        let cluster_ip = if headless {
            "None".to_string()
        } else {
            format!("10.{}.{}.{}", 96 + i / 65536, (i / 256) % 256, i % 256)
        };
        snapshot.services.push(Service {
            metadata: meta(&namespace, &name, &[]),
            spec: Some(ServiceSpec {
                cluster_ip: Some(cluster_ip.clone()),
                cluster_ips: Some(vec![cluster_ip]),
                ports: Some(vec![ServicePort {
                    name: Some("http".to_string()),
                    port: 80,
                    protocol: Some("TCP".to_string()),
                    ..ServicePort::default()
                }]),
                ..ServiceSpec::default()
            }),
            ..Service::default()
        });
        let endpoints = (0..ENDPOINTS_PER_SERVICE)
            .map(|j| {
                let n = i * ENDPOINTS_PER_SERVICE + j;
                Endpoint {
                    addresses: vec![format!(
                        "10.{}.{}.{}",
                        128 + n / 65536,
                        (n / 256) % 256,
                        n % 256
                    )],
                    conditions: Some(EndpointConditions {
                        ready: Some(true),
                        ..EndpointConditions::default()
                    }),
                    hostname: headless.then(|| format!("{name}-{j}")),
                    ..Endpoint::default()
                }
            })
            .collect();
        snapshot.endpoint_slices.push(EndpointSlice {
            metadata: meta(
                &namespace,
                &format!("{name}-abcde"),
                &[("kubernetes.io/service-name", &name)],
            ),
            address_type: "IPv4".to_string(),
            endpoints,
            ports: Some(vec![EndpointPort {
                name: Some("http".to_string()),
                port: Some(8080),
                protocol: Some("TCP".to_string()),
                ..EndpointPort::default()
            }]),
        });
    }
    snapshot
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let started = Instant::now();
    let snapshot = generate();
    let generated = started.elapsed();
    let config = corefile::kubeadm_default();
    let mut best = None;
    let mut records = 0;
    for _ in 0..5 {
        let run = Instant::now();
        let report = analyze(&snapshot, &config, &Selection::default()).expect("analyze");
        let elapsed = run.elapsed();
        records = report.records.len();
        best = Some(best.map_or(elapsed, |b: std::time::Duration| b.min(elapsed)));
    }
    let best = best.unwrap_or_default();
    println!(
        "engine: {SERVICES} services, {} endpoints -> {records} records; generate {:.0} ms, analyze best of 5 {:.0} ms; peak RSS {} MiB",
        SERVICES * ENDPOINTS_PER_SERVICE,
        generated.as_secs_f64() * 1e3,
        best.as_secs_f64() * 1e3,
        peak_rss_kib().map_or(0, |k| k / 1024)
    );
}
