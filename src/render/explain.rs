//! `explain` output: the table (the client's resolv.conf, one line per question sent, the
//! outcome, then the cause tree with ✓/✗ marks) and the `dnsrecords.explain/v1` JSON/YAML
//! document documented in docs/output-schema.md.

use std::io::{self, Write};

use serde::Serialize;

use super::grid::{Cell, Grid};
use super::palette::paint as paint_style;
use super::{Format, RenderOptions};
use crate::answer::{Answer, AnswerRecord, Reason};
use crate::model::{FindingId, Verification};
use crate::resolver::{ClientCause, Outcome, Trace, Try};

/// The schema name of the explain document.
pub const EXPLAIN_SCHEMA: &str = "dnsrecords.explain/v1";

/// Writes `trace` in `format` (`Wide` is the table; `Zone` has no explain form and is the table).
pub fn render(
    trace: &Trace,
    format: Format,
    options: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    render_verified(trace, None, format, options, out)
}

/// [`render`], with what the live server answered to the same questions (`--verify`): every
/// question's both sides under the table, a `verify` object in the document.
pub fn render_verified(
    trace: &Trace,
    verification: Option<&Verification>,
    format: Format,
    options: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let document = || Document {
        verify: verification.map(super::schema::verification),
        ..document(trace)
    };
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &document()).map_err(io::Error::other)?;
            writeln!(out)
        }
        Format::Yaml => {
            let text = serde_saphyr::to_string(&document()).map_err(io::Error::other)?;
            out.write_all(text.as_bytes())
        }
        Format::Table | Format::Wide | Format::Zone => {
            table(trace, options, out)?;
            match verification {
                Some(verification) => {
                    super::table::render_verification(verification, true, options, out)
                }
                None => Ok(()),
            }
        }
    }
}

/// The question types as one word: `A`, or `A,AAAA` when getaddrinfo asks both.
fn types(trace: &Trace) -> String {
    trace
        .qtypes
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The rcode of a try as the table shows it: NODATA for NOERROR without records, `-` when the
/// answer is not the tool's to compute.
fn rcode_word(attempt: &Try) -> String {
    match &attempt.answer {
        None => "-".to_string(),
        Some(answer) if !answer.computed() => "-".to_string(),
        Some(answer) if answer.is_nodata() => "NODATA".to_string(),
        Some(answer) => answer.rcode.to_string(),
    }
}

/// The ANSWER column: the records' data, or who answers instead.
fn answer_text(attempt: &Try, egress_blocked: bool) -> String {
    match (&attempt.answer, &attempt.skipped) {
        (_, Some(cause)) => format!("not sent: {cause}"),
        (None, None) if egress_blocked => {
            "no answer: a NetworkPolicy keeps the question from cluster DNS (times out)".to_string()
        }
        (None, None) => "asked of a resolver that is not cluster DNS, not computed".to_string(),
        (Some(answer), None) => {
            let mut parts: Vec<String> = answer
                .answer
                .iter()
                .map(|r| match r.rtype {
                    crate::model::RecordType::Cname => format!("CNAME {}", r.data),
                    _ => r.data.clone(),
                })
                .collect();
            if let Some(handoff) = &answer.handoff {
                parts.push(handoff.to_string());
            } else if !answer.computed() || (answer.fallthrough && answer.answer.is_empty()) {
                parts.push(
                    answer
                        .causes
                        .iter()
                        .rev()
                        .find(|c| matches!(c, Reason::Question(_)))
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                );
            }
            parts.join(", ")
        }
    }
}

fn paint(text: &str, good: bool, options: RenderOptions) -> String {
    let palette = &options.palette;
    paint_style(if good { palette.good } else { palette.bad }, text)
}

fn table(trace: &Trace, options: RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    match &trace.client {
        Some(client) => {
            let who = client.pod.as_ref().map_or_else(
                || format!("a pod in namespace {}", client.namespace),
                |p| p.to_string(),
            );
            writeln!(
                out,
                "{} {} from {} (dnsPolicy {}, ndots {}); its resolv.conf:",
                esc(&trace.asked),
                types(trace),
                esc(&who),
                client.policy.as_str(),
                client.conf.ndots()
            )?;
            for line in client.conf.text().lines() {
                writeln!(out, "  {}", esc(line))?;
            }
        }
        None => writeln!(
            out,
            "{} {} asked of CoreDNS directly",
            esc(&trace.asked),
            types(trace)
        )?,
    }
    writeln!(out)?;
    let header = options.headers.then(|| {
        ["TRY", "NAME", "TYPE", "RCODE", "ANSWER"]
            .into_iter()
            .map(Cell::plain)
            .collect()
    });
    let egress_blocked = trace
        .causes
        .iter()
        .any(|c| matches!(c, ClientCause::DnsEgressBlocked { .. }));
    let rows: Vec<Vec<Cell<'_>>> = trace
        .tries
        .iter()
        .enumerate()
        .map(|(index, attempt)| {
            let rcode = rcode_word(attempt);
            let good = attempt.answer.as_ref().is_some_and(Answer::resolves);
            // The RCODE is painted inside its text, so its escape codes count toward the
            // column's width, as they always have here.
            vec![
                Cell::plain((index + 1).to_string()),
                Cell::plain(esc(&attempt.name)),
                Cell::plain(attempt.qtype.as_str()),
                Cell::plain(if rcode == "-" {
                    rcode
                } else {
                    paint(&rcode, good, options)
                }),
                Cell::plain(esc(answer_text(attempt, egress_blocked))),
            ]
        })
        .collect();
    Grid::write_all(header, &rows, out)?;
    writeln!(out)?;
    writeln!(out, "{}", outcome_line(trace, options))?;
    for attempt in trace.decisive().into_iter().filter(|t| t.answer.is_some()) {
        let Some(answer) = &attempt.answer else {
            continue;
        };
        for record in answer.answer.iter().chain(&answer.additional) {
            writeln!(out, "  {}", esc(record))?;
        }
    }
    for (attempt, answer) in tree_tries(trace) {
        writeln!(out)?;
        tree(attempt, answer, options, out)?;
    }
    if !trace.causes.is_empty() {
        writeln!(out)?;
        writeln!(out, "client")?;
        let count = trace.causes.len();
        for (index, cause) in trace.causes.iter().enumerate() {
            let last = index + 1 == count;
            let mark = if cause.is_failure() {
                paint("✗", false, options)
            } else {
                "·".to_string()
            };
            writeln!(
                out,
                "{} {mark} {}",
                if last { "└──" } else { "├──" },
                esc(cause)
            )?;
            if let Some(fix) = cause.fix().filter(|_| cause.is_failure()) {
                writeln!(out, "{}   fix: {}", if last { " " } else { "│" }, esc(&fix))?;
            }
        }
    }
    Ok(())
}

fn outcome_line(trace: &Trace, options: RenderOptions) -> String {
    match &trace.outcome {
        Outcome::Resolved { name, unless } => {
            let mut line = format!("{} at {}", paint("resolves", true, options), esc(name));
            if let Some(earlier) = unless {
                line.push_str(&format!(
                    " (unless {}, which the tool cannot compute, has records first)",
                    esc(earlier)
                ));
            }
            line
        }
        Outcome::Failed { name, rcode } => {
            let rcode = match rcode {
                crate::answer::Rcode::NoError => "NODATA".to_string(),
                other => other.to_string(),
            };
            format!(
                "{}: the resolver reports {rcode} (from {})",
                paint("does not resolve", false, options),
                esc(name)
            )
        }
        Outcome::NotComputed { .. }
            if trace
                .causes
                .iter()
                .any(|c| matches!(c, ClientCause::DnsEgressBlocked { .. })) =>
        {
            format!(
                "{}: every question times out, because a NetworkPolicy keeps it from cluster DNS (below)",
                paint("does not resolve", false, options)
            )
        }
        Outcome::NotComputed { name } => format!(
            "{}: no candidate CoreDNS answers has records, and {} is answered elsewhere (not computed)",
            paint("not resolved by cluster DNS", false, options),
            esc(name)
        ),
        Outcome::NotSent { name } => format!(
            "{}: no candidate can be sent ({} is too long for DNS)",
            paint("does not resolve", false, options),
            esc(name)
        ),
    }
}

/// The tries whose cause tree is shown: the answer that resolved, else the candidates checked
/// furthest.
fn tree_tries(trace: &Trace) -> Vec<(&Try, &Answer)> {
    let mut seen: Vec<&str> = Vec::new();
    let mut first_of_each: Vec<(&Try, &Answer)> = Vec::new();
    for attempt in &trace.tries {
        if let Some(answer) = &attempt.answer
            && !seen.contains(&attempt.name.as_str())
        {
            seen.push(&attempt.name);
            first_of_each.push((attempt, answer));
        }
    }
    if let Outcome::Resolved { name, .. } = &trace.outcome {
        return first_of_each
            .into_iter()
            .filter(|(t, _)| &t.name == name)
            .collect();
    }
    // The candidates checked furthest (most ✓) are the ones that were meant: a search-list
    // candidate that fails at its namespace is the walk's noise, not the reason.
    let passed = |a: &Answer| a.checks.iter().filter(|c| c.passed).count();
    let computed: Vec<(&Try, &Answer)> = first_of_each
        .into_iter()
        .filter(|(_, a)| a.computed())
        .collect();
    let best = computed.iter().map(|(_, a)| passed(a)).max();
    computed
        .into_iter()
        .filter(|(_, a)| Some(passed(a)) == best)
        .collect()
}

fn tree(
    attempt: &Try,
    answer: &Answer,
    options: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let rcode = if answer.is_nodata() {
        "NODATA".to_string()
    } else {
        answer.rcode.to_string()
    };
    writeln!(out, "{} {} → {rcode}", esc(&attempt.name), attempt.qtype)?;
    let causes: Vec<&Reason> = answer.causes.iter().collect();
    let count = answer.checks.len() + usize::from(answer.checks.is_empty() && !causes.is_empty());
    let failing = answer.checks.iter().position(|c| !c.passed);
    for (index, check) in answer.checks.iter().enumerate() {
        let last = index + 1 == count;
        let mark = paint(if check.passed { "✓" } else { "✗" }, check.passed, options);
        writeln!(
            out,
            "{} {mark} {}",
            if last { "└──" } else { "├──" },
            esc(&check.subject)
        )?;
        let attach = failing == Some(index) || (failing.is_none() && last);
        if attach {
            causes_under(&causes, if last { "    " } else { "│   " }, out)?;
        }
    }
    if answer.checks.is_empty() {
        writeln!(out, "└── {}", paint("✗", false, options))?;
        causes_under(&causes, "    ", out)?;
    }
    Ok(())
}

fn causes_under(causes: &[&Reason], indent: &str, out: &mut dyn Write) -> io::Result<()> {
    for (index, cause) in causes.iter().enumerate() {
        let last = index + 1 == causes.len();
        writeln!(
            out,
            "{indent}{} {}",
            if last { "└──" } else { "├──" },
            esc(cause)
        )?;
        if let Some(fix) = cause.fix() {
            writeln!(
                out,
                "{indent}{}   fix: {}",
                if last { " " } else { "│" },
                esc(&fix)
            )?;
        }
        if let Some(id) = reason_finding(cause) {
            writeln!(
                out,
                "{indent}{}   see: {}",
                if last { " " } else { "│" },
                id.docs_command()
            )?;
        }
    }
    Ok(())
}

/// The JSON/YAML document.
#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    question: QuestionView<'a>,
    client: Option<ClientView<'a>>,
    tries: Vec<TryView<'a>>,
    result: ResultView<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verify: Option<super::schema::VerifyView<'a>>,
}

#[derive(Serialize)]
struct QuestionView<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    qtype: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClientView<'a> {
    pod: Option<String>,
    namespace: &'a str,
    dns_policy: &'static str,
    search: &'a [String],
    ndots: usize,
    nameservers: &'a [String],
    options: &'a [String],
    causes: Vec<CauseView>,
}

#[derive(Serialize)]
struct TryView<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    qtype: &'static str,
    rcode: Option<&'static str>,
    answer: Vec<RecordView<'a>>,
    additional: Vec<RecordView<'a>>,
    causes: Vec<CauseView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    handoff: Option<String>,
}

#[derive(Serialize)]
struct RecordView<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    rtype: &'static str,
    ttl: u32,
    data: &'a str,
}

#[derive(Serialize)]
struct CauseView {
    code: &'static str,
    message: String,
    objects: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
    /// The finding whose page explains the cause (`kubectl dnsrecords docs <id>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    finding: Option<&'static str>,
    /// That page's address.
    #[serde(rename = "docsUrl", skip_serializing_if = "Option::is_none")]
    docs_url: Option<String>,
}

#[derive(Serialize)]
struct ResultView<'a> {
    name: &'a str,
    rcode: Option<&'static str>,
    resolves: bool,
    answer: Vec<RecordView<'a>>,
}

fn record(record: &AnswerRecord) -> RecordView<'_> {
    RecordView {
        name: &record.owner,
        rtype: record.rtype.as_str(),
        ttl: record.ttl,
        data: &record.data,
    }
}

fn reason(reason: &Reason) -> CauseView {
    let finding = reason_finding(reason);
    CauseView {
        code: reason.code(),
        message: reason.to_string(),
        objects: reason.objects().iter().map(ToString::to_string).collect(),
        fix: reason.fix(),
        finding: finding.map(FindingId::id),
        docs_url: finding.map(FindingId::docs_url),
    }
}

/// The finding whose page explains an object cause; question causes have none.
fn reason_finding(reason: &Reason) -> Option<FindingId> {
    match reason {
        Reason::Object(cause) => cause.finding(),
        Reason::Question(_) => None,
    }
}

fn client_cause(cause: &ClientCause) -> CauseView {
    CauseView {
        code: cause.code(),
        message: cause.to_string(),
        objects: cause.objects().iter().map(ToString::to_string).collect(),
        fix: cause.fix(),
        finding: None,
        docs_url: None,
    }
}

/// The `dnsrecords.explain/v1` document as a JSON value, for jsonpath and custom columns.
pub fn value(trace: &Trace) -> io::Result<serde_json::Value> {
    serde_json::to_value(document(trace)).map_err(io::Error::other)
}

fn document(trace: &Trace) -> Document<'_> {
    let tries = trace
        .tries
        .iter()
        .map(|attempt| {
            let answer = attempt.answer.as_ref();
            let mut causes: Vec<CauseView> = answer
                .map(|a| a.causes.iter().map(reason).collect())
                .unwrap_or_default();
            causes.extend(attempt.skipped.iter().map(client_cause));
            TryView {
                name: &attempt.name,
                qtype: attempt.qtype.as_str(),
                rcode: answer.filter(|a| a.computed()).map(|a| a.rcode.as_str()),
                answer: answer
                    .map(|a| a.answer.iter().map(record).collect())
                    .unwrap_or_default(),
                additional: answer
                    .map(|a| a.additional.iter().map(record).collect())
                    .unwrap_or_default(),
                causes,
                handoff: answer
                    .and_then(|a| a.handoff.as_ref())
                    .map(ToString::to_string),
            }
        })
        .collect();
    let (name, rcode) = match &trace.outcome {
        Outcome::Resolved { name, .. } => (name.as_str(), Some("NOERROR")),
        Outcome::Failed { name, rcode } => (name.as_str(), Some(rcode.as_str())),
        Outcome::NotComputed { name } | Outcome::NotSent { name } => (name.as_str(), None),
    };
    let answer = trace
        .decisive()
        .into_iter()
        .filter_map(|t| t.answer.as_ref())
        .flat_map(|a| a.answer.iter().map(record))
        .collect();
    Document {
        schema: EXPLAIN_SCHEMA,
        question: QuestionView {
            name: &trace.asked,
            qtype: types(trace),
        },
        client: trace.client.as_ref().map(|client| ClientView {
            pod: client.pod.as_ref().map(ToString::to_string),
            namespace: &client.namespace,
            dns_policy: client.policy.as_str(),
            search: &client.conf.search,
            ndots: client.conf.ndots(),
            nameservers: &client.conf.nameservers,
            options: &client.conf.options,
            causes: trace.causes.iter().map(client_cause).collect(),
        }),
        tries,
        result: ResultView {
            name,
            rcode,
            resolves: trace.resolves(),
            answer,
        },
        verify: None,
    }
}

/// Text from objects, flags or the question, made safe for the terminal by the one escaping
/// module.
fn esc(value: impl std::fmt::Display) -> String {
    super::escape::terminal(&value.to_string()).into_owned()
}
