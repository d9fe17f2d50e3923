//! The `-o json|yaml` schema: serde view types over `Report`, documented in
//! `docs/output-schema.md`. Field names and meanings are a contract; add fields, never repurpose.

use serde::Serialize;

use super::jsonpath::RootReach;

use crate::model::{
    Absent, DnsConfig, DnsName, DnsServer, Finding, Note, ObjectRef, Outcome, Provenance, Rcode,
    Record, Report, Status, Transport, Verification, VersionSource, Via,
};

/// Bumped only when a field changes meaning or disappears.
pub const SCHEMA_VERSION: &str = "dnsrecords/v1";

/// The whole document.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document<'a> {
    schema: &'static str,
    zone: Option<String>,
    ttl: u32,
    config: ConfigView<'a>,
    records: Top<'a, Record, RecordView<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    zone_records: Vec<RecordView<'a>>,
    absent: Top<'a, Absent, AbsentView<'a>>,
    #[serde(skip_serializing_if = "Top::is_empty")]
    predicted: Top<'a, Absent, AbsentView<'a>>,
    names: Top<'a, crate::model::Fact, FactView<'a>>,
    findings: Each<'a, Finding, FindingView<'a>>,
    notes: &'a [Note],
    #[serde(skip_serializing_if = "Option::is_none")]
    dns_server: Option<DnsServerView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verify: Option<VerifyView<'a>>,
}

/// A sequence serialized straight from the report's slice, each element's view made as it is
/// written and dropped after: the document never holds a view of every record, fact or finding
/// (hundreds of thousands on a large cluster) at once.
struct Each<'a, T, V>(&'a [T], fn(&'a T) -> V);

impl<T, V> Each<'_, T, V> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a, T, V: Serialize> Serialize for Each<'a, T, V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // A slice's map knows its length, so the serializer is told it up front as a Vec's is.
        serializer.collect_seq(self.0.iter().map(self.1))
    }
}

/// One of the document's large top-level sequences: an [`Each`] that `-o json` writes in chunks
/// rendered on two threads ([`super::json::serialize_in_chunks`]) when `in_chunks` is set, and
/// every other format element by element. The bytes are the same either way.
struct Top<'a, T, V> {
    each: Each<'a, T, V>,
    in_chunks: bool,
}

impl<T, V> Top<'_, T, V> {
    fn is_empty(&self) -> bool {
        self.each.is_empty()
    }
}

impl<'a, T: Sync, V: Serialize> Serialize for Top<'a, T, V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Each(items, view) = &self.each;
        if self.in_chunks {
            super::json::serialize_in_chunks(serializer, items, *view)
        } else {
            self.each.serialize(serializer)
        }
    }
}

/// A value serialized as the string its `Display` writes, without an intermediate String.
struct Shown<'a, T>(&'a T);

impl<T: std::fmt::Display> Serialize for Shown<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_shown(self.0, serializer)
    }
}

/// How much `Display` text [`serialize_shown`] formats on the stack: RDATA and cause messages
/// fit; longer text takes the serializer's own way.
const INLINE: usize = 256;

/// `value`'s `Display` text handed to the serializer as one string. `collect_str` would pass it
/// the pieces one at a time as `Display` writes them — an address is seven — and serde_json
/// escapes and writes each on its own; formatting into a stack buffer first is cheaper and the
/// text, hence the output, is the same. Text longer than [`INLINE`] is collected as before.
fn serialize_shown<T, S>(value: &T, serializer: S) -> Result<S::Ok, S::Error>
where
    T: std::fmt::Display + ?Sized,
    S: serde::Serializer,
{
    use std::fmt::Write as _;
    let mut inline = Inline {
        bytes: [0; INLINE],
        len: 0,
    };
    if write!(inline, "{value}").is_ok()
        // Only whole `&str`s were copied in, so this holds; a failure takes the long way.
        && let Ok(text) = std::str::from_utf8(&inline.bytes[..inline.len])
    {
        return serializer.serialize_str(text);
    }
    serializer.collect_str(value)
}

/// A fixed buffer that `Display` writes into; a write that does not fit fails.
struct Inline {
    bytes: [u8; INLINE],
    len: usize,
}

impl std::fmt::Write for Inline {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        let end = self.len + text.len();
        let room = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        room.copy_from_slice(text.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Which DNS server runs and which release's rules the records follow; left out when nothing
/// is known (offline input without DNS objects and no `--coredns-version`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DnsServerView<'a> {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_source: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    distribution: Option<&'static str>,
    pods: usize,
    summary: String,
}

/// What `--verify` found. The difference fields are snake_case as issue 12's contract names
/// them.
#[derive(Serialize)]
pub(super) struct VerifyView<'a> {
    server: &'a str,
    transport: Transport,
    via: Via,
    checked: usize,
    matched: usize,
    /// Answers that matched but with a TTL below the configured one: a cache answered them.
    cached: usize,
    differences: Vec<DifferenceView<'a>>,
}

#[derive(Serialize)]
struct DifferenceView<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    rtype: &'static str,
    status: Status,
    expected: Vec<&'a str>,
    served: Vec<&'a str>,
    expected_rcode: Rcode,
    /// `null` when the server never answered the question.
    served_rcode: Option<Rcode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_ttl: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    served_ttl: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

pub(super) fn verification(verification: &Verification) -> VerifyView<'_> {
    fn difference(outcome: &Outcome) -> DifferenceView<'_> {
        DifferenceView {
            name: outcome.question.name.as_str(),
            rtype: outcome.question.rtype.as_str(),
            status: outcome.status,
            expected: outcome
                .expected
                .records
                .iter()
                .map(String::as_str)
                .collect(),
            served: outcome.served.records.iter().map(String::as_str).collect(),
            expected_rcode: outcome.expected.rcode,
            served_rcode: outcome.served.rcode,
            expected_ttl: outcome.expected.ttl,
            served_ttl: outcome.served.ttl,
            note: outcome.note.as_deref(),
        }
    }
    VerifyView {
        server: &verification.server,
        transport: verification.transport,
        via: verification.via,
        checked: verification.checked(),
        matched: verification.matched(),
        cached: verification
            .outcomes
            .iter()
            .filter(|o| o.status == Status::Ok && o.note.is_some())
            .count(),
        differences: verification.differences().map(difference).collect(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConfigView<'a> {
    source: &'a crate::model::ConfigOrigin,
    zones: Vec<String>,
    pods: &'static str,
    endpoint_pod_names: bool,
    ignore_empty_service: bool,
    noendpoints: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    namespaces: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    labels: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace_labels: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RecordView<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    rtype: &'static str,
    ttl: u32,
    data: Presented<'a>,
    source: SourceView<'a>,
}

/// RDATA serialized from its presentation form, without an intermediate String: a large
/// cluster's JSON holds hundreds of thousands of records.
struct Presented<'a>(&'a crate::model::RData);

impl Serialize for Presented<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use crate::model::RData;
        match self.0 {
            // A name's presentation form is its text: no formatting at all.
            RData::Ns(name) | RData::Cname(name) | RData::Ptr(name) => {
                serializer.serialize_str(name.as_str())
            }
            data => serialize_shown(data, serializer),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SourceView<'a> {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    endpoint_slice: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pod: Option<&'a str>,
}

#[derive(Serialize)]
struct AbsentView<'a> {
    name: &'a str,
    reason: &'a str,
    object: ObjectView<'a>,
}

/// One expected name: `served`, `absent` or `unknown`, with the typed causes.
#[derive(Serialize)]
struct FactView<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    rtype: &'static str,
    state: &'static str,
    expectation: crate::model::Expectation,
    causes: Each<'a, crate::model::Cause, CauseView<'a>>,
    objects: Each<'a, std::sync::Arc<ObjectRef>, ObjectView<'a>>,
}

/// One cause of a fact. Its fix and objects are made by the cause itself (owned), one cause at
/// a time as the document is written.
#[derive(Serialize)]
struct CauseView<'a> {
    code: &'static str,
    message: Shown<'a, crate::model::Cause>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
    objects: Objects,
}

/// Objects a cause computes rather than holds.
struct Objects(Vec<ObjectRef>);

impl Serialize for Objects {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(object))
    }
}

fn cause(cause: &crate::model::Cause) -> CauseView<'_> {
    CauseView {
        code: cause.code(),
        message: Shown(cause),
        fix: cause.fix(),
        objects: Objects(cause.objects()),
    }
}

fn fact(fact: &crate::model::Fact) -> FactView<'_> {
    FactView {
        name: fact.name.as_str(),
        rtype: fact.rtype.as_str(),
        state: fact.state.as_str(),
        expectation: fact.expectation,
        causes: Each(&fact.causes, cause),
        objects: Each(&fact.objects, shared_object),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FindingView<'a> {
    id: &'static str,
    code: &'static str,
    severity: &'static str,
    message: &'a str,
    objects: Each<'a, ObjectRef, ObjectView<'a>>,
    names: Each<'a, DnsName, &'a str>,
    hint: &'a str,
    docs: String,
    /// The page's https address; `docs` stays the repository path it always was.
    docs_url: String,
}

fn finding(finding: &Finding) -> FindingView<'_> {
    FindingView {
        id: finding.id.id(),
        code: finding.id.code(),
        severity: finding.severity.as_str(),
        message: &finding.message,
        objects: Each(&finding.objects, object),
        names: Each(&finding.names, DnsName::as_str),
        hint: &finding.hint,
        docs: finding.id.docs_anchor(),
        docs_url: finding.id.docs_url(),
    }
}

#[derive(Serialize)]
struct ObjectView<'a> {
    kind: &'static str,
    namespace: &'a str,
    name: &'a str,
}

fn shared_object(shared: &std::sync::Arc<ObjectRef>) -> ObjectView<'_> {
    object(shared)
}

fn object(object: &ObjectRef) -> ObjectView<'_> {
    ObjectView {
        kind: object.kind.as_str(),
        namespace: &object.namespace,
        name: &object.name,
    }
}

fn source(provenance: &Provenance) -> SourceView<'_> {
    let empty = SourceView {
        kind: "Zone",
        namespace: None,
        name: None,
        endpoint_slice: None,
        address: None,
        pod: None,
    };
    match provenance {
        Provenance::Zone => empty,
        Provenance::Service(service) => SourceView {
            kind: "Service",
            namespace: Some(&service.namespace),
            name: Some(&service.name),
            ..empty
        },
        Provenance::Endpoint {
            service,
            slice,
            address,
            pod,
        } => SourceView {
            kind: "Endpoint",
            namespace: Some(&service.namespace),
            name: Some(&service.name),
            endpoint_slice: Some(&slice.name),
            address: Some(address),
            pod: pod.as_ref().map(|p| p.name.as_str()),
        },
        Provenance::Pod(pod) => SourceView {
            kind: "Pod",
            namespace: Some(&pod.namespace),
            name: Some(&pod.name),
            ..empty
        },
    }
}

fn record(record: &Record) -> RecordView<'_> {
    RecordView {
        name: record.owner.as_str(),
        rtype: record.rtype().as_str(),
        ttl: record.ttl,
        data: Presented(&record.data),
        source: source(&record.source),
    }
}

fn absent(absent: &Absent) -> AbsentView<'_> {
    AbsentView {
        name: absent.name.as_str(),
        reason: &absent.reason,
        object: object(&absent.subject),
    }
}

fn config(config: &DnsConfig) -> ConfigView<'_> {
    ConfigView {
        source: &config.origin,
        zones: config.zones.iter().map(ToString::to_string).collect(),
        pods: config.pods.as_str(),
        endpoint_pod_names: config.endpoint_pod_names,
        ignore_empty_service: config.ignore_empty_service,
        noendpoints: config.noendpoints,
        namespaces: config.namespaces.clone(),
        labels: config.labels.as_ref().map(ToString::to_string),
        namespace_labels: config.namespace_labels.as_ref().map(ToString::to_string),
    }
}

/// Builds the document for `report`, with what `--verify` found when it ran.
pub fn document<'a>(report: &'a Report, verify: Option<&'a Verification>) -> Document<'a> {
    document_reaching(report, verify, &RootReach::All)
}

/// [`document`] for `-o json`'s own serializer: its large sequences are written in chunks
/// rendered on two threads. Only a serializer with `json`'s formatter may write it.
pub(super) fn json_document<'a>(
    report: &'a Report,
    verify: Option<&'a Verification>,
) -> Document<'a> {
    let mut document = document(report, verify);
    for top in [&mut document.absent, &mut document.predicted] {
        top.in_chunks = true;
    }
    document.records.in_chunks = true;
    document.names.in_chunks = true;
    document
}

/// [`document`] with only the large members `reach` names filled; the others are empty. For a
/// template that can read nothing else (jsonpath's [`RootReach`]), the output is the same.
pub fn document_reaching<'a>(
    report: &'a Report,
    verify: Option<&'a Verification>,
    reach: &RootReach,
) -> Document<'a> {
    fn part<'a, T>(reach: &RootReach, member: &str, items: &'a [T]) -> &'a [T] {
        if reach.includes(member) { items } else { &[] }
    }
    fn top<'a, T, V>(items: &'a [T], view: fn(&'a T) -> V) -> Top<'a, T, V> {
        Top {
            each: Each(items, view),
            in_chunks: false,
        }
    }
    let zone_records = if reach.includes("zoneRecords") {
        report.listed_zone_records().map(record).collect()
    } else {
        Vec::new()
    };
    Document {
        schema: SCHEMA_VERSION,
        zone: report.config.primary_zone().map(ToString::to_string),
        ttl: report.config.ttl,
        config: config(&report.config),
        records: top(part(reach, "records", &report.records), record),
        zone_records,
        absent: top(part(reach, "absent", &report.absent), absent),
        predicted: top(part(reach, "predicted", &report.predicted), absent),
        names: top(part(reach, "names", &report.facts), fact),
        findings: Each(part(reach, "findings", &report.findings), finding),
        notes: part(reach, "notes", &report.notes),
        dns_server: dns_server(&report.dns_server),
        verify: verify.map(verification),
    }
}

/// One record's JSON form, as it stands in the document's `records` and `zoneRecords`.
pub fn record_value(item: &Record) -> serde_json::Result<serde_json::Value> {
    serde_json::to_value(record(item))
}

fn dns_server(server: &DnsServer) -> Option<DnsServerView<'_>> {
    if !server.is_known() {
        return None;
    }
    Some(DnsServerView {
        kind: server.kind.as_str(),
        version: server.version.map(|v| v.to_string()),
        version_source: server.version_source.as_ref().map(|s| match s {
            VersionSource::Flag => "flag",
            VersionSource::Image(_) => "image",
        }),
        image: match &server.version_source {
            Some(VersionSource::Image(image)) => Some(image.as_str()),
            _ => server.images.first().map(String::as_str),
        },
        distribution: server.distribution.map(|d| d.as_str()),
        pods: server.pods,
        summary: server.summary(),
    })
}
