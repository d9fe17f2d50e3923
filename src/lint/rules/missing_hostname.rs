//! `missing-hostname`: an endpoint whose Pod belongs to a StatefulSet or sets `spec.hostname`, but
//! which has no `hostname` in its EndpointSlice. CoreDNS then serves only the dashed-IP name for
//! it; the `<hostname>.<service>` name the workload expects does not exist. The EndpointSlice
//! controller sets the hostname only when the Pod's `spec.subdomain` equals the Service's name.

use std::collections::BTreeMap;

use crate::engine::dashed_endpoint_address;
use crate::lint::context::{LintContext, namespace_of, object_ref};
use crate::lint::workload::{hostname_and_subdomain, owning_stateful_set};
use crate::model::{DnsName, Finding, FindingId, Kind, ObjectRef, Severity};

/// The label the EndpointSlice controller puts on the slices it manages.
const MANAGED_BY: &str = "endpointslice.kubernetes.io/managed-by";
const CONTROLLER: &str = "endpointslice-controller.k8s.io";

/// Per reason: the dashed-IP names that are served, the hostname names that are not, the pods.
type Affected = (Vec<DnsName>, Vec<DnsName>, Vec<ObjectRef>);

/// Checks the endpoints of every Service.
pub fn check(ctx: &LintContext, findings: &mut Vec<Finding>) {
    // A pod that has a hostname-based name under some Service (its governing one) is fine even
    // where other Services list it without a hostname: that is how the controller works.
    let named_somewhere: std::collections::BTreeSet<(String, String)> = ctx
        .snapshot
        .endpoint_slices
        .iter()
        .flat_map(|slice| {
            let namespace = namespace_of(&slice.metadata).to_string();
            slice.endpoints.iter().filter_map(move |e| {
                let target = e.target_ref.as_ref()?;
                e.hostname.as_ref().filter(|h| !h.is_empty())?;
                Some((
                    target
                        .namespace
                        .clone()
                        .unwrap_or_else(|| namespace.clone()),
                    target.name.clone()?,
                ))
            })
        })
        .collect();
    for (_, namespace, name) in ctx.services_with_endpoints() {
        // One finding per reason: (served names, expected names, pods).
        let mut by_reason: BTreeMap<String, Affected> = BTreeMap::new();
        for slice in ctx.slices_of(namespace, name) {
            let managed_by = slice
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(MANAGED_BY))
                .map(String::as_str);
            for endpoint in &slice.endpoints {
                if endpoint.hostname.as_deref().is_some_and(|h| !h.is_empty()) {
                    continue;
                }
                let Some(target) = endpoint
                    .target_ref
                    .as_ref()
                    .filter(|t| t.kind.as_deref() == Some("Pod"))
                else {
                    continue;
                };
                let Some(pod_name) = target.name.as_deref() else {
                    continue;
                };
                let pod_namespace = target.namespace.as_deref().unwrap_or(namespace);
                if named_somewhere.contains(&(pod_namespace.to_string(), pod_name.to_string())) {
                    continue;
                }
                let Some(pod) = ctx.pod(pod_namespace, pod_name) else {
                    continue;
                };
                let (hostname, subdomain) = hostname_and_subdomain(pod);
                let in_sts = owning_stateful_set(pod).is_some();
                if hostname.is_none() && !in_sts {
                    continue;
                }
                let reason = if managed_by != Some(CONTROLLER) {
                    format!(
                        "EndpointSlice {} is managed by {}, not the EndpointSlice controller, and sets no hostname",
                        slice.metadata.name.as_deref().unwrap_or_default(),
                        managed_by.unwrap_or("nobody (hand-made)")
                    )
                } else if hostname.is_none() {
                    "the pods set no spec.hostname".to_string()
                } else {
                    match subdomain {
                        Some(sub) => format!("the pods' spec.subdomain is {sub:?}, not {name:?}"),
                        None => format!("the pods set no spec.subdomain (it must be {name:?})"),
                    }
                };
                let entry = by_reason.entry(reason).or_default();
                // Only ready addresses are served, under their dashed-IP names.
                let ready = endpoint.conditions.as_ref().and_then(|c| c.ready) != Some(false);
                for address in endpoint.addresses.iter().filter(|_| ready) {
                    entry.0.extend(ctx.endpoint_name(
                        &dashed_endpoint_address(address),
                        name,
                        namespace,
                    ));
                }
                entry
                    .1
                    .extend(ctx.endpoint_name(hostname.unwrap_or(pod_name), name, namespace));
                entry.2.push(object_ref(Kind::Pod, &pod.metadata));
            }
        }
        for (reason, (served, expected, pods)) in by_reason {
            let pod_names: Vec<&str> = pods.iter().map(|p| p.name.as_str()).collect();
            let served_text = if served.is_empty() {
                String::new()
            } else {
                format!("{} resolve, but ", join_names(&served))
            };
            let message = format!(
                "endpoints of {} under Service {name} have no hostname because {reason}: {served_text}{} do not",
                pod_names.join(", "),
                join_names(&expected)
            );
            let hint = if reason.starts_with("EndpointSlice") {
                format!(
                    "set `hostname: <pod hostname>` on each endpoint of the hand-made slice, or give Service {name} a selector so the controller manages its slices"
                )
            } else if reason.contains("subdomain") {
                format!(
                    "set `spec.subdomain: {name}` in the pod template (for a StatefulSet: `spec.serviceName: {name}`, which is immutable — recreate it with `kubectl delete statefulset --cascade=orphan`), then recreate the pods"
                )
            } else {
                format!(
                    "set `spec.hostname` and `spec.subdomain: {name}` in the pod template, then recreate the pods"
                )
            };
            let mut objects = vec![ObjectRef::new(Kind::Service, namespace, name)];
            objects.extend(pods);
            findings.push(Finding {
                id: FindingId::MissingHostname,
                severity: Severity::Warning,
                message,
                objects,
                names: expected,
                hint,
            });
        }
    }
}

fn join_names(names: &[DnsName]) -> String {
    let shown: Vec<&str> = names.iter().take(3).map(DnsName::as_str).collect();
    let more = if names.len() > 3 {
        format!(" and {} more", names.len() - 3)
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(", "))
}
