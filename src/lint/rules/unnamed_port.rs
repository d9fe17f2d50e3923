//! `unnamed-port`: a Service port without a name has no `_<name>._<proto>` SRV record; it
//! appears only in the SRV records of the bare Service name.

use crate::lint::context::{LintContext, object_ref};
use crate::model::{Finding, FindingId, Kind, Severity};

/// Checks every Service's ports.
pub fn check(ctx: &LintContext, findings: &mut Vec<Finding>) {
    for (service, namespace, name) in ctx.services_with_endpoints() {
        let ports = service.spec.as_ref().and_then(|s| s.ports.as_ref());
        for port in ports.into_iter().flatten() {
            if port.name.as_deref().is_some_and(|n| !n.is_empty()) {
                continue;
            }
            let protocol = port.protocol.as_deref().unwrap_or("TCP");
            let owner = ctx.service_name(name, namespace);
            findings.push(Finding {
                id: FindingId::UnnamedPort,
                severity: Severity::Info,
                message: format!(
                    "port {}/{protocol} of Service {name} has no name, so it has no _<name>._{} SRV record; it appears only in the SRV records of {}",
                    port.port,
                    protocol.to_ascii_lowercase(),
                    owner.as_ref().map_or(name, |o| o.as_str())
                ),
                objects: vec![object_ref(Kind::Service, &service.metadata)],
                names: owner.into_iter().collect(),
                hint: format!(
                    "name the port (a DNS label, e.g. the protocol it speaks):\nspec:\n  ports:\n  - name: http\n    port: {}\n    protocol: {protocol}",
                    port.port
                ),
            });
        }
    }
}
