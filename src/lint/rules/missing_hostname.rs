//! `missing-hostname`: a Pod that sets `spec.hostname` (or belongs to a StatefulSet) is promised
//! `<hostname>.<service>`, but its endpoint has no hostname, so CoreDNS serves only the
//! dashed-IP name for it. The EndpointSlice controller sets the hostname only when the Pod's
//! `spec.subdomain` equals the Service's name; hand-made slices set none. Read from the facts:
//! the absent hostname names whose cause is one of those three.

use std::collections::{BTreeMap, BTreeSet};

use crate::lint::context::{LintContext, join_names};
use crate::model::{
    Cause, DnsName, Expectation, FactState, Finding, FindingId, GapResource, ObjectRef, Severity,
};

/// Per reason: the hint, the dashed-IP names that are served, the names that are not, the pods.
#[derive(Default)]
struct Affected {
    hint: String,
    served: BTreeSet<DnsName>,
    absent: BTreeSet<DnsName>,
    pods: BTreeSet<ObjectRef>,
}

/// Checks the hostname names of every Service.
pub fn check(ctx: &LintContext, findings: &mut Vec<Finding>) {
    for service in ctx.services_with_endpoints() {
        let namespace = service.object.namespace.as_str();
        if !ctx.decidable(namespace, &[GapResource::Pods, GapResource::EndpointSlices]) {
            continue;
        }
        let name = service.object.name.as_str();
        let mut by_reason: BTreeMap<String, Affected> = BTreeMap::new();
        for fact in ctx.facts_about(&service.object) {
            if fact.state != FactState::Absent
                || !matches!(
                    fact.expectation,
                    Expectation::PodHostname | Expectation::StatefulSetPeer
                )
            {
                continue;
            }
            for cause in &fact.causes {
                let (reason, pod, hint) = match cause {
                    Cause::SubdomainMismatch { pod, subdomain, .. } => (
                        match subdomain {
                            Some(sub) => {
                                format!("the pods' spec.subdomain is \"{sub}\", not \"{name}\"")
                            }
                            None => {
                                format!("the pods set no spec.subdomain (it must be \"{name}\")")
                            }
                        },
                        pod,
                        cause.fix(),
                    ),
                    Cause::NoHostname { pod } => (
                        "the pods set no spec.hostname".to_string(),
                        pod,
                        Some(format!(
                            "set `spec.hostname` and `spec.subdomain: {name}` in the pod template, then recreate the pods"
                        )),
                    ),
                    Cause::SliceSetsNoHostname { .. } => {
                        let Some(pod) = fact
                            .objects
                            .iter()
                            .find(|o| o.kind == crate::model::Kind::Pod)
                            .map(AsRef::as_ref)
                        else {
                            continue;
                        };
                        (
                            cause.to_string(),
                            pod,
                            Some(format!(
                                "set `hostname: <pod hostname>` on each endpoint of the hand-made slice, or give Service {name} a selector so the controller manages its slices"
                            )),
                        )
                    }
                    _ => continue,
                };
                // A Pod whose hostname name is served under another Service (its governing one)
                // is fine here: that is how the controller works.
                if ctx.facts_about(pod).iter().any(|f| {
                    f.state == FactState::Served
                        && matches!(
                            f.expectation,
                            Expectation::PodHostname | Expectation::StatefulSetPeer
                        )
                }) {
                    continue;
                }
                let entry = by_reason.entry(reason).or_default();
                entry.hint = hint.unwrap_or_default();
                entry.absent.insert(fact.name.clone());
                entry.pods.insert(pod.clone());
                entry.served.extend(
                    ctx.facts_about(pod)
                        .iter()
                        .filter(|f| {
                            f.state == FactState::Served
                                && f.expectation == Expectation::Endpoint
                                && f.objects.contains(&service.object)
                        })
                        .map(|f| f.name.clone()),
                );
            }
        }
        for (reason, affected) in by_reason {
            let pod_names: Vec<String> = affected.pods.iter().map(|p| p.name.clone()).collect();
            let served: Vec<DnsName> = affected.served.into_iter().collect();
            let absent: Vec<DnsName> = affected.absent.into_iter().collect();
            let served_text = if served.is_empty() {
                String::new()
            } else {
                format!("{} resolve, but ", join_names(&served))
            };
            let mut objects = vec![(*service.object).clone()];
            objects.extend(affected.pods);
            findings.push(Finding {
                id: FindingId::MissingHostname,
                severity: Severity::Warning,
                message: format!(
                    "endpoints of {} under Service {name} have no hostname because {reason}: {served_text}{} do not",
                    pod_names.join(", "),
                    join_names(&absent)
                ),
                objects,
                names: absent,
                hint: affected.hint,
            });
        }
    }
}
