//! `-o yaml`: the schema of `schema.rs` as YAML.

use std::io::{self, Write};

use super::schema::document;
use crate::model::{Report, Verification};

/// Writes the document as it is serialized, without building its text first.
pub fn render(
    report: &Report,
    verification: Option<&Verification>,
    mut out: &mut dyn Write,
) -> io::Result<()> {
    serde_saphyr::to_io_writer(&mut out, &document(report, verification)).map_err(into_io)
}

/// The writer's own error when writing failed (a closed pipe stays recognisable as one), else
/// the serializer's, wrapped.
fn into_io(err: serde_saphyr::SerializeError) -> io::Error {
    match err {
        serde_saphyr::SerializeError::IO { error } => error,
        other => io::Error::other(other),
    }
}
