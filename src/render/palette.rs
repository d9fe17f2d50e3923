//! Colours as data: every style a renderer uses, chosen once by the caller. [`Palette::plain`]
//! emits no escape code at all; [`Palette::colored`] is the terminal look. Renderers never ask a
//! global or the environment whether to colour, so a library caller and an in-process test get
//! exactly the bytes they asked for.

use anstyle::{AnsiColor, Color, Style};

use crate::model::{NoteLevel, RecordType, Severity};

/// The styles of everything the renderers colour. Plain styles (`Style::new()`) render as
/// nothing, so painting with a plain palette returns the text unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// `error[…]` heads of findings.
    pub error: Style,
    /// `warning[…]` heads of findings.
    pub warning: Style,
    /// `info[…]` heads of findings.
    pub info: Style,
    /// What holds or resolves (✓, `resolves`, a matching verification).
    pub good: Style,
    /// What breaks (✗, `does not resolve`, a differing verification).
    pub bad: Style,
    /// The `PREDICTED` label of names from unapplied manifests.
    pub predicted: Style,
    /// The `NXDOMAIN` label of names CoreDNS does not serve.
    pub nxdomain: Style,
    /// The status word of a `--verify` difference.
    pub difference: Style,
    /// The `UNKNOWN` label of names a missing list leaves undecided.
    pub unknown: Style,
    /// Warning notes under the table.
    pub note_warning: Style,
    /// Informational notes under the table.
    pub note_info: Style,
    /// A and AAAA in the TYPE column.
    pub address: Style,
    /// SRV in the TYPE column.
    pub service: Style,
    /// PTR in the TYPE column.
    pub pointer: Style,
    /// CNAME in the TYPE column.
    pub alias: Style,
    /// SOA, NS and TXT in the TYPE column.
    pub zone: Style,
}

const fn fg(color: AnsiColor) -> Style {
    Style::new().fg_color(Some(Color::Ansi(color)))
}

impl Palette {
    /// No colour: every style is empty and painting is the identity.
    pub const fn plain() -> Self {
        let none = Style::new();
        Palette {
            error: none,
            warning: none,
            info: none,
            good: none,
            bad: none,
            predicted: none,
            nxdomain: none,
            difference: none,
            unknown: none,
            note_warning: none,
            note_info: none,
            address: none,
            service: none,
            pointer: none,
            alias: none,
            zone: none,
        }
    }

    /// The terminal look: severities in red, yellow and blue, bold.
    pub const fn colored() -> Self {
        Palette {
            error: fg(AnsiColor::Red).bold(),
            warning: fg(AnsiColor::Yellow).bold(),
            info: fg(AnsiColor::Blue).bold(),
            good: fg(AnsiColor::Green),
            bad: fg(AnsiColor::Red),
            predicted: fg(AnsiColor::Cyan),
            nxdomain: fg(AnsiColor::Red).bold(),
            difference: fg(AnsiColor::Red).bold(),
            unknown: fg(AnsiColor::Yellow),
            note_warning: fg(AnsiColor::Yellow),
            note_info: Style::new().dimmed(),
            // The TYPE column in bright hues, to stand out from the lines under the table.
            address: fg(AnsiColor::BrightGreen),
            service: fg(AnsiColor::BrightCyan),
            pointer: fg(AnsiColor::BrightMagenta),
            alias: fg(AnsiColor::BrightYellow),
            zone: fg(AnsiColor::BrightBlue),
        }
    }

    /// [`Palette::colored`] when `color`, else [`Palette::plain`].
    pub const fn for_color(color: bool) -> Self {
        if color {
            Self::colored()
        } else {
            Self::plain()
        }
    }

    /// Whether any style emits an escape code.
    pub fn is_colored(&self) -> bool {
        *self != Self::plain()
    }

    /// The style of a finding's head.
    pub fn severity(&self, severity: Severity) -> Style {
        match severity {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
        }
    }

    /// The style of a note under the table.
    pub fn note(&self, level: NoteLevel) -> Style {
        match level {
            NoteLevel::Warning => self.note_warning,
            NoteLevel::Info => self.note_info,
        }
    }

    /// The style of a record type in the TYPE column.
    pub fn record_type(&self, rtype: RecordType) -> Style {
        match rtype {
            RecordType::A | RecordType::Aaaa => self.address,
            RecordType::Srv => self.service,
            RecordType::Ptr => self.pointer,
            RecordType::Cname => self.alias,
            RecordType::Soa | RecordType::Ns | RecordType::Txt => self.zone,
        }
    }
}

impl Default for Palette {
    /// Plain: a caller that does not choose gets no escape codes.
    fn default() -> Self {
        Self::plain()
    }
}

/// `text` between `style`'s codes; exactly `text` when the style is plain.
pub fn paint(style: Style, text: &str) -> String {
    format!("{}{text}{}", style.render(), style.render_reset())
}

/// The foreground colour of a style, for table cells: the table paints a cell's colour around
/// its padding itself, so the escape codes never count toward a column's width. Only the
/// foreground carries over (bold and dim do not), as table cells have always been painted.
pub fn cell_color(style: Style) -> Option<AnsiColor> {
    match style.get_fg_color() {
        Some(Color::Ansi(color)) => Some(color),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paints_nothing() {
        let palette = Palette::plain();
        assert!(!palette.is_colored());
        for style in [palette.error, palette.good, palette.note_info] {
            assert_eq!(paint(style, "text"), "text");
            assert_eq!(cell_color(style), None);
        }
    }

    #[test]
    fn colored_wraps_text_in_codes_and_resets() {
        let palette = Palette::colored();
        assert!(palette.is_colored());
        assert_eq!(
            paint(palette.error, "error"),
            "\u{1b}[1m\u{1b}[31merror\u{1b}[0m"
        );
        assert_eq!(paint(palette.note_info, "n"), "\u{1b}[2mn\u{1b}[0m");
    }

    #[test]
    fn table_cells_get_the_same_hue() {
        let palette = Palette::colored();
        assert_eq!(cell_color(palette.good), Some(AnsiColor::Green));
        assert_eq!(cell_color(palette.pointer), Some(AnsiColor::BrightMagenta));
        // Bold is the head's, not the cell's: only the hue carries over.
        assert_eq!(cell_color(palette.nxdomain), Some(AnsiColor::Red));
    }
}
