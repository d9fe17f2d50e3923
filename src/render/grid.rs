//! kubectl's aligned columns, written row by row: every table this tool prints (records, the
//! watch screen, explain's tries, custom columns, the docs list) goes through [`Grid`].
//!
//! A column is as wide as its widest cell, so the caller passes over its rows twice: once to
//! [`Grid::measure`] each row, then again to [`Grid::write_row`] each. Nothing holds more than one
//! row, which keeps a 370,000-record table from living in memory whole.
//!
//! The layout is the one the table crate this replaced printed for its `NOTHING` preset with
//! wrapping off, byte for byte, so existing output did not change: each cell is one space, the
//! text, padding to the column's width and one more space; a cell's colour covers its padding; the
//! line then loses its first space when it starts with one, and its trailing whitespace. Widths
//! are Unicode display widths of the text as `unicode-width` measures a string. A cell is one line:
//! every caller passes text through [`super::escape`], which escapes line breaks.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use anstyle::AnsiColor;
use unicode_width::UnicodeWidthStr;

/// One cell: its text and the colour its foreground is painted in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell<'a> {
    /// The text, already escaped for a terminal.
    pub text: Cow<'a, str>,
    /// The foreground colour over the whole cell, padding included; none when plain.
    pub color: Option<AnsiColor>,
}

impl<'a> Cell<'a> {
    /// A cell without colour.
    pub fn plain(text: impl Into<Cow<'a, str>>) -> Self {
        Cell {
            text: text.into(),
            color: None,
        }
    }

    /// A cell painted in `color` (none: plain).
    pub fn colored(text: impl Into<Cow<'a, str>>, color: Option<AnsiColor>) -> Self {
        Cell {
            text: text.into(),
            color,
        }
    }
}

/// The column widths of a table, grown by [`Grid::measure`] and used by [`Grid::write_row`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    widths: Vec<usize>,
    /// The line being assembled, kept to reuse its allocation from row to row.
    line: String,
}

impl Grid {
    /// A grid of `columns` columns. A column is at least one character wide, even when every
    /// cell in it is empty.
    pub fn new(columns: usize) -> Self {
        Grid {
            widths: vec![1; columns],
            line: String::new(),
        }
    }

    /// Widens the columns to fit `row`'s cells; cells beyond the grid's columns are ignored.
    pub fn measure<'c>(&mut self, row: impl IntoIterator<Item = &'c str>) {
        for (width, text) in self.widths.iter_mut().zip(row) {
            *width = (*width).max(display_width(text));
        }
    }

    /// Writes `row` as one line, each cell padded to its column's width.
    pub fn write_row<'c>(
        &mut self,
        row: impl IntoIterator<Item = Cell<'c>>,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let line = &mut self.line;
        line.clear();
        for (width, cell) in self.widths.iter().zip(row) {
            if let Some(color) = cell.color {
                // The 256-colour form of the 16 standard colours, as the replaced crate wrote.
                let _ = write!(line, "\u{1b}[38;5;{}m", ansi_index(color));
            }
            line.push(' ');
            line.push_str(&cell.text);
            // A cell wider than its column (a row never measured) is written whole, unpadded.
            let padding = width.saturating_sub(display_width(&cell.text));
            line.extend(std::iter::repeat_n(' ', padding + 1));
            if cell.color.is_some() {
                line.push_str("\u{1b}[39m");
            }
        }
        let text = line.strip_prefix(' ').unwrap_or(line).trim_end();
        writeln!(out, "{text}")
    }

    /// Measures and writes whole rows held in memory: for the small tables (explain's tries, the
    /// docs list) where two passes buy nothing.
    pub fn write_all(
        header: Option<Vec<Cell<'_>>>,
        rows: &[Vec<Cell<'_>>],
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let columns = header.iter().chain(rows).map(Vec::len).max().unwrap_or(0);
        let mut grid = Grid::new(columns);
        for row in header.iter().chain(rows) {
            grid.measure(row.iter().map(|cell| cell.text.as_ref()));
        }
        for row in header.iter().chain(rows) {
            grid.write_row(row.iter().cloned(), out)?;
        }
        Ok(())
    }
}

/// The columns `text` takes: `unicode-width`'s measure, which for printable ASCII — nearly every
/// cell — is one column a byte, so that case skips the per-character table lookups.
fn display_width(text: &str) -> usize {
    if super::escape::is_printable_ascii(text) {
        text.len()
    } else {
        text.width()
    }
}

/// The number of a standard colour in the 256-colour palette: 0–7 normal, 8–15 bright.
fn ansi_index(color: AnsiColor) -> u8 {
    match color {
        AnsiColor::Black => 0,
        AnsiColor::Red => 1,
        AnsiColor::Green => 2,
        AnsiColor::Yellow => 3,
        AnsiColor::Blue => 4,
        AnsiColor::Magenta => 5,
        AnsiColor::Cyan => 6,
        AnsiColor::White => 7,
        AnsiColor::BrightBlack => 8,
        AnsiColor::BrightRed => 9,
        AnsiColor::BrightGreen => 10,
        AnsiColor::BrightYellow => 11,
        AnsiColor::BrightBlue => 12,
        AnsiColor::BrightMagenta => 13,
        AnsiColor::BrightCyan => 14,
        AnsiColor::BrightWhite => 15,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[(&str, Option<AnsiColor>)]]) -> String {
        let rows: Vec<Vec<Cell<'_>>> = rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|(text, c)| Cell::colored(*text, *c))
                    .collect()
            })
            .collect();
        let mut out = Vec::new();
        Grid::write_all(None, &rows, &mut out).expect("write to a Vec");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn columns_are_as_wide_as_their_widest_cell_and_lines_are_trimmed() {
        let text = table(&[
            &[("NAME", None), ("TYPE", None), ("DATA", None)],
            &[("redis.cache.svc.", None), ("A", None), ("10.0.0.1", None)],
        ]);
        assert_eq!(
            text,
            "NAME              TYPE  DATA\nredis.cache.svc.  A     10.0.0.1\n"
        );
    }

    #[test]
    fn widths_are_display_widths() {
        // Two columns per CJK character, none for a combining accent.
        let text = table(&[
            &[("日本", None), ("x", None)],
            &[("e\u{301}", None), ("y", None)],
        ]);
        assert_eq!(text, "日本  x\ne\u{301}     y\n");
    }

    #[test]
    fn a_colour_covers_the_padding_and_does_not_count_toward_width() {
        let green = Some(AnsiColor::Green);
        let text = table(&[&[("x", None), ("ok", green)], &[("yy", None), ("-", green)]]);
        assert_eq!(
            text,
            "x  \u{1b}[38;5;2m ok \u{1b}[39m\nyy \u{1b}[38;5;2m -  \u{1b}[39m\n"
        );
        // A coloured first cell keeps the space the line would otherwise lose.
        let text = table(&[&[("+", Some(AnsiColor::BrightMagenta)), ("a", None)]]);
        assert_eq!(text, "\u{1b}[38;5;13m + \u{1b}[39m a\n");
    }

    #[test]
    fn printable_ascii_is_as_wide_as_unicode_width_measures_it() {
        let ascii: String = (0x20_u8..0x7f).map(char::from).collect();
        assert_eq!(display_width(&ascii), ascii.width());
        for text in ["", "redis.cache.svc.", "日本", "e\u{301}", "a\u{200b}b"] {
            assert_eq!(display_width(text), text.width(), "{text}");
        }
    }

    #[test]
    fn an_empty_column_is_one_wide() {
        let text = table(&[&[("", None), ("a", None)], &[("", None), ("b", None)]]);
        assert_eq!(text, "   a\n   b\n");
    }

    #[test]
    fn measured_rows_written_one_at_a_time_match_the_whole_table() {
        let rows = [["a", "bbb"], ["cccc", "d"]];
        let mut grid = Grid::new(2);
        for row in &rows {
            grid.measure(row.iter().copied());
        }
        let mut out = Vec::new();
        for row in &rows {
            grid.write_row(row.iter().map(|text| Cell::plain(*text)), &mut out)
                .expect("write to a Vec");
        }
        let whole = table(&[
            &[("a", None), ("bbb", None)],
            &[("cccc", None), ("d", None)],
        ]);
        assert_eq!(String::from_utf8(out).expect("utf-8"), whole);
        assert_eq!(whole, "a     bbb\ncccc  d\n");
    }
}
