//! Renderers: `Report` → bytes on a writer, one file per format. They never look at the
//! environment or the terminal: colour and width decisions arrive in `RenderOptions`. Text that
//! came from an object or a file passes through [`escape`] before it is written.

pub mod escape;
mod explain;
mod findings;
mod json;
mod schema;
mod table;
mod yaml;
mod zone;

use std::io::{self, Write};

use crate::model::{Report, Verification};

pub use explain::{
    EXPLAIN_SCHEMA, render as render_explain, render_verified as render_explain_verified,
};
pub use schema::SCHEMA_VERSION;

/// The output formats of `-o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A kubectl-style table (the default).
    Table,
    /// The table with a SOURCE column.
    Wide,
    /// The documented JSON schema.
    Json,
    /// The same schema as YAML.
    Yaml,
    /// Master-file (zone file) presentation form.
    Zone,
}

/// How to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// Emit ANSI colour.
    pub color: bool,
    /// Print the table's header row.
    pub headers: bool,
}

/// Writes `report` in `format`.
pub fn render(
    report: &Report,
    format: Format,
    options: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    render_verified(report, None, format, options, out)
}

/// Writes `report` in `format` with what `--verify` found: a STATUS column and the differences
/// in the table, a `verify` object in JSON and YAML. Zone files hold records only: the
/// verification is not part of them.
pub fn render_verified(
    report: &Report,
    verification: Option<&Verification>,
    format: Format,
    options: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Table => table::render(report, verification, false, options, out),
        Format::Wide => table::render(report, verification, true, options, out),
        Format::Json => json::render(report, verification, out),
        Format::Yaml => yaml::render(report, verification, out),
        Format::Zone => zone::render(report, out),
    }
}
