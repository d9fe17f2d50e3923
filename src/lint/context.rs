//! What every rule reads: the engine's facts and views, their indexes, the configuration and the
//! primary zone. No raw Kubernetes object is reachable from here.

use crate::engine::{ClusterView, EngineOutput, HashMap, Index, ServiceView};
use crate::model::{
    DnsConfig, DnsName, Expectation, Fact, FactState, GapResource, ObjectRef, Record, name_tree,
};

/// Shared inputs of the rules, indexed once.
pub struct LintContext<'a> {
    /// The validated objects.
    pub view: &'a ClusterView,
    /// Their indexes (the engine's own).
    pub index: &'a Index<'a>,
    /// Every expected name.
    pub facts: &'a [Fact],
    /// The configuration.
    pub config: &'a DnsConfig,
    /// The zone names are built in.
    pub zone: DnsName,
    /// The engine's records, in their canonical order (tree, then owner).
    records: &'a [Record],
    /// The facts, grouped by the objects they name.
    by_subject: Grouped<'a>,
}

impl<'a> LintContext<'a> {
    /// `None` when the configuration has no forward zone (then no name exists at all).
    pub fn new(
        output: &'a EngineOutput,
        index: &'a Index<'a>,
        config: &'a DnsConfig,
    ) -> Option<Self> {
        let by_subject = group_by_subject(&output.facts);
        Some(LintContext {
            view: &output.view,
            index,
            facts: &output.facts,
            config,
            // A stanza whose block never receives its zone answers nothing to lint.
            zone: config
                .primary_zone()
                .filter(|zone| config.server.receives(zone))?
                .clone(),
            records: &output.records,
            by_subject,
        })
    }

    /// The facts that name `object` among their objects.
    pub fn facts_about(&self, object: &ObjectRef) -> &[&'a Fact] {
        self.by_subject.about(object)
    }

    /// The absent facts of one expectation that name `object`.
    pub fn absent_about(
        &self,
        object: &ObjectRef,
        expectation: Expectation,
    ) -> impl Iterator<Item = &'a Fact> + '_ {
        self.facts_about(object)
            .iter()
            .copied()
            .filter(move |f| f.state == FactState::Absent && f.expectation == expectation)
    }

    /// Whether the record set holds any record at `name`.
    pub fn served(&self, name: &DnsName) -> bool {
        // The records are sorted by tree and owner: a search, not a set of every owner built
        // for the few names the rules ask about.
        let tree = name_tree(name);
        self.records
            .binary_search_by(|r| {
                name_tree(&r.owner)
                    .cmp(&tree)
                    .then_with(|| r.owner.cmp(name))
            })
            .is_ok()
    }

    /// Whether findings about objects of `namespace` may be given: CoreDNS serves it (a hidden
    /// namespace gets one cause on its names, not findings) and every list named was readable.
    pub fn decidable(&self, namespace: &str, needs: &[GapResource]) -> bool {
        self.view.namespace_exposed(self.config, namespace)
            && needs
                .iter()
                .all(|resource| self.view.gap(*resource, namespace).is_none())
    }

    /// Services CoreDNS watches that are not ExternalName, in namespaces it serves.
    pub fn services_with_endpoints(&self) -> impl Iterator<Item = &'a ServiceView> + '_ {
        self.view.services.iter().filter(|svc| {
            !matches!(svc.kind, crate::engine::ServiceKind::ExternalName(_))
                && self
                    .view
                    .namespace_exposed(self.config, &svc.object.namespace)
        })
    }

    /// `<service>.<namespace>.svc.<zone>`.
    pub fn service_name(&self, service: &str, namespace: &str) -> Option<DnsName> {
        self.zone.prepend_all(&[service, namespace, "svc"]).ok()
    }
}

/// At most three names, then "and N more".
pub fn join_names(names: &[DnsName]) -> String {
    let shown: Vec<&str> = names.iter().take(3).map(DnsName::as_str).collect();
    let more = if names.len() > 3 {
        format!(" and {} more", names.len() - 3)
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(", "))
}

/// The facts grouped by the objects they name: each object's group number, each group's
/// `(start, end)` in one flat list, facts in fact order within a group. A vector per object
/// (over 200,000 at 100,000 Pods) cost four times as much, most of it room never used. Each
/// object is hashed once per fact naming it: the first pass notes which group every (fact,
/// object) pair falls in, and the second places the facts by those notes instead of looking
/// each object up again. The ranges are kept by group number, so the map built in the first
/// pass is the one the rules look up (turning it into a map of ranges hashed every object
/// again: a third of the findings' time).
fn group_by_subject(facts: &[Fact]) -> Grouped<'_> {
    // Room for an object per fact, about what a cluster has (a Service, its slices, a Pod
    // each): growing the map as it filled was a third of the grouping.
    let mut groups: HashMap<&ObjectRef, usize> =
        HashMap::with_capacity_and_hasher(facts.len(), Default::default());
    // Per group: how many pairs fall in it, then where its range starts.
    let mut starts: Vec<usize> = Vec::new();
    // Per (fact, object) pair, in order: the group it falls in.
    let mut pair_groups: Vec<usize> = Vec::new();
    for object in facts.iter().flat_map(|fact| &fact.objects) {
        let group = *groups.entry(object).or_insert_with(|| {
            starts.push(0);
            starts.len() - 1
        });
        starts[group] += 1;
        pair_groups.push(group);
    }
    // Each range starts where the previous ends; `ends` is the next free slot while placing.
    let mut next = 0;
    for start in &mut starts {
        let count = *start;
        *start = next;
        next += count;
    }
    let mut ends = starts.clone();
    let Some(first) = facts.first() else {
        return Grouped::default();
    };
    // Every slot is written below: the first fact only fills the vector until then.
    let mut grouped = vec![first; next];
    let mut pairs = pair_groups.iter();
    for fact in facts {
        for &group in pairs.by_ref().take(fact.objects.len()) {
            let end = &mut ends[group];
            grouped[*end] = fact;
            *end += 1;
        }
    }
    Grouped {
        groups,
        ranges: starts.into_iter().zip(ends).collect(),
        facts: grouped,
    }
}

/// What [`group_by_subject`] returns.
#[derive(Default)]
struct Grouped<'a> {
    /// Each object's group.
    groups: HashMap<&'a ObjectRef, usize>,
    /// Per group: its `(start, end)` in `facts`.
    ranges: Vec<(usize, usize)>,
    /// The facts, grouped by the object they name, in fact order within a group.
    facts: Vec<&'a Fact>,
}

impl<'a> Grouped<'a> {
    /// The facts that name `object` among their objects.
    fn about(&self, object: &ObjectRef) -> &[&'a Fact] {
        self.groups.get(object).map_or(&[], |&group| {
            let (start, end) = self.ranges[group];
            &self.facts[start..end]
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::{Kind, RecordType};

    fn fact(name: &str, objects: &[&Arc<ObjectRef>]) -> Fact {
        Fact {
            name: DnsName::parse(name).expect("a name"),
            rtype: RecordType::A,
            state: FactState::Served,
            causes: Vec::new(),
            expectation: Expectation::Service,
            objects: objects.iter().map(|o| Arc::clone(o)).collect(),
        }
    }

    #[test]
    fn each_object_gets_the_facts_naming_it_in_fact_order() {
        let service = Arc::new(ObjectRef::new(Kind::Service, "ns", "web"));
        let pod = Arc::new(ObjectRef::new(Kind::Pod, "ns", "web-0"));
        // An equal object in another allocation is the same object.
        let same_pod = Arc::new(ObjectRef::new(Kind::Pod, "ns", "web-0"));
        let sts = Arc::new(ObjectRef::new(Kind::StatefulSet, "ns", "web"));
        let facts = vec![
            fact("a.example.", &[&service]),
            fact("b.example.", &[&pod, &service]),
            fact("c.example.", &[&sts]),
            fact("d.example.", &[&same_pod, &sts, &service]),
            fact("e.example.", &[]),
        ];
        let grouped = group_by_subject(&facts);
        let names = |object: &ObjectRef| -> Vec<String> {
            grouped
                .about(object)
                .iter()
                .map(|f| f.name.to_string())
                .collect()
        };
        assert_eq!(names(&service), ["a.example.", "b.example.", "d.example."]);
        assert_eq!(names(&pod), ["b.example.", "d.example."]);
        assert_eq!(names(&sts), ["c.example.", "d.example."]);
        assert!(names(&ObjectRef::new(Kind::Service, "ns", "other")).is_empty());
        assert_eq!((grouped.groups.len(), grouped.ranges.len()), (3, 3));
        assert_eq!(grouped.facts.len(), 7);
        assert!(group_by_subject(&[]).groups.is_empty());
    }
}
