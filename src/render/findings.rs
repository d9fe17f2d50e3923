//! Findings under the table: `error[service-name-mismatch] DNS001: …`, the objects, an indented
//! hint and where the id is documented (the `docs` subcommand and the page's address); coloured
//! by severity.

use std::io::{self, Write};

use super::escape;
use super::palette::{Palette, paint};
use crate::model::Finding;

/// Writes the findings block (nothing when there are none).
pub fn render(findings: &[Finding], palette: &Palette, out: &mut dyn Write) -> io::Result<()> {
    for finding in findings {
        writeln!(out)?;
        let head = format!("{}[{}]", finding.severity, finding.id);
        let head = paint(palette.severity(finding.severity), &head);
        // Messages, object names and hints quote object names and values verbatim.
        writeln!(
            out,
            "{head} {}: {}",
            finding.id.code(),
            escape::terminal(&finding.message)
        )?;
        let objects: Vec<String> = finding
            .objects
            .iter()
            .map(|object| escape::terminal(&object.to_string()).into_owned())
            .collect();
        writeln!(out, "  objects: {}", objects.join(", "))?;
        let mut hint_lines = hint_lines(&finding.hint);
        if let Some(first) = hint_lines.next() {
            writeln!(out, "  hint: {}", escape::terminal(first))?;
            for line in hint_lines {
                writeln!(out, "        {}", escape::terminal(line))?;
            }
        }
        // The page travels with the binary; the address is for a browser.
        writeln!(out, "  see: {}", finding.id.docs_command())?;
        writeln!(out, "       {}", finding.id.docs_url())?;
    }
    Ok(())
}

/// A hint is several lines by design (YAML to apply, then a command), so its line feeds are kept
/// as lines and everything else in each line is escaped. Unlike `str::lines`, a CR before the LF
/// stays in the line and is shown, not silently dropped.
fn hint_lines(hint: &str) -> impl Iterator<Item = &str> {
    let hint = hint.strip_suffix('\n').unwrap_or(hint);
    hint.split('\n').filter(move |_| !hint.is_empty())
}
