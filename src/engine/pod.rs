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
    let watched = || ctx.view.pods.iter().filter(|pod| pod.watched);
    if ctx.config.pods == PodsMode::Insecure && watched().next().is_some() {
        sink.notes.push(Note::info(format!(
            "pods insecure: CoreDNS answers any IP-shaped name under <namespace>.pod.{zone} with that IP, Pod or not; only the names of known Pods are listed"
        )));
    }
    for pod in watched() {
        let Some((ip_text, ip)) = &pod.ip else {
            continue;
        };
        if !ctx
            .view
            .namespace_exposed(ctx.config, &pod.object.namespace)
        {
            continue;
        }
        let label = dashed_pod_address(ip_text);
        let Ok(owner) = zone.prepend_all(&[&label, &pod.object.namespace, "pod"]) else {
            continue;
        };
        sink.records.push(address_record(
            &owner,
            *ip,
            ctx.config.ttl,
            Provenance::Pod(pod.object.clone()),
        ));
    }
}
