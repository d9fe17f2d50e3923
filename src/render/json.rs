//! `-o json`: the schema of `schema.rs`, pretty-printed.

use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{Error as _, SerializeSeq};
use serde_json::ser::Formatter;
#[cfg(test)]
use serde_json::ser::PrettyFormatter;

use super::blocks::Blocks;
use super::escape;
use super::schema::json_document;
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
    json_document(report, verification)
        .serialize(&mut serializer)
        .map_err(io::Error::other)?;
    blocks.write_all(b"\n")?;
    blocks.finish()
}

/// How many elements of a large sequence one thread renders at a time: large enough that
/// handing a chunk over costs nothing beside rendering it, small enough (a few hundred KB) that
/// the chunks in flight stay out of the memory figures.
const CHUNK: usize = 1024;

/// The depth of the elements of the document's top-level sequences: the document is one
/// level, the sequence a second.
const ELEMENT_DEPTH: usize = 2;

/// Writes the elements of one of the document's top-level sequences, a chunk at a time,
/// rendering the chunks alternately on this thread and on a second one: rendering a large
/// report's records and names on one core was a quarter of a cluster-wide run while the other
/// core was idle. A chunk is rendered as this formatter would write its elements, with the
/// separators between them, and reaches the serializer as one element, which [`Indented`]
/// writes as it is: the bytes are those of writing each element in turn.
pub(super) fn serialize_in_chunks<'a, S, T, V>(
    serializer: S,
    items: &'a [T],
    view: fn(&'a T) -> V,
) -> Result<S::Ok, S::Error>
where
    S: serde::Serializer,
    T: Sync,
    V: Serialize,
{
    let render = |chunk: &'a [T]| -> serde_json::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        let at_element = Indented {
            depth: ELEMENT_DEPTH,
            has_value: false,
        };
        for (position, item) in chunk.iter().enumerate() {
            if position > 0 {
                at_element
                    .line(&mut bytes, false)
                    .map_err(serde_json::Error::io)?;
            }
            let formatter = TerminalSafe(Indented {
                depth: ELEMENT_DEPTH,
                has_value: false,
            });
            view(item).serialize(&mut serde_json::Serializer::with_formatter(
                &mut bytes, formatter,
            ))?;
        }
        Ok(bytes)
    };
    let mut seq = serializer.serialize_seq(Some(items.len()))?;
    if items.len() <= CHUNK {
        // One chunk: no second thread to wait for.
        for item in items {
            seq.serialize_element(&view(item))?;
        }
        return seq.end();
    }
    std::thread::scope(|scope| {
        // Two chunks may wait rendered while this thread renders its own.
        let (sender, receiver) = std::sync::mpsc::sync_channel(2);
        let other = scope.spawn(move || {
            for chunk in items.chunks(CHUNK).skip(1).step_by(2) {
                // A closed channel: this thread stopped on an error and wants no more.
                if sender.send(render(chunk)).is_err() {
                    return;
                }
            }
        });
        let written = (|| {
            for (number, chunk) in items.chunks(CHUNK).enumerate() {
                let rendered = if number % 2 == 0 {
                    render(chunk)
                } else {
                    // The other thread ends only after its last send, or by a panic, which
                    // the join below goes on with.
                    match receiver.recv() {
                        Ok(rendered) => rendered,
                        Err(_) => break,
                    }
                };
                let rendered = rendered.map_err(S::Error::custom)?;
                seq.serialize_element(&Rendered(&rendered))?;
            }
            Ok(())
        })();
        drop(receiver);
        other
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written
    })?;
    seq.end()
}

/// A chunk of elements already rendered: passed to the serializer as bytes, which [`Indented`]
/// writes unchanged (the document holds no byte string of its own).
struct Rendered<'b>(&'b [u8]);

impl Serialize for Rendered<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
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
    /// A [`Rendered`] chunk, written as it is: `-o json`'s document holds no byte string of its
    /// own, so the only bytes serialized are chunks this formatter's layout rendered.
    fn write_byte_array<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        value: &[u8],
    ) -> io::Result<()> {
        writer.write_all(value)
    }

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

    // Layout is the inner formatter's, and so are byte strings (`Indented`'s rendered chunks).
    fn write_byte_array<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        value: &[u8],
    ) -> io::Result<()> {
        self.0.write_byte_array(writer, value)
    }

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
    fn chunks_rendered_on_two_threads_are_the_bytes_of_one_serializer() {
        // Several chunks and a part of one, in every large sequence (records, names, absent),
        // with names a terminal must not see raw.
        let services = 3 * CHUNK + 7;
        let mut manifests = String::new();
        for n in 0..services {
            // A headless Service without endpoints is absent; a ClusterIP one has records.
            let ip = if n % 3 == 0 {
                format!("10.96.{}.{}", n / 250, n % 250 + 1)
            } else {
                "None".to_string()
            };
            let name = if n % 101 == 0 {
                format!("e\\u001b[31m{n}")
            } else {
                format!("s{n}")
            };
            manifests.push_str(&format!(
                "---\napiVersion: v1\nkind: Service\nmetadata: {{name: \"{name}\", namespace: ns{}}}\nspec: {{clusterIP: {ip}, ports: [{{name: web, port: 80}}]}}\n",
                n % 7
            ));
        }
        let loaded = crate::source::load_text(&manifests, "many.yaml", "default").unwrap();
        let report = crate::analyze(
            &loaded.snapshot,
            &crate::model::DnsConfig::kubeadm_default(),
            &crate::model::Selection::default(),
        )
        .unwrap();
        assert!(report.records.len() > 2 * CHUNK && report.facts.len() > 2 * CHUNK);
        assert!(report.absent.len() > CHUNK);

        let mut chunked = Vec::new();
        render(&report, None, &mut chunked).unwrap();
        let mut one_by_one = Vec::new();
        let mut serializer = serde_json::Serializer::with_formatter(
            &mut one_by_one,
            TerminalSafe(PrettyFormatter::new()),
        );
        crate::render::schema::document(&report, None)
            .serialize(&mut serializer)
            .unwrap();
        one_by_one.push(b'\n');
        assert!(String::from_utf8_lossy(&chunked).contains("e\\u001b[31m101"));
        assert_eq!(
            String::from_utf8(chunked).unwrap(),
            String::from_utf8(one_by_one).unwrap()
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
