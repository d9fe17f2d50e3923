//! Snapshots of every bundled example in every output format, colour off (and the table once
//! with colour forced on, so the escape codes are reviewed too).

use crate::support::{command, stdout_of};

const EXAMPLES: [&str; 6] = [
    "redis-statefulset.yaml",
    "kafka-servicename-mismatch.yaml",
    "nginx-clusterip-and-headless.yaml",
    "mysql-statefulset.yaml",
    "externalname.yaml",
    "dual-stack.yaml",
];

#[test]
fn examples_in_every_format() {
    for example in EXAMPLES {
        let file = format!("examples/{example}");
        for format in ["table", "wide", "json", "yaml", "zone"] {
            // Each example with the cluster's CoreDNS objects beside it, as a live cluster has.
            let out = stdout_of(&[
                "-f",
                &file,
                "-f",
                "examples/cluster-dns.yaml",
                "-A",
                "-o",
                format,
            ]);
            let name = format!("{}-{format}", example.trim_end_matches(".yaml"));
            insta::assert_snapshot!(name, out);
        }
    }
}

#[test]
fn table_with_colour() {
    let out = command()
        .args([
            "-f",
            "examples/redis-statefulset.yaml",
            "-n",
            "cache",
            "--color",
            "always",
        ])
        .output()
        .expect("run");
    insta::assert_snapshot!("redis-table-colour", String::from_utf8_lossy(&out.stdout));
}

/// A library caller chooses its palette: the same report rendered in one process with the plain
/// and the coloured palette, in either order, gives exactly what each asks for — no global
/// decides for it.
#[test]
fn palette_is_what_the_caller_passes() {
    use dnsrecords::model::Selection;
    use dnsrecords::render::{self, Format, Palette, RenderOptions};

    let text = std::fs::read_to_string("examples/kafka-servicename-mismatch.yaml").expect("read");
    let loaded =
        dnsrecords::source::load_text(&text, "kafka", "streaming").expect("the example loads");
    let selection = Selection {
        namespaces: Some(vec!["streaming".to_string()]),
        targets: Vec::new(),
        selector: None,
    };
    let report = dnsrecords::analyze(
        &loaded.snapshot,
        &dnsrecords::corefile::kubeadm_default(),
        &selection,
    )
    .expect("analyze");
    let render_with = |palette: Palette| {
        let mut out = Vec::new();
        let options = RenderOptions {
            palette,
            headers: true,
        };
        render::render(&report, Format::Table, options, &mut out).expect("render");
        String::from_utf8(out).expect("utf-8")
    };
    let colored_first = render_with(Palette::colored());
    let plain = render_with(Palette::plain());
    let colored_again = render_with(Palette::colored());
    assert!(!plain.contains('\u{1b}'), "{plain}");
    assert!(plain.contains("\nerror[service-name-mismatch] DNS001: "));
    assert!(colored_first.contains("\u{1b}[1m\u{1b}[31merror[service-name-mismatch]\u{1b}[0m"));
    assert_eq!(colored_first, colored_again);
}
