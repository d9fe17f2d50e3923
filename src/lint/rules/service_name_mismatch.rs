//! `service-name-mismatch`: a StatefulSet's `spec.serviceName` must name a headless Service in its
//! namespace that selects its Pods. Otherwise the Pods' `spec.subdomain` (set from serviceName at
//! creation) matches no Service that has them as endpoints, the EndpointSlice controller sets no
//! hostname (`ShouldSetHostname`), and `<pod>.<serviceName>.<ns>.svc` never exists.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Service;

use crate::lint::context::{LintContext, format_labels, namespace_of, object_ref};
use crate::lint::workload::{
    governing_candidates, is_external_name, is_headless, pod_names, selector, selects,
    service_name, template_labels,
};
use crate::model::{Finding, FindingId, Kind, Severity};

/// Checks every StatefulSet.
pub fn check(ctx: &LintContext, findings: &mut Vec<Finding>) {
    for sts in &ctx.snapshot.stateful_sets {
        check_one(ctx, sts, findings);
    }
}

fn check_one(ctx: &LintContext, sts: &StatefulSet, findings: &mut Vec<Finding>) {
    let namespace = namespace_of(&sts.metadata);
    let name = sts.metadata.name.as_deref().unwrap_or_default();
    let Some(governing) = service_name(sts) else {
        return;
    };
    let labels = template_labels(sts);
    let service = ctx.service(namespace, governing);
    // The pods' names resolve only if the Service has them as endpoints: the controller sets
    // the hostname for any Service the subdomain names, and CoreDNS serves endpoint names under
    // every Service — so a ClusterIP Service still gives per-pod names, but not the peer list.
    let (problem, pods_resolve) = match service {
        None => (format!("names no Service in namespace {namespace}"), false),
        Some(svc) if is_external_name(svc) => (
            format!("names Service {governing}, which is an ExternalName Service"),
            false,
        ),
        Some(svc) if !is_headless(svc) => (
            format!(
                "names Service {governing}, which is not headless: {governing} resolves to its ClusterIP instead of to each pod and its SRV records name the Service, so peers cannot discover each other through it"
            ),
            selector(svc).is_some_and(|sel| selects(sel, &labels)),
        ),
        Some(svc) => match selector(svc) {
            None => (
                format!(
                    "names Service {governing}, which has no selector, so no EndpointSlice lists the StatefulSet's pods"
                ),
                false,
            ),
            Some(sel) if !selects(sel, &labels) => (
                format!(
                    "names Service {governing}, whose selector {} does not select the StatefulSet's pods (labels {})",
                    format_labels(sel),
                    format_labels(&labels)
                ),
                false,
            ),
            Some(_) => return,
        },
    };
    let names: Vec<_> = pod_names(sts)
        .iter()
        .filter_map(|pod| ctx.endpoint_name(pod, governing, namespace))
        .collect();
    let candidates: Vec<&Service> = governing_candidates(ctx, sts)
        .into_iter()
        .filter(|svc| svc.metadata.name.as_deref() != Some(governing))
        .collect();
    let meant = candidates
        .first()
        .and_then(|svc| svc.metadata.name.as_deref());
    let shown: Vec<String> = names.iter().take(3).map(ToString::to_string).collect();
    let more = if names.len() > 3 { ", …" } else { "" };
    let consequence = if pods_resolve {
        format!(
            "{}{more} resolve only as endpoint names, which the DNS spec does not promise for non-headless Services",
            shown.join(", ")
        )
    } else {
        format!("{}{more} do not resolve", shown.join(", "))
    };
    let mut message =
        format!("StatefulSet {name}'s serviceName {governing:?} {problem}; {consequence}");
    if let Some(meant) = meant {
        message.push_str(&format!(
            "; the headless Service {meant} selects these pods and was probably meant"
        ));
    }
    let mut objects = vec![object_ref(Kind::StatefulSet, &sts.metadata)];
    objects.extend(service.map(|svc| object_ref(Kind::Service, &svc.metadata)));
    objects.extend(
        candidates
            .iter()
            .map(|svc| object_ref(Kind::Service, &svc.metadata)),
    );
    findings.push(Finding {
        id: FindingId::ServiceNameMismatch,
        severity: Severity::Error,
        message,
        objects,
        names,
        hint: hint(namespace, name, governing, meant, &labels),
    });
}

fn hint(
    namespace: &str,
    sts: &str,
    governing: &str,
    meant: Option<&str>,
    labels: &std::collections::BTreeMap<String, String>,
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
