//! `namespace-missing`: objects live in a namespace that has no Namespace object. CoreDNS serves
//! nothing there (`namespace.go namespaceExposed` requires the object in its cache), so every name
//! of those objects is NXDOMAIN. Offline this fires only when the input holds Namespace objects
//! at all (then it is taken as the whole list, the four built-in namespaces aside); live, the API
//! answers for the namespaces in scope.

use std::collections::BTreeMap;

use crate::lint::context::{LintContext, join_names};
use crate::model::{Cause, DnsName, FactState, Finding, FindingId, Kind, ObjectRef, Severity};

/// Checks every namespace the objects live in.
pub fn check(ctx: &LintContext, findings: &mut Vec<Finding>) {
    let mut missing: BTreeMap<&str, Vec<DnsName>> = BTreeMap::new();
    for fact in ctx.facts {
        if fact.state != FactState::Absent {
            continue;
        }
        for cause in &fact.causes {
            if let Cause::NamespaceMissing { namespace } = cause {
                missing
                    .entry(namespace.as_str())
                    .or_default()
                    .push(fact.name.clone());
            }
        }
    }
    for (namespace, names) in missing {
        findings.push(Finding {
            id: FindingId::NamespaceMissing,
            severity: Severity::Warning,
            message: format!(
                "namespace {namespace} has no Namespace object, so CoreDNS serves no name in it: {} do not resolve",
                join_names(&names)
            ),
            objects: vec![ObjectRef::new(Kind::Namespace, namespace, namespace)],
            names,
            hint: format!(
                "create it (`kubectl create namespace {namespace}`), or add its Namespace object to the manifests"
            ),
        });
    }
}
