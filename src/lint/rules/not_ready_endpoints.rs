//! `not-ready-endpoints`: endpoints whose `conditions.ready` is false are left out of every name,
//! SRV record and PTR. For peers that must find each other before they are Ready (a database or
//! broker bootstrapping its cluster) this is a deadlock, which `publishNotReadyAddresses: true`
//! breaks. The old `service.alpha.kubernetes.io/tolerate-unready-endpoints` annotation was only
//! read by the Endpoints controller and has no effect on EndpointSlices, hence on CoreDNS.

use crate::engine::dashed_endpoint_address;
use crate::lint::context::{LintContext, object_ref};
use crate::lint::workload::{is_headless, service_name};
use crate::model::{DnsName, Finding, FindingId, Kind, ObjectRef, Severity};

const TOLERATE_UNREADY: &str = "service.alpha.kubernetes.io/tolerate-unready-endpoints";

/// Checks every Service.
pub fn check(ctx: &LintContext, findings: &mut Vec<Finding>) {
    for (service, namespace, name) in ctx.services_with_endpoints() {
        let mut names: Vec<DnsName> = Vec::new();
        let mut pods: Vec<ObjectRef> = Vec::new();
        for slice in ctx.slices_of(namespace, name) {
            for endpoint in &slice.endpoints {
                if endpoint.conditions.as_ref().and_then(|c| c.ready) != Some(false) {
                    continue;
                }
                for address in &endpoint.addresses {
                    let label = endpoint
                        .hostname
                        .clone()
                        .filter(|h| !h.is_empty())
                        .unwrap_or_else(|| dashed_endpoint_address(address));
                    names.extend(ctx.endpoint_name(&label, name, namespace));
                }
                if let Some(target) = endpoint
                    .target_ref
                    .as_ref()
                    .filter(|t| t.kind.as_deref() == Some("Pod"))
                {
                    pods.push(ObjectRef::new(
                        Kind::Pod,
                        target.namespace.as_deref().unwrap_or(namespace),
                        target.name.as_deref().unwrap_or_default(),
                    ));
                }
            }
        }
        names.sort();
        names.dedup();
        let annotated = service
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(TOLERATE_UNREADY))
            .is_some_and(|v| v == "true");
        let publishes = service
            .spec
            .as_ref()
            .and_then(|s| s.publish_not_ready_addresses)
            .unwrap_or(false);
        // Nothing to report unless endpoints are excluded or a useless annotation is relied on.
        let relies_on_annotation = annotated && !publishes;
        if names.is_empty() && !relies_on_annotation {
            continue;
        }
        let mut message = if names.is_empty() {
            format!(
                "Service {name} relies on the {TOLERATE_UNREADY} annotation, which no longer has any effect"
            )
        } else {
            let shown: Vec<&str> = names.iter().take(3).map(DnsName::as_str).collect();
            let more = if names.len() > 3 {
                format!(" and {} more", names.len() - 3)
            } else {
                String::new()
            };
            format!(
                "{} endpoint address(es) of Service {name} are not ready, so CoreDNS leaves {}{more} out of every answer",
                names.len(),
                shown.join(", ")
            )
        };
        let governs_sts = ctx
            .stateful_sets_in(namespace)
            .any(|sts| service_name(sts) == Some(name));
        if !names.is_empty() && is_headless(service) && governs_sts {
            message.push_str("; a StatefulSet whose peers must resolve each other before they turn Ready (cluster bootstrap) waits forever");
        }
        if annotated && !names.is_empty() {
            message.push_str(&format!(
                "; its {TOLERATE_UNREADY} annotation no longer works (only the retired Endpoints controller read it)"
            ));
        }
        let mut objects = vec![object_ref(Kind::Service, &service.metadata)];
        objects.extend(pods);
        findings.push(Finding {
            id: FindingId::NotReadyEndpoints,
            severity: Severity::Warning,
            message,
            objects,
            names,
            hint: format!(
                "if peers must find each other before they are Ready, publish them anyway: `kubectl -n {namespace} patch service {name} -p '{{\"spec\":{{\"publishNotReadyAddresses\":true}}}}'`{}",
                if annotated { format!(" and remove the {TOLERATE_UNREADY} annotation") } else { String::new() }
            ),
        });
    }
}
