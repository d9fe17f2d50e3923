//! `analyze`: the one pure function the product is — snapshot, DNS configuration and selection
//! in, `Report` out. It runs the record engine over the whole snapshot (records of one Service
//! can depend on others: PTR ownership, NS glue) and then narrows the result to the selection.

use k8s_openapi::api::apps::v1::StatefulSet;

use crate::engine;
use crate::lint;
pub use crate::model::suggest;
use crate::model::{
    Absent, Cause, ClusterDns, ClusterSnapshot, DnsConfig, DnsServer, Expectation, Fact, FactState,
    Finding, Kind, NotFound, Note, ObjectRef, Provenance, Record, Report, Scope, Selection, Target,
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

/// Computes the report for `selection` under one `kubernetes` stanza.
pub fn analyze(
    snapshot: &ClusterSnapshot,
    config: &DnsConfig,
    selection: &Selection,
) -> Result<Report, SelectionError> {
    analyze_dns(snapshot, &ClusterDns::single(config.clone()), selection)
}

/// Computes the report for `selection` under a whole Corefile: the records of every stanza,
/// the facts and findings of the primary one.
pub fn analyze_dns(
    snapshot: &ClusterSnapshot,
    dns: &ClusterDns,
    selection: &Selection,
) -> Result<Report, SelectionError> {
    let dns = dns.with_a_stanza();
    let scope = resolve_scope(snapshot, selection)?;
    Ok(report(engine::prepare_all(snapshot, &dns), &dns, scope))
}

/// [`analyze_dns`] for a caller done with the snapshot: each object is freed as soon as the
/// engine has validated it, before any record is computed, so a large cluster's objects are
/// never in memory together with their views, nor with the records.
pub fn analyze_dns_owned(
    snapshot: ClusterSnapshot,
    dns: &ClusterDns,
    selection: &Selection,
) -> Result<Report, SelectionError> {
    let dns = dns.with_a_stanza();
    let scope = resolve_scope(&snapshot, selection)?;
    Ok(report(
        engine::prepare_all_owned(snapshot, &dns),
        &dns,
        scope,
    ))
}

/// The report of prepared stanzas, narrowed to `scope`.
fn report(prepared: engine::PreparedAll, dns: &ClusterDns, scope: Scope) -> Report {
    let (output, findings, config) = compute(prepared, dns);
    let narrowing = Narrowing::new(&output, scope);
    let findings = findings
        .into_iter()
        .filter(|f| narrowing.keeps_finding(f))
        .collect();
    let notes = (output.notes.into_iter())
        .filter(|n| narrowing.keeps_note(n))
        .collect();
    let facts = (output.facts.into_iter())
        .filter(|f| narrowing.keeps_fact(f))
        .collect();
    let records = (output.records.into_iter())
        .filter(|r| narrowing.keeps_record(r))
        .collect();
    narrowing.report(Parts {
        config,
        records,
        zone_records: output.zone_records,
        facts,
        findings,
        notes,
        nameservers_known: output.nameservers_known,
        dns_server: output.dns_server,
    })
}

/// [`analyze_dns`], keeping the whole engine output the report is narrowed from: `--verify`
/// answers its questions from it (`answer::Answerer::for_corefile`) rather than running the
/// engine again. The report holds copies of what it keeps.
pub fn analyze_dns_keeping_output(
    snapshot: &ClusterSnapshot,
    dns: &ClusterDns,
    selection: &Selection,
) -> Result<(Report, engine::EngineOutput), SelectionError> {
    let dns = dns.with_a_stanza();
    let scope = resolve_scope(snapshot, selection)?;
    let (output, findings, config) = compute(engine::prepare_all(snapshot, &dns), &dns);
    let narrowing = Narrowing::new(&output, scope);
    let findings = findings
        .into_iter()
        .filter(|f| narrowing.keeps_finding(f))
        .collect();
    let notes = (output.notes.iter())
        .filter(|n| narrowing.keeps_note(n))
        .cloned()
        .collect();
    let facts = (output.facts.iter())
        .filter(|f| narrowing.keeps_fact(f))
        .cloned()
        .collect();
    let records = (output.records.iter())
        .filter(|r| narrowing.keeps_record(r))
        .cloned()
        .collect();
    let report = narrowing.report(Parts {
        config,
        records,
        zone_records: output.zone_records.clone(),
        facts,
        findings,
        notes,
        nameservers_known: output.nameservers_known,
        dns_server: output.dns_server.clone(),
    });
    Ok((report, output))
}

/// The engine's output of every stanza and the primary stanza's findings over it.
fn compute(
    prepared: engine::PreparedAll,
    dns: &ClusterDns,
) -> (engine::EngineOutput, Vec<Finding>, DnsConfig) {
    let config = dns.primary_or_kubeadm();
    // The findings read the index the records were computed with.
    let (output, findings) = engine::compute_all_prepared_then(prepared, dns, |output, index| {
        lint::check(output, index, &config, &dns.stanzas)
    });
    (output, findings, config)
}

/// What a report is assembled from, each part already narrowed.
struct Parts {
    config: DnsConfig,
    records: Vec<Record>,
    zone_records: Vec<Record>,
    facts: Vec<Fact>,
    findings: Vec<Finding>,
    notes: Vec<Note>,
    nameservers_known: bool,
    dns_server: DnsServer,
}

/// Which parts of the engine's output a scope keeps: the one rule for the owned and the
/// borrowed report alike.
struct Narrowing {
    scope: Scope,
}

impl Narrowing {
    /// The scope widened to the Pods its targets cover: a StatefulSet target covers its Pods, a
    /// Service target the Pods behind its endpoints.
    fn new(output: &engine::EngineOutput, mut scope: Scope) -> Self {
        if scope.narrowed {
            for pod in &output.view.pods {
                if pod.stateful_set.as_ref().is_some_and(|sts| {
                    scope.stateful_sets.contains(&ObjectRef::new(
                        Kind::StatefulSet,
                        &pod.object.namespace,
                        sts,
                    ))
                }) {
                    scope.pods.insert((*pod.object).clone());
                }
            }
            let pods_of_services: Vec<ObjectRef> = output
                .records
                .iter()
                .filter(|r| {
                    r.source
                        .service()
                        .is_some_and(|s| scope.services.contains(s))
                })
                .filter_map(|r| r.source.pod().cloned())
                .collect();
            scope.pods.extend(pods_of_services);
        }
        Narrowing { scope }
    }

    fn keeps_record(&self, record: &Record) -> bool {
        let scope = &self.scope;
        let source = &record.source;
        let Some(namespace) = source.namespace() else {
            return !scope.narrowed;
        };
        if !namespace_in(scope, namespace) {
            return false;
        }
        if !scope.narrowed {
            return true;
        }
        match source {
            Provenance::Pod(pod) => scope.pods.contains(pod),
            other => other.service().is_some_and(|s| scope.services.contains(s)),
        }
    }

    /// Cluster-wide configuration (the Corefile's cache) concerns every scope.
    fn keeps_finding(&self, finding: &Finding) -> bool {
        (finding.objects.iter()).any(|o| o.kind == Kind::ConfigMap || self.scope.covers(o))
    }

    fn keeps_note(&self, note: &Note) -> bool {
        (note.subject.as_ref()).is_none_or(|s| namespace_in(&self.scope, &s.namespace))
    }

    fn keeps_fact(&self, fact: &Fact) -> bool {
        fact.objects.iter().any(|o| self.scope.covers(o))
    }

    fn report(self, parts: Parts) -> Report {
        let (predicted, absent, unknown) = not_served_lines(&parts.facts);
        Report {
            config: parts.config,
            records: parts.records,
            zone_records: parts.zone_records,
            facts: parts.facts,
            absent,
            predicted,
            unknown,
            findings: parts.findings,
            notes: parts.notes,
            scope: self.scope,
            nameservers_known: parts.nameservers_known,
            dns_server: parts.dns_server,
        }
    }
}

/// The one-line form of the facts that are not served: names of unapplied manifests apart (they
/// will appear once applied), the other absent names, and the unknown ones.
fn not_served_lines(facts: &[Fact]) -> (Vec<Absent>, Vec<Absent>, Vec<Absent>) {
    let mut predicted = Vec::new();
    let mut absent = Vec::new();
    let mut unknown = Vec::new();
    // Reverse names repeat what their forward name's line already says: they stay in the facts.
    for fact in facts
        .iter()
        .filter(|f| f.state != FactState::Served && f.expectation != Expectation::Ptr)
    {
        let Some(subject) = fact.subject() else {
            continue;
        };
        let line = Absent {
            name: fact.name.clone(),
            subject: subject.clone(),
            reason: fact
                .causes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        };
        if fact.state == FactState::Unknown {
            unknown.push(line);
        } else if fact
            .causes
            .iter()
            .any(|c| matches!(c, Cause::NotApplied { .. }))
        {
            predicted.push(line);
        } else {
            absent.push(line);
        }
    }
    (predicted, absent, unknown)
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
        scope.services = selected_by_labels.into_iter().collect();
        return Ok(scope);
    }
    let selected_by_labels: std::collections::HashSet<ObjectRef> =
        selected_by_labels.into_iter().collect();
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
                scope.services.insert(object);
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
                        .insert(ObjectRef::new(Kind::Service, &namespace, &service));
                }
                scope
                    .stateful_sets
                    .insert(ObjectRef::new(Kind::StatefulSet, &namespace, name));
            }
        }
    }
    if selection.selector.is_some() {
        scope.services.retain(|s| selected_by_labels.contains(s));
    }
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
