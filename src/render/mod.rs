//! Renderers: `Report` → bytes on a writer, one file per format. They never look at the
//! environment or the terminal: colours arrive as a [`Palette`] in `RenderOptions`. Text that
//! came from an object or a file passes through [`escape`] before it is written.

mod blocks;
mod docs;
pub mod escape;
mod explain;
mod findings;
mod grid;
mod json;
pub mod jsonpath;
pub mod palette;
mod schema;
mod table;
pub mod template;
pub mod watch;
mod yaml;
mod zone;

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::model::{ObjectRef, Report, Verification};

pub use docs::{DOCS_SCHEMA, render as render_docs, value as docs_value};
pub use explain::{
    EXPLAIN_SCHEMA, render as render_explain, render_verified as render_explain_verified,
    value as explain_value,
};
pub use palette::Palette;
pub use schema::SCHEMA_VERSION;
pub use template::{Columns, ColumnsError, Shape, render_document, render_report, sort_records};
pub use zone::unloadable as zone_unloadable;

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
    /// The styles to paint with; [`Palette::plain`] emits no escape code.
    pub palette: Palette,
    /// Print the table's header row.
    pub headers: bool,
}

impl RenderOptions {
    /// No colour, with headers: what a library caller or a test usually wants.
    pub const fn plain() -> Self {
        RenderOptions {
            palette: Palette::plain(),
            headers: true,
        }
    }
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self::plain()
    }
}

/// `-L`: labels of the object behind each record, shown as table columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelColumns {
    /// The label keys, one column each, in the order given.
    pub keys: Vec<String>,
    /// The labels of each Service and Pod the records may name.
    pub labels: BTreeMap<ObjectRef, BTreeMap<String, String>>,
}

impl LabelColumns {
    /// kubectl's header for a label key: its last `/` segment, upper-cased. The key is the
    /// user's, but it reaches the terminal like any cell: escaped (a pasted key can carry an
    /// escape sequence as well as an object can).
    pub fn header(key: &str) -> String {
        let last = key.rsplit('/').next().unwrap_or(key).to_uppercase();
        escape::terminal(&last).into_owned()
    }

    /// The value of `key` on the record's object: its Pod when it names one, else its Service;
    /// empty when the object lacks the label, as kubectl shows it.
    pub fn value(&self, record: &crate::model::Record, key: &str) -> &str {
        let source = &record.source;
        [source.pod(), source.service()]
            .into_iter()
            .flatten()
            .next()
            .and_then(|object| self.labels.get(object))
            .and_then(|labels| labels.get(key))
            .map_or("", String::as_str)
    }
}

/// Writes the table (`wide` adds SOURCE) with a column per `-L` label.
pub fn render_table(
    report: &Report,
    verification: Option<&Verification>,
    wide: bool,
    options: RenderOptions,
    labels: &LabelColumns,
    out: &mut dyn Write,
) -> io::Result<()> {
    table::render(report, verification, wide, options, Some(labels), out)
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
        Format::Table => table::render(report, verification, false, options, None, out),
        Format::Wide => table::render(report, verification, true, options, None, out),
        Format::Json => json::render(report, verification, out),
        Format::Yaml => yaml::render(report, verification, out),
        Format::Zone => zone::render(report, out),
    }
}
