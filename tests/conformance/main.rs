//! Conformance: every `tests/cases/**/*.yaml` is one test. Objects and a Corefile go in; the
//! exact record set CoreDNS's kubernetes plugin serves must come out, and the `-o zone`
//! rendering must load in `named-checkzone`. See tests/cases/README.md for the format.
//! `questions.rs` runs `tests/questions/*.yaml` (one DNS question → CoreDNS's answer each) and
//! checks every case's answers against its record list.

#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    clippy::print_stdout
)]

use std::collections::BTreeSet;
use std::path::Path;

use dnsrecords::corefile;
use dnsrecords::model::{
    Cause, ClusterDns, ClusterSnapshot, Expectation, FactState, Gap, GapResource, LabelSelector,
    Metadata, Report, Selection,
};
use dnsrecords::render::{self, Format, RenderOptions};
use dnsrecords::source::{load_text, parse_target};
use dnsrecords::{analyze_dns, analyze_dns_owned};

mod questions;

type Error = Box<dyn std::error::Error>;

/// A failure whose Debug form is its text, so the harness prints the diff as lines.
struct Failure(String);

impl std::fmt::Debug for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failure {}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    description: String,
    reference: String,
    #[serde(default)]
    corefile: Option<String>,
    #[serde(default)]
    cluster_dns: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    /// `--coredns-version`: the release whose record rules apply (default: the one the DNS
    /// pods' image names, else the newest).
    #[serde(default)]
    coredns_version: Option<String>,
    objects: Vec<serde_json::Value>,
    records: String,
    #[serde(default)]
    absent: Vec<String>,
    /// `<severity>[<id>] <subject>` per finding (e.g. `error[service-name-mismatch]
    /// sts/streaming/kafka`): the findings must be exactly these; none listed means none.
    #[serde(default)]
    findings: Vec<String>,
    /// `<name> <state>: <cause-code>, …` per expected name that is not served; when present,
    /// exactly these (absent and unknown names with their causes' codes).
    #[serde(default)]
    names: Option<Vec<String>>,
    /// `<resource> <namespace>` per list the reader may not read (`endpointslices shop`): the
    /// objects of that list are dropped and a gap recorded, as the live source does on a 403.
    #[serde(default)]
    forbidden: Vec<String>,
    /// Names predicted for StatefulSets whose manifests were never applied; when present, exactly these.
    #[serde(default)]
    predicted: Option<Vec<String>>,
    /// When present, the Corefile must be refused with a message containing this text (and
    /// the case lists no records).
    #[serde(default)]
    corefile_error: Option<String>,
    /// Values of the environment variables the Corefile reads (`--corefile-env`).
    #[serde(default)]
    corefile_env: std::collections::BTreeMap<String, String>,
    /// Texts each of which some note of the Corefile's reading must contain; when present, the
    /// Corefile gives exactly this many notes.
    #[serde(default)]
    notes: Option<Vec<String>>,
}

const BASE: &str = include_str!("../cases/_base/kube-dns.yaml");

fn as_list(objects: &[serde_json::Value]) -> String {
    serde_json::json!({"apiVersion": "v1", "kind": "List", "items": objects}).to_string()
}

fn snapshot(objects: &[serde_json::Value]) -> Result<ClusterSnapshot, Error> {
    let loaded = load_text(&as_list(objects), "case", "default")?;
    if let Some(note) = loaded.notes.first() {
        return Err(format!("the case's objects did not all load: {}", note.message).into());
    }
    Ok(loaded.snapshot)
}

/// Drops what a reader forbidden to list `<resource> <namespace>` would not get, and records the
/// gap the live source records on a 403.
fn forbid(snapshot: &mut ClusterSnapshot, entry: &str) -> Result<(), Error> {
    let (resource, namespace) = entry
        .split_once(' ')
        .ok_or_else(|| format!("forbidden entry {entry:?} is not `<resource> <namespace>`"))?;
    let in_namespace = |meta: &dyn Metadata| meta.namespace() == Some(namespace);
    let resource = match resource {
        "services" => {
            snapshot.services.retain(|o| !in_namespace(&o.metadata));
            GapResource::Services
        }
        "endpointslices" => {
            snapshot
                .endpoint_slices
                .retain(|o| !in_namespace(&o.metadata));
            GapResource::EndpointSlices
        }
        "statefulsets" => {
            snapshot
                .stateful_sets
                .retain(|o| !in_namespace(&o.metadata));
            GapResource::StatefulSets
        }
        "pods" => {
            snapshot.pods.retain(|o| !in_namespace(&o.metadata));
            GapResource::Pods
        }
        other => return Err(format!("unknown forbidden resource {other:?}").into()),
    };
    snapshot.gaps.push(Gap {
        resource,
        namespace: Some(namespace.to_string()),
    });
    Ok(())
}

/// Whether the kube-dns base objects join the case's (`cluster_dns`, default `kube-dns`).
fn with_base(cluster_dns: Option<&str>) -> Result<bool, Error> {
    match cluster_dns {
        None | Some("kube-dns") => Ok(true),
        Some("none") => Ok(false),
        Some(other) => Err(format!("unknown cluster_dns {other:?}").into()),
    }
}

/// The base objects, when they join.
fn base_objects(with_base: bool) -> Result<Vec<serde_json::Value>, Error> {
    Ok(if with_base {
        serde_saphyr::from_str(BASE)?
    } else {
        Vec::new()
    })
}

/// The case's Corefile, else the snapshot's CoreDNS ConfigMap, else kubeadm's default: every
/// stanza, and the notes of its reading.
fn dns(
    corefile_text: Option<&str>,
    snapshot: &ClusterSnapshot,
    env: &std::collections::BTreeMap<String, String>,
) -> Result<(ClusterDns, Vec<String>), Error> {
    let text = corefile_text
        .map(str::to_string)
        .or_else(|| snapshot.corefile.as_ref().map(|c| c.text.clone()));
    Ok(match text {
        Some(text) => {
            let parsed =
                corefile::parse_with_env(&text, dnsrecords::model::ConfigOrigin::Default, env)?;
            let notes = parsed.notes.iter().map(|n| n.message.clone()).collect();
            (parsed.dns, notes)
        }
        None => (ClusterDns::single(corefile::kubeadm_default()), Vec::new()),
    })
}

fn selection(args: &[String]) -> Result<Selection, Error> {
    let mut selection = Selection::default();
    let mut namespace = None;
    let mut all = args.is_empty();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "-A" => all = true,
            "-n" => namespace = iter.next().cloned(),
            "-l" => {
                selection.selector = Some(LabelSelector::parse(
                    iter.next().ok_or("-l needs a value")?,
                )?)
            }
            target => selection.targets.push(parse_target(target)?),
        }
    }
    if !all {
        selection.namespaces = Some(vec![namespace.unwrap_or_else(|| "default".to_string())]);
    }
    Ok(selection)
}

fn record_lines(report: &Report) -> BTreeSet<String> {
    report
        .records
        .iter()
        .chain(&report.zone_records)
        .map(ToString::to_string)
        .collect()
}

fn normalize(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn run_case(path: &Path) -> datatest_stable::Result<()> {
    check_case(path).map_err(|err| Failure(err.to_string()).into())
}

fn check_case(path: &Path) -> Result<(), Error> {
    let text = std::fs::read_to_string(path)?;
    let case: Case = serde_saphyr::from_str(&text)?;
    if case.description.trim().is_empty() || case.reference.trim().is_empty() {
        return Err("a case needs a description and a reference".into());
    }
    let with_base = with_base(case.cluster_dns.as_deref())?;
    let base_objects = base_objects(with_base)?;
    let mut objects = case.objects.clone();
    objects.extend(base_objects.iter().cloned());
    let mut snapshot = snapshot(&objects)?;
    for entry in &case.forbidden {
        forbid(&mut snapshot, entry)?;
    }
    if let Some(expected) = &case.corefile_error {
        return match dns(case.corefile.as_deref(), &snapshot, &case.corefile_env) {
            Ok(_) => Err(
                format!("the Corefile was accepted; expected an error with {expected:?}").into(),
            ),
            Err(err) if err.to_string().contains(expected.as_str()) => {
                if case.records.trim().is_empty() {
                    Ok(())
                } else {
                    Err("a case whose Corefile is refused lists no records".into())
                }
            }
            Err(err) => Err(format!("expected an error with {expected:?}, got: {err}").into()),
        };
    }
    let (mut dns, notes) = dns(case.corefile.as_deref(), &snapshot, &case.corefile_env)?;
    let coredns_version = case
        .coredns_version
        .as_deref()
        .map(dnsrecords::model::CoreDnsVersion::parse)
        .transpose()?;
    for stanza in &mut dns.stanzas {
        stanza.coredns_version = coredns_version;
    }
    // As the CLI does: NodeLocal DNSCache's ConfigMap, when the objects hold it, on the primary.
    let primary = dns.primary;
    if let Some(stanza) = dns.stanzas.get_mut(primary)
        && let (Some(text), Some(zone)) = (&snapshot.node_local_corefile, stanza.primary_zone())
    {
        stanza.node_local = corefile::node_local_cache(text, zone);
    }
    if let Some(expected) = &case.notes {
        let missing: Vec<&String> = expected
            .iter()
            .filter(|text| !notes.iter().any(|n| n.contains(text.as_str())))
            .collect();
        if !missing.is_empty() || notes.len() != expected.len() {
            return Err(format!("notes differ: expected {expected:?}, got {notes:?}").into());
        }
    }
    let report = analyze_dns(&snapshot, &dns, &selection(&case.args)?)?;
    // The CLI hands the snapshot over (the objects are freed as the view is built): both
    // entries must give the same report, case for case.
    let owned = analyze_dns_owned(snapshot.clone(), &dns, &selection(&case.args)?)?;
    if format!("{owned:?}") != format!("{report:?}") {
        return Err("analyze_dns_owned's report differs from analyze_dns's".into());
    }

    let mut actual = record_lines(&report);
    let mut actual_absent: BTreeSet<String> =
        report.absent.iter().map(|a| a.name.to_string()).collect();
    if with_base {
        let base_snapshot = self::snapshot(&base_objects)?;
        let base = analyze_dns(&base_snapshot, &dns, &Selection::default())?;
        for line in record_lines(&base) {
            actual.remove(&line);
        }
        for absent in &base.absent {
            actual_absent.remove(absent.name.as_str());
        }
    }
    let mut expected = BTreeSet::new();
    for line in case
        .records
        .lines()
        .map(normalize)
        .filter(|l| !l.is_empty())
    {
        if !expected.insert(line.clone()) {
            return Err(format!("duplicate line in the case's records: {line}").into());
        }
    }
    let expected_absent: BTreeSet<String> = case.absent.iter().map(|n| normalize(n)).collect();

    let mut problems = String::new();
    for line in expected.difference(&actual) {
        problems.push_str(&format!("  missing:    {line}\n"));
    }
    for line in actual.difference(&expected) {
        problems.push_str(&format!("  unexpected: {line}\n"));
    }
    for name in expected_absent.difference(&actual_absent) {
        problems.push_str(&format!("  not reported as NXDOMAIN: {name}\n"));
    }
    for name in actual_absent.difference(&expected_absent) {
        problems.push_str(&format!("  unexpectedly NXDOMAIN:    {name}\n"));
    }
    {
        let expected: BTreeSet<String> = case.findings.iter().map(|f| normalize(f)).collect();
        let actual: BTreeSet<String> = report
            .findings
            .iter()
            .map(|f| {
                format!(
                    "{}[{}] {}",
                    f.severity,
                    f.id,
                    f.objects
                        .first()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                )
            })
            .collect();
        for finding in expected.difference(&actual) {
            problems.push_str(&format!("  finding missing:    {finding}\n"));
        }
        for finding in actual.difference(&expected) {
            problems.push_str(&format!("  finding unexpected: {finding}\n"));
        }
    }
    if let Some(expected_names) = &case.names {
        let expected: BTreeSet<String> = expected_names.iter().map(|n| normalize(n)).collect();
        let actual: BTreeSet<String> = report
            .facts
            .iter()
            .filter(|f| f.state != FactState::Served)
            .filter(|f| !with_base || f.subject().is_none_or(|s| s.namespace != "kube-system"))
            .map(|f| {
                let mut codes: Vec<&str> = Vec::new();
                for code in f.causes.iter().map(|c| c.code()) {
                    if !codes.contains(&code) {
                        codes.push(code);
                    }
                }
                normalize(&format!(
                    "{} {}: {}",
                    f.name,
                    f.state.as_str(),
                    codes.join(", ")
                ))
            })
            .collect();
        for name in expected.difference(&actual) {
            problems.push_str(&format!("  name missing:    {name}\n"));
        }
        for name in actual.difference(&expected) {
            problems.push_str(&format!("  name unexpected: {name}\n"));
        }
    }
    problems.push_str(&contradictions(&report));
    if let Some(expected_predicted) = &case.predicted {
        let expected: BTreeSet<String> = expected_predicted.iter().map(|n| normalize(n)).collect();
        let actual: BTreeSet<String> = report
            .predicted
            .iter()
            .map(|p| p.name.to_string())
            .collect();
        for name in expected.difference(&actual) {
            problems.push_str(&format!("  not predicted:        {name}\n"));
        }
        for name in actual.difference(&expected) {
            problems.push_str(&format!("  unexpectedly predicted: {name}\n"));
        }
    }
    if !problems.is_empty() {
        return Err(format!(
            "record set differs from the case ({}):\n{problems}",
            case.description.trim()
        )
        .into());
    }
    check_zone_loads(&report)?;
    Ok(())
}

/// What no report may say: a finding claiming a name absent that the records serve or that is
/// no absent fact, a fact whose state disagrees with the records, a finding about an object
/// the Corefile hides.
fn contradictions(report: &Report) -> String {
    let mut problems = String::new();
    let served: BTreeSet<&str> = report.records.iter().map(|r| r.owner.as_str()).collect();
    for fact in &report.facts {
        let in_records = served.contains(fact.name.as_str());
        if in_records != (fact.state == FactState::Served) {
            problems.push_str(&format!(
                "  contradiction: {} is {} but the records {} it\n",
                fact.name,
                fact.state.as_str(),
                if in_records { "serve" } else { "do not serve" }
            ));
        }
    }
    for finding in &report.findings {
        for name in &finding.names {
            let fact = report.facts.iter().find(|f| f.name == *name);
            if served.contains(name.as_str()) || fact.is_none_or(|f| f.state == FactState::Served) {
                problems.push_str(&format!(
                    "  contradiction: {} says {name} does not resolve, but it is served or no fact\n",
                    finding.id
                ));
            }
        }
        if let Some(subject) = finding.objects.first()
            && subject.kind != dnsrecords::model::Kind::ConfigMap
        {
            let hidden = report.facts.iter().any(|f| {
                f.expectation == Expectation::Service
                    && f.subject() == Some(subject)
                    && f.causes.iter().any(|c| match c {
                        Cause::NamespaceNotServed { .. } | Cause::NamespaceMissing { .. } => true,
                        Cause::FilteredByLabels { object, .. } => object == subject,
                        _ => false,
                    })
            });
            if hidden {
                problems.push_str(&format!(
                    "  contradiction: {} is about {subject}, which the Corefile hides\n",
                    finding.id
                ));
            }
        }
    }
    problems
}

#[path = "../common/zone_check.rs"]
mod zone_check;

/// The zone rendering, loaded whole (header comments included) by BIND's zone checker once per
/// zone: every zone loads, BIND loads exactly the report's records and no line is anything else.
fn check_zone_loads(report: &Report) -> Result<(), Error> {
    let options = RenderOptions::plain();
    let mut buffer = Vec::new();
    render::render(report, Format::Zone, options, &mut buffer)?;
    let text = String::from_utf8(buffer)?;
    let shown = |records: &[dnsrecords::model::Record]| -> BTreeSet<String> {
        records.iter().map(ToString::to_string).collect()
    };
    // A CNAME beside other data is written as a comment: no zone can hold it.
    let unloadable: BTreeSet<String> = render::zone_unloadable(&report.records)
        .iter()
        .map(ToString::to_string)
        .collect();
    let mut required = shown(&report.records);
    required.retain(|r| !unloadable.contains(r));
    let mut allowed = shown(&report.zone_records);
    allowed.extend(required.iter().cloned());
    // One master file cannot hold a zone and a zone nested in it (the inner SOA is not at
    // the top of the outer zone): a Corefile with nested zones is not zone-checked.
    let nested = report.config.zones.iter().any(|inner| {
        report
            .config
            .zones
            .iter()
            .any(|outer| inner != outer && inner.is_within(outer))
    });
    // A Corefile whose stanzas the cluster's questions never reach serves no zone to load.
    if nested || (report.records.is_empty() && report.zone_records.is_empty()) {
        return Ok(());
    }
    let checked = zone_check::check_whole(&text, &allowed, &required)?;
    // Every zone of the primary stanza, and of the other stanzas whose SOA is served.
    let mut zones: BTreeSet<&dnsrecords::model::DnsName> = report.config.zones.iter().collect();
    zones.extend(
        report
            .zone_records
            .iter()
            .filter(|r| matches!(r.data, dnsrecords::model::RData::Soa(_)))
            .map(|r| &r.owner),
    );
    if checked.zones != zones.len() || checked.records < required.len() {
        return Err(format!(
            "{checked:?}: expected every one of {} zones and at least {} records",
            zones.len(),
            required.len()
        )
        .into());
    }
    Ok(())
}

datatest_stable::harness! {
    { test = run_case, root = "tests/cases", pattern = r"^[^_].*\.yaml$" },
    { test = questions::run, root = "tests/questions", pattern = r"^.*\.yaml$" },
    { test = questions::consistent, root = "tests/cases", pattern = r"^[^_].*\.yaml$" },
}
