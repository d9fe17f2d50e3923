//! `-o json`: the schema of `schema.rs`, pretty-printed.

use std::io::{self, Write};

use serde_json::ser::{Formatter, PrettyFormatter};

use super::blocks::Blocks;
use super::escape;
use super::schema::document;
use crate::model::{Report, Verification};

/// Writes the report as JSON.
pub fn render(
    report: &Report,
    verification: Option<&Verification>,
    out: &mut dyn Write,
) -> io::Result<()> {
    // serde_json writes each quote, colon and indent on its own: into a concrete writer those
    // are inlined copies, where `out` would take a dynamic call apiece.
    let mut blocks = Blocks::new(out);
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut blocks, TerminalSafe(PrettyFormatter::new()));
    serde::Serialize::serialize(&document(report, verification), &mut serializer)
        .map_err(io::Error::other)?;
    blocks.write_all(b"\n")?;
    blocks.finish()
}

/// serde_json escapes only `"`, `\` and U+0000–U+001F. JSON is read on terminals too, so every
/// other character of [`escape::needs_escape`] — DEL, C1, bidi, zero-width, tag characters — is
/// written as a `\uXXXX` escape as well. The document is the same: a JSON parser reads back the
/// exact string, so the output stays exact while no raw control character reaches the screen.
pub(crate) struct TerminalSafe<F>(pub(crate) F);

impl<F: Formatter> Formatter for TerminalSafe<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if escape::is_plain(fragment) {
            return self.0.write_string_fragment(writer, fragment);
        }
        let mut start = 0;
        for (at, ch) in fragment.char_indices() {
            if !escape::needs_escape(ch) {
                continue;
            }
            if start < at {
                self.0.write_string_fragment(writer, &fragment[start..at])?;
            }
            // JSON's \u escape names UTF-16 code units: a tag character is a surrogate pair.
            let mut units = [0_u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = at + ch.len_utf8();
        }
        if start < fragment.len() {
            self.0.write_string_fragment(writer, &fragment[start..])?;
        }
        Ok(())
    }

    // Layout is the pretty formatter's.
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_json(value: &str) -> String {
        let mut out = Vec::new();
        let mut serializer =
            serde_json::Serializer::with_formatter(&mut out, TerminalSafe(PrettyFormatter::new()));
        serde::Serialize::serialize(&[value], &mut serializer).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn controls_bidi_and_tags_are_escaped_and_read_back_exactly() {
        let hostile = "a\x1b[2J\x7f\u{9b}\u{202e}\u{200b}\u{e0041}é\"\\\n";
        let json = to_json(hostile);
        assert!(json.contains(r#"a\u001b[2J\u007f\u009b\u202e\u200b\udb40\udc41é\"\\\n"#));
        assert!(!json.chars().any(|c| c != '\n' && escape::needs_escape(c)));
        let back: Vec<String> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, [hostile]);
    }

    #[test]
    fn plain_strings_are_unchanged() {
        assert_eq!(
            to_json("redis.cache.svc.cluster.local. — ok"),
            "[\n  \"redis.cache.svc.cluster.local. — ok\"\n]"
        );
    }
}
