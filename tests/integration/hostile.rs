//! Hostile input (tests/fixtures/hostile/): names and values holding newlines, ESC sequences,
//! `$ORIGIN`, quotes, backslashes, NUL, DEL, C1, bidi, zero-width and tag characters. In every
//! format, colour off and forced on: no raw control character reaches the output, no forged
//! record reaches a zone file, and JSON still carries the exact strings.
//!
//! Whether the engine skips such an object with a note or rejects it as the API server would,
//! the hostile text ends up in notes, findings or records' sources — these tests hold either way.

use std::collections::BTreeSet;

use dnsrecords::render::escape;

use crate::support::{command, stdout_of};
use crate::zonefile::check_zone_run;

const FIXTURE: &str = "tests/fixtures/hostile/hostile.yaml";
const FORMATS: [&str; 5] = ["table", "wide", "json", "yaml", "zone"];

/// Removes the SGR sequences (`ESC [ params m`) the renderers emit themselves with colour on.
fn strip_our_colours(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\x1b[") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let params = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(after.len());
        if after[params..].starts_with('m') {
            rest = &after[params + 1..];
        } else {
            // Not one of ours: keep the ESC so the check below reports it.
            out.push_str("\x1b[");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The characters that must not appear raw. YAML is held to the control characters other than
/// TAB: serde-saphyr escapes C0, DEL and C1 in quoted scalars, but a multi-line string becomes a
/// block scalar, where YAML allows TAB, and bidi or zero-width characters outside quoted
/// scalars have no escape (they are printable in YAML's sense), so it keeps them exact; JSON and
/// the text formats escape them all.
fn forbidden(format: &str, ch: char) -> bool {
    if ch == '\n' {
        return false;
    }
    if format == "yaml" {
        ch.is_control() && ch != '\t'
    } else {
        escape::needs_escape(ch)
    }
}

fn assert_clean(format: &str, colour: bool, text: &str) {
    let text = if colour {
        strip_our_colours(text)
    } else {
        text.to_string()
    };
    for (number, line) in text.lines().enumerate() {
        if let Some(ch) = line.chars().find(|&c| forbidden(format, c)) {
            panic!(
                "-o {format} (colour {colour}) line {}: raw U+{:04X} in {line:?}",
                number + 1,
                u32::from(ch)
            );
        }
    }
}

fn run(format: &str, colour: bool) -> String {
    stdout_of(&[
        "-f",
        FIXTURE,
        "-A",
        "-o",
        format,
        "--color",
        if colour { "always" } else { "never" },
    ])
}

#[test]
fn every_format_escapes_hostile_names() {
    for format in FORMATS {
        let plain = run(format, false);
        assert_clean(format, false, &plain);
        insta::assert_snapshot!(format!("hostile-{format}"), plain);
        let coloured = run(format, true);
        assert_clean(format, true, &coloured);
        if matches!(format, "table" | "wide") {
            insta::assert_snapshot!(format!("hostile-{format}-colour"), coloured);
        } else {
            // Machine formats are never coloured: forcing colour must not change a byte.
            assert_eq!(coloured, plain, "-o {format} with --color always");
        }
    }
}

#[test]
fn text_formats_show_the_escapes() {
    let table = run("table", false);
    // The Service of issue 9, whose name is a record line between two newlines: the engine
    // refuses it as the API server would, and the note naming it shows the escapes.
    assert!(
        table.contains(r"Service hostile/bad\nevil.cluster.local. 30 IN A 6.6.6.6\n;"),
        "{table}"
    );
    assert!(
        table.contains(r"clear\x1b[2J\x1b]0;title\x07\x1b[H"),
        "{table}"
    );
    assert!(table.contains(r"admin\u{202e}\u{2066}gnp.exe"), "{table}");
    assert!(
        table.contains(r#"quote"back\slash\x00nul\x7fdel\u{9b}2J"#),
        "{table}"
    );
    let wide = run("wide", false);
    assert!(wide.contains(r"Pod hostile/pod\x1b[2J\nbad"), "{wide}");
}

#[test]
fn zone_output_has_no_forged_record_and_loads_whole() {
    let zone = run("zone", false);
    assert!(!zone.contains("6.6.6.6\n"), "{zone}");
    assert!(
        zone.lines().filter(|l| l.starts_with("$ORIGIN")).all(|l| [
            "$ORIGIN cluster.local.",
            "$ORIGIN in-addr.arpa.",
            "$ORIGIN ip6.arpa."
        ]
        .contains(&l)),
        "{zone}"
    );
    let checked = check_zone_run(&[FIXTURE], &["-A"]);
    assert_eq!(checked.zones, 3);
    assert!(checked.records > 10, "{checked:?}");
}

#[test]
fn json_keeps_the_exact_strings() {
    let json = run("json", false);
    let document: serde_json::Value = serde_json::from_str(&json).expect("valid json");
    let texts: Vec<String> = document["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .chain(document["findings"].as_array().expect("findings"))
        .map(|item| item["message"].as_str().expect("message").to_string())
        .collect();
    for raw in [
        "bad\nevil.cluster.local. 30 IN A 6.6.6.6\n;",
        "clear\x1b[2J\x1b]0;title\x07\x1b[H",
        "admin\u{202e}\u{2066}gnp.exe\u{2069}\u{200b}\u{feff}\u{e0041}\u{61c}",
        "quote\"back\\slash\0nul\x7fdel\u{9b}2J",
    ] {
        assert!(
            texts.iter().any(|t| t.contains(raw)),
            "{raw:?} not in {texts:#?}"
        );
    }
}

#[test]
fn completion_offers_only_names_that_print_as_they_are() {
    let complete = |args: &[&str]| -> Vec<String> {
        let out = command()
            .arg("__complete")
            .args(["-f", FIXTURE])
            .args(args)
            .output()
            .expect("run");
        let text = String::from_utf8(out.stdout).expect("utf-8");
        assert!(
            text.chars().all(|c| c == '\n' || !escape::needs_escape(c)),
            "{text:?}"
        );
        text.lines().map(ToString::to_string).collect()
    };
    let services = complete(&["-n", "hostile", "svc/"]);
    assert_eq!(
        services,
        [
            "svc/ports",
            "svc/ext-newline",
            "svc/ext-escape",
            "svc/ext-bidi",
            "svc/peers",
            ":4"
        ],
        "hostile names are left out, the directive stays the last line"
    );
    let namespaces: BTreeSet<String> = complete(&["-n", ""]).into_iter().collect();
    assert!(namespaces.contains("hostile") && namespaces.contains("kube-system"));
    assert_eq!(namespaces.len(), 3, "{namespaces:?}");
    let sets = complete(&["-n", "hostile", "sts/"]);
    assert_eq!(sets, ["sts/web", ":4"]);
}

#[test]
fn a_hostile_corefile_path_is_escaped_in_the_zone_header() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir
        .path()
        .join("core\nevil.cluster.local. 30 IN A 6.6.6.6\n\x1b[2Jfile");
    std::fs::write(&path, dnsrecords::corefile::KUBEADM_COREFILE).expect("write");
    let path = path.to_str().expect("utf-8 path");
    let zone = stdout_of(&[
        "-f",
        "examples/redis-statefulset.yaml",
        "--corefile",
        path,
        "-A",
        "-o",
        "zone",
    ]);
    assert_clean("zone", false, &zone);
    let header = zone
        .lines()
        .find(|l| l.starts_with("; configuration:"))
        .expect("configuration line");
    assert!(
        header.ends_with(r"core\nevil.cluster.local. 30 IN A 6.6.6.6\n\x1b[2Jfile"),
        "{header}"
    );
    assert!(!zone.contains("\nevil."), "{zone}");
}
