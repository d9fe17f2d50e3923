//! Total views of the objects CoreDNS reads, built once from the Option-heavy API types the way
//! `plugin/kubernetes/object/{service,endpoint,pod}.go` reduce them. A value the engine cannot use
//! (an unparseable IP, a port out of range) drops that part of the object with a note; it never
//! panics and never aborts the run.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Namespace, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;

use crate::model::{ClusterSnapshot, DnsConfig, Kind, Note, ObjectRef};

/// The label the EndpointSlice controller puts on every slice to name its Service.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// What a Service is, as far as DNS is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceKind {
    /// A virtual IP per family (ClusterIP, NodePort, LoadBalancer).
    ClusterIp(Vec<IpAddr>),
    /// A manifest not yet applied: the API server has not allocated a ClusterIP. `families` is
    /// how many it will get (2 for RequireDualStack or two `ipFamilies`, else 1).
    Unallocated {
        /// Number of ClusterIPs the Service will get.
        families: usize,
    },
    /// `clusterIP: None`.
    Headless,
    /// `type: ExternalName` with its target as written.
    ExternalName(String),
}

/// A port of a Service or an EndpointSlice: name and protocol lower-case, as they appear in
/// `_name._proto` owners.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PortView {
    /// Port name, lower-case; empty for unnamed ports.
    pub name: String,
    /// `tcp`, `udp` or `sctp`.
    pub protocol: String,
    /// The port number.
    pub port: u16,
}

/// A Service as CoreDNS sees it.
#[derive(Debug, Clone)]
pub struct ServiceView {
    /// The object.
    pub object: Arc<ObjectRef>,
    /// What kind of DNS it gets.
    pub kind: ServiceKind,
    /// Its ports; empty for a portless Service (CoreDNS's -1 sentinel).
    pub ports: Vec<PortView>,
}

/// One address of a slice endpoint.
#[derive(Debug, Clone)]
pub struct AddressView {
    /// The address as the slice spells it (CoreDNS builds dashed names from this string).
    pub text: Arc<str>,
    /// The parsed address.
    pub ip: IpAddr,
}

/// One endpoint of a slice.
#[derive(Debug, Clone)]
pub struct EndpointView {
    /// Its addresses.
    pub addresses: Vec<AddressView>,
    /// `conditions.ready`, absent counting as ready (`endpointsliceReady`).
    pub ready: bool,
    /// `hostname`, if set.
    pub hostname: Option<String>,
    /// `targetRef.name` when shorter than 64 characters (CoreDNS drops longer ones).
    pub target_name: Option<String>,
    /// `targetRef` when it names a Pod.
    pub pod: Option<Arc<ObjectRef>>,
}

/// An EndpointSlice as CoreDNS sees it.
#[derive(Debug, Clone)]
pub struct SliceView {
    /// The object.
    pub object: Arc<ObjectRef>,
    /// The Service its `kubernetes.io/service-name` label names.
    pub service: Option<String>,
    /// Its ports; `None` entries are CoreDNS's -1 sentinel (a slice without ports, or a port
    /// without a number).
    pub ports: Vec<Option<PortView>>,
    /// Its endpoints.
    pub endpoints: Vec<EndpointView>,
}

/// A Pod as CoreDNS's pod watch sees it (`object/pod.go ToPod`).
#[derive(Debug, Clone)]
pub struct PodView {
    /// The object.
    pub object: Arc<ObjectRef>,
    /// `status.podIP` as written (the primary IP only).
    pub ip_text: String,
    /// The parsed primary IP.
    pub ip: IpAddr,
}

/// Every object of the snapshot that CoreDNS would watch under this configuration.
#[derive(Debug, Clone, Default)]
pub struct ClusterView {
    /// Services matching `labels`, sorted by namespace and name.
    pub services: Vec<ServiceView>,
    /// Slices matching `labels` (none with `noendpoints`), sorted by namespace and name.
    pub slices: Vec<SliceView>,
    /// Pods CoreDNS's pod watch keeps, sorted by namespace and name.
    pub pods: Vec<PodView>,
    /// Namespace labels by namespace name, for `namespace_labels`.
    pub namespace_labels: BTreeMap<String, BTreeMap<String, String>>,
}

impl ClusterView {
    /// Builds the view, adding a note for everything it had to skip.
    pub fn build(snapshot: &ClusterSnapshot, config: &DnsConfig, notes: &mut Vec<Note>) -> Self {
        let matches_labels = |labels: Option<&BTreeMap<String, String>>| match &config.labels {
            None => true,
            Some(selector) => selector.matches(labels.unwrap_or(&BTreeMap::new())),
        };
        let mut view = ClusterView {
            namespace_labels: snapshot
                .namespaces
                .iter()
                .filter_map(namespace_labels)
                .collect(),
            ..ClusterView::default()
        };
        for service in &snapshot.services {
            if matches_labels(service.metadata.labels.as_ref())
                && let Some(built) = service_view(service, notes)
            {
                view.services.push(built);
            }
        }
        if !config.noendpoints {
            for slice in &snapshot.endpoint_slices {
                if matches_labels(slice.metadata.labels.as_ref())
                    && let Some(built) = slice_view(slice, notes)
                {
                    view.slices.push(built);
                }
            }
        }
        for pod in &snapshot.pods {
            if matches_labels(pod.metadata.labels.as_ref())
                && let Some(built) = pod_view(pod, notes)
            {
                view.pods.push(built);
            }
        }
        view.services.sort_by(|a, b| a.object.cmp(&b.object));
        view.slices.sort_by(|a, b| a.object.cmp(&b.object));
        view.pods.sort_by(|a, b| a.object.cmp(&b.object));
        view
    }

    /// Whether CoreDNS serves names in `namespace` under `config`.
    pub fn namespace_exposed(&self, config: &DnsConfig, namespace: &str) -> bool {
        config.namespace_exposed(namespace, self.namespace_labels.get(namespace))
    }
}

fn namespace_labels(namespace: &Namespace) -> Option<(String, BTreeMap<String, String>)> {
    let name = namespace.metadata.name.clone()?;
    Some((name, namespace.metadata.labels.clone().unwrap_or_default()))
}

/// The namespace an object lives in; the sources fill it in, so `default` is only a fallback.
fn namespace_of(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> &str {
    meta.namespace.as_deref().unwrap_or("default")
}

fn service_view(service: &Service, notes: &mut Vec<Note>) -> Option<ServiceView> {
    let name = service.metadata.name.as_deref()?;
    let object = Arc::new(ObjectRef::new(
        Kind::Service,
        namespace_of(&service.metadata),
        name,
    ));
    let spec = service.spec.clone().unwrap_or_default();
    let kind = if spec.type_.as_deref() == Some("ExternalName") {
        ServiceKind::ExternalName(spec.external_name.clone().unwrap_or_default())
    } else {
        // object/service.go: clusterIPs, falling back to [clusterIP].
        let ips: Vec<String> = match spec.cluster_ips.as_ref().filter(|ips| !ips.is_empty()) {
            Some(ips) => ips.clone(),
            None => spec.cluster_ip.iter().cloned().collect(),
        };
        match ips.first().map(String::as_str) {
            Some("None") => ServiceKind::Headless,
            None | Some("") => ServiceKind::Unallocated {
                families: unallocated_families(&spec),
            },
            Some(_) => {
                let mut parsed = Vec::new();
                for ip in &ips {
                    match ip.parse::<IpAddr>() {
                        Ok(ip) => parsed.push(ip),
                        Err(_) => {
                            notes.push(Note::warning(format!(
                                "{object}: clusterIP {ip:?} is not an IP address; the Service is skipped"
                            )).about(&object));
                            return None;
                        }
                    }
                }
                ServiceKind::ClusterIp(parsed)
            }
        }
    };
    let mut ports = Vec::new();
    for port in spec.ports.iter().flatten() {
        match u16::try_from(port.port).ok().filter(|p| *p != 0) {
            Some(number) => ports.push(PortView {
                name: port.name.clone().unwrap_or_default().to_ascii_lowercase(),
                protocol: protocol(port.protocol.as_deref()),
                port: number,
            }),
            None => notes.push(
                Note::warning(format!(
                    "{object}: port {} is out of range; it is skipped",
                    port.port
                ))
                .about(&object),
            ),
        }
    }
    Some(ServiceView {
        object,
        kind,
        ports,
    })
}

fn unallocated_families(spec: &k8s_openapi::api::core::v1::ServiceSpec) -> usize {
    let listed = spec.ip_families.as_ref().map_or(0, Vec::len);
    let dual = spec.ip_family_policy.as_deref() == Some("RequireDualStack");
    if dual { 2 } else { listed.clamp(1, 2) }
}

/// The API defaults a missing protocol to TCP, for Service and EndpointSlice ports alike.
fn protocol(protocol: Option<&str>) -> String {
    protocol.unwrap_or("TCP").to_ascii_lowercase()
}

fn slice_view(slice: &EndpointSlice, notes: &mut Vec<Note>) -> Option<SliceView> {
    let name = slice.metadata.name.as_deref()?;
    let namespace = namespace_of(&slice.metadata);
    let object = Arc::new(ObjectRef::new(Kind::EndpointSlice, namespace, name));
    if slice.address_type == "FQDN" {
        notes.push(Note::warning(format!(
            "{object}: FQDN EndpointSlices make CoreDNS answer with malformed records; the slice is ignored"
        )).about(&object));
        return None;
    }
    let service = slice
        .metadata
        .labels
        .as_ref()
        .and_then(|labels| labels.get(SERVICE_NAME_LABEL))
        .filter(|name| !name.is_empty())
        .cloned();
    let mut ports: Vec<Option<PortView>> = slice
        .ports
        .iter()
        .flatten()
        .map(|port| {
            let number = port
                .port
                .and_then(|p| u16::try_from(p).ok())
                .filter(|p| *p != 0)?;
            Some(PortView {
                name: port.name.clone().unwrap_or_default().to_ascii_lowercase(),
                protocol: protocol(port.protocol.as_deref()),
                port: number,
            })
        })
        .collect();
    if ports.is_empty() {
        ports.push(None);
    }
    let mut endpoints = Vec::new();
    for endpoint in &slice.endpoints {
        let mut addresses = Vec::new();
        for text in &endpoint.addresses {
            match text.parse::<IpAddr>() {
                Ok(ip) => addresses.push(AddressView {
                    text: Arc::from(text.as_str()),
                    ip,
                }),
                Err(_) => notes.push(
                    Note::warning(format!(
                        "{object}: endpoint address {text:?} is not an IP address; it is skipped"
                    ))
                    .about(&object),
                ),
            }
        }
        let target = endpoint.target_ref.as_ref();
        let target_name = target
            .and_then(|t| t.name.clone())
            .filter(|name| name.len() < 64);
        let pod = target
            .filter(|t| t.kind.as_deref() == Some("Pod"))
            .and_then(|t| {
                let name = t.name.as_deref()?;
                Some(Arc::new(ObjectRef::new(
                    Kind::Pod,
                    t.namespace.as_deref().unwrap_or(namespace),
                    name,
                )))
            });
        endpoints.push(EndpointView {
            addresses,
            ready: endpoint
                .conditions
                .as_ref()
                .and_then(|c| c.ready)
                .unwrap_or(true),
            hostname: endpoint.hostname.clone().filter(|h| !h.is_empty()),
            target_name,
            pod,
        });
    }
    Some(SliceView {
        object,
        service,
        ports,
        endpoints,
    })
}

fn pod_view(pod: &Pod, notes: &mut Vec<Note>) -> Option<PodView> {
    let name = pod.metadata.name.as_deref()?;
    let object = Arc::new(ObjectRef::new(Kind::Pod, namespace_of(&pod.metadata), name));
    // podListFunc's field selector and ToPod: no terminal phases, nothing being deleted.
    if pod.metadata.deletion_timestamp.is_some() {
        return None;
    }
    let status = pod.status.as_ref()?;
    if matches!(
        status.phase.as_deref(),
        Some("Succeeded" | "Failed" | "Unknown")
    ) {
        return None;
    }
    let ip_text = status.pod_ip.clone().filter(|ip| !ip.is_empty())?;
    match ip_text.parse::<IpAddr>() {
        Ok(ip) => Some(PodView {
            object,
            ip_text,
            ip,
        }),
        Err(_) => {
            notes.push(
                Note::warning(format!(
                    "{object}: podIP {ip_text:?} is not an IP address; the Pod is skipped"
                ))
                .about(&object),
            );
            None
        }
    }
}
