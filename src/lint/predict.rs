//! Predicted names: offline, a StatefulSet whose Pods and EndpointSlices are not in the input
//! (manifests not yet applied) will get `<name>-<ordinal>.<serviceName>.<ns>.svc.<zone>` once its
//! pods are Ready — provided its serviceName names a headless Service that selects them.

use crate::lint::context::{LintContext, namespace_of, object_ref};
use crate::lint::workload::{
    is_headless, owning_stateful_set, pod_names, selector, selects, service_name, template_labels,
};
use crate::model::{Absent, Kind};

/// The names unapplied StatefulSets will get.
pub fn predicted_names(ctx: &LintContext) -> Vec<Absent> {
    let mut predicted = Vec::new();
    for sts in &ctx.snapshot.stateful_sets {
        let namespace = namespace_of(&sts.metadata);
        let Some(name) = sts.metadata.name.as_deref() else {
            continue;
        };
        let Some(governing) = service_name(sts) else {
            continue;
        };
        let has_pods = ctx
            .pods_in(namespace)
            .any(|pod| owning_stateful_set(pod) == Some(name));
        if has_pods || ctx.slices_of(namespace, governing).next().is_some() {
            continue;
        }
        let Some(service) = ctx.service(namespace, governing) else {
            continue;
        };
        let labels = template_labels(sts);
        if !is_headless(service) || !selector(service).is_some_and(|sel| selects(sel, &labels)) {
            continue;
        }
        for pod in pod_names(sts) {
            if let Some(name) = ctx.endpoint_name(&pod, governing, namespace) {
                predicted.push(Absent {
                    name,
                    subject: object_ref(Kind::StatefulSet, &sts.metadata),
                    reason: format!("once pod {pod} is Ready (not applied yet)"),
                });
            }
        }
    }
    predicted
}
