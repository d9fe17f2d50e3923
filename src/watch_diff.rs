//! What changed between two reports, as `--watch` shows it: records added and removed, expected
//! names that start to resolve or go missing, and — when the two reports tell — why (a Pod
//! became Ready, a Pod was deleted, a slice changed, a StatefulSet was scaled). Pure: the causes
//! are read from the facts and the records' provenance, never from the objects or a clock.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::model::{
    Cause, DnsName, Expectation, Fact, FactState, Kind, ObjectRef, Provenance, RData, Record,
    RecordType, Report,
};

/// The part of a report a watch compares: the served records and the expected names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatchView {
    /// The records in scope, as the record view lists them.
    pub records: Vec<Record>,
    /// Every expected name in scope and its state.
    pub facts: Vec<Fact>,
}

impl WatchView {
    /// The view of a report.
    pub fn of(report: &Report) -> WatchView {
        WatchView {
            records: report.records.clone(),
            facts: report.facts.clone(),
        }
    }

    /// Counts for a header: how many StatefulSet peer names resolve, of how many expected.
    pub fn peer_counts(&self) -> (usize, usize) {
        let peers = names(&self.facts)
            .into_iter()
            .filter(|(_, name)| name.expectation == Expectation::StatefulSetPeer)
            .collect::<Vec<_>>();
        let served = peers
            .iter()
            .filter(|(_, name)| name.state == FactState::Served)
            .count();
        (served, peers.len())
    }

    /// Every expected name that is absent, with the fact that decides it.
    pub fn absent(&self) -> Vec<&Fact> {
        names(&self.facts)
            .into_values()
            .filter(|name| name.state == FactState::Absent)
            .filter_map(|name| name.decisive)
            .collect()
    }
}

/// One change a watch reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A record is now served.
    Added {
        /// The record.
        record: Record,
        /// Why, when the reports tell.
        cause: Option<ChangeCause>,
    },
    /// A record is no longer served.
    Removed {
        /// The record.
        record: Record,
        /// Why, when the reports tell.
        cause: Option<ChangeCause>,
    },
    /// An expected name now resolves (it was absent, unknown, or not expected before).
    Served {
        /// The name's fact.
        fact: Fact,
        /// Why, when the reports tell.
        cause: Option<ChangeCause>,
    },
    /// An expected name does not resolve: new, no longer served, or absent for other causes
    /// than before. The fact carries the causes.
    Absent {
        /// The name's fact.
        fact: Fact,
        /// What changed, when the reports tell.
        cause: Option<ChangeCause>,
    },
}

/// Why a change happened, as far as two reports tell.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ChangeCause {
    /// The Pod's endpoint became ready (it was not Ready, or not created, before).
    PodReady {
        /// The Pod.
        pod: ObjectRef,
    },
    /// The Pod is no longer Ready (or is terminating).
    PodNotReady {
        /// The Pod.
        pod: ObjectRef,
    },
    /// The Pod now exists (its own pod record appears).
    PodCreated {
        /// The Pod.
        pod: ObjectRef,
    },
    /// The Pod no longer exists.
    PodDeleted {
        /// The Pod.
        pod: ObjectRef,
    },
    /// An EndpointSlice changed otherwise.
    SliceUpdated {
        /// The slice.
        slice: ObjectRef,
    },
    /// A StatefulSet's number of replicas changed.
    StatefulSetScaled {
        /// The StatefulSet.
        stateful_set: ObjectRef,
        /// Peer names before.
        from: usize,
        /// Peer names now.
        to: usize,
    },
}

impl ChangeCause {
    /// The stable kebab-case code: a contract of the JSON Lines output.
    pub fn code(&self) -> &'static str {
        match self {
            ChangeCause::PodReady { .. } => "pod-ready",
            ChangeCause::PodNotReady { .. } => "pod-not-ready",
            ChangeCause::PodCreated { .. } => "pod-created",
            ChangeCause::PodDeleted { .. } => "pod-deleted",
            ChangeCause::SliceUpdated { .. } => "slice-updated",
            ChangeCause::StatefulSetScaled { .. } => "statefulset-scaled",
        }
    }

    /// The object the change is about.
    pub fn object(&self) -> &ObjectRef {
        match self {
            ChangeCause::PodReady { pod }
            | ChangeCause::PodNotReady { pod }
            | ChangeCause::PodCreated { pod }
            | ChangeCause::PodDeleted { pod } => pod,
            ChangeCause::SliceUpdated { slice } => slice,
            ChangeCause::StatefulSetScaled { stateful_set, .. } => stateful_set,
        }
    }
}

impl fmt::Display for ChangeCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChangeCause::PodReady { pod } => write!(f, "pod {} became Ready", pod.name),
            ChangeCause::PodNotReady { pod } => write!(f, "pod {} is no longer Ready", pod.name),
            ChangeCause::PodCreated { pod } => write!(f, "pod {} was created", pod.name),
            ChangeCause::PodDeleted { pod } => write!(f, "pod {} was deleted", pod.name),
            ChangeCause::SliceUpdated { slice } => {
                write!(f, "EndpointSlice {} was updated", slice.name)
            }
            ChangeCause::StatefulSetScaled {
                stateful_set,
                from,
                to,
            } => write!(
                f,
                "StatefulSet {} scaled from {from} to {to}",
                stateful_set.name
            ),
        }
    }
}

/// The changes that show the first view: every record added, every absent name.
pub fn initial(view: &WatchView) -> Vec<Change> {
    diff(&WatchView::default(), view)
        .into_iter()
        .filter(|change| !matches!(change, Change::Served { .. }))
        .map(|change| match change {
            Change::Added { record, .. } => Change::Added {
                record,
                cause: None,
            },
            Change::Absent { fact, .. } => Change::Absent { fact, cause: None },
            other => other,
        })
        .collect()
}

/// The changes from `previous` to `next`: removed records, then added records, then names that
/// start to resolve, then absent names; each group in the record view's order.
pub fn diff(previous: &WatchView, next: &WatchView) -> Vec<Change> {
    let before = records_by_key(&previous.records);
    let after = records_by_key(&next.records);
    let mut changes = Vec::new();
    for (key, record) in &before {
        if !after.contains_key(key) {
            changes.push(Change::Removed {
                record: (*record).clone(),
                cause: removal_cause(record, next),
            });
        }
    }
    for (key, record) in &after {
        if !before.contains_key(key) {
            changes.push(Change::Added {
                record: (*record).clone(),
                cause: addition_cause(record, previous),
            });
        }
    }
    let names_before = names(&previous.facts);
    let names_after = names(&next.facts);
    let scaled = scaling(previous, next);
    for (key, name) in &names_after {
        let Some(fact) = name.decisive else { continue };
        let old = names_before.get(key);
        match name.state {
            FactState::Served if old.is_none_or(|old| old.state != FactState::Served) => {
                let cause = fact
                    .objects
                    .iter()
                    .find(|o| o.kind == Kind::Pod)
                    .and_then(|pod| ready_cause(pod, previous))
                    .or_else(|| scaled_cause(fact, &scaled))
                    .or_else(|| {
                        // A name whose fact names no Pod (a PTR): the cause of its record.
                        changes.iter().find_map(|change| match change {
                            Change::Added { record, cause } if record.owner == fact.name => {
                                cause.clone()
                            }
                            _ => None,
                        })
                    });
                changes.push(Change::Served {
                    fact: fact.clone(),
                    cause,
                });
            }
            FactState::Absent => {
                let same = old.is_some_and(|old| {
                    old.state == FactState::Absent
                        && old.decisive.map(cause_codes) == Some(cause_codes(fact))
                });
                if !same {
                    let cause = scaled_cause(fact, &scaled).or_else(|| {
                        fact.causes.iter().find_map(|c| match c {
                            Cause::PodNotCreated { pod, .. } if pod_known(pod, previous) => {
                                Some(ChangeCause::PodDeleted { pod: pod.clone() })
                            }
                            _ => None,
                        })
                    });
                    changes.push(Change::Absent {
                        fact: fact.clone(),
                        cause,
                    });
                }
            }
            _ => {}
        }
    }
    changes
}

type RecordKey = (u8, Vec<u8>, RecordType, RData, u32);

fn records_by_key(records: &[Record]) -> BTreeMap<RecordKey, &Record> {
    records
        .iter()
        .map(|record| {
            let (tree, owner, rtype) = record.sort_key_owned();
            (
                (tree, owner, rtype, record.data.clone(), record.ttl),
                record,
            )
        })
        .collect()
}

/// One expected name (all its facts of one type): served if any fact serves it.
struct Name<'a> {
    state: FactState,
    expectation: Expectation,
    /// The fact that decides the state: the serving one, else the first absent one.
    decisive: Option<&'a Fact>,
}

fn names(facts: &[Fact]) -> BTreeMap<(DnsName, RecordType), Name<'_>> {
    let mut names: BTreeMap<(DnsName, RecordType), Name<'_>> = BTreeMap::new();
    for fact in facts {
        let entry = names
            .entry((fact.name.clone(), fact.rtype))
            .or_insert(Name {
                state: fact.state,
                expectation: fact.expectation,
                decisive: Some(fact),
            });
        let rank = |state: FactState| match state {
            FactState::Served => 0,
            FactState::Absent => 1,
            FactState::Unknown => 2,
        };
        if rank(fact.state) < rank(entry.state) {
            entry.state = fact.state;
            entry.expectation = fact.expectation;
            entry.decisive = Some(fact);
        }
    }
    names
}

fn cause_codes(fact: &Fact) -> Vec<&'static str> {
    fact.causes.iter().map(Cause::code).collect()
}

/// Why a Pod's name now resolves: it was not Ready (or not created) in the previous report.
fn ready_cause(pod: &ObjectRef, previous: &WatchView) -> Option<ChangeCause> {
    let waited = previous
        .facts
        .iter()
        .flat_map(|f| &f.causes)
        .any(|c| match c {
            Cause::EndpointNotReady { pod: Some(p), .. } => p == pod,
            Cause::PodNotReady { pod: p, .. } | Cause::PodNotCreated { pod: p, .. } => p == pod,
            _ => false,
        });
    waited.then(|| ChangeCause::PodReady { pod: pod.clone() })
}

/// Whether a report mentions the Pod at all: in a record's provenance, or as a fact's object
/// other than through "not created".
fn pod_known(pod: &ObjectRef, view: &WatchView) -> bool {
    view.records
        .iter()
        .any(|r| r.source.pod().is_some_and(|p| p == pod))
        || view.facts.iter().any(|f| {
            f.causes.iter().any(|c| match c {
                Cause::EndpointNotReady { pod: Some(p), .. } => p == pod,
                Cause::PodNotReady { pod: p, .. } => p == pod,
                _ => false,
            })
        })
}

fn addition_cause(record: &Record, previous: &WatchView) -> Option<ChangeCause> {
    match &record.source {
        Provenance::Pod(pod) => Some(if pod_known(pod, previous) {
            ChangeCause::PodReady {
                pod: (**pod).clone(),
            }
        } else {
            ChangeCause::PodCreated {
                pod: (**pod).clone(),
            }
        }),
        Provenance::Endpoint { slice, pod, .. } => pod
            .as_deref()
            .and_then(|pod| ready_cause(pod, previous))
            .or_else(|| {
                Some(ChangeCause::SliceUpdated {
                    slice: (**slice).clone(),
                })
            }),
        Provenance::Service(_) | Provenance::Zone => None,
    }
}

fn removal_cause(record: &Record, next: &WatchView) -> Option<ChangeCause> {
    let pod = record.source.pod()?;
    let not_ready = next.facts.iter().flat_map(|f| &f.causes).any(|c| match c {
        Cause::EndpointNotReady { pod: Some(p), .. } => p == pod,
        Cause::PodNotReady { pod: p, .. } => p == pod,
        _ => false,
    });
    if not_ready {
        return Some(ChangeCause::PodNotReady { pod: pod.clone() });
    }
    if !pod_known(pod, next) {
        return Some(ChangeCause::PodDeleted { pod: pod.clone() });
    }
    match &record.source {
        Provenance::Endpoint { slice, .. } => Some(ChangeCause::SliceUpdated {
            slice: (**slice).clone(),
        }),
        _ => None,
    }
}

/// StatefulSets whose number of peer names changed: (from, to).
fn scaling(previous: &WatchView, next: &WatchView) -> BTreeMap<ObjectRef, (usize, usize)> {
    fn peers(view: &WatchView) -> BTreeMap<ObjectRef, BTreeSet<DnsName>> {
        let mut peers: BTreeMap<ObjectRef, BTreeSet<DnsName>> = BTreeMap::new();
        for fact in &view.facts {
            if fact.expectation != Expectation::StatefulSetPeer {
                continue;
            }
            if let Some(sts) = fact.objects.iter().find(|o| o.kind == Kind::StatefulSet) {
                peers
                    .entry((**sts).clone())
                    .or_default()
                    .insert(fact.name.clone());
            }
        }
        peers
    }
    let before = peers(previous);
    let after = peers(next);
    let mut scaled = BTreeMap::new();
    for (sts, names) in &after {
        // A StatefulSet seen for the first time was created, not scaled.
        if let Some(old) = before.get(sts)
            && old.len() != names.len()
        {
            scaled.insert(sts.clone(), (old.len(), names.len()));
        }
    }
    scaled
}

/// The scaling that made a peer name appear, if its StatefulSet was scaled and the name is new.
fn scaled_cause(fact: &Fact, scaled: &BTreeMap<ObjectRef, (usize, usize)>) -> Option<ChangeCause> {
    if fact.expectation != Expectation::StatefulSetPeer {
        return None;
    }
    let sts = fact.objects.iter().find(|o| o.kind == Kind::StatefulSet)?;
    let (from, to) = scaled.get(sts)?;
    Some(ChangeCause::StatefulSetScaled {
        stateful_set: (**sts).clone(),
        from: *from,
        to: *to,
    })
}

/// The redis example as the watch tests see it, for this module's tests and the renderer's.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::model::PodObject;

    use super::WatchView;
    use crate::model::{ClusterSnapshot, Selection, Target};

    const REDIS: &str = include_str!("../examples/redis-statefulset.yaml");

    pub(crate) fn snapshot() -> ClusterSnapshot {
        crate::source::load_text(REDIS, "redis-statefulset.yaml", "cache")
            .expect("the example loads")
            .snapshot
    }

    pub(crate) fn view(snapshot: &ClusterSnapshot) -> WatchView {
        let selection = Selection {
            namespaces: Some(vec!["cache".to_string()]),
            targets: vec![Target::StatefulSet("redis".to_string())],
            selector: None,
        };
        let report = crate::analyze(snapshot, &crate::corefile::kubeadm_default(), &selection)
            .expect("the selection resolves");
        WatchView::of(&report)
    }

    fn pod_mut<'a>(snapshot: &'a mut ClusterSnapshot, name: &str) -> &'a mut PodObject {
        snapshot
            .pods
            .iter_mut()
            .find(|p| p.metadata.name.as_deref() == Some(name))
            .expect("the pod")
    }

    /// redis-2 as it is before its readiness probe passes: its Ready condition false, and its
    /// endpoint not ready in both slices.
    pub(crate) fn redis_2_not_ready(snapshot: &mut ClusterSnapshot) {
        let pod = pod_mut(snapshot, "redis-2");
        for condition in pod
            .status
            .as_mut()
            .and_then(|s| s.conditions.as_mut())
            .expect("conditions")
        {
            condition.status = "False".to_string();
        }
        for slice in &mut snapshot.endpoint_slices {
            for endpoint in &mut slice.endpoints {
                if endpoint.addresses.iter().any(|a| a == "10.244.3.12") {
                    endpoint.conditions.get_or_insert_default().ready = Some(false);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{redis_2_not_ready, snapshot, view};
    use super::*;

    fn pod(name: &str) -> ObjectRef {
        ObjectRef::new(Kind::Pod, "cache", name)
    }

    fn added(changes: &[Change]) -> Vec<(String, String, Option<ChangeCause>)> {
        changes
            .iter()
            .filter_map(|c| match c {
                Change::Added { record, cause } => Some((
                    record.owner.to_string(),
                    record.data.to_string(),
                    cause.clone(),
                )),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_pod_becoming_ready_adds_its_names_and_removes_nothing() {
        let mut before = snapshot();
        redis_2_not_ready(&mut before);
        let changes = diff(&view(&before), &view(&snapshot()));
        // Only the SRV records of the others change: their weight is 100 / the number of
        // endpoints, so 50 becomes 33 (removed, then added with the new weight).
        assert!(
            !changes.iter().any(|c| matches!(c,
                Change::Removed { record, .. } if record.rtype() != RecordType::Srv)),
            "{changes:#?}"
        );
        let added = added(&changes);
        let ready = Some(ChangeCause::PodReady {
            pod: pod("redis-2"),
        });
        for owner in [
            "redis-2.redis-headless.cache.svc.cluster.local.",
            "redis-headless.cache.svc.cluster.local.",
        ] {
            assert!(
                added.contains(&(owner.to_string(), "10.244.3.12".to_string(), ready.clone())),
                "{owner} not added with the cause: {added:#?}"
            );
        }
        let served: Vec<(&str, &Option<ChangeCause>)> = changes
            .iter()
            .filter_map(|c| match c {
                Change::Served { fact, cause } => Some((fact.name.as_str(), cause)),
                _ => None,
            })
            .collect();
        assert!(
            served.contains(&("redis-2.redis-headless.cache.svc.cluster.local.", &ready)),
            "{served:#?}"
        );
    }

    #[test]
    fn a_pod_no_longer_ready_removes_its_names_and_they_turn_absent() {
        let mut after = snapshot();
        redis_2_not_ready(&mut after);
        let changes = diff(&view(&snapshot()), &view(&after));
        let not_ready = Some(ChangeCause::PodNotReady {
            pod: pod("redis-2"),
        });
        let removed: Vec<(String, Option<ChangeCause>)> = changes
            .iter()
            .filter_map(|c| match c {
                Change::Removed { record, cause } => {
                    Some((record.owner.to_string(), cause.clone()))
                }
                _ => None,
            })
            .collect();
        assert!(removed.contains(&(
            "redis-2.redis-headless.cache.svc.cluster.local.".to_string(),
            not_ready
        )));
        assert!(
            !changes.iter().any(|c| matches!(c,
                Change::Added { record, .. } if record.rtype() != RecordType::Srv)),
            "{changes:#?}"
        );
        let absent = changes.iter().find_map(|c| match c {
            Change::Absent { fact, .. }
                if fact.name.as_str() == "redis-2.redis-headless.cache.svc.cluster.local." =>
            {
                Some(fact)
            }
            _ => None,
        });
        let absent = absent.expect("redis-2's peer name turns absent");
        assert!(
            absent
                .causes
                .iter()
                .any(|c| c.code() == "endpoint-not-ready"),
            "{absent:#?}"
        );
    }

    #[test]
    fn a_deleted_pod_is_named_as_the_cause() {
        let mut after = snapshot();
        after
            .pods
            .retain(|p| p.metadata.name.as_deref() != Some("redis-2"));
        for slice in &mut after.endpoint_slices {
            slice
                .endpoints
                .retain(|e| !e.addresses.iter().any(|a| a == "10.244.3.12"));
        }
        let changes = diff(&view(&snapshot()), &view(&after));
        let deleted = Some(ChangeCause::PodDeleted {
            pod: pod("redis-2"),
        });
        assert!(changes.iter().any(|c| matches!(c,
            Change::Removed { record, cause }
                if record.owner.as_str() == "redis-2.redis-headless.cache.svc.cluster.local."
                    && *cause == deleted)));
        assert!(changes.iter().any(|c| matches!(c,
            Change::Absent { fact, cause }
                if fact.name.as_str() == "redis-2.redis-headless.cache.svc.cluster.local."
                    && *cause == deleted)));
    }

    #[test]
    fn scaling_a_statefulset_announces_the_new_peers_in_order() {
        let mut after = snapshot();
        for sts in &mut after.stateful_sets {
            sts.spec.get_or_insert_default().replicas = Some(5);
        }
        let changes = diff(&view(&snapshot()), &view(&after));
        let absent: Vec<(&str, &Option<ChangeCause>)> = changes
            .iter()
            .filter_map(|c| match c {
                Change::Absent { fact, cause } => Some((fact.name.as_str(), cause)),
                _ => None,
            })
            .collect();
        let scaled = Some(ChangeCause::StatefulSetScaled {
            stateful_set: ObjectRef::new(Kind::StatefulSet, "cache", "redis"),
            from: 3,
            to: 5,
        });
        let names: Vec<&str> = absent.iter().map(|(name, _)| *name).collect();
        let three = names
            .iter()
            .position(|n| *n == "redis-3.redis-headless.cache.svc.cluster.local.")
            .expect("redis-3 expected");
        let four = names
            .iter()
            .position(|n| *n == "redis-4.redis-headless.cache.svc.cluster.local.")
            .expect("redis-4 expected");
        assert!(three < four, "{names:?}");
        assert_eq!(absent[three].1, &scaled);
        assert!(added(&changes).is_empty());
    }

    #[test]
    fn the_first_view_is_every_record_added_and_every_absent_name() {
        let mut first = snapshot();
        redis_2_not_ready(&mut first);
        let view = view(&first);
        let changes = initial(&view);
        let added = added(&changes);
        assert_eq!(added.len(), view.records.len());
        assert!(added.iter().all(|(_, _, cause)| cause.is_none()));
        assert!(!changes.iter().any(|c| matches!(c, Change::Served { .. })));
        let absent: Vec<&str> = view.absent().iter().map(|f| f.name.as_str()).collect();
        assert!(absent.contains(&"redis-2.redis-headless.cache.svc.cluster.local."));
        assert_eq!(view.peer_counts(), (2, 3));
        assert_eq!(diff(&view, &view), Vec::new());
    }

    /// The change cause codes are a contract of the JSON Lines output: each has a row in
    /// docs/output-schema.md's watch section.
    #[test]
    fn every_change_cause_code_is_documented() {
        let docs = include_str!("../docs/output-schema.md");
        let watch = docs
            .split("# `--watch`: JSON Lines")
            .nth(1)
            .expect("the watch section");
        let pod = pod("redis-2");
        let causes = [
            ChangeCause::PodReady { pod: pod.clone() },
            ChangeCause::PodNotReady { pod: pod.clone() },
            ChangeCause::PodCreated { pod: pod.clone() },
            ChangeCause::PodDeleted { pod },
            ChangeCause::SliceUpdated {
                slice: ObjectRef::new(Kind::EndpointSlice, "cache", "s"),
            },
            ChangeCause::StatefulSetScaled {
                stateful_set: ObjectRef::new(Kind::StatefulSet, "cache", "redis"),
                from: 3,
                to: 5,
            },
        ];
        for cause in causes {
            // An exhaustive match: a new variant fails to compile until it is listed above.
            match &cause {
                ChangeCause::PodReady { .. }
                | ChangeCause::PodNotReady { .. }
                | ChangeCause::PodCreated { .. }
                | ChangeCause::PodDeleted { .. }
                | ChangeCause::SliceUpdated { .. }
                | ChangeCause::StatefulSetScaled { .. } => {}
            }
            assert!(
                watch.contains(&format!("| `{}` |", cause.code())),
                "no row for {}",
                cause.code()
            );
        }
    }
}
