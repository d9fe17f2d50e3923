//! Which DNS server `--verify` asks, and how: a pure decision over the flags, where the tool runs
//! and the cluster's kube-dns objects. No I/O.
//!
//! - `--dns-server HOST[:PORT]`: that server, directly.
//! - `--dns-pod NAME`: that pod in kube-system, through the API server's port-forward.
//! - inside a pod (the service account's in-cluster configuration): the kube-dns ClusterIP, as
//!   the pods of the cluster ask it.
//! - otherwise, from a workstation: one ready CoreDNS pod from the kube-dns EndpointSlices,
//!   through the port-forward.

use std::net::{IpAddr, SocketAddr};

use crate::model::ClusterSnapshot;
use crate::model::kubernetes::{DNS_NAMESPACE, DNS_SERVICE, SERVICE_NAME_LABEL};

use super::VerifyError;

/// Where the objects came from, as far as the route is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Manifests (`-f`): no cluster to forward through.
    Files,
    /// The API server, from a kubeconfig.
    Workstation,
    /// The API server, with the in-cluster service account: the tool runs in a pod.
    InCluster,
}

/// How the questions will travel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// To `server` (`HOST[:PORT]` as given, or the kube-dns ClusterIP with port 53).
    Direct {
        /// `HOST[:PORT]`.
        server: String,
        /// Whether it is the kube-dns ClusterIP chosen by default in a pod.
        cluster_ip: bool,
    },
    /// Through the API server's port-forward to this pod of kube-system.
    PortForward {
        /// The pod's name.
        pod: String,
    },
}

/// The route for these flags and this snapshot.
pub fn choose(
    dns_server: Option<&str>,
    dns_pod: Option<&str>,
    origin: Origin,
    snapshot: &ClusterSnapshot,
) -> Result<Route, VerifyError> {
    if let Some(server) = dns_server {
        return Ok(Route::Direct {
            server: server.to_string(),
            cluster_ip: false,
        });
    }
    match origin {
        Origin::Files => Err(VerifyError::NeedsServer),
        _ if dns_pod.is_some() => Ok(Route::PortForward {
            pod: dns_pod.unwrap_or_default().to_string(),
        }),
        Origin::InCluster if kube_dns_cluster_ip(snapshot).is_some() => Ok(Route::Direct {
            server: kube_dns_cluster_ip(snapshot)
                .map(|ip| SocketAddr::new(ip, 53).to_string())
                .unwrap_or_default(),
            cluster_ip: true,
        }),
        Origin::InCluster | Origin::Workstation => ready_dns_pods(snapshot)
            .into_iter()
            .next()
            .map(|pod| Route::PortForward { pod })
            .ok_or(VerifyError::NoDnsPod),
    }
}

/// The kube-dns Service's ClusterIP (the first of its families), when the snapshot holds it.
pub fn kube_dns_cluster_ip(snapshot: &ClusterSnapshot) -> Option<IpAddr> {
    snapshot
        .services
        .iter()
        .filter(|service| {
            service.metadata.namespace.as_deref() == Some(DNS_NAMESPACE)
                && service.metadata.name.as_deref() == Some(DNS_SERVICE)
        })
        .filter_map(|service| service.spec.as_ref()?.cluster_ip.as_deref())
        .find_map(|ip| ip.parse().ok())
}

/// The ready CoreDNS pods behind kube-dns, by name: endpoints of the kube-dns EndpointSlices in
/// kube-system that point at a Pod and are ready (an unset condition means ready, as the
/// EndpointSlice API defines it).
pub fn ready_dns_pods(snapshot: &ClusterSnapshot) -> Vec<String> {
    let mut pods: Vec<String> = snapshot
        .endpoint_slices
        .iter()
        .filter(|slice| {
            slice.metadata.namespace.as_deref() == Some(DNS_NAMESPACE)
                && slice
                    .metadata
                    .labels
                    .as_ref()
                    .and_then(|labels| labels.get(SERVICE_NAME_LABEL))
                    .is_some_and(|service| service == DNS_SERVICE)
        })
        .flat_map(|slice| slice.endpoints.iter())
        .filter(|endpoint| {
            endpoint
                .conditions
                .as_ref()
                .and_then(|conditions| conditions.ready)
                .unwrap_or(true)
        })
        .filter_map(|endpoint| endpoint.target_ref.as_ref())
        .filter(|target| {
            target.kind.as_deref() == Some("Pod")
                && target
                    .namespace
                    .as_deref()
                    .is_none_or(|ns| ns == DNS_NAMESPACE)
        })
        .filter_map(|target| target.name.clone())
        .collect();
    pods.sort();
    pods.dedup();
    pods
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{ObjectReference, Service, ServiceSpec};
    use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointSlice};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    use super::*;

    fn endpoint(pod: &str, ready: Option<bool>) -> Endpoint {
        Endpoint {
            addresses: vec!["10.244.0.2".to_string()],
            conditions: Some(EndpointConditions {
                ready,
                ..Default::default()
            }),
            target_ref: Some(ObjectReference {
                kind: Some("Pod".to_string()),
                name: Some(pod.to_string()),
                namespace: Some(DNS_NAMESPACE.to_string()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn slice(namespace: &str, service: &str, endpoints: Vec<Endpoint>) -> EndpointSlice {
        EndpointSlice {
            metadata: ObjectMeta {
                name: Some(format!("{service}-abcde")),
                namespace: Some(namespace.to_string()),
                labels: Some([(SERVICE_NAME_LABEL.to_string(), service.to_string())].into()),
                ..Default::default()
            },
            address_type: "IPv4".to_string(),
            endpoints,
            ports: None,
        }
    }

    fn kube_dns(cluster_ip: &str) -> Service {
        Service {
            metadata: ObjectMeta {
                name: Some(DNS_SERVICE.to_string()),
                namespace: Some(DNS_NAMESPACE.to_string()),
                ..Default::default()
            },
            spec: Some(ServiceSpec {
                cluster_ip: Some(cluster_ip.to_string()),
                ..Default::default()
            }),
            status: None,
        }
    }

    fn cluster() -> ClusterSnapshot {
        ClusterSnapshot {
            services: vec![kube_dns("10.96.0.10")],
            endpoint_slices: vec![
                slice(
                    DNS_NAMESPACE,
                    DNS_SERVICE,
                    vec![
                        endpoint("coredns-b", Some(true)),
                        endpoint("coredns-c", Some(false)),
                    ],
                ),
                slice(
                    DNS_NAMESPACE,
                    DNS_SERVICE,
                    vec![endpoint("coredns-a", None)],
                ),
                // Another Service's pods are no CoreDNS pods, even in kube-system.
                slice(
                    DNS_NAMESPACE,
                    "metrics",
                    vec![endpoint("aaa-metrics", Some(true))],
                ),
                slice(
                    "default",
                    DNS_SERVICE,
                    vec![endpoint("aaa-impostor", Some(true))],
                ),
            ],
            ..Default::default()
        }
    }

    fn route(server: Option<&str>, pod: Option<&str>, origin: Origin) -> Route {
        choose(server, pod, origin, &cluster()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn forward(pod: &str) -> Route {
        Route::PortForward {
            pod: pod.to_string(),
        }
    }

    #[test]
    fn ready_pods_behind_kube_dns_only() {
        assert_eq!(ready_dns_pods(&cluster()), ["coredns-a", "coredns-b"]);
    }

    #[test]
    fn a_workstation_forwards_to_the_first_ready_pod_or_the_chosen_one() {
        assert_eq!(route(None, None, Origin::Workstation), forward("coredns-a"));
        assert_eq!(
            route(None, Some("coredns-c"), Origin::Workstation),
            forward("coredns-c")
        );
    }

    #[test]
    fn in_a_pod_the_cluster_ip_is_asked_unless_a_pod_is_chosen() {
        assert_eq!(
            route(None, None, Origin::InCluster),
            Route::Direct {
                server: "10.96.0.10:53".to_string(),
                cluster_ip: true
            }
        );
        assert_eq!(
            route(None, Some("coredns-b"), Origin::InCluster),
            forward("coredns-b")
        );
        // kube-dns not readable (or headless): the pods, as from a workstation.
        let mut snapshot = cluster();
        snapshot.services = vec![kube_dns("None")];
        assert_eq!(
            choose(None, None, Origin::InCluster, &snapshot).ok(),
            Some(forward("coredns-a"))
        );
        snapshot.services = vec![kube_dns("fd00:10:96::a")];
        assert_eq!(
            choose(None, None, Origin::InCluster, &snapshot).ok(),
            Some(Route::Direct {
                server: "[fd00:10:96::a]:53".to_string(),
                cluster_ip: true
            })
        );
    }

    #[test]
    fn dns_server_wins_everywhere_and_files_need_it() {
        let direct = Route::Direct {
            server: "127.0.0.1:5353".to_string(),
            cluster_ip: false,
        };
        for origin in [Origin::Files, Origin::Workstation, Origin::InCluster] {
            assert_eq!(route(Some("127.0.0.1:5353"), None, origin), direct);
        }
        assert!(matches!(
            choose(None, Some("coredns-a"), Origin::Files, &cluster()),
            Err(VerifyError::NeedsServer)
        ));
    }

    #[test]
    fn no_ready_pod_is_an_error() {
        let mut snapshot = cluster();
        snapshot.endpoint_slices.truncate(1);
        snapshot.endpoint_slices[0].endpoints.remove(0);
        assert!(matches!(
            choose(None, None, Origin::Workstation, &snapshot),
            Err(VerifyError::NoDnsPod)
        ));
    }
}
