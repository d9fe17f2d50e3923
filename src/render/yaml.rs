//! `-o yaml`: the schema of `schema.rs` as YAML.

use std::io::{self, Write};

use super::blocks::Blocks;
use super::schema::document;
use crate::model::{Report, Verification};

/// Writes the document as it is serialized, without building its text first.
pub fn render(
    report: &Report,
    verification: Option<&Verification>,
    out: &mut dyn Write,
) -> io::Result<()> {
    // The serializer writes every key, colon and indent on its own: gathered in a concrete
    // writer, those are inlined copies rather than dynamic calls into `out`.
    let mut blocks = Blocks::new(out);
    serde_saphyr::to_io_writer(&mut blocks, &document(report, verification)).map_err(into_io)?;
    blocks.finish()
}

/// The writer's own error when writing failed (a closed pipe stays recognisable as one), else
/// the serializer's, wrapped.
fn into_io(err: serde_saphyr::SerializeError) -> io::Error {
    match err {
        serde_saphyr::SerializeError::IO { error } => error,
        other => io::Error::other(other),
    }
}
