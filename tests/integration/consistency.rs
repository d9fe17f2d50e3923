//! No report contradicts itself, on every bundled example and the hostile fixture: a name's fact
//! is `served` exactly when a record has that name, and every name a finding says does not
//! resolve is an absent (or unknown) fact that no record serves. The conformance harness checks
//! the same on every case; this runs the real binary on the examples, in JSON.

use std::collections::BTreeSet;

use crate::support::{example, root};

/// The JSON document of `-f FILE… -A -o json`, whatever the findings' severity.
fn document(files: &[&str]) -> serde_json::Value {
    let mut command = crate::support::command();
    for file in files {
        command.arg("-f").arg(file);
    }
    let out = command
        .args(["-A", "-o", "json", "--fail-on", "never"])
        .output()
        .expect("run the binary");
    serde_json::from_slice(&out.stdout).expect("the output is JSON")
}

fn check(label: &str, doc: &serde_json::Value) {
    let served: BTreeSet<&str> = doc["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    let names = doc["names"].as_array().expect("names");
    assert!(!names.is_empty(), "{label}: no expected names at all");
    for fact in names {
        let name = fact["name"].as_str().expect("name");
        let state = fact["state"].as_str().expect("state");
        assert_eq!(
            state == "served",
            served.contains(name),
            "{label}: {name} is {state} but the records {}",
            if served.contains(name) {
                "serve it"
            } else {
                "do not"
            }
        );
        if state != "served" {
            assert!(
                fact["causes"].as_array().is_some_and(|c| !c.is_empty()),
                "{label}: {name} is {state} without a cause"
            );
        }
    }
    for finding in doc["findings"].as_array().expect("findings") {
        for name in finding["names"].as_array().expect("names").iter() {
            let name = name.as_str().expect("a name");
            assert!(
                !served.contains(name),
                "{label}: {} says {name} does not resolve, but it is served",
                finding["id"]
            );
            assert!(
                names
                    .iter()
                    .any(|f| f["name"] == name && f["state"] != "served"),
                "{label}: {} names {name}, which is no absent fact",
                finding["id"]
            );
        }
    }
}

#[test]
fn no_example_contradicts_itself() {
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("examples")).expect("examples") {
        let path = entry.expect("entry").path();
        let Some(file) = path.file_name().and_then(|f| f.to_str()) else {
            continue;
        };
        if file == "cluster-dns.yaml" || !file.ends_with(".yaml") {
            continue;
        }
        check(
            file,
            &document(&[&example(file), &example("cluster-dns.yaml")]),
        );
        checked += 1;
    }
    let hostile = root().join("tests/fixtures/hostile/hostile.yaml");
    check(
        "hostile",
        &document(&[hostile.to_str().expect("a UTF-8 path")]),
    );
    assert!(checked >= 6, "only {checked} examples checked");
}
