//! `negative-cache`: a `cache` plugin that caches denials for the cluster zone makes an NXDOMAIN
//! stick. A peer that looks up `redis-0.redis-headless…` before redis-0 is Ready keeps getting
//! NXDOMAIN for up to the negative TTL after the name starts to exist.

use crate::lint::context::LintContext;
use crate::model::kubernetes::{DNS_NAMESPACE, NODE_LOCAL_DNS_CONFIGMAP};
use crate::model::{Finding, FindingId, Kind, ObjectRef, Severity};

/// Checks the Corefile's cache settings, and NodeLocal DNSCache's in front of it.
pub fn check(ctx: &LintContext, findings: &mut Vec<Finding>) {
    let zone = &ctx.zone;
    // A negative answer carries the SOA with TTL min(ttl, 300) and MINIMUM ttl; a cache keeps it
    // for the smaller of those, capped by its denial TTL (plugin/cache `minMsgTTL`, `denial`).
    let negative_ttl = ctx.config.ttl.min(300);
    if let Some(seconds) = coredns_denial_seconds(ctx)
        && seconds > 0
    {
        let subject = match &ctx.config.origin {
            crate::model::ConfigOrigin::ConfigMap {
                namespace, name, ..
            } => ObjectRef::new(Kind::ConfigMap, namespace, name),
            _ => ObjectRef::new(Kind::ConfigMap, "kube-system", "coredns"),
        };
        findings.push(Finding {
            id: FindingId::NegativeCache,
            severity: Severity::Info,
            message: format!(
                "the Corefile's cache plugin caches NXDOMAIN answers for {zone} for up to {seconds} s: a name looked up before its pod was Ready keeps failing for up to {seconds} s after it starts to resolve"
            ),
            objects: vec![subject],
            names: Vec::new(),
            hint: format!(
                "stop caching denials for the cluster zone, as recent kubeadm does:\ncache 30 {{\n    disable denial {}\n}}",
                zone.as_str().trim_end_matches('.')
            ),
        });
    }
    // NodeLocal DNSCache answers pods first: its own denial cache makes an NXDOMAIN stick on
    // every node even when CoreDNS caches none.
    if let Some(node_local) = &ctx.config.node_local {
        let seconds = negative_ttl.min(node_local.denial_ttl);
        if seconds > 0 {
            findings.push(Finding {
                id: FindingId::NegativeCache,
                severity: Severity::Info,
                message: format!(
                    "NodeLocal DNSCache caches NXDOMAIN answers for {zone} for up to {seconds} s on every node: a name looked up before its pod was Ready keeps failing there for up to {seconds} s after CoreDNS starts to serve it"
                ),
                objects: vec![ObjectRef::new(
                    Kind::ConfigMap,
                    DNS_NAMESPACE,
                    NODE_LOCAL_DNS_CONFIGMAP,
                )],
                names: Vec::new(),
                hint: format!(
                    "in the node-local-dns ConfigMap's {zone} block, stop caching denials:\ncache {{\n    success 9984 30\n    disable denial {name}\n}}",
                    name = zone.as_str().trim_end_matches('.')
                ),
            });
        }
    }
}

/// How long CoreDNS's own cache keeps a denial for the cluster zone, `None` without a cache
/// plugin in front of `kubernetes` for that zone.
fn coredns_denial_seconds(ctx: &LintContext) -> Option<u32> {
    let cache = ctx.config.cache.as_ref()?;
    let zone = &ctx.zone;
    let covers = |zones: &[crate::model::DnsName]| zones.iter().any(|z| zone.is_within(z));
    if !cache.zones.is_empty() && !covers(&cache.zones) {
        return None;
    }
    if covers(&cache.denial_disabled) {
        return Some(0);
    }
    Some(ctx.config.ttl.min(300).min(cache.denial_ttl))
}
