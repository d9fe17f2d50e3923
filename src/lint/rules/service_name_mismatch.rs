//! `service-name-mismatch`: a StatefulSet's `spec.serviceName` must name a headless Service in its
//! namespace that selects its Pods. Otherwise the Pods' `spec.subdomain` (set from serviceName at
//! creation) matches no Service that has them as endpoints, the EndpointSlice controller sets no
//! hostname (`ShouldSetHostname`), and `<pod>.<serviceName>.<ns>.svc` never exists.

use std::collections::BTreeMap;

use crate::engine::{ServiceKind, ServiceView, StatefulSetView};
use crate::lint::context::{LintContext, join_names};
use crate::model::{Expectation, Finding, FindingId, GapResource, Severity, format_labels};

/// Checks every StatefulSet.
pub fn check(ctx: &LintContext, findings: &mut Vec<Finding>) {
    for sts in &ctx.view.stateful_sets {
        if ctx.decidable(&sts.object.namespace, &[GapResource::Services]) {
            check_one(ctx, sts, findings);
        }
    }
}

fn check_one(ctx: &LintContext, sts: &StatefulSetView, findings: &mut Vec<Finding>) {
    let namespace = sts.object.namespace.as_str();
    let name = sts.object.name.as_str();
    let Some(governing) = sts.service_name.as_deref() else {
        return;
    };
    let labels = &sts.template_labels;
    let service = ctx.index.service(namespace, governing);
    let problem = match service {
        None => format!("names no Service in namespace {namespace}"),
        Some(svc) if matches!(svc.kind, ServiceKind::ExternalName(_)) => {
            format!("names Service {governing}, which is an ExternalName Service")
        }
        Some(svc) if !svc.is_headless() => format!(
            "names Service {governing}, which is not headless: {governing} resolves to its ClusterIP instead of to each pod and its SRV records name the Service, so peers cannot discover each other through it"
        ),
        Some(svc) => match &svc.selector {
            None => format!(
                "names Service {governing}, which has no selector, so no EndpointSlice lists the StatefulSet's pods"
            ),
            Some(sel) if !svc.selects(labels) => format!(
                "names Service {governing}, whose selector {} does not select the StatefulSet's pods (labels {})",
                format_labels(sel),
                format_labels(labels)
            ),
            Some(_) => return,
        },
    };
    // The peer names are facts: absent ones are listed; with a ClusterIP Service selecting the
    // pods they resolve as endpoint names (CoreDNS serves those under any Service).
    let absent: Vec<_> = ctx
        .absent_about(&sts.object, Expectation::StatefulSetPeer)
        .map(|f| f.name.clone())
        .collect();
    let consequence = if absent.is_empty() {
        "its pods' names resolve only as endpoint names, which the DNS spec does not promise for non-headless Services".to_string()
    } else {
        format!("{} do not resolve", join_names(&absent))
    };
    let candidates: Vec<&ServiceView> = ctx
        .index
        .services_in(namespace)
        .iter()
        .copied()
        .filter(|svc| {
            svc.object.name != governing
                && svc.is_headless()
                && svc.selector.as_ref().is_some_and(|sel| !sel.is_empty())
                && svc.selects(labels)
        })
        .collect();
    let meant = candidates.first().map(|svc| svc.object.name.as_str());
    let mut message =
        format!("StatefulSet {name}'s serviceName \"{governing}\" {problem}; {consequence}");
    if let Some(meant) = meant {
        message.push_str(&format!(
            "; the headless Service {meant} selects these pods and was probably meant"
        ));
    }
    let mut objects = vec![(*sts.object).clone()];
    objects.extend(service.map(|svc| (*svc.object).clone()));
    objects.extend(candidates.iter().map(|svc| (*svc.object).clone()));
    findings.push(Finding {
        id: FindingId::ServiceNameMismatch,
        severity: Severity::Error,
        message,
        objects,
        names: absent,
        hint: hint(namespace, name, governing, meant, labels),
    });
}

fn hint(
    namespace: &str,
    sts: &str,
    governing: &str,
    meant: Option<&str>,
    labels: &BTreeMap<String, String>,
) -> String {
    let selector: String = labels
        .iter()
        .map(|(k, v)| format!("\n    {k}: {v}"))
        .collect();
    let create = format!(
        "create the headless Service it names:\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {governing}\n  namespace: {namespace}\nspec:\n  clusterIP: None\n  selector:{selector}\n---"
    );
    let recreate = match meant {
        Some(meant) => format!(
            "or point the StatefulSet at {meant}: serviceName is immutable, so recreate it without deleting its pods: `kubectl -n {namespace} delete statefulset {sts} --cascade=orphan`, apply it again with `serviceName: {meant}`, then delete its pods one at a time so they are recreated with the new subdomain"
        ),
        None => format!(
            "or recreate the StatefulSet with the right serviceName: it is immutable, so `kubectl -n {namespace} delete statefulset {sts} --cascade=orphan`, apply the corrected manifest, then delete its pods one at a time so they get the new subdomain"
        ),
    };
    format!("{create}\n{recreate}")
}
