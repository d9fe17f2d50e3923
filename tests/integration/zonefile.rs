//! Real DNS software: every section of `-o zone` loads in BIND's `named-checkzone`.

use std::process::Command;

use crate::support::stdout_of;

fn check_sections(zone_output: &str) -> usize {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut checked = 0;
    for (index, section) in zone_output.split("$ORIGIN ").skip(1).enumerate() {
        let origin = section.lines().next().expect("origin line").trim();
        let file = dir.path().join(format!("section{index}.zone"));
        std::fs::write(&file, format!("$ORIGIN {section}")).expect("write zone");
        let out = Command::new("named-checkzone")
            .arg(origin)
            .arg(&file)
            .output()
            .expect("named-checkzone must be installed (Debian bind9-utils)");
        assert!(
            out.status.success(),
            "named-checkzone rejected {origin}:\n{}\n{section}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("OK"));
        checked += 1;
    }
    checked
}

#[test]
fn every_example_loads_as_zone_files() {
    let out = stdout_of(&["-f", "examples", "-A", "-o", "zone"]);
    assert_eq!(
        check_sections(&out),
        3,
        "cluster.local, in-addr.arpa and ip6.arpa"
    );
    assert!(
        out.contains("IN AAAA"),
        "the dual-stack example has IPv6 records"
    );
}

#[test]
fn a_single_service_still_loads() {
    let out = stdout_of(&[
        "-f",
        "examples",
        "-n",
        "cache",
        "svc/redis-headless",
        "-o",
        "zone",
    ]);
    assert_eq!(check_sections(&out), 3);
}
