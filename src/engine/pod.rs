//! Pod records (`findPods`): `<dashed podIP>.<namespace>.pod.<zone>` for every Pod CoreDNS's pod
//! watch keeps, in the `pods verified` and `pods insecure` modes.

use super::endpoint_name::dashed_pod_address;
use super::{Ctx, Sink, address_record};
use crate::model::{DnsName, Note, PodsMode, Provenance};

/// Pod records in one forward zone.
pub fn records(ctx: &Ctx, zone: &DnsName, sink: &mut Sink) {
    if ctx.config.pods == PodsMode::Disabled {
        return;
    }
    if ctx.config.pods == PodsMode::Insecure && !ctx.view.pods.is_empty() {
        sink.notes.push(Note::info(format!(
            "pods insecure: CoreDNS answers any IP-shaped name under <namespace>.pod.{zone} with that IP, Pod or not; only the names of known Pods are listed"
        )));
    }
    for pod in &ctx.view.pods {
        if !ctx
            .view
            .namespace_exposed(ctx.config, &pod.object.namespace)
        {
            continue;
        }
        let label = dashed_pod_address(&pod.ip_text);
        let Ok(owner) = zone.prepend_all(&[&label, &pod.object.namespace, "pod"]) else {
            continue;
        };
        sink.records.push(address_record(
            &owner,
            pod.ip,
            ctx.config.ttl,
            Provenance::Pod(pod.object.clone()),
        ));
    }
}
