//! `ClusterSnapshot`: the Kubernetes objects one run reads, whichever source produced them.

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Namespace, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::NetworkPolicy;

use std::collections::BTreeMap;

use super::{ConfigOrigin, ObjectRef, PodObject};

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
    /// Pods, only the fields DNS reads (see `PodObject`).
    pub pods: Vec<PodObject>,
    /// networking.k8s.io/v1 NetworkPolicies (only `explain` reads them: DNS egress).
    pub network_policies: Vec<NetworkPolicy>,
    /// The CoreDNS Corefile, when the input held it.
    pub corefile: Option<CorefileSource>,
    /// NodeLocal DNSCache's Corefile (ConfigMap kube-system/node-local-dns), when the input held it.
    pub node_local_corefile: Option<String>,
    /// The cluster DNS Deployments in kube-system (label `k8s-app=kube-dns`): their images
    /// tell which server and release runs when no DNS pod does.
    pub dns_deployments: Vec<Deployment>,
    /// The data of kube-dns's ConfigMap (kube-system/kube-dns: `stubDomains`,
    /// `upstreamNameservers`), the legacy server's only configuration.
    pub kube_dns_config: Option<BTreeMap<String, String>>,
    /// True when the source listed kube-system's DNS pods and was answered (live): an empty
    /// answer then means no in-cluster DNS server, not an unknown one.
    pub dns_pods_listed: bool,
    /// True when `namespaces` is the cluster's complete list of the namespaces in scope (the
    /// API answered for them); offline it is false and the engine applies the manifest rules.
    pub namespaces_complete: bool,
    /// What the source could not read: facts that depend on it are unknown, never findings.
    pub gaps: Vec<Gap>,
    /// Where each object was read (`file: document N`), when the source knows: what the engine
    /// says about an object names it.
    pub origins: BTreeMap<ObjectRef, String>,
}

/// A list the source could not read (forbidden by RBAC).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gap {
    /// The resource, plural, as the API names it (`endpointslices`).
    pub resource: GapResource,
    /// The namespace, or `None` for a cluster-wide list.
    pub namespace: Option<String>,
}

/// The lists whose absence changes what the engine can decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GapResource {
    /// core/v1 services.
    Services,
    /// discovery.k8s.io/v1 endpointslices.
    EndpointSlices,
    /// apps/v1 statefulsets.
    StatefulSets,
    /// core/v1 pods.
    Pods,
    /// core/v1 namespaces.
    Namespaces,
    /// networking.k8s.io/v1 networkpolicies.
    NetworkPolicies,
}

impl GapResource {
    /// The plural resource name.
    pub fn as_str(self) -> &'static str {
        match self {
            GapResource::Services => "services",
            GapResource::EndpointSlices => "endpointslices",
            GapResource::StatefulSets => "statefulsets",
            GapResource::Pods => "pods",
            GapResource::Namespaces => "namespaces",
            GapResource::NetworkPolicies => "networkpolicies",
        }
    }
}

impl ClusterSnapshot {
    /// Whether `resource` could not be read in `namespace`.
    pub fn gap(&self, resource: GapResource, namespace: &str) -> Option<&Gap> {
        find_gap(&self.gaps, resource, namespace)
    }
}

/// The gap of `gaps` that leaves `resource` unread in `namespace`: one in that namespace, or a
/// cluster-wide one.
pub fn find_gap<'a>(gaps: &'a [Gap], resource: GapResource, namespace: &str) -> Option<&'a Gap> {
    gaps.iter().find(|gap| {
        gap.resource == resource && gap.namespace.as_deref().is_none_or(|ns| ns == namespace)
    })
}
