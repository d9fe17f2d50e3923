//! `kubectl dnsrecords docs [ID]`: a finding's page for the terminal (the Markdown with its
//! emphasis markers and code fences taken out, code indented), the list of ids, and the
//! `dnsrecords.docs/v1` document for `-o json|yaml`.

use std::io::{self, Write};

use serde::Serialize;

use super::grid::{Cell, Grid};
use super::palette::paint;
use super::{Format, RenderOptions};
use crate::docs;
use crate::model::FindingId;

/// The schema name of the docs document.
pub const DOCS_SCHEMA: &str = "dnsrecords.docs/v1";

/// Writes one page (`Some`) or the list of every id (`None`) in `format` (`Wide` and `Zone`
/// are the table; the command refuses zone before it gets here).
pub fn render(
    id: Option<FindingId>,
    format: Format,
    options: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &document(id)).map_err(io::Error::other)?;
            writeln!(out)
        }
        Format::Yaml => {
            let text = serde_saphyr::to_string(&document(id)).map_err(io::Error::other)?;
            out.write_all(text.as_bytes())
        }
        Format::Table | Format::Wide | Format::Zone => match id {
            Some(id) => page(id, options, out),
            None => list(options, out),
        },
    }
}

/// The page as text: `id (code): title`, the severity, the paragraphs, the address.
fn page(id: FindingId, options: RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let palette = &options.palette;
    writeln!(
        out,
        "{} {}: {}",
        paint(palette.info, id.id()),
        id.code(),
        docs::title(id)
    )?;
    writeln!(out, "severity: {}", docs::severity(id))?;
    writeln!(out)?;
    let mut in_code = false;
    for line in docs::body(id).lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            writeln!(out, "    {line}")?;
        } else {
            writeln!(out, "{}", line.replace("**", ""))?;
        }
    }
    writeln!(out)?;
    writeln!(out, "online: {}", id.docs_url())
}

/// Every id with its code, severity and title.
fn list(options: RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let header = options.headers.then(|| {
        ["ID", "CODE", "SEVERITY", "TITLE"]
            .into_iter()
            .map(Cell::plain)
            .collect()
    });
    let rows: Vec<Vec<Cell<'_>>> = FindingId::ALL
        .iter()
        .map(|id| {
            [id.id(), id.code(), docs::severity(*id), docs::title(*id)]
                .into_iter()
                .map(Cell::plain)
                .collect()
        })
        .collect();
    Grid::write_all(header, &rows, out)?;
    writeln!(out)?;
    writeln!(out, "kubectl dnsrecords docs ID prints one page")
}

#[derive(Serialize)]
struct Document {
    schema: &'static str,
    findings: Vec<PageView>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PageView {
    id: &'static str,
    code: &'static str,
    severity: &'static str,
    title: &'static str,
    docs_url: String,
    /// The page's Markdown, as in the repository.
    markdown: &'static str,
}

/// The `dnsrecords.docs/v1` document as a JSON value, for jsonpath and custom columns.
pub fn value(id: Option<FindingId>) -> io::Result<serde_json::Value> {
    serde_json::to_value(document(id)).map_err(io::Error::other)
}

fn document(id: Option<FindingId>) -> Document {
    let ids: Vec<FindingId> = match id {
        Some(id) => vec![id],
        None => FindingId::ALL.to_vec(),
    };
    Document {
        schema: DOCS_SCHEMA,
        findings: ids
            .into_iter()
            .map(|id| PageView {
                id: id.id(),
                code: id.code(),
                severity: docs::severity(id),
                title: docs::title(id),
                docs_url: id.docs_url(),
                markdown: docs::page(id),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(id: Option<FindingId>) -> String {
        let mut out = Vec::new();
        render(id, Format::Table, RenderOptions::plain(), &mut out).expect("render");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn a_page_prints_without_markdown_markers_and_with_its_fix() {
        let page = text(Some(FindingId::ServiceNameMismatch));
        assert!(page.starts_with(
            "service-name-mismatch DNS001: A StatefulSet's serviceName names no headless Service"
        ));
        assert!(page.contains("\nseverity: error\n"));
        assert!(page.contains("\nFix. `spec.serviceName` is immutable."));
        assert!(!page.contains("**") && !page.contains("```"));
        // Code blocks are indented, as in a man page.
        assert!(page.contains("\n    kind: StatefulSet\n"));
        assert!(page.ends_with(&format!(
            "online: {}\n",
            FindingId::ServiceNameMismatch.docs_url()
        )));
    }

    #[test]
    fn the_list_has_one_row_per_id() {
        let list = text(None);
        assert!(list.starts_with("ID "));
        for id in FindingId::ALL {
            assert!(
                list.lines()
                    .any(|l| l.starts_with(id.id()) && l.contains(id.code())),
                "{id}"
            );
        }
    }

    #[test]
    fn the_document_carries_the_markdown() {
        let mut out = Vec::new();
        render(
            Some(FindingId::UnnamedPort),
            Format::Json,
            RenderOptions::plain(),
            &mut out,
        )
        .expect("render");
        let value: serde_json::Value = serde_json::from_slice(&out).expect("json");
        assert_eq!(value["schema"], DOCS_SCHEMA);
        assert_eq!(value["findings"][0]["id"], "unnamed-port");
        assert_eq!(value["findings"][0]["code"], "DNS005");
        assert!(
            value["findings"][0]["markdown"]
                .as_str()
                .is_some_and(|m| m.starts_with("# unnamed-port\n"))
        );
    }
}
