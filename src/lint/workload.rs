//! Facts about workloads the rules share: whether a Service is headless and whom it selects,
//! which Pods a StatefulSet owns and which names it gives them, whether a Pod is Ready.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Pod, Service};

use super::context::{LintContext, namespace_of};

/// `clusterIP: None` (or `clusterIPs[0]`), the way CoreDNS decides it.
pub fn is_headless(service: &Service) -> bool {
    let spec = service.spec.as_ref();
    let first = spec
        .and_then(|s| s.cluster_ips.as_ref().and_then(|ips| ips.first()))
        .or_else(|| spec.and_then(|s| s.cluster_ip.as_ref()));
    first.is_some_and(|ip| ip == "None") && !is_external_name(service)
}

/// `type: ExternalName`.
pub fn is_external_name(service: &Service) -> bool {
    service.spec.as_ref().and_then(|s| s.type_.as_deref()) == Some("ExternalName")
}

/// The Service's selector; `None` for a selector-less Service (no controller-made slices).
pub fn selector(service: &Service) -> Option<&BTreeMap<String, String>> {
    service.spec.as_ref().and_then(|s| s.selector.as_ref())
}

/// Whether a Service selector picks Pods with `labels` (every key equal; an empty selector
/// picks everything, as `labels.Set.AsSelector` does).
pub fn selects(selector: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// Labels of a Pod.
pub fn pod_labels(pod: &Pod) -> BTreeMap<String, String> {
    pod.metadata.labels.clone().unwrap_or_default()
}

/// The labels a StatefulSet puts on its Pods.
pub fn template_labels(sts: &StatefulSet) -> BTreeMap<String, String> {
    sts.spec
        .as_ref()
        .and_then(|s| s.template.metadata.as_ref())
        .and_then(|m| m.labels.clone())
        .unwrap_or_default()
}

/// `spec.serviceName`, if set.
pub fn service_name(sts: &StatefulSet) -> Option<&str> {
    sts.spec
        .as_ref()
        .and_then(|s| s.service_name.as_deref())
        .filter(|name| !name.is_empty())
}

/// The Pod names a StatefulSet gives its replicas: `<name>-<ordinal>` from `spec.ordinals.start`.
pub fn pod_names(sts: &StatefulSet) -> Vec<String> {
    let name = sts.metadata.name.as_deref().unwrap_or_default();
    let spec = sts.spec.as_ref();
    let replicas = spec.and_then(|s| s.replicas).unwrap_or(1).max(0);
    let start = spec
        .and_then(|s| s.ordinals.as_ref())
        .and_then(|o| o.start)
        .unwrap_or(0)
        .max(0);
    (start..start + replicas)
        .map(|i| format!("{name}-{i}"))
        .collect()
}

/// Whether the Pod is owned by a StatefulSet.
pub fn owning_stateful_set(pod: &Pod) -> Option<&str> {
    pod.metadata
        .owner_references
        .iter()
        .flatten()
        .find(|owner| owner.kind == "StatefulSet")
        .map(|owner| owner.name.as_str())
}

/// `spec.hostname` and `spec.subdomain` of a Pod.
pub fn hostname_and_subdomain(pod: &Pod) -> (Option<&str>, Option<&str>) {
    let spec = pod.spec.as_ref();
    (
        spec.and_then(|s| s.hostname.as_deref())
            .filter(|h| !h.is_empty()),
        spec.and_then(|s| s.subdomain.as_deref())
            .filter(|h| !h.is_empty()),
    )
}

/// The Pod's Ready condition.
pub fn is_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|conditions| {
            conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True")
        })
}

/// Headless Services in the StatefulSet's namespace that select its Pods: the ones that could
/// govern it.
pub fn governing_candidates<'a>(ctx: &LintContext<'a>, sts: &'a StatefulSet) -> Vec<&'a Service> {
    let labels = template_labels(sts);
    ctx.services_in(namespace_of(&sts.metadata))
        .filter(|svc| {
            is_headless(svc)
                && selector(svc).is_some_and(|sel| !sel.is_empty() && selects(sel, &labels))
        })
        .collect()
}
