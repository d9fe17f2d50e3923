//! Findings: rules over the engine's facts and validated views — never over raw objects — so a
//! finding can never contradict the records. A rule whose decision rests on a list that could not
//! be read does not fire. Each rule has its own file under `rules/`; the list of rules is here.

mod context;
mod rules;

use crate::engine::{EngineOutput, Index};
use crate::model::{DnsConfig, Finding};

pub use context::LintContext;

/// Runs every rule; returns the findings, most severe first. `config` is the primary stanza the
/// records rules read; `stanzas` every stanza of the Corefile, whose options CoreDNS checks
/// whether or not their zones are answered.
pub fn check(
    output: &EngineOutput,
    index: &Index,
    config: &DnsConfig,
    stanzas: &[DnsConfig],
) -> Vec<Finding> {
    let mut findings = Vec::new();
    rules::option_release::check(stanzas, &output.dns_server, &mut findings);
    let Some(ctx) = LintContext::new(output, index, config) else {
        return findings;
    };
    rules::service_name_mismatch::check(&ctx, &mut findings);
    rules::missing_hostname::check(&ctx, &mut findings);
    rules::empty_endpoints::check(&ctx, &mut findings);
    rules::not_ready_endpoints::check(&ctx, &mut findings);
    rules::unnamed_port::check(&ctx, &mut findings);
    rules::second_headless_service::check(&ctx, &mut findings);
    rules::negative_cache::check(&ctx, &mut findings);
    rules::externalname_target::check(&ctx, &mut findings);
    rules::peer_names::check(&ctx, &mut findings);
    rules::namespace_missing::check(&ctx, &mut findings);
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.objects.cmp(&b.objects))
    });
    findings
}
