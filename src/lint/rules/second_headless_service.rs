//! `second-headless-service`: a Pod with a hostname selected by two headless Services gets its
//! `<hostname>.<service>` name only under the Service its `spec.subdomain` names; under the other
//! it is reachable only by its dashed-IP name.

use std::collections::BTreeMap;

use crate::lint::context::{LintContext, namespace_of, object_ref};
use crate::lint::workload::{hostname_and_subdomain, is_headless, pod_labels, selector, selects};
use crate::model::{Finding, FindingId, Kind, ObjectRef, Severity};

/// Checks every Pod that sets a hostname.
pub fn check(ctx: &LintContext, findings: &mut Vec<Finding>) {
    // (subdomain Service, other Service) → pods.
    let mut groups: BTreeMap<(ObjectRef, ObjectRef), Vec<ObjectRef>> = BTreeMap::new();
    let mut hostnames: BTreeMap<ObjectRef, String> = BTreeMap::new();
    for pod in &ctx.snapshot.pods {
        let (Some(hostname), Some(subdomain)) = hostname_and_subdomain(pod) else {
            continue;
        };
        let namespace = namespace_of(&pod.metadata);
        let labels = pod_labels(pod);
        let selecting: Vec<_> = ctx
            .services_in(namespace)
            .filter(|svc| {
                is_headless(svc)
                    && selector(svc).is_some_and(|sel| !sel.is_empty() && selects(sel, &labels))
            })
            .collect();
        if selecting.len() < 2
            || !selecting
                .iter()
                .any(|svc| svc.metadata.name.as_deref() == Some(subdomain))
        {
            continue;
        }
        let pod_ref = object_ref(Kind::Pod, &pod.metadata);
        hostnames.insert(pod_ref.clone(), hostname.to_string());
        for other in selecting
            .iter()
            .filter(|svc| svc.metadata.name.as_deref() != Some(subdomain))
        {
            let key = (
                ObjectRef::new(Kind::Service, namespace, subdomain),
                object_ref(Kind::Service, &other.metadata),
            );
            groups.entry(key).or_default().push(pod_ref.clone());
        }
    }
    for ((named, other), pods) in groups {
        let names: Vec<_> = pods
            .iter()
            .filter_map(|pod| {
                let hostname = hostnames.get(pod)?;
                ctx.endpoint_name(hostname, &other.name, &other.namespace)
            })
            .collect();
        let pod_names: Vec<&str> = pods.iter().map(|p| p.name.as_str()).collect();
        findings.push(Finding {
            id: FindingId::SecondHeadlessService,
            severity: Severity::Warning,
            message: format!(
                "pods {} are selected by headless Services {} and {}, but their subdomain names {}: {} do not resolve (only dashed-IP names do)",
                pod_names.join(", "),
                named.name,
                other.name,
                named.name,
                names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
            ),
            objects: [vec![other.clone(), named.clone()], pods].concat(),
            names,
            hint: format!(
                "address the pods as <hostname>.{}.{}.svc.{}; use Service {} only for the aggregate name, or narrow its selector",
                named.name, named.namespace, ctx.zone, other.name
            ),
        });
    }
}
