//! What every rule reads: the raw objects, the engine's view of them, the primary zone, and
//! look-ups by namespace and name.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;

use crate::engine::SERVICE_NAME_LABEL;
use crate::model::{ClusterSnapshot, DnsConfig, DnsName, Kind, ObjectRef};

/// Shared inputs of the rules.
pub struct LintContext<'a> {
    /// The objects.
    pub snapshot: &'a ClusterSnapshot,
    /// The configuration.
    pub config: &'a DnsConfig,
    /// The zone names are built in.
    pub zone: DnsName,
}

impl<'a> LintContext<'a> {
    /// `None` when the configuration has no forward zone (then no name exists at all).
    pub fn new(snapshot: &'a ClusterSnapshot, config: &'a DnsConfig) -> Option<Self> {
        Some(LintContext {
            snapshot,
            config,
            zone: config.primary_zone()?.clone(),
        })
    }

    /// The Service `namespace/name`.
    pub fn service(&self, namespace: &str, name: &str) -> Option<&'a Service> {
        self.snapshot.services.iter().find(|s| {
            namespace_of(&s.metadata) == namespace && s.metadata.name.as_deref() == Some(name)
        })
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
    pub fn services_in(&self, namespace: &'a str) -> impl Iterator<Item = &'a Service> + 'a {
        self.snapshot
            .services
            .iter()
            .filter(move |s| namespace_of(&s.metadata) == namespace)
    }

    /// The slices labelled for `namespace/service`.
    pub fn slices_of(
        &self,
        namespace: &'a str,
        service: &'a str,
    ) -> impl Iterator<Item = &'a EndpointSlice> + 'a {
        self.snapshot.endpoint_slices.iter().filter(move |slice| {
            namespace_of(&slice.metadata) == namespace
                && slice
                    .metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(SERVICE_NAME_LABEL))
                    .is_some_and(|name| name == service)
        })
    }

    /// The Pod `namespace/name`.
    pub fn pod(&self, namespace: &str, name: &str) -> Option<&'a Pod> {
        self.snapshot.pods.iter().find(|p| {
            namespace_of(&p.metadata) == namespace && p.metadata.name.as_deref() == Some(name)
        })
    }

    /// Pods in `namespace`.
    pub fn pods_in(&self, namespace: &'a str) -> impl Iterator<Item = &'a Pod> + 'a {
        self.snapshot
            .pods
            .iter()
            .filter(move |p| namespace_of(&p.metadata) == namespace)
    }

    /// StatefulSets in `namespace`.
    pub fn stateful_sets_in(
        &self,
        namespace: &'a str,
    ) -> impl Iterator<Item = &'a StatefulSet> + 'a {
        self.snapshot
            .stateful_sets
            .iter()
            .filter(move |s| namespace_of(&s.metadata) == namespace)
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
