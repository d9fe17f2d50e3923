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
    /// The facts naming each object: `subject_facts[start..end]` for its `(start, end)`.
    subject_ranges: HashMap<&'a ObjectRef, (usize, usize)>,
    /// The facts, grouped by the object they name, in fact order within a group.
    subject_facts: Vec<&'a Fact>,
}

impl<'a> LintContext<'a> {
    /// `None` when the configuration has no forward zone (then no name exists at all).
    pub fn new(
        output: &'a EngineOutput,
        index: &'a Index<'a>,
        config: &'a DnsConfig,
    ) -> Option<Self> {
        let (subject_ranges, subject_facts) = group_by_subject(&output.facts);
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
            subject_ranges,
            subject_facts,
        })
    }

    /// The facts that name `object` among their objects.
    pub fn facts_about(&self, object: &ObjectRef) -> &[&'a Fact] {
        self.subject_ranges
            .get(object)
            .map_or(&[], |&(start, end)| &self.subject_facts[start..end])
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

/// The facts grouped by each object they name, as one flat list and the range of each object in
/// it: two passes, counting and then placing. A vector per object (over 200,000 at 100,000
/// Pods) cost four times as much, most of it room never used.
fn group_by_subject(facts: &[Fact]) -> (HashMap<&ObjectRef, (usize, usize)>, Vec<&Fact>) {
    let mut ranges: HashMap<&ObjectRef, (usize, usize)> = HashMap::default();
    for object in facts.iter().flat_map(|fact| &fact.objects) {
        ranges.entry(object).or_default().1 += 1;
    }
    // Each range starts where the previous ends; `end` is the next free slot while placing.
    let mut next = 0;
    for (start, end) in ranges.values_mut() {
        let count = *end;
        *start = next;
        *end = next;
        next += count;
    }
    let Some(first) = facts.first() else {
        return (ranges, Vec::new());
    };
    // Every slot is written below: the first fact only fills the vector until then.
    let mut grouped = vec![first; next];
    for fact in facts {
        for object in &fact.objects {
            if let Some((_, end)) = ranges.get_mut(&**object) {
                grouped[*end] = fact;
                *end += 1;
            }
        }
    }
    (ranges, grouped)
}
