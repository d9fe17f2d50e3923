//! `externalname-target`: an ExternalName that is an IP literal gets no record at all (a CNAME to
//! an IP is not valid DNS); one that points back into the cluster zone is chased by CoreDNS
//! itself, and when that target does not resolve the CNAME is dropped and the answer is empty.

use std::net::IpAddr;

use crate::engine::ServiceKind;
use crate::lint::context::LintContext;
use crate::model::{DnsName, Finding, FindingId, Severity};

/// Checks every ExternalName Service.
pub fn check(ctx: &LintContext, findings: &mut Vec<Finding>) {
    for service in &ctx.view.services {
        let ServiceKind::ExternalName(target) = &service.kind else {
            continue;
        };
        let namespace = service.object.namespace.as_str();
        if !ctx.view.namespace_exposed(ctx.config, namespace) {
            continue;
        }
        let name = service.object.name.as_str();
        let trimmed = target.trim_end_matches('.');
        let owner = ctx.service_name(name, namespace);
        let (message, hint) = if trimmed.parse::<IpAddr>().is_ok() {
            // `msg.Service.HostType` parses the target as written: with a trailing dot an IP is
            // a host name to it, and the Service gets a CNAME no resolver turns into the address.
            let outcome = if target.parse::<IpAddr>().is_ok() {
                "CoreDNS serves no record at all for it (a CNAME must name a host)"
            } else {
                "with the trailing dot CoreDNS reads it as a host name and answers a CNAME to it, which resolves to no address"
            };
            (
                format!(
                    "ExternalName Service {name} points at the IP address {trimmed}: {outcome}"
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
            let resolves = ctx.served(&target_name);
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
            objects: vec![(*service.object).clone()],
            names: owner.into_iter().filter(|o| !ctx.served(o)).collect(),
            hint,
        });
    }
}
