//! What every rule reads: the raw objects, the engine's view of them, the primary zone, and
//! look-ups by namespace and name.

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;

use crate::engine::SERVICE_NAME_LABEL;
use crate::model::{ClusterSnapshot, DnsConfig, DnsName, Kind, ObjectRef};

/// Objects of one namespace, for the rules' look-ups.
#[derive(Default)]
struct Namespaced<'a> {
    services: Vec<&'a Service>,
    slices_by_service: HashMap<&'a str, Vec<&'a EndpointSlice>>,
    pods: Vec<&'a Pod>,
    stateful_sets: Vec<&'a StatefulSet>,
    has_slices: bool,
}

/// Shared inputs of the rules, indexed once: rules run per Service, and a linear scan per
/// Service would make 10,000 Services cost 10⁸ comparisons.
pub struct LintContext<'a> {
    /// The objects.
    pub snapshot: &'a ClusterSnapshot,
    /// The configuration.
    pub config: &'a DnsConfig,
    /// The zone names are built in.
    pub zone: DnsName,
    by_namespace: HashMap<&'a str, Namespaced<'a>>,
}

impl<'a> LintContext<'a> {
    /// `None` when the configuration has no forward zone (then no name exists at all).
    pub fn new(snapshot: &'a ClusterSnapshot, config: &'a DnsConfig) -> Option<Self> {
        let mut by_namespace: HashMap<&str, Namespaced> = HashMap::new();
        for service in &snapshot.services {
            by_namespace
                .entry(namespace_of(&service.metadata))
                .or_default()
                .services
                .push(service);
        }
        for slice in &snapshot.endpoint_slices {
            let entry = by_namespace
                .entry(namespace_of(&slice.metadata))
                .or_default();
            entry.has_slices = true;
            if let Some(service) = slice
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(SERVICE_NAME_LABEL))
            {
                entry
                    .slices_by_service
                    .entry(service.as_str())
                    .or_default()
                    .push(slice);
            }
        }
        for pod in &snapshot.pods {
            by_namespace
                .entry(namespace_of(&pod.metadata))
                .or_default()
                .pods
                .push(pod);
        }
        for sts in &snapshot.stateful_sets {
            by_namespace
                .entry(namespace_of(&sts.metadata))
                .or_default()
                .stateful_sets
                .push(sts);
        }
        Some(LintContext {
            snapshot,
            config,
            zone: config.primary_zone()?.clone(),
            by_namespace,
        })
    }

    fn namespace(&self, namespace: &str) -> Option<&Namespaced<'a>> {
        self.by_namespace.get(namespace)
    }

    /// The Service `namespace/name`.
    pub fn service(&self, namespace: &str, name: &str) -> Option<&'a Service> {
        self.services_in(namespace)
            .find(|s| s.metadata.name.as_deref() == Some(name))
    }

    /// Every Service that is not an ExternalName (the ones with endpoints and ports), with its
    /// namespace and name.
    pub fn services_with_endpoints(
        &self,
    ) -> impl Iterator<Item = (&'a Service, &'a str, &'a str)> + 'a {
        self.snapshot.services.iter().filter_map(|service| {
            let external =
                service.spec.as_ref().and_then(|s| s.type_.as_deref()) == Some("ExternalName");
            let name = service.metadata.name.as_deref()?;
            (!external).then_some((service, namespace_of(&service.metadata), name))
        })
    }

    /// Services in `namespace`.
    pub fn services_in(&self, namespace: &str) -> impl Iterator<Item = &'a Service> + '_ {
        self.namespace(namespace)
            .into_iter()
            .flat_map(|ns| ns.services.iter().copied())
    }

    /// The slices labelled for `namespace/service`.
    pub fn slices_of(
        &self,
        namespace: &str,
        service: &str,
    ) -> impl Iterator<Item = &'a EndpointSlice> + '_ {
        self.namespace(namespace)
            .and_then(|ns| ns.slices_by_service.get(service))
            .into_iter()
            .flat_map(|slices| slices.iter().copied())
    }

    /// Whether `namespace` has any EndpointSlice at all.
    pub fn has_slices(&self, namespace: &str) -> bool {
        self.namespace(namespace).is_some_and(|ns| ns.has_slices)
    }

    /// The Pod `namespace/name`.
    pub fn pod(&self, namespace: &str, name: &str) -> Option<&'a Pod> {
        self.pods_in(namespace)
            .find(|p| p.metadata.name.as_deref() == Some(name))
    }

    /// Pods in `namespace`.
    pub fn pods_in(&self, namespace: &str) -> impl Iterator<Item = &'a Pod> + '_ {
        self.namespace(namespace)
            .into_iter()
            .flat_map(|ns| ns.pods.iter().copied())
    }

    /// StatefulSets in `namespace`.
    pub fn stateful_sets_in(&self, namespace: &str) -> impl Iterator<Item = &'a StatefulSet> + '_ {
        self.namespace(namespace)
            .into_iter()
            .flat_map(|ns| ns.stateful_sets.iter().copied())
    }

    /// `<label>.<service>.<namespace>.svc.<zone>`, or `None` if not one valid name.
    pub fn endpoint_name(&self, label: &str, service: &str, namespace: &str) -> Option<DnsName> {
        self.zone
            .prepend_all(&[label, service, namespace, "svc"])
            .ok()
    }

    /// `<service>.<namespace>.svc.<zone>`.
    pub fn service_name(&self, service: &str, namespace: &str) -> Option<DnsName> {
        self.zone.prepend_all(&[service, namespace, "svc"]).ok()
    }
}

/// An object's namespace (the sources always fill it in).
pub fn namespace_of(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> &str {
    meta.namespace.as_deref().unwrap_or("default")
}

/// A reference to a namespaced object.
pub fn object_ref(
    kind: Kind,
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
) -> ObjectRef {
    ObjectRef::new(
        kind,
        namespace_of(meta),
        meta.name.as_deref().unwrap_or_default(),
    )
}

/// Labels as `a=b,c=d`.
pub fn format_labels(labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return "(none)".to_string();
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}
