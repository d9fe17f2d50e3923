//! Findings: (snapshot, DNS configuration) → what breaks DNS for the workloads, next to the
//! record engine and as pure. Each rule has its own file under `rules/`; the list of rules is
//! here.

mod context;
mod predict;
mod rules;
mod workload;

use crate::model::{Absent, ClusterSnapshot, DnsConfig, Finding};

pub use context::LintContext;

/// Runs every rule; returns the findings (most severe first) and the names unapplied
/// StatefulSets will get.
pub fn check(snapshot: &ClusterSnapshot, config: &DnsConfig) -> (Vec<Finding>, Vec<Absent>) {
    let Some(ctx) = LintContext::new(snapshot, config) else {
        return (Vec::new(), Vec::new());
    };
    let mut findings = Vec::new();
    rules::service_name_mismatch::check(&ctx, &mut findings);
    rules::missing_hostname::check(&ctx, &mut findings);
    rules::empty_endpoints::check(&ctx, &mut findings);
    rules::not_ready_endpoints::check(&ctx, &mut findings);
    rules::unnamed_port::check(&ctx, &mut findings);
    rules::second_headless_service::check(&ctx, &mut findings);
    rules::negative_cache::check(&ctx, &mut findings);
    rules::externalname_target::check(&ctx, &mut findings);
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.objects.cmp(&b.objects))
    });
    (findings, predict::predicted_names(&ctx))
}
