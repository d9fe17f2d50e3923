//! `-o json`: the schema of `schema.rs`, pretty-printed.

use std::io::{self, Write};

use serde_json::ser::Formatter;
#[cfg(test)]
use serde_json::ser::PrettyFormatter;

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
        serde_json::Serializer::with_formatter(&mut blocks, TerminalSafe(Indented::default()));
    serde::Serialize::serialize(&document(report, verification), &mut serializer)
        .map_err(io::Error::other)?;
    blocks.write_all(b"\n")?;
    blocks.finish()
}

/// serde_json's pretty layout (`PrettyFormatter` with its two-space indent), byte for byte, with
/// each line break and its indent written as one piece: `PrettyFormatter` writes the indent a
/// level at a time, and a large report has millions of lines several levels deep.
#[derive(Default)]
pub(crate) struct Indented {
    /// Open arrays and objects.
    depth: usize,
    /// Whether the innermost open array or object has a value yet: an empty one closes on the
    /// same line (`[]`).
    has_value: bool,
}

/// A comma, a line break and the indent of the deepest level [`Indented`] writes in one piece;
/// deeper levels are written a level at a time.
const BREAK: &[u8] = b",\n                                                                ";

impl Indented {
    /// A line break (after a comma unless `first`) and the indent of the current depth.
    fn line<W: ?Sized + Write>(&self, writer: &mut W, first: bool) -> io::Result<()> {
        let start = usize::from(first);
        match BREAK.get(start..2 + 2 * self.depth) {
            Some(piece) => writer.write_all(piece),
            None => {
                writer.write_all(&BREAK[start..2])?;
                (0..self.depth).try_for_each(|_| writer.write_all(b"  "))
            }
        }
    }

    fn open<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.has_value {
            self.line(writer, true)?;
        }
        writer.write_all(bracket)
    }
}

impl Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.line(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.line(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
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
    fn the_layout_is_serde_jsons_pretty_one() {
        // Empty and nested containers, scalars of each kind, and nesting deeper than one piece
        // of indent holds.
        let mut deep = serde_json::json!({"leaf": [1, {}]});
        for level in 0..40 {
            deep = serde_json::json!({ "level": level, "inner": [deep, [], "x"] });
        }
        let value = serde_json::json!({
            "empty": {}, "none": [], "null": null, "flag": true, "n": -1.5,
            "list": [[], [[]], {"a": {"b": []}}, "s"], "deep": deep,
        });
        fn with(value: &serde_json::Value, formatter: impl Formatter) -> String {
            let mut out = Vec::new();
            let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
            serde::Serialize::serialize(value, &mut serializer).unwrap();
            String::from_utf8(out).unwrap()
        }
        assert_eq!(
            with(&value, TerminalSafe(Indented::default())),
            with(&value, TerminalSafe(PrettyFormatter::new()))
        );
    }

    #[test]
    fn plain_strings_are_unchanged() {
        assert_eq!(
            to_json("redis.cache.svc.cluster.local. — ok"),
            "[\n  \"redis.cache.svc.cluster.local. — ok\"\n]"
        );
    }
}
