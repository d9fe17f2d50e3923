//! Findings under the table: `error[service-name-mismatch] DNS001: …`, the objects, an indented
//! hint and where the id is documented; coloured by severity.

use std::io::{self, Write};

use colored::Colorize;

use crate::model::{Finding, Severity};

/// Writes the findings block (nothing when there are none).
pub fn render(findings: &[Finding], color: bool, out: &mut dyn Write) -> io::Result<()> {
    for finding in findings {
        writeln!(out)?;
        let head = format!("{}[{}]", finding.severity, finding.id);
        let head = match (color, finding.severity) {
            (false, _) => head,
            (true, Severity::Error) => head.red().bold().to_string(),
            (true, Severity::Warning) => head.yellow().bold().to_string(),
            (true, Severity::Info) => head.blue().bold().to_string(),
        };
        writeln!(out, "{head} {}: {}", finding.id.code(), finding.message)?;
        let objects: Vec<String> = finding.objects.iter().map(ToString::to_string).collect();
        writeln!(out, "  objects: {}", objects.join(", "))?;
        let mut hint_lines = finding.hint.lines();
        if let Some(first) = hint_lines.next() {
            writeln!(out, "  hint: {first}")?;
            for line in hint_lines {
                writeln!(out, "        {line}")?;
            }
        }
        writeln!(out, "  docs: {}", finding.id.docs_anchor())?;
    }
    Ok(())
}
