//! `-o json`: the schema of `schema.rs`, pretty-printed.

use std::io::{self, Write};

use super::schema::document;
use crate::model::Report;

/// Writes the report as JSON.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(report)).map_err(io::Error::other)?;
    writeln!(out)
}
