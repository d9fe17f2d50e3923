//! `analyze`: the one pure function the product is — snapshot, DNS configuration and selection
//! in, `Report` out. It runs the record engine over the whole snapshot (records of one Service
//! can depend on others: PTR ownership, NS glue) and then narrows the result to the selection.

use std::collections::BTreeSet;

use k8s_openapi::api::apps::v1::StatefulSet;

use crate::engine;
use crate::lint;
use crate::model::{
    ClusterSnapshot, DnsConfig, Kind, NotFound, ObjectRef, Provenance, Report, Scope, Selection,
    Target,
};

/// Why a selection cannot be resolved against the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SelectionError {
    /// A named target does not exist, kubectl-style.
    #[error(transparent)]
    NotFound(#[from] crate::model::NotFound),
    /// Targets were named without exactly one namespace.
    #[error("a resource cannot be retrieved by name across all namespaces")]
    TargetsNeedOneNamespace,
}

/// Computes the report for `selection`.
pub fn analyze(
    snapshot: &ClusterSnapshot,
    config: &DnsConfig,
    selection: &Selection,
) -> Result<Report, SelectionError> {
    let scope = resolve_scope(snapshot, selection)?;
    let output = engine::compute(snapshot, config);
    let pods_of_services: BTreeSet<ObjectRef> = output
        .records
        .iter()
        .filter(|r| {
            r.source
                .service()
                .is_some_and(|s| scope.services.contains(s))
        })
        .filter_map(|r| r.source.pod().cloned())
        .collect();
    let mut scope = scope;
    if scope.narrowed {
        scope.pods.extend(pods_of_services);
        scope.pods.sort();
        scope.pods.dedup();
    }
    let in_scope = |source: &Provenance| -> bool {
        let Some(namespace) = source.namespace() else {
            return !scope.narrowed;
        };
        if !namespace_in(&scope, namespace) {
            return false;
        }
        if !scope.narrowed {
            return true;
        }
        match source {
            Provenance::Pod(pod) => scope.pods.contains(pod),
            other => other.service().is_some_and(|s| scope.services.contains(s)),
        }
    };
    let records = output
        .records
        .into_iter()
        .filter(|r| in_scope(&r.source))
        .collect();
    let absent = output
        .absent
        .into_iter()
        .filter(|a| in_scope(&Provenance::Service(std::sync::Arc::new(a.subject.clone()))))
        .collect();
    let notes = output
        .notes
        .into_iter()
        .filter(|n| {
            n.subject
                .as_ref()
                .is_none_or(|s| namespace_in(&scope, &s.namespace))
        })
        .collect();
    let (findings, predicted) = lint::check(snapshot, config);
    // Cluster-wide configuration (the Corefile's cache) concerns every scope.
    let findings = findings
        .into_iter()
        .filter(|f| {
            f.objects
                .iter()
                .any(|o| o.kind == Kind::ConfigMap || scope.covers(o))
        })
        .collect();
    let predicted = predicted
        .into_iter()
        .filter(|p| {
            scope.covers(&p.subject)
                || p.name.labels().nth(1).is_some_and(|service| {
                    scope.covers(&ObjectRef::new(
                        Kind::Service,
                        &p.subject.namespace,
                        service,
                    ))
                })
        })
        .collect();
    Ok(Report {
        config: config.clone(),
        records,
        zone_records: output.zone_records,
        absent,
        predicted,
        findings,
        notes,
        scope,
        nameservers_known: output.nameservers_known,
    })
}

fn namespace_in(scope: &Scope, namespace: &str) -> bool {
    scope
        .namespaces
        .as_ref()
        .is_none_or(|list| list.iter().any(|ns| ns == namespace))
}

/// Resolves targets and the label selector to the Services and Pods they mean.
fn resolve_scope(
    snapshot: &ClusterSnapshot,
    selection: &Selection,
) -> Result<Scope, SelectionError> {
    let mut scope = Scope {
        namespaces: selection.namespaces.clone(),
        ..Scope::default()
    };
    if selection.targets.is_empty() && selection.selector.is_none() {
        return Ok(scope);
    }
    scope.narrowed = true;
    let services_in_scope = snapshot.services.iter().filter_map(|svc| {
        let meta = &svc.metadata;
        let namespace = meta.namespace.as_deref().unwrap_or("default");
        let name = meta.name.as_deref()?;
        if !namespace_in(&scope, namespace) {
            return None;
        }
        let labels = meta.labels.clone().unwrap_or_default();
        Some((ObjectRef::new(Kind::Service, namespace, name), labels))
    });
    let selected_by_labels: Vec<ObjectRef> = services_in_scope
        .filter(|(_, labels)| {
            selection
                .selector
                .as_ref()
                .is_none_or(|sel| sel.matches(labels))
        })
        .map(|(object, _)| object)
        .collect();
    if selection.targets.is_empty() {
        scope.services = selected_by_labels;
        return Ok(scope);
    }
    let namespace = match selection.namespaces.as_deref() {
        Some([namespace]) => namespace.clone(),
        _ => return Err(SelectionError::TargetsNeedOneNamespace),
    };
    for target in &selection.targets {
        match target {
            Target::Service(name) => {
                let object = ObjectRef::new(Kind::Service, &namespace, name);
                if !snapshot
                    .services
                    .iter()
                    .any(|s| is(&s.metadata, &namespace, name))
                {
                    let names = snapshot
                        .services
                        .iter()
                        .filter_map(|s| name_in(&s.metadata, &namespace));
                    let suggestions = suggest(name, names);
                    return Err(SelectionError::NotFound(NotFound {
                        resource: "services",
                        name: name.clone(),
                        namespace,
                        suggestions,
                    }));
                }
                scope.services.push(object);
            }
            Target::StatefulSet(name) => {
                let Some(sts) = snapshot
                    .stateful_sets
                    .iter()
                    .find(|s| is(&s.metadata, &namespace, name))
                else {
                    let names = snapshot
                        .stateful_sets
                        .iter()
                        .filter_map(|s| name_in(&s.metadata, &namespace));
                    let suggestions = suggest(name, names);
                    return Err(SelectionError::NotFound(NotFound {
                        resource: "statefulsets.apps",
                        name: name.clone(),
                        namespace,
                        suggestions,
                    }));
                };
                if let Some(service) = governing_service(sts) {
                    scope
                        .services
                        .push(ObjectRef::new(Kind::Service, &namespace, &service));
                }
                scope
                    .pods
                    .extend(pods_of_stateful_set(snapshot, &namespace, name));
                scope
                    .stateful_sets
                    .push(ObjectRef::new(Kind::StatefulSet, &namespace, name));
            }
        }
    }
    if selection.selector.is_some() {
        scope.services.retain(|s| selected_by_labels.contains(s));
    }
    scope.services.sort();
    scope.services.dedup();
    Ok(scope)
}

fn is(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    namespace: &str,
    name: &str,
) -> bool {
    meta.name.as_deref() == Some(name)
        && meta.namespace.as_deref().unwrap_or("default") == namespace
}

fn name_in<'a>(
    meta: &'a k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    namespace: &str,
) -> Option<&'a str> {
    (meta.namespace.as_deref().unwrap_or("default") == namespace).then_some(meta.name.as_deref()?)
}

fn governing_service(sts: &StatefulSet) -> Option<String> {
    sts.spec
        .as_ref()
        .and_then(|spec| spec.service_name.clone())
        .filter(|name| !name.is_empty())
}

/// Pods a StatefulSet owns (by owner reference, as the controller sets it).
fn pods_of_stateful_set(snapshot: &ClusterSnapshot, namespace: &str, name: &str) -> Vec<ObjectRef> {
    snapshot
        .pods
        .iter()
        .filter(|pod| pod.metadata.namespace.as_deref().unwrap_or("default") == namespace)
        .filter(|pod| {
            pod.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|owner| owner.kind == "StatefulSet" && owner.name == name)
        })
        .filter_map(|pod| {
            Some(ObjectRef::new(
                Kind::Pod,
                namespace,
                pod.metadata.name.as_deref()?,
            ))
        })
        .collect()
}

/// Names within a small edit distance of `wanted`, or sharing a prefix with it, closest first.
pub fn suggest<'a>(wanted: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(usize, &str)> = names
        .filter_map(|name| {
            let distance = edit_distance(wanted, name);
            let related =
                name.starts_with(wanted) || wanted.starts_with(name) || name.contains(wanted);
            (distance <= 3 || related).then_some((distance, name))
        })
        .collect();
    scored.sort();
    scored.dedup();
    scored
        .into_iter()
        .take(3)
        .map(|(_, name)| name.to_string())
        .collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_prefer_close_names() {
        let names = ["redis-headless", "redis", "postgres"];
        assert_eq!(
            suggest("redis-headles", names.into_iter()),
            vec!["redis-headless", "redis"]
        );
        assert!(suggest("zzz", names.into_iter()).is_empty());
    }
}
