//! Untrusted text made safe to print: every character that could move the cursor, rewrite the
//! screen, reorder what the reader sees or end a zone-file comment becomes a visible escape.
//!
//! Object names read offline (`-f`) are arbitrary strings, and even names the API server accepted
//! reach us inside label values, annotations and Corefile words. A name holding `\x1b[2J` clears
//! the reader's screen; one holding a newline forges a line of output — in `-o zone`, a record.
//! Everything a renderer or the CLI writes that came from an object, a file or a flag goes through
//! [`terminal`] (one line on a terminal) or [`zone_comment`] (the text after `;` in a zone file);
//! JSON and YAML keep the exact strings, escaped by their own syntax.
//!
//! The escapes are Rust's spelling (`\n`, `\x1b`, `\u{202e}`) so they read as what they are. A
//! backslash is left as it is: names in this tool cannot hold one once validated, and Windows
//! paths stay readable; the escaped text is for reading, the JSON output is the exact form.

use std::borrow::Cow;
use std::fmt::Write as _;

/// True for a character that must not reach a terminal or a zone file raw.
///
/// - C0 controls (U+0000–U+001F, which include ESC, BEL, CR, LF and TAB) and DEL: they move the
///   cursor, start escape sequences or end the line.
/// - C1 controls (U+0080–U+009F): U+009B is an 8-bit CSI that some terminals obey, U+0085 a line
///   break.
/// - Bidi controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069): they reorder the
///   text that follows ("Trojan Source", CVE-2021-42574), so `admin\u{202e}gnp` reads as
///   something else.
/// - Zero-width and invisible format characters (U+200B–U+200D, U+2060–U+2064, U+206A–U+206F,
///   U+FEFF, U+00AD, U+180E): two names that look the same would be different names.
/// - Line and paragraph separators (U+2028, U+2029): editors and some terminals break the line.
/// - Interlinear annotation controls (U+FFF9–U+FFFB) and tag characters (U+E0000–U+E007F):
///   invisible text smuggled inside visible text.
pub fn needs_escape(ch: char) -> bool {
    matches!(ch,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{ad}'
        | '\u{61c}'
        | '\u{180e}'
        | '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{e0000}'..='\u{e007f}'
    )
}

/// True when `text` prints as it is: nothing in it needs an escape.
pub fn is_plain(text: &str) -> bool {
    // Printable ASCII is the common case, and a byte test is enough to decide it.
    is_printable_ascii(text) || !text.chars().any(needs_escape)
}

/// True when every byte of `text` is printable ASCII (U+0020–U+007E): then nothing in it needs
/// an escape, and each character is one column wide.
///
/// Renderers ask this of every name and field they write, hundreds of thousands of times for a
/// large report, so it tests eight bytes at a time: in a word, a byte below 0x20 is one whose
/// subtraction of 0x20 borrows into its high bit while its own high bit was clear, and a byte of
/// 0x7f or more is one whose high bit is set before or after adding 1. Both tests are exact about
/// whether such a byte exists (a borrow or carry only crosses from a byte that is itself one).
pub fn is_printable_ascii(text: &str) -> bool {
    const EACH_0X20: u64 = u64::from_ne_bytes([0x20; 8]);
    const EACH_0X01: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH_BITS: u64 = u64::from_ne_bytes([0x80; 8]);
    let (words, rest) = text.as_bytes().as_chunks::<8>();
    let words_plain = words.iter().all(|word| {
        let word = u64::from_le_bytes(*word);
        let below_space = word.wrapping_sub(EACH_0X20) & !word;
        let del_or_above = word | word.wrapping_add(EACH_0X01);
        (below_space | del_or_above) & HIGH_BITS == 0
    });
    words_plain && rest.iter().all(|b| (0x20..0x7f).contains(b))
}

/// Untrusted text for one line on a terminal: every character of [`needs_escape`] — newlines
/// included — becomes a visible escape, so the text can neither break the line nor send the
/// terminal a command. Borrows when there is nothing to escape.
pub fn terminal(text: &str) -> Cow<'_, str> {
    if is_plain(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        if needs_escape(ch) {
            push_escape(&mut out, ch);
        } else {
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

/// Untrusted text for a zone-file comment (the rest of a line after `;`).
///
/// A master-file comment ends at the end of the line (RFC 1035 §5.1), so the one thing that lets
/// text escape a comment is a line break: after a raw LF the next bytes are parsed as a record or a
/// `$ORIGIN`/`$INCLUDE` directive, and a CR is a line break to loaders that accept CRLF or CR
/// files. The result holds neither; and because zone output is also read on a terminal, it is
/// escaped exactly as [`terminal`] escapes, so the same name reads the same in every format.
pub fn zone_comment(text: &str) -> Cow<'_, str> {
    let escaped = terminal(text);
    debug_assert!(!escaped.contains(['\n', '\r']));
    escaped
}

fn push_escape(out: &mut String, ch: char) {
    // Writing to a String cannot fail.
    let _ = match ch {
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        '\u{0}'..='\u{1f}' | '\u{7f}' => write!(out, "\\x{:02x}", u32::from(ch)),
        _ => write!(out, "\\u{{{:x}}}", u32::from(ch)),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for text in [
            "",
            "redis-0.redis-headless.cache.svc.cluster.local.",
            "quote\"back\\slash ; $ORIGIN",
            "— … é ü 名前",
        ] {
            assert!(
                matches!(terminal(text), Cow::Borrowed(t) if t == text),
                "{text}"
            );
            assert!(is_plain(text));
        }
    }

    #[test]
    fn c0_controls_and_del() {
        assert_eq!(terminal("a\nb\rc\td"), "a\\nb\\rc\\td");
        assert_eq!(terminal("clear\x1b[2J"), "clear\\x1b[2J");
        assert_eq!(terminal("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
        assert_eq!(terminal("nul\0byte"), "nul\\x00byte");
        assert_eq!(terminal("del\x7f"), "del\\x7f");
        assert_eq!(terminal("\x0b\x0c\x1f"), "\\x0b\\x0c\\x1f");
    }

    #[test]
    fn c1_controls() {
        assert_eq!(terminal("\u{9b}2J"), "\\u{9b}2J");
        assert_eq!(terminal("next\u{85}line"), "next\\u{85}line");
        assert_eq!(terminal("\u{80}\u{9f}"), "\\u{80}\\u{9f}");
        // The first character after C1 is printable.
        assert_eq!(terminal("\u{a0}"), "\u{a0}");
    }

    #[test]
    fn bidi_controls() {
        assert_eq!(terminal("admin\u{202e}gnp.exe"), "admin\\u{202e}gnp.exe");
        for ch in [
            '\u{61c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}',
            '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
        ] {
            assert!(needs_escape(ch), "{:x}", u32::from(ch));
            assert_eq!(
                terminal(&ch.to_string()),
                format!("\\u{{{:x}}}", u32::from(ch))
            );
        }
    }

    #[test]
    fn zero_width_and_invisible_characters() {
        assert_eq!(terminal("zw\u{200b}sp"), "zw\\u{200b}sp");
        assert_eq!(terminal("\u{200c}\u{200d}"), "\\u{200c}\\u{200d}");
        assert_eq!(terminal("\u{2060}\u{feff}"), "\\u{2060}\\u{feff}");
        assert_eq!(terminal("soft\u{ad}hyphen"), "soft\\u{ad}hyphen");
    }

    #[test]
    fn line_separators() {
        assert_eq!(terminal("a\u{2028}b\u{2029}c"), "a\\u{2028}b\\u{2029}c");
    }

    #[test]
    fn tag_characters() {
        assert_eq!(
            terminal("\u{e0001}\u{e0041}\u{e007f}"),
            "\\u{e0001}\\u{e0041}\\u{e007f}"
        );
        // Just outside the block: a printable (variation selector supplement) character.
        assert!(!needs_escape('\u{e0100}'));
    }

    #[test]
    fn zone_comments_never_hold_a_line_break() {
        let forged = "bad\nevil.cluster.local. 30 IN A 6.6.6.6\n$ORIGIN evil.\r@ IN A 6.6.6.6";
        let comment = zone_comment(forged);
        assert!(!comment.contains(['\n', '\r']));
        assert_eq!(
            comment,
            "bad\\nevil.cluster.local. 30 IN A 6.6.6.6\\n$ORIGIN evil.\\r@ IN A 6.6.6.6"
        );
        // Quotes, semicolons and parentheses are harmless inside a comment and stay readable.
        assert_eq!(zone_comment("a \"b\" ; (c)"), "a \"b\" ; (c)");
    }

    #[test]
    fn printable_ascii_is_decided_exactly_at_every_position() {
        let reference = |text: &str| text.bytes().all(|b| (0x20..0x7f).contains(&b));
        // Every byte value at every offset of a string longer than two words, so each lane of
        // the word test and the tail are exercised, beside neighbours that could carry or borrow.
        let boundaries = [0x00_u8, 0x01, 0x1f, 0x20, 0x21, 0x7e, 0x7f, 0x80, 0xff];
        for offset in 0..19 {
            for value in 0..=0x7f_u8 {
                for neighbour in [b' ', b'~', b'\x7f', b'\x1f'] {
                    let mut bytes = vec![b'a'; 19];
                    bytes[offset] = value;
                    if offset + 1 < bytes.len() {
                        bytes[offset + 1] = neighbour;
                    }
                    let text = std::str::from_utf8(&bytes).unwrap();
                    assert_eq!(is_printable_ascii(text), reference(text), "{bytes:?}");
                }
            }
        }
        for value in boundaries {
            assert_eq!(
                is_printable_ascii(&char::from(value).to_string()),
                reference(&char::from(value).to_string())
            );
        }
        // Non-ASCII, inside a word and in the tail.
        assert!(!is_printable_ascii("abcdefgé"));
        assert!(!is_printable_ascii("abcdefghé"));
        assert!(is_printable_ascii(
            "redis-0.redis-headless.cache.svc.cluster.local."
        ));
        assert!(is_printable_ascii(""));
    }

    #[test]
    fn every_escaped_output_is_plain() {
        let all: String = (0..=0x10ffff_u32).filter_map(char::from_u32).collect();
        let escaped = terminal(&all);
        assert!(is_plain(&escaped));
        assert!(!escaped.chars().any(needs_escape));
        assert!(is_plain(&zone_comment(&all)));
    }
}
