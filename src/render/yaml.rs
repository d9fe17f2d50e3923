//! `-o yaml`: the schema of `schema.rs` as YAML.

use std::io::{self, Write};

use super::schema::document;
use crate::model::{Report, Verification};

/// Writes the report as YAML.
pub fn render(
    report: &Report,
    verification: Option<&Verification>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let text =
        serde_saphyr::to_string(&document(report, verification)).map_err(io::Error::other)?;
    out.write_all(text.as_bytes())
}
