//! Where a record came from: the Kubernetes objects that made CoreDNS serve it.

use std::fmt;
use std::sync::Arc;

/// The kinds of object the tool reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Kind {
    /// core/v1 Namespace.
    Namespace,
    /// core/v1 Service.
    Service,
    /// discovery.k8s.io/v1 EndpointSlice.
    EndpointSlice,
    /// apps/v1 StatefulSet.
    StatefulSet,
    /// core/v1 Pod.
    Pod,
    /// core/v1 ConfigMap (the Corefile).
    ConfigMap,
    /// networking.k8s.io/v1 NetworkPolicy.
    NetworkPolicy,
}

impl Kind {
    /// The kind as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Namespace => "Namespace",
            Kind::Service => "Service",
            Kind::EndpointSlice => "EndpointSlice",
            Kind::StatefulSet => "StatefulSet",
            Kind::Pod => "Pod",
            Kind::ConfigMap => "ConfigMap",
            Kind::NetworkPolicy => "NetworkPolicy",
        }
    }

    /// The short resource prefix kubectl users type (`svc/redis`).
    pub fn short(self) -> &'static str {
        match self {
            Kind::Namespace => "ns",
            Kind::Service => "svc",
            Kind::EndpointSlice => "endpointslice",
            Kind::StatefulSet => "sts",
            Kind::Pod => "pod",
            Kind::ConfigMap => "cm",
            Kind::NetworkPolicy => "netpol",
        }
    }
}

/// A reference to one namespaced object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct ObjectRef {
    /// The object's kind.
    pub kind: Kind,
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
}

impl ObjectRef {
    /// A reference to `kind` `namespace/name`.
    pub fn new(kind: Kind, namespace: &str, name: &str) -> Self {
        ObjectRef {
            kind,
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }
}

impl fmt::Display for ObjectRef {
    /// `svc/cache/redis`: kubectl's resource/name form with the namespace in between.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.kind.short(), self.namespace, self.name)
    }
}

/// The objects behind one record. References are shared (`Arc`): a Service with many endpoints
/// gives hundreds of thousands of records in a large cluster, and copying names into each one
/// dominated the engine's time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Provenance {
    /// Zone-level records: SOA, NS and their glue, `dns-version`.
    Zone,
    /// Records of the Service itself: ClusterIP A/AAAA, SRV, CNAME, ClusterIP PTR.
    Service(Arc<ObjectRef>),
    /// Records of one endpoint address of a Service's EndpointSlice.
    Endpoint {
        /// The Service the slice is labelled for.
        service: Arc<ObjectRef>,
        /// The EndpointSlice holding the address.
        slice: Arc<ObjectRef>,
        /// The address itself, as the slice spells it.
        address: Arc<str>,
        /// The endpoint's targetRef, when it names a Pod.
        pod: Option<Arc<ObjectRef>>,
    },
    /// Pod records (`a-b-c-d.<ns>.pod.<zone>`).
    Pod(Arc<ObjectRef>),
}

impl Provenance {
    /// The namespace the record belongs to, for `-n` selection; none for zone records.
    pub fn namespace(&self) -> Option<&str> {
        match self {
            Provenance::Zone => None,
            Provenance::Service(service) | Provenance::Endpoint { service, .. } => {
                Some(&service.namespace)
            }
            Provenance::Pod(pod) => Some(&pod.namespace),
        }
    }

    /// The Service the record belongs to, if any.
    pub fn service(&self) -> Option<&ObjectRef> {
        match self {
            Provenance::Service(service) | Provenance::Endpoint { service, .. } => Some(service),
            Provenance::Zone | Provenance::Pod(_) => None,
        }
    }

    /// The Pod the record was derived from, if any.
    pub fn pod(&self) -> Option<&ObjectRef> {
        match self {
            Provenance::Endpoint { pod, .. } => pod.as_deref(),
            Provenance::Pod(pod) => Some(pod),
            Provenance::Zone | Provenance::Service(_) => None,
        }
    }
}

impl fmt::Display for Provenance {
    /// A short human form for the wide table.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Provenance::Zone => f.write_str("zone"),
            Provenance::Service(service) => write!(f, "{service}"),
            Provenance::Endpoint {
                slice,
                address,
                pod,
                ..
            } => {
                write!(f, "endpointslice/{} {address}", slice.name)?;
                if let Some(pod) = pod {
                    write!(f, " pod/{}", pod.name)?;
                }
                Ok(())
            }
            Provenance::Pod(pod) => write!(f, "{pod}"),
        }
    }
}
