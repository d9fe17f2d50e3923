//! `-o table` and `-o wide`: a kubectl-style table of records (wide adds where each came from),
//! then the names that do not exist and the notes, one line each.

use std::io::{self, Write};

use colored::Colorize;
use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table, presets};

use super::{RenderOptions, escape};
use crate::model::{NoteLevel, Outcome, Record, RecordType, Report, Status, Verification};

/// Writes the table.
pub fn render(
    report: &Report,
    verification: Option<&Verification>,
    wide: bool,
    options: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let zone_rows: Vec<&Record> = if !report.scope.whole_cluster() {
        Vec::new()
    } else {
        report.extra_zone_records().collect()
    };
    let rows: Vec<&Record> = zone_rows.into_iter().chain(report.records.iter()).collect();
    if rows.is_empty() {
        writeln!(out, "No DNS records found{}.", scope_phrase(report))?;
    } else {
        let mut table = Table::new();
        table
            .load_style(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Disabled);
        if options.color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        if options.headers {
            let mut header = vec!["NAME", "TYPE", "TTL", "DATA"];
            if wide {
                header.push("SOURCE");
            }
            if verification.is_some() {
                header.push("STATUS");
            }
            table.set_header(header);
        }
        for record in rows {
            let mut type_cell = Cell::new(record.rtype());
            if options.color {
                type_cell = type_cell.fg(type_color(record.rtype()));
            }
            // Owner and data are presentation-form names and RDATA, plain by construction; they
            // pass the same escaping as the SOURCE column (object names) so no cell is an
            // exception to reason about.
            let mut row = vec![
                Cell::new(escape::terminal(record.owner.as_str())),
                type_cell,
                Cell::new(record.ttl).set_alignment(CellAlignment::Left),
                Cell::new(escape::terminal(&record.data.to_string())),
            ];
            if wide {
                row.push(Cell::new(escape::terminal(&record.source.to_string())));
            }
            if let Some(verification) = verification {
                let status = verification.status_of(&record.owner, record.rtype());
                let mut cell = Cell::new(status.map_or("-", Status::as_str));
                if options.color {
                    cell = cell.fg(match status {
                        Some(Status::Ok) => Color::Green,
                        _ => Color::Red,
                    });
                }
                row.push(cell);
            }
            table.add_row(row);
        }
        // comfy-table pads every line to the widest row, and NOTHING leaves a leading space.
        for line in table.to_string().lines() {
            writeln!(out, "{}", line.strip_prefix(' ').unwrap_or(line).trim_end())?;
        }
    }
    let paint = |text: String, level: NoteLevel| -> String {
        match (options.color, level) {
            (false, _) => text,
            (true, NoteLevel::Warning) => text.yellow().to_string(),
            (true, NoteLevel::Info) => text.dimmed().to_string(),
        }
    };
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
            let label = match (options.color, word) {
                (false, _) => word.to_string(),
                (true, "PREDICTED") => word.cyan().to_string(),
                (true, "NXDOMAIN") => word.red().bold().to_string(),
                (true, _) => word.yellow().to_string(),
            };
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
    super::findings::render(&report.findings, options.color, out)?;
    let mut notes: Vec<(NoteLevel, String)> = report
        .notes
        .iter()
        .map(|n| (n.level, n.message.clone()))
        .collect();
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
            writeln!(out, "{}", paint(format!("{prefix}: {message}"), level))?;
        }
    }
    Ok(())
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
        let label = if options.color && outcome.status != Status::Ok {
            outcome.status.as_str().red().bold().to_string()
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
        let message = if options.color {
            message.dimmed().to_string()
        } else {
            message
        };
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

fn type_color(rtype: RecordType) -> Color {
    match rtype {
        RecordType::A | RecordType::Aaaa => Color::Green,
        RecordType::Srv => Color::Cyan,
        RecordType::Ptr => Color::Magenta,
        RecordType::Cname => Color::Yellow,
        RecordType::Soa | RecordType::Ns | RecordType::Txt => Color::Blue,
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
