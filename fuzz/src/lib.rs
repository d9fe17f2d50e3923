//! What the fuzz targets share: render a report in every format and check the output
//! invariants — no raw control character, and zone output whose every line is a comment, an
//! `$ORIGIN` or a record with a valid owner name. A violated invariant panics, which libFuzzer
//! reports as a crash with the input that caused it.

use dnsrecords::model::{ClusterSnapshot, DnsConfig, DnsName, Note, Selection};
use dnsrecords::render::{self, Format, RenderOptions, escape};

const FORMATS: [Format; 5] = [
    Format::Table,
    Format::Wide,
    Format::Json,
    Format::Yaml,
    Format::Zone,
];

/// Analyses `snapshot` for the whole cluster, adds `notes` as the CLI does, renders every
/// format and checks each output.
pub fn analyze_and_render(snapshot: &ClusterSnapshot, config: &DnsConfig, notes: Vec<Note>) {
    let Ok(mut report) = dnsrecords::analyze(snapshot, config, &Selection::default()) else {
        return;
    };
    report.notes.extend(notes);
    for format in FORMATS {
        let mut out = Vec::new();
        let options = RenderOptions::plain();
        render::render(&report, format, options, &mut out).expect("rendering to a Vec succeeds");
        let text = String::from_utf8(out).expect("renderers write UTF-8");
        check_output(format, &text);
    }
}

/// Panics when `text`, the output in `format`, breaks an invariant.
pub fn check_output(format: Format, text: &str) {
    // YAML block scalars keep TAB, and YAML has no escape for bidi or zero-width characters
    // outside quoted scalars: it is held to the other control characters.
    let forbidden = |ch: char| {
        ch != '\n'
            && if format == Format::Yaml {
                ch.is_control() && ch != '\t'
            } else {
                escape::needs_escape(ch)
            }
    };
    if let Some(ch) = text.chars().find(|&c| forbidden(c)) {
        panic!(
            "{format:?} output holds a raw U+{:04X}:\n{text}",
            u32::from(ch)
        );
    }
    if format == Format::Zone {
        for line in text.lines().filter(|line| !line.starts_with(';')) {
            let owner = line
                .strip_prefix("$ORIGIN ")
                .unwrap_or_else(|| line.split(' ').next().unwrap_or_default());
            assert!(
                DnsName::parse(owner).is_ok_and(|name| name.as_str() == owner),
                "zone line that is no comment, $ORIGIN or record: {line:?}"
            );
        }
    }
}
