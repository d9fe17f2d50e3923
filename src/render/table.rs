//! `-o table` and `-o wide`: a kubectl-style table of records (wide adds where each came from),
//! then the names that do not exist and the notes, one line each.

use std::borrow::Cow;
use std::io::{self, Write};

use super::grid::{Cell, Grid};
use super::palette::{Palette, cell_color, paint};
use super::{LabelColumns, RenderOptions, escape};
use crate::model::{NoteLevel, Outcome, Record, Report, Status, Verification};

/// Writes the table.
pub fn render(
    report: &Report,
    verification: Option<&Verification>,
    wide: bool,
    options: RenderOptions,
    labels: Option<&LabelColumns>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let label_keys: &[String] = labels.map_or(&[], |l| l.keys.as_slice());
    let zone_rows: Vec<&Record> = report.listed_zone_records().collect();
    let rows = || zone_rows.iter().copied().chain(report.records.iter());
    if report.records.is_empty() && zone_rows.is_empty() {
        writeln!(out, "No DNS records found{}.", scope_phrase(report))?;
    } else {
        let mut header = vec!["NAME", "TYPE", "TTL", "DATA"];
        if wide {
            header.push("SOURCE");
        }
        if verification.is_some() {
            header.push("STATUS");
        }
        let header: Vec<Cell<'_>> = header
            .into_iter()
            .map(Cell::plain)
            .chain(
                label_keys
                    .iter()
                    .map(|key| Cell::plain(LabelColumns::header(key))),
            )
            .collect();
        let columns = RecordColumns {
            wide,
            verification,
            labels,
            palette: &options.palette,
        };
        // Two passes over the records, one row at a time: the first finds each column's width,
        // the second writes. The cells are computed twice rather than held for all rows.
        let mut grid = Grid::new(header.len());
        if options.headers {
            grid.measure(header.iter().map(|cell| cell.text.as_ref()));
        }
        for record in rows() {
            grid.measure(columns.cells(record).iter().map(|cell| cell.text.as_ref()));
        }
        if options.headers {
            grid.write_row(header, out)?;
        }
        for record in rows() {
            grid.write_row(columns.cells(record), out)?;
        }
    }
    let palette = &options.palette;
    // One line per expected name that is not served: predicted (unapplied manifests), absent
    // (CoreDNS answers NXDOMAIN) and unknown (a list it depends on could not be read).
    let sections = [
        ("PREDICTED", &report.predicted),
        ("NXDOMAIN", &report.absent),
        ("UNKNOWN", &report.unknown),
    ];
    if sections.iter().any(|(_, lines)| !lines.is_empty()) {
        writeln!(out)?;
        for (word, lines) in sections {
            let style = match word {
                "PREDICTED" => palette.predicted,
                "NXDOMAIN" => palette.nxdomain,
                _ => palette.unknown,
            };
            let label = paint(style, word);
            for line in lines {
                writeln!(
                    out,
                    "{label} {} ({})",
                    escape::terminal(line.name.as_str()),
                    escape::terminal(&line.reason)
                )?;
            }
        }
    }
    if let Some(verification) = verification {
        render_verification(verification, false, options, out)?;
    }
    super::findings::render(&report.findings, palette, out)?;
    let mut notes: Vec<(NoteLevel, String)> = report
        .notes
        .iter()
        .map(|n| (n.level, n.message.clone()))
        .collect();
    if let Some(note) = report.dns_server.rules_note() {
        notes.insert(0, (NoteLevel::Info, note));
    }
    if report.scope.whole_cluster() && !report.nameservers_known {
        notes.push((
            NoteLevel::Info,
            "CoreDNS's own Pod IPs are not in the input: the NS records name ns.dns.<zone> without an address".to_string(),
        ));
    }
    if !notes.is_empty() {
        writeln!(out)?;
        for (level, message) in notes {
            let prefix = match level {
                NoteLevel::Info => "note",
                NoteLevel::Warning => "warning",
            };
            let message = escape::terminal(&message);
            writeln!(
                out,
                "{}",
                paint(palette.note(level), &format!("{prefix}: {message}"))
            )?;
        }
    }
    Ok(())
}

/// What the record table shows of each record: its columns and their colours.
struct RecordColumns<'a> {
    wide: bool,
    verification: Option<&'a Verification>,
    labels: Option<&'a LabelColumns>,
    palette: &'a Palette,
}

impl RecordColumns<'_> {
    /// The cells of `record`'s row, in the header's order.
    fn cells<'r>(&'r self, record: &'r Record) -> Vec<Cell<'r>> {
        let palette = self.palette;
        let label_keys: &[String] = self.labels.map_or(&[], |l| l.keys.as_slice());
        let mut row = Vec::with_capacity(6 + label_keys.len());
        // Owner and data are presentation-form names and RDATA, plain by construction; they
        // pass the same escaping as the SOURCE column (object names) so no cell is an
        // exception to reason about.
        row.push(Cell::plain(escape::terminal(record.owner.as_str())));
        row.push(Cell::colored(
            record.rtype().as_str(),
            cell_color(palette.record_type(record.rtype())),
        ));
        row.push(Cell::plain(record.ttl.to_string()));
        row.push(Cell::plain(escaped(record.data.to_string())));
        if self.wide {
            row.push(Cell::plain(escaped(record.source.to_string())));
        }
        if let Some(verification) = self.verification {
            let status = verification.status_of(&record.owner, record.rtype());
            let style = match status {
                Some(Status::Ok) => palette.good,
                _ => palette.bad,
            };
            row.push(Cell::colored(
                status.map_or("-", Status::as_str),
                cell_color(style),
            ));
        }
        if let Some(labels) = self.labels {
            // Label values come from objects: escaped like every other cell.
            row.extend(
                label_keys
                    .iter()
                    .map(|key| Cell::plain(escape::terminal(labels.value(record, key)))),
            );
        }
        row
    }
}

/// `text` escaped for a terminal, keeping its allocation when nothing needs an escape (the
/// common case: every row formats its RDATA and source afresh).
fn escaped(text: String) -> String {
    match escape::terminal(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(escaped) => escaped,
    }
}

/// The summary line, one line per difference (per question with `every`) with both sides, and
/// one note for answers a cache gave (TTLs below the configured one). Names and data come from
/// the server: escaped.
pub(super) fn render_verification(
    verification: &Verification,
    every: bool,
    options: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let checked = verification.checked();
    let matched = verification.matched();
    writeln!(out)?;
    writeln!(
        out,
        "verified {checked} questions against {} over {}{}: {matched} match, {} differ",
        escape::terminal(&verification.server),
        verification.transport,
        verification
            .via
            .describe()
            .map_or(String::new(), |via| format!(" {via}")),
        checked - matched
    )?;
    let shown: Vec<&Outcome> = if every {
        verification.outcomes.iter().collect()
    } else {
        verification.differences().collect()
    };
    for outcome in shown {
        let label = if outcome.status != Status::Ok {
            paint(options.palette.difference, outcome.status.as_str())
        } else {
            outcome.status.as_str().to_string()
        };
        let note = outcome
            .note
            .as_deref()
            .map_or(String::new(), |note| format!(" ({note})"));
        writeln!(
            out,
            "{label} {} {}: expected {}; served {}{}",
            escape::terminal(outcome.question.name.as_str()),
            outcome.question.rtype,
            escape::terminal(&expected_side(outcome)),
            escape::terminal(&served_side(outcome)),
            escape::terminal(&note)
        )?;
    }
    let cached: Vec<&Outcome> = verification
        .outcomes
        .iter()
        .filter(|o| o.status == Status::Ok && o.note.is_some())
        .collect();
    if let Some(first) = cached.first() {
        let message = format!(
            "note: {} answers had a ttl below the configured one: a cache between here and CoreDNS answered them (e.g. {} {}: {})",
            cached.len(),
            escape::terminal(first.question.name.as_str()),
            first.question.rtype,
            escape::terminal(first.note.as_deref().unwrap_or_default())
        );
        let message = paint(options.palette.note_info, &message);
        writeln!(out, "{message}")?;
    }
    Ok(())
}

/// The expected side in one phrase: the records, else the response code.
fn expected_side(outcome: &Outcome) -> String {
    let expected = &outcome.expected;
    if expected.records.is_empty() {
        return rcode_phrase(expected.rcode);
    }
    expected
        .records
        .iter()
        .cloned()
        .collect::<Vec<_>>()
        .join(", ")
}

/// The served side in one phrase: the records, else the response code, else why nothing came.
fn served_side(outcome: &Outcome) -> String {
    let served = &outcome.served;
    match served.rcode {
        None => format!(
            "no answer ({})",
            served.failure.as_deref().unwrap_or("unknown")
        ),
        Some(rcode) if served.records.is_empty() => rcode_phrase(rcode),
        Some(rcode) => {
            let records = served
                .records
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if rcode == crate::model::Rcode::NOERROR {
                records
            } else {
                format!("{records} ({rcode})")
            }
        }
    }
}

fn rcode_phrase(rcode: crate::model::Rcode) -> String {
    if rcode == crate::model::Rcode::NOERROR {
        "NODATA (NOERROR, no records)".to_string()
    } else {
        rcode.to_string()
    }
}

fn scope_phrase(report: &Report) -> String {
    match report.scope.namespaces.as_deref() {
        None => String::new(),
        // Namespaces come from -n or the kubeconfig context: text the user or a file supplied.
        Some([namespace]) => format!(" in {} namespace", escape::terminal(namespace)),
        Some(namespaces) => format!(
            " in namespaces {}",
            escape::terminal(&namespaces.join(", "))
        ),
    }
}
