//! Real DNS software: `-o zone` output loads whole in BIND's `named-checkzone` — the header
//! comments and every zone section, as printed — and BIND loads exactly the records the JSON
//! output of the same run lists (see tests/common/zone_check.rs).

use std::collections::BTreeSet;

use crate::support::stdout_of;
use crate::support::zone_check::{Checked, check_whole};

/// Record lines (`owner TTL IN TYPE RDATA`) of a JSON document's `records` and `zoneRecords`.
fn json_records(json: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let document: serde_json::Value = serde_json::from_str(json).expect("json output");
    let lines = |key: &str| -> BTreeSet<String> {
        document[key]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                format!(
                    "{} {} IN {} {}",
                    r["name"].as_str().expect("name"),
                    r["ttl"],
                    r["type"].as_str().expect("type"),
                    r["data"].as_str().expect("data")
                )
            })
            .collect()
    };
    (lines("records"), lines("zoneRecords"))
}

/// Runs `-o zone` with `files` and `scope` and checks the output whole. Allowed are the records
/// and zone-level records the JSON output lists for the whole cluster (a narrowed run still
/// prints each zone's SOA, NS and glue); required are the records of the same run.
pub fn check_zone_run(files: &[&str], scope: &[&str]) -> Checked {
    fn with<'a>(files: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        files
            .iter()
            .flat_map(|file| ["-f", file])
            .chain(extra.iter().copied())
            .collect()
    }
    let zone = stdout_of(&with(files, &[scope, &["-o", "zone"]].concat()));
    let (required, _) = json_records(&stdout_of(&with(files, &[scope, &["-o", "json"]].concat())));
    let (records, zone_records) = json_records(&stdout_of(&with(files, &["-A", "-o", "json"])));
    let allowed: BTreeSet<String> = records
        .into_iter()
        .chain(zone_records)
        .chain(required.iter().cloned())
        .collect();
    check_whole(&zone, &allowed, &required).unwrap_or_else(|failure| panic!("{failure}"))
}

#[test]
fn every_example_loads_whole() {
    let checked = check_zone_run(&["examples"], &["-A"]);
    assert_eq!(checked.zones, 3, "cluster.local, in-addr.arpa and ip6.arpa");
    assert!(checked.records > 100, "{checked:?}");
    let out = stdout_of(&["-f", "examples", "-A", "-o", "zone"]);
    assert!(
        out.contains("IN AAAA"),
        "the dual-stack example has IPv6 records"
    );
}

#[test]
fn a_single_service_still_loads_whole() {
    let checked = check_zone_run(&["examples"], &["-n", "cache", "svc/redis-headless"]);
    assert_eq!(checked.zones, 3);
}

#[test]
fn a_forged_record_in_the_header_is_caught() {
    // The check itself: the injection of issue 9, spliced into a real output by hand, must fail
    // it even though BIND loads the file.
    let files = [
        "-f",
        "examples/redis-statefulset.yaml",
        "-f",
        "examples/cluster-dns.yaml",
        "-A",
    ];
    let zone = stdout_of(&[&files[..], &["-o", "zone"]].concat());
    let (records, zone_records) = json_records(&stdout_of(&[&files[..], &["-o", "json"]].concat()));
    let allowed: BTreeSet<String> = records.iter().chain(&zone_records).cloned().collect();
    assert!(check_whole(&zone, &allowed, &records).is_ok());
    let forged = zone.replacen(
        "\n",
        "\n; svc/x/bad\nevil.cluster.local. 30 IN A 6.6.6.6\n;\n",
        1,
    );
    let failure = check_whole(&forged, &allowed, &records).expect_err("the forged record");
    assert!(
        failure.contains("evil.cluster.local. 30 IN A 6.6.6.6"),
        "{failure}"
    );
    let outside = zone.replacen("\n", "\nevil.example. 30 IN A 6.6.6.6\n", 1);
    let failure = check_whole(&outside, &allowed, &records).expect_err("out-of-zone record");
    assert!(failure.contains("neither a comment"), "{failure}");
}
