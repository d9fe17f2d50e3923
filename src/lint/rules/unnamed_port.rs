//! `unnamed-port`: a Service port without a name has no `_<name>._<proto>` SRV record; it
//! appears only in the SRV records of the bare Service name.

use crate::lint::context::LintContext;
use crate::model::{Finding, FindingId, Severity};

/// Checks every Service's ports.
pub fn check(ctx: &LintContext, findings: &mut Vec<Finding>) {
    for service in ctx.services_with_endpoints() {
        let namespace = service.object.namespace.as_str();
        let name = service.object.name.as_str();
        for port in service.ports.iter().filter(|p| p.name.is_empty()) {
            let protocol = port.protocol.to_ascii_uppercase();
            let owner = ctx.service_name(name, namespace);
            findings.push(Finding {
                id: FindingId::UnnamedPort,
                severity: Severity::Info,
                message: format!(
                    "port {}/{protocol} of Service {name} has no name, so it has no _<name>._{} SRV record; it appears only in the SRV records of {}",
                    port.port,
                    port.protocol,
                    owner.as_ref().map_or(name, |o| o.as_str())
                ),
                objects: vec![(*service.object).clone()],
                names: Vec::new(),
                hint: format!(
                    "name the port (a DNS label, e.g. the protocol it speaks):\nspec:\n  ports:\n  - name: http\n    port: {}\n    protocol: {protocol}",
                    port.port
                ),
            });
        }
    }
}
