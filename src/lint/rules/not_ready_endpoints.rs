//! `not-ready-endpoints`: endpoints whose `conditions.ready` is false are left out of every
//! answer, so their names do not exist. Read from the facts: the absent endpoint names whose
//! cause is a not-ready endpoint. Peer names of a StatefulSet are reported by `peer-names-absent`
//! instead, with the StatefulSet's bootstrap in view. Also flags the retired tolerate-unready
//! annotation, which the EndpointSlice controller never reads.

use crate::lint::context::{LintContext, join_names};
use crate::model::kubernetes::TOLERATE_UNREADY_ANNOTATION;
use crate::model::{
    Cause, DnsName, Expectation, FactState, Finding, FindingId, GapResource, ObjectRef, Severity,
};

/// Checks every Service.
pub fn check(ctx: &LintContext, findings: &mut Vec<Finding>) {
    for service in ctx.services_with_endpoints() {
        let namespace = service.object.namespace.as_str();
        let name = service.object.name.as_str();
        if !ctx.decidable(namespace, &[GapResource::EndpointSlices]) {
            continue;
        }
        let mut names: Vec<DnsName> = Vec::new();
        let mut pods: Vec<ObjectRef> = Vec::new();
        for fact in ctx.facts_about(&service.object) {
            if fact.state != FactState::Absent || fact.expectation != Expectation::Endpoint {
                continue;
            }
            for cause in &fact.causes {
                if let Cause::EndpointNotReady { pod, .. } = cause {
                    names.push(fact.name.clone());
                    pods.extend(pod.iter().cloned());
                }
            }
        }
        names.sort();
        names.dedup();
        pods.sort();
        pods.dedup();
        let annotated = service.tolerate_unready_annotation;
        // Nothing to report unless endpoints are excluded or a useless annotation is relied on.
        let relies_on_annotation = annotated && !service.publish_not_ready;
        if names.is_empty() && !relies_on_annotation {
            continue;
        }
        let mut message = if names.is_empty() {
            format!(
                "Service {name} relies on the {TOLERATE_UNREADY_ANNOTATION} annotation, which no longer has any effect"
            )
        } else {
            format!(
                "{} endpoint address(es) of Service {name} are not ready, so CoreDNS leaves {} out of every answer",
                names.len(),
                join_names(&names)
            )
        };
        if annotated && !names.is_empty() {
            message.push_str(&format!(
                "; its {TOLERATE_UNREADY_ANNOTATION} annotation no longer works (only the retired Endpoints controller read it)"
            ));
        }
        let mut objects = vec![(*service.object).clone()];
        objects.extend(pods);
        findings.push(Finding {
            id: FindingId::NotReadyEndpoints,
            severity: Severity::Warning,
            message,
            objects,
            names,
            hint: format!(
                "if peers must find each other before they are Ready, publish them anyway: `kubectl -n {namespace} patch service {name} -p '{{\"spec\":{{\"publishNotReadyAddresses\":true}}}}'`{}",
                if annotated {
                    format!(" and remove the {TOLERATE_UNREADY_ANNOTATION} annotation")
                } else {
                    String::new()
                }
            ),
        });
    }
}
