//! `peer-names-absent` and `bootstrap-deadlock`: a StatefulSet's peers find each other by
//! `<pod>.<serviceName>.<ns>.svc.<zone>`, one name per replica `spec.replicas` asks for. Read from
//! the peer-name facts: how many resolve, which do not and why, and what
//! `publishNotReadyAddresses: true` would add. The classic deadlock — OrderedReady creates pod N
//! only after pod N-1 is Ready, while the first pod's readiness waits for peers that do not exist —
//! shows as the first pod not Ready and every later ordinal not created.

use crate::engine::StatefulSetView;
use crate::lint::context::{LintContext, join_names};
use crate::model::{
    Cause, DnsName, Expectation, Fact, FactState, Finding, FindingId, GapResource, Kind, Severity,
};

/// Checks every StatefulSet whose governing Service is headless and selects its pods (the
/// other cases are `service-name-mismatch`).
pub fn check(ctx: &LintContext, findings: &mut Vec<Finding>) {
    // `noendpoints` hides every endpoint name at once: the names carry that cause.
    if ctx.config.noendpoints {
        return;
    }
    for sts in &ctx.view.stateful_sets {
        let namespace = sts.object.namespace.as_str();
        if !ctx.decidable(
            namespace,
            &[
                GapResource::Services,
                GapResource::EndpointSlices,
                GapResource::Pods,
            ],
        ) {
            continue;
        }
        let Some(service) = sts
            .service_name
            .as_deref()
            .and_then(|name| ctx.index.service(namespace, name))
        else {
            continue;
        };
        if !service.is_headless() || !service.selects(&sts.template_labels) {
            continue;
        }
        let peers: Vec<&Fact> = ctx
            .facts_about(&sts.object)
            .iter()
            .copied()
            .filter(|f| f.expectation == Expectation::StatefulSetPeer)
            .collect();
        let absent: Vec<&Fact> = peers
            .iter()
            .copied()
            .filter(|f| f.state == FactState::Absent)
            .collect();
        // Unapplied manifests are predictions, not problems; hostname problems have their own id.
        if absent.is_empty()
            || absent.iter().any(|f| {
                f.causes.iter().any(|c| {
                    matches!(
                        c,
                        Cause::NotApplied { .. }
                            | Cause::SubdomainMismatch { .. }
                            | Cause::NoHostname { .. }
                            | Cause::SliceSetsNoHostname { .. }
                    )
                })
            })
        {
            continue;
        }
        let resolving = peers.len() - absent.len();
        let why: Vec<String> = absent
            .iter()
            .map(|f| {
                let causes: Vec<String> = f.causes.iter().map(ToString::to_string).collect();
                format!("{} ({})", f.name, causes.join("; "))
            })
            .collect();
        // What publishNotReadyAddresses would add: the names whose only cause is a pod that
        // exists but is not Ready.
        let would_publish: Vec<DnsName> = absent
            .iter()
            .filter(|f| {
                !f.causes.is_empty()
                    && f.causes.iter().all(|c| {
                        matches!(
                            c,
                            Cause::EndpointNotReady {
                                terminating: false,
                                ..
                            } | Cause::PodNotReady { .. }
                        )
                    })
            })
            .map(|f| f.name.clone())
            .collect();
        let mut hint = if service.publish_not_ready || would_publish.is_empty() {
            "wait for the pods to become Ready, or fix what keeps them from it (`kubectl describe pod`)".to_string()
        } else {
            format!(
                "publish peers before they are Ready, which adds {}: `kubectl -n {namespace} patch service {} -p '{{\"spec\":{{\"publishNotReadyAddresses\":true}}}}'`",
                join_names(&would_publish),
                service.object.name
            )
        };
        let objects = vec![(*sts.object).clone(), (*service.object).clone()];
        let names: Vec<DnsName> = absent.iter().map(|f| f.name.clone()).collect();
        if let Some(deadlock) = deadlock(sts, &peers) {
            hint.push_str(&format!(
                "\nor let the controller start all pods at once: `podManagementPolicy: Parallel` (immutable: recreate the StatefulSet with `kubectl -n {namespace} delete statefulset {} --cascade=orphan`)",
                sts.object.name
            ));
            findings.push(Finding {
                id: FindingId::BootstrapDeadlock,
                severity: Severity::Error,
                message: format!(
                    "StatefulSet {} cannot bootstrap: {deadlock}; 0 of {} peer names resolve: {}",
                    sts.object.name,
                    peers.len(),
                    why.join(", ")
                ),
                objects,
                names,
                hint,
            });
            continue;
        }
        findings.push(Finding {
            id: FindingId::PeerNamesAbsent,
            severity: Severity::Warning,
            message: format!(
                "{resolving} of {} peer names of StatefulSet {} resolve; {} {}: {}",
                peers.len(),
                sts.object.name,
                absent.len(),
                if absent.len() == 1 {
                    "does not"
                } else {
                    "do not"
                },
                why.join(", ")
            ),
            objects,
            names,
            hint,
        });
    }
}

/// The deadlock, described, when the first ordinal exists but is not Ready and every later one
/// waits for it under OrderedReady.
fn deadlock(sts: &StatefulSetView, peers: &[&Fact]) -> Option<String> {
    if !sts.ordered_ready || peers.len() < 2 {
        return None;
    }
    let first_pod = format!("{}-{}", sts.object.name, sts.ordinal_start);
    let first = peers.iter().find(|f| {
        f.objects
            .iter()
            .any(|o| o.kind == Kind::Pod && o.name == first_pod)
    })?;
    let first_not_ready = first.state == FactState::Absent
        && first.causes.iter().any(|c| {
            matches!(
                c,
                Cause::EndpointNotReady { .. } | Cause::PodNotReady { .. }
            )
        });
    let rest_waiting = peers
        .iter()
        .filter(|f| !std::ptr::eq(**f, *first))
        .all(|f| {
            f.causes.iter().any(|c| {
                matches!(
                    c,
                    Cause::PodNotCreated {
                        waiting_on: Some(_),
                        ..
                    }
                )
            })
        });
    (first_not_ready && rest_waiting).then(|| {
        format!(
            "its first pod {}-{} is not Ready and, under podManagementPolicy OrderedReady, the other {} pods are not created until it is; if its readiness waits for its peers, it never becomes Ready",
            sts.object.name,
            sts.ordinal_start,
            peers.len() - 1
        )
    })
}
