//! `kubectl dnsrecords docs`: the pages compiled into the binary are the repository's pages,
//! docs/findings.md is generated from them, and the record view and explain point at them.

use std::collections::BTreeSet;

use dnsrecords::model::FindingId;

use crate::support::{command, root};

/// docs/findings.md is what `dnsrecords::docs::findings_markdown` generates from the pages. Run
/// with UPDATE_DOCS=1 to rewrite it after editing a page.
#[test]
fn findings_md_is_generated() {
    let path = root().join("docs/findings.md");
    let generated = dnsrecords::docs::findings_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).expect("write docs/findings.md");
    }
    let current = std::fs::read_to_string(&path).expect("read docs/findings.md");
    similar_asserts::assert_eq!(
        current,
        generated,
        "docs/findings.md is stale: run `UPDATE_DOCS=1 cargo test --test integration findings_md_is_generated`"
    );
}

/// One page per id, and no page without an id (a retired id keeps its page and its id).
#[test]
fn the_pages_are_exactly_the_catalogue() {
    let pages: BTreeSet<String> = std::fs::read_dir(root().join("docs/findings"))
        .expect("list docs/findings")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let ids: BTreeSet<String> = FindingId::ALL
        .iter()
        .map(|id| format!("{}.md", id.id()))
        .collect();
    assert_eq!(pages, ids);
}

#[test]
fn docs_prints_a_page_by_id_or_code() {
    for arg in ["missing-hostname", "DNS002"] {
        let out = command().args(["docs", arg]).output().expect("run");
        assert!(out.status.success(), "{arg}: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.starts_with("missing-hostname DNS002: "), "{text}");
        for heading in ["What it means.", "Why DNS breaks.", "Example.", "Fix."] {
            assert!(
                text.contains(&format!("\n{heading} ")) || text.contains(&format!("\n{heading}\n")),
                "{heading} in {text}"
            );
        }
        assert!(text.contains(&FindingId::MissingHostname.docs_url()));
    }
}

#[test]
fn docs_without_an_id_lists_every_id() {
    let out = command().arg("docs").output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for id in FindingId::ALL {
        assert!(
            text.lines()
                .any(|line| line.starts_with(&format!("{} ", id.id()))),
            "{id} missing from\n{text}"
        );
    }
}

#[test]
fn an_unknown_id_is_a_usage_error_with_a_suggestion() {
    let out = command()
        .args(["docs", "servicename-mismatch"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr,
        "error: no finding has the id \"servicename-mismatch\"\n  hint: did you mean service-name-mismatch? `kubectl dnsrecords docs` lists every finding id\n"
    );
}

#[test]
fn docs_refuses_zone_output() {
    let out = command()
        .args(["docs", "unnamed-port", "-o", "zone"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("docs prints table, json or yaml"));
}

/// Every finding in the record view names the command and the page's address; the JSON keeps
/// its `docs` path and adds `docsUrl`.
#[test]
fn findings_point_at_the_docs_command_and_url() {
    let args = [
        "-f",
        "examples/kafka-servicename-mismatch.yaml",
        "-n",
        "streaming",
        "--fail-on",
        "never",
    ];
    let out = command().args(args).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut seen = 0;
    for id in FindingId::ALL {
        if text.contains(&format!("[{}] ", id.id())) {
            assert!(
                text.contains(&format!(
                    "\n  see: kubectl dnsrecords docs {}\n       {}\n",
                    id.id(),
                    id.docs_url()
                )),
                "{id}"
            );
            seen += 1;
        }
    }
    assert!(seen >= 2, "{text}");
    let json = command()
        .args(args)
        .args(["-o", "json"])
        .output()
        .expect("run");
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let first = &value["findings"][0];
    assert_eq!(first["docs"], "docs/findings.md#service-name-mismatch");
    assert_eq!(
        first["docsUrl"],
        "https://github.com/kubectl-dnsrecords/kubectl-dnsrecords/blob/main/docs/findings/service-name-mismatch.md"
    );
}

/// explain names the page of a cause a finding documents, in the tree and in the document.
#[test]
fn explain_points_at_the_page_of_a_cause() {
    let args = [
        "explain",
        "mysql-1.mysql",
        "--from",
        "pod/mysql-0",
        "-n",
        "db",
        "-f",
        "examples/mysql-statefulset.yaml",
        "-f",
        "examples/cluster-dns.yaml",
    ];
    let out = command().args(args).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("        see: kubectl dnsrecords docs not-ready-endpoints\n"),
        "{text}"
    );
    let json = command()
        .args(args)
        .args(["-o", "json"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&json.stdout);
    assert!(
        text.contains("\"finding\": \"not-ready-endpoints\""),
        "{text}"
    );
    assert!(text.contains(&FindingId::NotReadyEndpoints.docs_url()));
}

/// `kubectl dnsrecords docs <TAB>` offers the ids; the first word offers `docs`.
#[test]
fn completion_offers_docs_and_the_ids() {
    let run = |args: &[&str]| {
        let out = command()
            .arg("__complete")
            .args(args)
            .output()
            .expect("run");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let ids = run(&["docs", ""]);
    let expected: Vec<String> = FindingId::ALL
        .iter()
        .map(|id| id.id().to_string())
        .chain([":4".to_string()])
        .collect();
    assert_eq!(ids.lines().collect::<Vec<_>>(), expected);
    assert_eq!(run(&["docs", "miss"]), "missing-hostname\n:4\n");
    assert_eq!(run(&["docs", "unnamed-port", ""]), ":4\n");
    assert!(run(&[""]).lines().any(|line| line == "docs"));
}
