//! `option-unknown-to-release`: the `kubernetes` stanza uses an option the CoreDNS release that
//! runs does not know. `ParseStanza` ends in `default: return nil, c.Errf("unknown property
//! '%s'", …)`, so that CoreDNS refuses the whole Corefile: a new pod crash-loops, and a running
//! one keeps its old configuration when `reload` cannot load the new one. The release comes from
//! the DNS pods' image tag or `--coredns-version`; the first release of each option from
//! [`crate::model::OPTION_RELEASES`].

use crate::model::{
    ConfigOrigin, DnsConfig, DnsServer, Finding, FindingId, Kind, ObjectRef, Severity,
    VersionSource, option_first_release,
};

/// Checks every option of every stanza against the release that runs: CoreDNS parses every
/// stanza at start-up, whether or not questions reach its zones.
pub fn check(stanzas: &[DnsConfig], server: &DnsServer, findings: &mut Vec<Finding>) {
    let Some(release) = server.version else {
        return;
    };
    let from = match &server.version_source {
        Some(VersionSource::Flag) => "--coredns-version".to_string(),
        Some(VersionSource::Image(image)) => format!("the DNS pods' image {image}"),
        None => "the cluster".to_string(),
    };
    for stanza in stanzas {
        check_stanza(stanza, release, &from, findings);
    }
}

fn check_stanza(
    stanza: &DnsConfig,
    release: crate::model::CoreDnsVersion,
    from: &str,
    findings: &mut Vec<Finding>,
) {
    let subject = match &stanza.origin {
        ConfigOrigin::ConfigMap {
            namespace, name, ..
        } => ObjectRef::new(Kind::ConfigMap, namespace, name),
        _ => ObjectRef::new(Kind::ConfigMap, "kube-system", "coredns"),
    };
    for option in &stanza.options {
        let Some(first) = option_first_release(&option.name) else {
            continue;
        };
        if release >= first {
            continue;
        }
        findings.push(Finding {
            id: FindingId::OptionUnknownToRelease,
            severity: Severity::Error,
            message: format!(
                "the Corefile's kubernetes option `{name}` (line {line}) is unknown to CoreDNS {release} (from {from}): that release refuses to start with \"unknown property '{name}'\"; CoreDNS {first} is the first release that knows it",
                name = option.name,
                line = option.line,
            ),
            objects: vec![subject.clone()],
            names: Vec::new(),
            hint: format!(
                "run CoreDNS {first} or later, or remove `{name}` from the kubernetes stanza",
                name = option.name
            ),
        });
    }
}
