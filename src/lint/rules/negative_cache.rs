//! `negative-cache`: a `cache` plugin that caches denials for the cluster zone makes an NXDOMAIN
//! stick. A peer that looks up `redis-0.redis-headless…` before redis-0 is Ready keeps getting
//! NXDOMAIN for up to the negative TTL after the name starts to exist.

use crate::lint::context::LintContext;
use crate::model::{Finding, FindingId, Kind, ObjectRef, Severity};

/// Checks the Corefile's cache settings.
pub fn check(ctx: &LintContext, findings: &mut Vec<Finding>) {
    let Some(cache) = &ctx.config.cache else {
        return;
    };
    let zone = &ctx.zone;
    let covers = |zones: &[crate::model::DnsName]| zones.iter().any(|z| zone.is_within(z));
    if !cache.zones.is_empty() && !covers(&cache.zones) {
        return;
    }
    if covers(&cache.denial_disabled) {
        return;
    }
    // A negative answer carries the SOA with TTL min(ttl, 300) and MINIMUM ttl; the cache keeps it
    // for the smaller of those, capped by its denial TTL.
    let seconds = ctx.config.ttl.min(300).min(cache.denial_ttl);
    if seconds == 0 {
        return;
    }
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
