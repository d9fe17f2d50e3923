//! `-o table` and `-o wide`: a kubectl-style table of records (wide adds where each came from),
//! then the names that do not exist and the notes, one line each.

use std::io::{self, Write};

use colored::Colorize;
use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table, presets};

use super::{RenderOptions, escape};
use crate::model::{NoteLevel, Record, RecordType, Report};

/// Writes the table.
pub fn render(
    report: &Report,
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
