//! `empty-endpoints`: a Service without a single ready endpoint. A headless Service is then
//! NXDOMAIN; a ClusterIP Service still resolves to its ClusterIP (unless `ignore empty_service`),
//! but nothing answers behind it. The finding says which of the usual causes applies.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Service;

use crate::lint::context::{LintContext, format_labels, namespace_of, object_ref};
use crate::lint::workload::{
    is_external_name, is_headless, is_ready, pod_labels, selector, selects,
};
use crate::model::{Finding, FindingId, Kind, Severity};

/// Checks every Service.
pub fn check(ctx: &LintContext, findings: &mut Vec<Finding>) {
    for service in &ctx.snapshot.services {
        // Only a Service with a selector waits for the controller; a selector-less one without a
        // slice is broken whether or not the manifests were applied.
        let waits_for_controller =
            selector(service).is_some() && unapplied(ctx, namespace_of(&service.metadata));
        if !is_external_name(service) && !waits_for_controller {
            check_one(ctx, service, findings);
        }
    }
}

fn check_one(ctx: &LintContext, service: &Service, findings: &mut Vec<Finding>) {
    let namespace = namespace_of(&service.metadata);
    let Some(name) = service.metadata.name.as_deref() else {
        return;
    };
    let slices: Vec<_> = ctx.slices_of(namespace, name).collect();
    let ready = slices
        .iter()
        .filter(|s| s.address_type != "FQDN")
        .any(|slice| {
            slice.endpoints.iter().any(|e| {
                !e.addresses.is_empty()
                    && e.conditions.as_ref().and_then(|c| c.ready) != Some(false)
            })
        });
    if ready {
        return;
    }
    let headless = is_headless(service);
    let mut objects = vec![object_ref(Kind::Service, &service.metadata)];
    let (cause, hint) = match selector(service) {
        None if slices.is_empty() => (
            "it has no selector and no EndpointSlice: nothing publishes endpoints for it"
                .to_string(),
            format!(
                "add a selector matching its pods, or create an EndpointSlice labelled kubernetes.io/service-name: {name} with the backend addresses"
            ),
        ),
        _ if !slices.is_empty() && slices.iter().all(|s| s.address_type == "FQDN") => (
            "its only EndpointSlices have addressType FQDN, which CoreDNS cannot serve".to_string(),
            "use an ExternalName Service for a DNS name, or IPv4/IPv6 EndpointSlices for addresses"
                .to_string(),
        ),
        None => (
            "it has no selector and its EndpointSlices hold no ready address".to_string(),
            "fix the addresses or the ready conditions of its hand-made EndpointSlices".to_string(),
        ),
        Some(sel) => {
            let pods: Vec<_> = ctx.pods_in(namespace).collect();
            let matching: Vec<_> = pods
                .iter()
                .filter(|p| selects(sel, &pod_labels(p)))
                .collect();
            if matching.is_empty() {
                let closest = pods
                    .iter()
                    .map(|p| (overlap(sel, &pod_labels(p)), p))
                    .filter(|(score, _)| *score > 0)
                    .max_by_key(|(score, _)| *score);
                let near = closest.map_or(String::new(), |(_, pod)| {
                    format!(
                        "; the closest are pod {}'s labels {}",
                        pod.metadata.name.as_deref().unwrap_or_default(),
                        format_labels(&pod_labels(pod))
                    )
                });
                (
                    format!("its selector {} matches no Pod in {namespace}{near}", format_labels(sel)),
                    "make the Service's selector and the pod template's labels agree (`kubectl get pods --show-labels`)".to_string(),
                )
            } else if matching.iter().all(|p| !is_ready(p)) {
                let names: Vec<&str> = matching
                    .iter()
                    .filter_map(|p| p.metadata.name.as_deref())
                    .collect();
                objects.extend(matching.iter().map(|p| object_ref(Kind::Pod, &p.metadata)));
                (
                    format!(
                        "its selector matches {} but none is Ready",
                        names.join(", ")
                    ),
                    format!(
                        "find out why the pods are not Ready (`kubectl -n {namespace} describe pod {}`); peers that must resolve each other before they are Ready need `publishNotReadyAddresses: true`",
                        names.first().unwrap_or(&"")
                    ),
                )
            } else if slices.is_empty() {
                (
                    "no EndpointSlice exists for it yet".to_string(),
                    format!(
                        "check the EndpointSlice controller's events: `kubectl -n {namespace} get events --field-selector involvedObject.name={name}`"
                    ),
                )
            } else {
                (
                    "none of its endpoints is ready".to_string(),
                    format!(
                        "check the pods behind it: `kubectl -n {namespace} get endpointslices -l kubernetes.io/service-name={name} -o wide`"
                    ),
                )
            }
        }
    };
    let answer = if headless {
        "CoreDNS answers NXDOMAIN for it"
    } else if ctx.config.ignore_empty_service {
        "CoreDNS answers NXDOMAIN for it because the Corefile says `ignore empty_service`"
    } else {
        "its ClusterIP still resolves, but no pod answers behind it"
    };
    findings.push(Finding {
        id: FindingId::EmptyEndpoints,
        severity: if headless {
            Severity::Error
        } else {
            Severity::Warning
        },
        message: format!("Service {name} has no ready endpoint because {cause}; {answer}"),
        objects,
        names: ctx.service_name(name, namespace).into_iter().collect(),
        hint,
    });
}

/// Manifests that were never applied: the namespace has no EndpointSlice and no Pod with a
/// status. Their StatefulSets' names are predicted instead (see `predict`); an empty-endpoints
/// error on every Service would be noise.
fn unapplied(ctx: &LintContext, namespace: &str) -> bool {
    let has_live_pods = ctx.pods_in(namespace).any(|p| p.status.is_some());
    !ctx.has_slices(namespace) && !has_live_pods
}

/// How many of the selector's key/value pairs the labels share (and keys, at half weight).
fn overlap(selector: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> usize {
    selector
        .iter()
        .map(|(k, v)| match labels.get(k) {
            Some(value) if value == v => 2,
            Some(_) => 1,
            None => 0,
        })
        .sum()
}
