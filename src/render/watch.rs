//! `--watch` output: JSON Lines (one event per line, the contract of docs/output-schema.md), the
//! terminal screen redrawn in place with the last update's changes marked, and `explain -w`'s
//! one line per changed answer. Times and durations arrive as text: renderers read no clock.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::escape;
use super::grid::{Cell, Grid};
use super::json::TerminalSafe;
use super::palette::{Palette, cell_color};
use crate::answer::Rcode;
use crate::model::{Fact, Record};
use crate::resolver::{Outcome, Trace};
use crate::watch_diff::{Change, ChangeCause, WatchView};

/// The ANSI sequence that moves the cursor home and clears the screen, as `watch` does.
pub const CLEAR_SCREEN: &str = "\x1b[H\x1b[2J";

#[derive(Serialize)]
struct Line<'a> {
    change: &'static str,
    time: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<RecordLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    rtype: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    causes: Option<Vec<FactCauseLine>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cause: Option<CauseLine>,
}

#[derive(Serialize)]
struct RecordLine {
    name: String,
    #[serde(rename = "type")]
    rtype: &'static str,
    ttl: u32,
    data: String,
}

#[derive(Serialize)]
struct CauseLine {
    code: &'static str,
    message: String,
    object: ObjectLine,
}

#[derive(Serialize)]
struct FactCauseLine {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
}

#[derive(Serialize)]
struct ObjectLine {
    kind: &'static str,
    namespace: String,
    name: String,
}

#[derive(Serialize)]
struct SyncedLine<'a> {
    change: &'static str,
    time: &'a str,
    records: usize,
    absent: usize,
    peers: PeersLine,
}

#[derive(Serialize)]
struct PeersLine {
    served: usize,
    expected: usize,
}

#[derive(Serialize)]
struct AnswerLine<'a> {
    change: &'static str,
    time: &'a str,
    name: &'a str,
    resolves: bool,
    summary: &'a str,
}

fn record_line(record: &Record) -> RecordLine {
    RecordLine {
        name: record.owner.to_string(),
        rtype: record.rtype().as_str(),
        ttl: record.ttl,
        data: record.data.to_string(),
    }
}

fn cause_line(cause: &ChangeCause) -> CauseLine {
    let object = cause.object();
    CauseLine {
        code: cause.code(),
        message: cause.to_string(),
        object: ObjectLine {
            kind: object.kind.as_str(),
            namespace: object.namespace.clone(),
            name: object.name.clone(),
        },
    }
}

fn fact_causes(fact: &Fact) -> Vec<FactCauseLine> {
    fact.causes
        .iter()
        .map(|cause| FactCauseLine {
            code: cause.code(),
            message: cause.to_string(),
            fix: cause.fix(),
        })
        .collect()
}

/// Writes one JSON value on one line, with the JSON renderer's escaping of terminal controls.
fn write_line<T: Serialize>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(
        &mut *out,
        TerminalSafe(serde_json::ser::CompactFormatter),
    );
    value.serialize(&mut serializer).map_err(io::Error::other)?;
    writeln!(out)
}

/// One change as a JSON line: `added`/`removed` with the record, `served`/`absent` with the name
/// (absent with the name's causes), each with the change's `cause` when it is known.
pub fn change_line(change: &Change, time: &str, out: &mut dyn Write) -> io::Result<()> {
    let empty = Line {
        change: "",
        time,
        record: None,
        name: None,
        rtype: None,
        causes: None,
        cause: None,
    };
    let line = match change {
        Change::Added { record, cause } => Line {
            change: "added",
            record: Some(record_line(record)),
            cause: cause.as_ref().map(cause_line),
            ..empty
        },
        Change::Removed { record, cause } => Line {
            change: "removed",
            record: Some(record_line(record)),
            cause: cause.as_ref().map(cause_line),
            ..empty
        },
        Change::Served { fact, cause } => Line {
            change: "served",
            name: Some(fact.name.as_str()),
            rtype: Some(fact.rtype.as_str()),
            cause: cause.as_ref().map(cause_line),
            ..empty
        },
        Change::Absent { fact, cause } => Line {
            change: "absent",
            name: Some(fact.name.as_str()),
            rtype: Some(fact.rtype.as_str()),
            causes: Some(fact_causes(fact)),
            cause: cause.as_ref().map(cause_line),
            ..empty
        },
    };
    write_line(&line, out)
}

/// The `synced` line that ends the first view: how many records, absent names and peer names.
pub fn synced_line(view: &WatchView, time: &str, out: &mut dyn Write) -> io::Result<()> {
    let (served, expected) = view.peer_counts();
    write_line(
        &SyncedLine {
            change: "synced",
            time,
            records: view.records.len(),
            absent: view.absent().len(),
            peers: PeersLine { served, expected },
        },
        out,
    )
}

/// The header's summary: "2 of 3 peer names resolve", or the record count without peers.
pub fn summary(view: &WatchView) -> String {
    let (served, expected) = view.peer_counts();
    let absent = view.absent().len();
    let mut text = if expected > 0 {
        format!(
            "{served} of {expected} peer name{} resolve{}",
            if expected == 1 { "" } else { "s" },
            if served == 1 && expected != 1 {
                "s"
            } else {
                ""
            }
        )
    } else {
        format!(
            "{} record{}",
            view.records.len(),
            if view.records.len() == 1 { "" } else { "s" }
        )
    };
    if absent > 0 {
        text.push_str(&format!(
            ", {absent} name{} absent",
            if absent == 1 { "" } else { "s" }
        ));
    }
    text
}

/// What the screen shows besides the view: the header's time and the wide time line.
pub struct Screen<'a> {
    /// When the view was computed, RFC 3339.
    pub time: &'a str,
    /// What is watched (`svc/redis-headless in cache`), already plain text of ours.
    pub subject: &'a str,
    /// `-o wide`: per record (its zone line), when it appeared; per absent name (`NAME TYPE`),
    /// for how long it has been absent.
    pub timeline: Option<&'a BTreeMap<String, String>>,
    /// The colours of the marks.
    pub palette: Palette,
    /// Print the table's header row.
    pub headers: bool,
}

/// The key of a record in the time line.
pub fn record_key(record: &Record) -> String {
    format!(
        "{} {} {}",
        record.owner,
        record.rtype().as_str(),
        record.data
    )
}

/// The key of an expected name in the time line.
pub fn name_key(fact: &Fact) -> String {
    format!("{} {}", fact.name, fact.rtype.as_str())
}

/// The whole screen: clear, header, the records with `+` on those the last update added and `-`
/// on those it removed (shown once more), then the absent names with their causes.
pub fn screen(
    view: &WatchView,
    changes: &[Change],
    screen: &Screen<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    write!(out, "{CLEAR_SCREEN}")?;
    writeln!(
        out,
        "{}  {}: {}",
        screen.time,
        escape::terminal(screen.subject),
        summary(view)
    )?;
    writeln!(out)?;
    let added: Vec<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Added { record, .. } => Some(record_key(record)),
            _ => None,
        })
        .collect();
    let mut rows: Vec<(&Record, char)> = view
        .records
        .iter()
        .map(|r| {
            let mark = if added.contains(&record_key(r)) {
                '+'
            } else {
                ' '
            };
            (r, mark)
        })
        .collect();
    rows.extend(changes.iter().filter_map(|c| match c {
        Change::Removed { record, .. } => Some((record, '-')),
        _ => None,
    }));
    let mut header = vec!["", "NAME", "TYPE", "TTL", "DATA"];
    if screen.timeline.is_some() {
        header.push("APPEARED");
    }
    let header = screen
        .headers
        .then(|| header.into_iter().map(Cell::plain).collect());
    let table: Vec<Vec<Cell<'_>>> = rows
        .into_iter()
        .map(|(record, mark)| {
            let style = match mark {
                '+' => Some(screen.palette.good),
                '-' => Some(screen.palette.bad),
                _ => None,
            };
            let mut row = vec![
                Cell::colored(mark.to_string(), style.and_then(cell_color)),
                Cell::plain(escape::terminal(record.owner.as_str())),
                Cell::plain(record.rtype().as_str()),
                Cell::plain(record.ttl.to_string()),
                Cell::plain(escape::terminal(&record.data.to_string()).into_owned()),
            ];
            if let Some(timeline) = screen.timeline {
                let since = if mark == '-' {
                    "removed".to_string()
                } else {
                    timeline
                        .get(&record_key(record))
                        .cloned()
                        .unwrap_or_default()
                };
                row.push(Cell::plain(since));
            }
            row
        })
        .collect();
    if view.records.is_empty() && !changes.iter().any(|c| matches!(c, Change::Removed { .. })) {
        writeln!(out, "No DNS records served yet.")?;
    } else {
        // One screen of a namespace's records: small enough to hold whole.
        Grid::write_all(header, &table, out)?;
    }
    let absent = view.absent();
    if !absent.is_empty() {
        writeln!(out)?;
    }
    let new_absent: Vec<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Absent { fact, .. } => Some(name_key(fact)),
            _ => None,
        })
        .collect();
    for fact in absent {
        let mark = if new_absent.contains(&name_key(fact)) {
            '+'
        } else {
            ' '
        };
        let causes: Vec<String> = fact.causes.iter().map(ToString::to_string).collect();
        let duration = screen
            .timeline
            .and_then(|t| t.get(&name_key(fact)))
            .map(|d| format!(" [absent {d}]"))
            .unwrap_or_default();
        writeln!(
            out,
            "{mark} NXDOMAIN {} ({}){duration}",
            escape::terminal(fact.name.as_str()),
            escape::terminal(&causes.join("; "))
        )?;
    }
    Ok(())
}

/// One explain answer, reduced to what a watcher compares: whether it resolves, and the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerSummary {
    /// The name resolves.
    pub resolves: bool,
    /// One line: the outcome, the decisive answer's data or its causes.
    pub text: String,
}

/// The summary of a trace: `resolves: NAME A 10.244.3.12` or `does not resolve: NXDOMAIN for
/// NAME (causes)`.
pub fn summarize(trace: &Trace) -> AnswerSummary {
    let decisive = trace.decisive();
    let data: Vec<String> = decisive
        .iter()
        .filter_map(|t| t.answer.as_ref())
        .flat_map(|a| &a.answer)
        .map(|r| format!("{} {}", r.rtype.as_str(), r.data))
        .collect();
    // Why it does not resolve: the causes of every computed answer of the walk, once each (the
    // candidates under the cluster domain carry them; a last candidate may go upstream).
    let mut causes: Vec<String> = Vec::new();
    for cause in trace
        .tries
        .iter()
        .filter_map(|t| t.answer.as_ref())
        .flat_map(|a| &a.causes)
    {
        let text = cause.to_string();
        if !causes.contains(&text) {
            causes.push(text);
        }
    }
    let because = if causes.is_empty() {
        String::new()
    } else {
        format!(" ({})", causes.join("; "))
    };
    let text = match &trace.outcome {
        Outcome::Resolved { name, .. } => format!("resolves: {name} {}", data.join(", ")),
        Outcome::Failed { name, rcode } => {
            let rcode = match rcode {
                Rcode::NoError => "NODATA",
                other => other.as_str(),
            };
            format!("does not resolve: {rcode} for {name}{because}")
        }
        Outcome::NotComputed { name } => format!(
            "does not resolve in cluster DNS: {name} is answered outside the kubernetes plugin{because}"
        ),
        Outcome::NotSent { name } => format!("not sent: {name} is too long for DNS"),
    };
    AnswerSummary {
        resolves: trace.resolves(),
        text,
    }
}

/// One changed answer: `TIME  resolves: …` on a terminal, an `answer` JSON line otherwise.
pub fn answer_line(
    asked: &str,
    summary: &AnswerSummary,
    time: &str,
    json: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    if json {
        write_line(
            &AnswerLine {
                change: "answer",
                time,
                name: asked,
                resolves: summary.resolves,
                summary: &summary.text,
            },
            out,
        )
    } else {
        writeln!(out, "{time}  {}", escape::terminal(&summary.text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cause, DnsName, Expectation, FactState, Kind, ObjectRef, RecordType};
    use crate::watch_diff::test_support::{redis_2_not_ready, snapshot, view};
    use crate::watch_diff::{diff, initial};

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).expect("UTF-8")
    }

    #[test]
    fn the_screen_is_cleared_counts_peers_and_marks_the_last_changes() {
        let mut before = snapshot();
        redis_2_not_ready(&mut before);
        let (before, after) = (view(&before), view(&snapshot()));
        let changes = diff(&before, &after);
        let mut out = Vec::new();
        let header = Screen {
            time: "2026-12-01T11:40:03.120Z",
            subject: "sts/redis in cache",
            timeline: None,
            palette: Palette::plain(),
            headers: true,
        };
        screen(&after, &changes, &header, &mut out).expect("render");
        let out = text(out);
        assert!(out.starts_with(CLEAR_SCREEN), "{out:?}");
        assert!(
            out.contains(
                "2026-12-01T11:40:03.120Z  sts/redis in cache: 3 of 3 peer names resolve\n"
            ),
            "{out}"
        );
        let line = |prefix: &str, name: &str, data: &str| {
            out.lines()
                .any(|l| l.starts_with(prefix) && l.contains(name) && l.trim_end().ends_with(data))
        };
        assert!(line("+", REDIS_2_NAME, "10.244.3.12"), "{out}");
        assert!(line(" ", "redis-0.redis-headless", "10.244.1.10"), "{out}");
        // The SRV weight 50 of before is shown once more, as removed.
        assert!(
            out.lines()
                .any(|l| l.starts_with('-') && l.contains(" 50 ")),
            "{out}"
        );
        assert!(!out.contains("NXDOMAIN"), "{out}");

        let mut out = Vec::new();
        let header = Screen {
            time: "2026-12-01T11:40:00.000Z",
            ..header
        };
        screen(&before, &initial(&before), &header, &mut out).expect("render");
        let out = text(out);
        assert!(out.contains(": 2 of 3 peer names resolve, "), "{out}");
        assert!(
            out.lines().any(|l| l.starts_with("+ NXDOMAIN ")
                && l.contains(REDIS_2_NAME)
                && l.contains("pod redis-2 not Ready")),
            "{out}"
        );
    }

    const REDIS_2_NAME: &str = "redis-2.redis-headless.cache.svc.cluster.local.";

    #[test]
    fn wide_shows_when_records_appeared_and_how_long_names_are_absent() {
        let mut first = snapshot();
        redis_2_not_ready(&mut first);
        let view = view(&first);
        let mut timeline = BTreeMap::new();
        for record in &view.records {
            timeline.insert(record_key(record), "2026-12-01T11:39:00.000Z".to_string());
        }
        for fact in view.absent() {
            timeline.insert(name_key(fact), "42s".to_string());
        }
        let mut out = Vec::new();
        let header = Screen {
            time: "2026-12-01T11:39:42.000Z",
            subject: "sts/redis in cache",
            timeline: Some(&timeline),
            palette: Palette::plain(),
            headers: true,
        };
        screen(&view, &[], &header, &mut out).expect("render");
        let out = text(out);
        assert!(out.lines().any(|l| l.contains("APPEARED")), "{out}");
        assert!(
            out.lines().any(|l| l.contains("redis-0.redis-headless")
                && l.trim_end().ends_with("2026-12-01T11:39:00.000Z")),
            "{out}"
        );
        assert!(
            out.lines()
                .any(|l| l.contains(REDIS_2_NAME) && l.ends_with("[absent 42s]")),
            "{out}"
        );
    }

    #[test]
    fn json_lines_escape_what_came_from_objects() {
        let pod = ObjectRef::new(Kind::Pod, "cache", "evil\u{1b}[2J\u{202e}");
        let fact = Fact {
            name: DnsName::parse(REDIS_2_NAME).expect("name"),
            rtype: RecordType::A,
            state: FactState::Absent,
            causes: vec![Cause::PodNotReady {
                pod: pod.clone(),
                ready_condition: None,
            }],
            expectation: Expectation::StatefulSetPeer,
            objects: vec![pod.clone().into()],
        };
        let mut out = Vec::new();
        let change = Change::Absent {
            fact,
            cause: Some(ChangeCause::PodDeleted { pod }),
        };
        change_line(&change, "2026-12-01T11:40:03.120Z", &mut out).expect("render");
        let out = text(out);
        assert_eq!(out.lines().count(), 1);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{202e}'),
            "{out:?}"
        );
        let value: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        assert_eq!(value["change"], "absent");
        assert_eq!(value["causes"][0]["code"], "pod-not-ready");
        assert_eq!(value["cause"]["object"]["name"], "evil\u{1b}[2J\u{202e}");
    }
}
