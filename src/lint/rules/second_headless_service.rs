//! `second-headless-service`: a Pod with a hostname selected by two headless Services gets its
//! `<hostname>.<service>` name only under the Service its `spec.subdomain` names; under the other
//! it is reachable only by its dashed-IP name. Read from the facts: an absent hostname name
//! whose cause is the subdomain, while the same Pod's hostname name is served elsewhere.

use std::collections::BTreeMap;

use crate::lint::context::LintContext;
use crate::model::{
    Cause, DnsName, Expectation, FactState, Finding, FindingId, GapResource, Kind, ObjectRef,
    Severity,
};

/// Checks every Pod that sets a hostname.
pub fn check(ctx: &LintContext, findings: &mut Vec<Finding>) {
    // (subdomain Service, other Service) → (pods, names that do not resolve).
    let mut groups: BTreeMap<(ObjectRef, ObjectRef), (Vec<ObjectRef>, Vec<DnsName>)> =
        BTreeMap::new();
    for pod in &ctx.view.pods {
        let (Some(_), Some(subdomain)) = (&pod.hostname, &pod.subdomain) else {
            continue;
        };
        let namespace = pod.object.namespace.as_str();
        if !ctx.decidable(namespace, &[GapResource::EndpointSlices]) {
            continue;
        }
        let named = ObjectRef::new(Kind::Service, namespace, subdomain);
        let served_there = ctx.facts_about(&pod.object).iter().any(|f| {
            f.state == FactState::Served
                && f.expectation >= Expectation::PodHostname
                && f.objects.iter().any(|o| **o == named)
        });
        if !served_there
            || !ctx
                .index
                .service(namespace, subdomain)
                .is_some_and(|s| s.is_headless())
        {
            continue;
        }
        for fact in ctx.facts_about(&pod.object) {
            if fact.state != FactState::Absent || fact.expectation != Expectation::PodHostname {
                continue;
            }
            if !fact
                .causes
                .iter()
                .any(|c| matches!(c, Cause::SubdomainMismatch { .. }))
            {
                continue;
            }
            let Some(other) = fact.objects.iter().find(|o| o.kind == Kind::Service) else {
                continue;
            };
            let entry = groups
                .entry((named.clone(), (**other).clone()))
                .or_default();
            entry.0.push((*pod.object).clone());
            entry.1.push(fact.name.clone());
        }
    }
    for ((named, other), (pods, names)) in groups {
        let pod_names: Vec<&str> = pods.iter().map(|p| p.name.as_str()).collect();
        findings.push(Finding {
            id: FindingId::SecondHeadlessService,
            severity: Severity::Warning,
            message: format!(
                "pods {} are selected by headless Services {} and {}, but their subdomain names {}: {} do not resolve (only dashed-IP names do)",
                pod_names.join(", "),
                named.name,
                other.name,
                named.name,
                names.iter().map(DnsName::as_str).collect::<Vec<_>>().join(", ")
            ),
            objects: [vec![other.clone(), named.clone()], pods].concat(),
            names,
            hint: format!(
                "address the pods as <hostname>.{}.{}.svc.{}; use Service {} only for the aggregate name, or narrow its selector",
                named.name, named.namespace, ctx.zone, other.name
            ),
        });
    }
}
