//! `ClusterSnapshot`: the Kubernetes objects one run reads, whichever source produced them.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Namespace, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;

use super::ConfigOrigin;

/// The Corefile text and where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorefileSource {
    /// Where the text came from.
    pub origin: ConfigOrigin,
    /// The Corefile itself.
    pub text: String,
}

/// The objects the record engine reads, exactly as the API (or a manifest) spells them.
#[derive(Debug, Clone, Default)]
pub struct ClusterSnapshot {
    /// Namespace objects (needed only for `namespace_labels`).
    pub namespaces: Vec<Namespace>,
    /// Services.
    pub services: Vec<Service>,
    /// discovery.k8s.io/v1 EndpointSlices.
    pub endpoint_slices: Vec<EndpointSlice>,
    /// StatefulSets.
    pub stateful_sets: Vec<StatefulSet>,
    /// Pods.
    pub pods: Vec<Pod>,
    /// The CoreDNS Corefile, when the input held it.
    pub corefile: Option<CorefileSource>,
}
