//! `Report`: what one run found — the records, the names that do not exist, and notes.

use std::collections::BTreeSet;

use super::{DnsConfig, DnsName, DnsServer, Fact, Finding, ObjectRef, Record};

/// How much a note matters to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteLevel {
    /// Context: an assumption the tool made, or how to read the output.
    Info,
    /// Something in the input was skipped or could not be predicted.
    Warning,
}

/// A remark about the run that is not a record: an assumption, a skipped object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Note {
    /// How much it matters.
    pub level: NoteLevel,
    /// One sentence.
    pub message: String,
    /// The object it is about, if one: notes about objects outside the output's scope are dropped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<ObjectRef>,
}

impl Note {
    /// An informational note.
    pub fn info(message: impl Into<String>) -> Self {
        Note {
            level: NoteLevel::Info,
            message: message.into(),
            subject: None,
        }
    }

    /// A warning note.
    pub fn warning(message: impl Into<String>) -> Self {
        Note {
            level: NoteLevel::Warning,
            message: message.into(),
            subject: None,
        }
    }

    /// The same note, about `subject`.
    pub fn about(mut self, subject: &ObjectRef) -> Self {
        self.subject = Some(subject.clone());
        self
    }
}

/// A name a reader would expect to resolve, which CoreDNS does not serve: the table's and the
/// zone comments' one-line form of an absent fact.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Absent {
    /// The name.
    pub name: DnsName,
    /// The object the name belongs to.
    pub subject: ObjectRef,
    /// Why it does not exist: the fact's causes, in one phrase.
    pub reason: String,
}

/// Which objects the output covers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope {
    /// Namespaces covered; `None` means all (`-A`).
    pub namespaces: Option<Vec<String>>,
    /// Named targets (`svc/NAME`, `sts/NAME`) resolved to the Services they mean; empty means
    /// every Service in scope.
    pub services: BTreeSet<ObjectRef>,
    /// Pods whose records belong to the targets (a StatefulSet's pods, a Service's endpoints).
    pub pods: BTreeSet<ObjectRef>,
    /// StatefulSets named as targets.
    pub stateful_sets: BTreeSet<ObjectRef>,
    /// True when targets or a label selector narrowed the output below whole namespaces.
    pub narrowed: bool,
}

/// The result of one analysis: the pure core's only output.
#[derive(Debug, Clone)]
pub struct Report {
    /// The DNS configuration the records were computed with.
    pub config: DnsConfig,
    /// Records of Services, endpoints, PTRs and Pods in scope, in canonical order.
    pub records: Vec<Record>,
    /// Zone-level records (SOA, NS and glue, `dns-version`) of every zone, in canonical order.
    pub zone_records: Vec<Record>,
    /// Every expected name in scope, served, absent or unknown, with its causes.
    pub facts: Vec<Fact>,
    /// The absent facts in scope, one line each (derived from `facts`).
    pub absent: Vec<Absent>,
    /// Names that will exist once unapplied manifests are applied (derived from `facts`).
    pub predicted: Vec<Absent>,
    /// Names that could not be decided because a list was unreadable (derived from `facts`).
    pub unknown: Vec<Absent>,
    /// What breaks DNS for the objects in scope, most severe first.
    pub findings: Vec<Finding>,
    /// Assumptions and skipped input.
    pub notes: Vec<Note>,
    /// What the output covers.
    pub scope: Scope,
    /// False when CoreDNS's own addresses were not in the input, so NS records name
    /// `ns.dns.<zone>` without an address.
    pub nameservers_known: bool,
    /// Which DNS server and release the records follow.
    pub dns_server: DnsServer,
}

impl Scope {
    /// Whether `namespace` is covered.
    pub fn covers_namespace(&self, namespace: &str) -> bool {
        self.namespaces
            .as_ref()
            .is_none_or(|list| list.iter().any(|ns| ns == namespace))
    }

    /// True for `-A` without targets or selector: zone-level records belong to this view only.
    pub fn whole_cluster(&self) -> bool {
        self.namespaces.is_none() && !self.narrowed
    }

    /// Whether an object is in the output's scope: in a covered namespace and, when targets
    /// narrow the output, one of the targets' Services, Pods or StatefulSets.
    pub fn covers(&self, object: &ObjectRef) -> bool {
        if !self.covers_namespace(&object.namespace) {
            return false;
        }
        !self.narrowed
            || self.services.contains(object)
            || self.pods.contains(object)
            || self.stateful_sets.contains(object)
    }
}

impl Report {
    /// The zone records the record view lists before `records`: those of
    /// [`Report::extra_zone_records`] for the whole cluster, none for a narrower scope (the
    /// zones' own records are nobody's objects).
    pub fn listed_zone_records(&self) -> impl Iterator<Item = &Record> {
        self.scope
            .whole_cluster()
            .then(|| self.extra_zone_records())
            .into_iter()
            .flatten()
    }

    /// Zone records that are not also in `records` (the NS glue of a ClusterIP Service is both).
    pub fn extra_zone_records(&self) -> impl Iterator<Item = &Record> {
        self.zone_records.iter().filter(|zr| {
            !self
                .records
                .iter()
                .any(|r| r.owner == zr.owner && r.data == zr.data)
        })
    }
}
