//! `externalname-target`: an ExternalName that is an IP literal gets no record at all (a CNAME to
//! an IP is not valid DNS); one that points back into the cluster zone is chased by CoreDNS
//! itself, and when that target does not resolve the CNAME is dropped and the answer is empty.

use std::net::IpAddr;

use crate::lint::context::{LintContext, namespace_of, object_ref};
use crate::lint::workload::is_external_name;
use crate::model::{DnsName, Finding, FindingId, Kind, Severity};

/// Checks every ExternalName Service.
pub fn check(ctx: &LintContext, findings: &mut Vec<Finding>) {
    for service in &ctx.snapshot.services {
        if !is_external_name(service) {
            continue;
        }
        let namespace = namespace_of(&service.metadata);
        let Some(name) = service.metadata.name.as_deref() else {
            continue;
        };
        let target = service
            .spec
            .as_ref()
            .and_then(|s| s.external_name.as_deref())
            .unwrap_or_default();
        let trimmed = target.trim_end_matches('.');
        let owner = ctx.service_name(name, namespace);
        let (message, hint) = if trimmed.parse::<IpAddr>().is_ok() {
            (
                format!(
                    "ExternalName Service {name} points at the IP address {trimmed}: CoreDNS serves no record at all for it (a CNAME must name a host)"
                ),
                format!(
                    "use a Service without selector plus an EndpointSlice for the address:\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  ports:\n  - name: main\n    port: <port>\n---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: {name}-1\n  namespace: {namespace}\n  labels:\n    kubernetes.io/service-name: {name}\naddressType: {}\nendpoints:\n- addresses: [\"{trimmed}\"]\nports:\n- name: main\n  port: <port>\n---",
                    if trimmed.contains(':') {
                        "IPv6"
                    } else {
                        "IPv4"
                    }
                ),
            )
        } else if let Ok(target_name) = DnsName::parse(trimmed)
            && ctx
                .config
                .forward_zones()
                .any(|zone| target_name.is_within(zone))
        {
            let resolves = target_resolves(ctx, &target_name);
            let outcome = if resolves {
                "CoreDNS answers it itself, so the alias works only while that target exists"
            } else {
                "that name does not exist, so CoreDNS drops the CNAME and clients get an empty answer"
            };
            (
                format!(
                    "ExternalName Service {name} points back into the cluster zone ({trimmed}): {outcome}"
                ),
                "point clients at the target Service directly, or give this Service a selector"
                    .to_string(),
            )
        } else {
            continue;
        };
        findings.push(Finding {
            id: FindingId::ExternalNameTarget,
            severity: Severity::Warning,
            message,
            objects: vec![object_ref(Kind::Service, &service.metadata)],
            names: owner.into_iter().collect(),
            hint,
        });
    }
}

/// Whether an in-zone name names an existing Service (`<svc>.<ns>.svc.<zone>`).
fn target_resolves(ctx: &LintContext, target: &DnsName) -> bool {
    let labels: Vec<&str> = target.labels().collect();
    ctx.config.forward_zones().any(|zone| {
        let depth = zone.label_count();
        labels.len() == depth + 3
            && labels[2] == "svc"
            && ctx.service(labels[1], labels[0]).is_some()
    })
}
