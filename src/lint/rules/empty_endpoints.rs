//! `empty-endpoints`: a Service without a single ready endpoint. A headless Service is then
//! NXDOMAIN; a ClusterIP Service still resolves to its ClusterIP (unless `ignore empty_service`),
//! but nothing answers behind it. The cause is the engine's (`empty_service_cause`), the same
//! one the Service's name carries; the finding adds what the user needs to act on it.

use std::collections::BTreeMap;

use crate::engine::{ServiceKind, ServiceView, empty_service_cause};
use crate::lint::context::LintContext;
use crate::model::{Cause, Finding, FindingId, GapResource, Severity, format_labels};

/// Checks every Service.
pub fn check(ctx: &LintContext, findings: &mut Vec<Finding>) {
    // `noendpoints` is a choice for every Service at once: its names carry that cause.
    if ctx.config.noendpoints {
        return;
    }
    for service in ctx.services_with_endpoints() {
        let namespace = service.object.namespace.as_str();
        if !ctx.decidable(namespace, &[GapResource::EndpointSlices, GapResource::Pods]) {
            continue;
        }
        // Only a Service with a selector waits for the controller; a selector-less one without a
        // slice is broken whether or not the manifests were applied.
        if service.selector.is_some() && unapplied(ctx, namespace) {
            continue;
        }
        let ready = ctx
            .index
            .slices_of(namespace, &service.object.name)
            .iter()
            .any(|slice| slice.endpoints.iter().any(|e| e.ready && e.has_addresses()));
        if !ready {
            check_one(ctx, service, findings);
        }
    }
}

fn check_one(ctx: &LintContext, service: &ServiceView, findings: &mut Vec<Finding>) {
    let namespace = service.object.namespace.as_str();
    let name = service.object.name.as_str();
    let headless = service.kind == ServiceKind::Headless;
    let mut objects = vec![(*service.object).clone()];
    let causes = empty_service_cause(ctx.index, ctx.config, service);
    // A slice that lacks its label is the cause to name, when there is one.
    let Some(cause) = causes
        .iter()
        .find(|c| matches!(c, Cause::SliceWithoutServiceLabel { .. }))
        .or(causes.first())
    else {
        return;
    };
    let detail = match cause {
        Cause::FilteredByLabels { object, selector } => format!(
            "its EndpointSlice {} does not match the Corefile's `labels {selector}`, so CoreDNS never sees it",
            object.name
        ),
        Cause::SliceWithoutServiceLabel { slice } => format!(
            "EndpointSlice {} seems meant for it but has no kubernetes.io/service-name label",
            slice.name
        ),
        Cause::NoReadyEndpoints { .. }
            if causes
                .iter()
                .any(|c| matches!(c, Cause::SelectorMatchesNoPod { .. })) =>
        {
            let selector = service
                .selector
                .as_ref()
                .map(format_labels)
                .unwrap_or_default();
            format!(
                "its selector {selector} matches no Pod in {namespace}, so its EndpointSlice is empty"
            )
        }
        Cause::NoSelectorNoSlices { .. } => {
            "it has no selector and no EndpointSlice: nothing publishes endpoints for it"
                .to_string()
        }
        Cause::SelectorMatchesNoPod { selector, .. } => {
            let pods = ctx.index.pods_in(namespace);
            let closest = service.selector.as_ref().and_then(|sel| {
                pods.iter()
                    .map(|p| (overlap(sel, &p.labels), p))
                    .filter(|(score, _)| *score > 0)
                    .max_by_key(|(score, _)| *score)
            });
            let near = closest.map_or(String::new(), |(_, pod)| {
                format!(
                    "; the closest are pod {}'s labels {}",
                    pod.object.name,
                    format_labels(&pod.labels)
                )
            });
            format!("its selector {selector} matches no Pod in {namespace}{near}")
        }
        Cause::NoEndpointSlices { .. } => {
            let matching = service
                .selector
                .as_ref()
                .map(|sel| ctx.index.pods_selected_by(namespace, sel))
                .unwrap_or_default();
            if !matching.is_empty() && matching.iter().all(|p| !p.ready) {
                objects.extend(matching.iter().map(|p| (*p.object).clone()));
                let names: Vec<&str> = matching.iter().map(|p| p.object.name.as_str()).collect();
                format!(
                    "its selector matches {} but none is Ready",
                    names.join(", ")
                )
            } else {
                "no EndpointSlice exists for it yet".to_string()
            }
        }
        _ => {
            if service.selector.is_none() {
                "it has no selector and its EndpointSlices hold no ready address".to_string()
            } else {
                let pods: Vec<_> = ctx
                    .index
                    .slices_of(namespace, name)
                    .iter()
                    .flat_map(|s| &s.endpoints)
                    .filter_map(|e| e.pod.as_deref().cloned())
                    .collect();
                let text = if pods.is_empty() {
                    "none of its endpoints is ready".to_string()
                } else {
                    let names: Vec<&str> = pods.iter().map(|p| p.name.as_str()).collect();
                    format!(
                        "its selector matches {} but none is Ready",
                        names.join(", ")
                    )
                };
                objects.extend(pods);
                text
            }
        }
    };
    let hint = match cause {
        Cause::NoReadyEndpoints { .. } if service.selector.is_none() => {
            "fix the addresses or the ready conditions of its hand-made EndpointSlices".to_string()
        }
        Cause::NoReadyEndpoints { .. } | Cause::NoEndpointSlices { .. } if objects.len() > 1 => {
            format!(
                "find out why the pods are not Ready (`kubectl -n {namespace} describe pod {}`); peers that must resolve each other before they are Ready need `publishNotReadyAddresses: true`",
                objects[1].name
            )
        }
        other => other.fix().unwrap_or_default(),
    };
    let answer = if headless {
        "CoreDNS answers NXDOMAIN for it"
    } else if ctx.config.ignore_empty_service {
        "CoreDNS answers NXDOMAIN for it because the Corefile says `ignore empty_service`"
    } else {
        "its ClusterIP still resolves, but no pod answers behind it"
    };
    let names = ctx
        .service_name(name, namespace)
        .filter(|n| !ctx.served(n))
        .into_iter()
        .collect();
    findings.push(Finding {
        id: FindingId::EmptyEndpoints,
        severity: if headless {
            Severity::Error
        } else {
            Severity::Warning
        },
        message: format!("Service {name} has no ready endpoint because {detail}; {answer}"),
        objects,
        names,
        hint,
    });
}

/// Manifests that were never applied: the namespace has no EndpointSlice and no Pod with a
/// status. Their StatefulSets' names are predicted instead; an empty-endpoints error on every
/// Service would be noise.
fn unapplied(ctx: &LintContext, namespace: &str) -> bool {
    let has_live_pods = ctx.index.pods_in(namespace).iter().any(|p| p.has_status);
    !ctx.view.namespaces_with_slices.contains(namespace) && !has_live_pods
}

/// How many of the selector's key/value pairs the labels share (and keys, at half weight).
fn overlap(selector: &BTreeMap<String, String>, labels: &crate::model::Labels) -> usize {
    selector
        .iter()
        .map(|(k, v)| match labels.get(k) {
            Some(value) if value == v => 2,
            Some(_) => 1,
            None => 0,
        })
        .sum()
}
