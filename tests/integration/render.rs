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
