//! kubectl's output options on the real binary: `-o jsonpath=`, `-o custom-columns=` (and their
//! `-file=` forms), `--sort-by`, `-L`; each honoured in every format it can apply to and
//! refused with a usage error where it cannot.

use crate::support::command;

const REDIS: [&str; 6] = [
    "-f",
    "examples/redis-statefulset.yaml",
    "-f",
    "examples/cluster-dns.yaml",
    "-n",
    "cache",
];

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = command().args(REDIS).args(args).output().expect("run");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn jsonpath_range_prints_exactly_the_template() {
    let (code, out, _) = run(&[
        "svc/redis-headless",
        "-o",
        r#"jsonpath={range .records[?(@.type=="SRV")]}{.name}{" "}{.data}{"\n"}{end}"#,
    ]);
    assert_eq!(code, Some(0));
    assert_eq!(
        out,
        "redis-headless.cache.svc.cluster.local. 0 33 6379 redis-0.redis-headless.cache.svc.cluster.local.\n\
         redis-headless.cache.svc.cluster.local. 0 33 6379 redis-1.redis-headless.cache.svc.cluster.local.\n\
         redis-headless.cache.svc.cluster.local. 0 33 6379 redis-2.redis-headless.cache.svc.cluster.local.\n\
         _redis._tcp.redis-headless.cache.svc.cluster.local. 0 33 6379 redis-0.redis-headless.cache.svc.cluster.local.\n\
         _redis._tcp.redis-headless.cache.svc.cluster.local. 0 33 6379 redis-1.redis-headless.cache.svc.cluster.local.\n\
         _redis._tcp.redis-headless.cache.svc.cluster.local. 0 33 6379 redis-2.redis-headless.cache.svc.cluster.local.\n"
    );
}

#[test]
fn jsonpath_one_field_has_no_newline_like_kubectl() {
    let (_, out, _) = run(&[
        "svc/redis",
        "-o",
        r#"jsonpath={.records[?(@.name=="redis.cache.svc.cluster.local.")].data}"#,
    ]);
    assert_eq!(out, "10.96.20.15 0 100 6379 redis.cache.svc.cluster.local.");
    let (_, out, _) = run(&["svc/redis-headless", "-o", "jsonpath={.records..pod}"]);
    // Five records per pod: its aggregate A, two SRV targets, its own name and its PTR.
    assert_eq!(out, ["redis-0 redis-1 redis-2"; 5].join(" "));
}

#[test]
fn jsonpath_file_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.txt");
    std::fs::write(&path, "{.zone}\n").expect("write");
    let (code, out, _) = run(&["-o", &format!("jsonpath-file={}", path.display())]);
    assert_eq!((code, out.as_str()), (Some(0), "cluster.local."));
    let (code, _, err) = run(&["-o", "jsonpath-file=/nonexistent/template"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.starts_with("error: cannot read /nonexistent/template: "),
        "{err}"
    );
}

#[test]
fn custom_columns_one_row_per_record() {
    let (code, out, _) = run(&[
        "sts/redis",
        "-o",
        "custom-columns=NAME:.name,TYPE:.type,POD:.source.pod",
        "--sort-by",
        ".name",
    ]);
    assert_eq!(code, Some(0));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["NAME", "TYPE", "POD"]
    );
    let names: Vec<&str> = lines[1..]
        .iter()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "--sort-by .name orders the rows");
    assert!(
        lines
            .iter()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == [
                    "redis-0.redis-headless.cache.svc.cluster.local.",
                    "A",
                    "redis-0"
                ]),
        "{out}"
    );
    assert!(
        out.contains("<none>"),
        "a record without a pod shows <none>: {out}"
    );
}

#[test]
fn custom_columns_file_and_no_headers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cols");
    std::fs::write(&path, "NAME  TTL\n.name .ttl\n").expect("write");
    let (code, out, _) = run(&[
        "svc/redis",
        "--no-headers",
        "-o",
        &format!("custom-columns-file={}", path.display()),
    ]);
    assert_eq!(code, Some(0));
    assert!(
        out.lines().any(|l| l.split_whitespace().collect::<Vec<_>>()
            == ["redis.cache.svc.cluster.local.", "30"]),
        "{out}"
    );
    assert!(!out.contains("NAME"));
}

#[test]
fn sort_by_orders_every_format() {
    let records = |value: serde_json::Value| -> Vec<String> {
        value["records"]
            .as_array()
            .map(|records| {
                records
                    .iter()
                    .map(|r| r["type"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    for format in ["table", "wide", "json", "yaml"] {
        let (code, out, err) = run(&["svc/redis-headless", "--sort-by", "{.type}", "-o", format]);
        assert_eq!(code, Some(0), "{format}: {err}");
        let types: Vec<String> = match format {
            "json" => records(serde_json::from_str(&out).expect("json")),
            "yaml" => records(serde_saphyr::from_str(&out).expect("yaml")),
            // The TYPE column, up to the blank line before the notes.
            _ => out
                .lines()
                .skip(1)
                .take_while(|l| !l.is_empty())
                .filter_map(|l| l.split_whitespace().nth(1).map(str::to_string))
                .collect(),
        };
        let mut sorted = types.clone();
        sorted.sort();
        assert!(types.len() >= 6, "{format}: {out}");
        assert_eq!(types, sorted, "{format}");
        assert_ne!(types.first(), types.last(), "{format}: more than one type");
    }
    let (code, _, err) = run(&["--sort-by", ".name", "-o", "zone"]);
    assert_eq!(code, Some(2));
    assert_eq!(
        err,
        "error: --sort-by cannot be used with -o zone: a zone file keeps its zones' order; every other format is sorted\n"
    );
    let (code, _, err) = run(&["--sort-by", ".a["]);
    assert_eq!(code, Some(2));
    assert!(
        err.starts_with("error: invalid jsonpath template \".a[\""),
        "{err}"
    );
}

#[test]
fn label_columns_on_the_table_and_wide() {
    let (code, out, _) = run(&[
        "sts/redis",
        "-L",
        "app",
        "-L",
        "statefulset.kubernetes.io/pod-name",
        "-o",
        "wide",
    ]);
    assert_eq!(code, Some(0));
    let header: Vec<&str> = out
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        ["NAME", "TYPE", "TTL", "DATA", "SOURCE", "APP", "POD-NAME"]
    );
    assert!(
        out.lines().any(
            |l| l.starts_with("redis-1.redis-headless.cache.svc.cluster.local.")
                && l.ends_with("redis  redis-1")
        ),
        "{out}"
    );
    let (code, out, _) = run(&["svc/redis", "-L", "app"]);
    assert_eq!(code, Some(0));
    let header: Vec<&str> = out
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(header, ["NAME", "TYPE", "TTL", "DATA", "APP"]);
    // The key is the user's, and still reaches the terminal escaped, as every cell does.
    let (code, out, _) = run(&["svc/redis", "-L", "app\u{1b}[2J"]);
    assert_eq!(code, Some(0));
    let first = out.lines().next().unwrap_or_default();
    assert!(!first.contains('\u{1b}'), "{first:?}");
    assert!(first.ends_with("APP\\x1b[2J"), "{first:?}");
    for format in [
        "json",
        "yaml",
        "zone",
        "jsonpath={.zone}",
        "custom-columns=N:.name",
    ] {
        let (code, _, err) = run(&["-L", "app", "-o", format]);
        assert_eq!(code, Some(2), "{format}");
        let name = format.split('=').next().unwrap_or(format);
        assert_eq!(
            err,
            format!(
                "error: -L/--label-columns cannot be used with -o {name}: it adds columns to -o table and -o wide\n"
            )
        );
    }
}

#[test]
fn subcommands_take_the_shapes_and_refuse_the_record_flags() {
    let explain = [
        "explain",
        "redis-0.redis-headless",
        "-n",
        "cache",
        "-f",
        "examples/redis-statefulset.yaml",
    ];
    let out = command()
        .args(explain)
        .args(["-o", "custom-columns=NAME:.name,RCODE:.rcode"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("NAME"), "{text}");
    assert!(
        text.contains("redis-0.redis-headless.cache.svc.cluster.local."),
        "{text}"
    );
    let out = command()
        .args(["--sort-by", ".name"])
        .args(explain)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: --sort-by shapes the record list, not explain\n"
    );
    let out = command()
        .args(["docs", "-o", "jsonpath={.findings[*].code}"])
        .output()
        .expect("run");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "DNS001 DNS002 DNS003 DNS004 DNS005 DNS006 DNS007 DNS008 DNS009 DNS010 DNS011 DNS012"
    );
}

#[test]
fn bad_output_values_are_usage_errors() {
    for (value, expected) in [
        ("jsonpath", "-o jsonpath needs its argument"),
        (
            "custom-columns=NAME",
            "custom-columns spec \"NAME\" is not HEADER:PATH",
        ),
        ("xml", "\"xml\" is not an output format"),
    ] {
        let (code, _, err) = run(&["-o", value]);
        assert_eq!(code, Some(2), "{value}");
        assert!(err.contains(expected), "{value}: {err}");
    }
}

/// Object text printed through a template is escaped like every other output.
#[test]
fn jsonpath_values_are_escaped() {
    let out = command()
        .args([
            "-f",
            "tests/fixtures/hostile/hostile.yaml",
            "-A",
            "-o",
            "jsonpath={..reason}",
        ])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.is_empty());
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text}"
    );
}

/// The record view's jsonpath and custom columns are computed from only the members of the
/// document they can read, a row's value at a time: what they print must be what the whole
/// document, as `-o json` writes it, gives.
#[test]
fn shaped_outputs_are_those_of_the_whole_document() {
    use dnsrecords::render::jsonpath::Template;
    use dnsrecords::render::{Columns, Shape, render_document};
    let whole_cluster = [
        "-f",
        "examples/redis-statefulset.yaml",
        "-f",
        "examples/cluster-dns.yaml",
        "-A",
    ];
    let stdout = |extra: &[&str]| -> String {
        let out = command()
            .args(whole_cluster)
            .args(extra)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0), "{extra:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let document: serde_json::Value =
        serde_json::from_str(&stdout(&["-o", "json"])).expect("the document parses");
    for template in [
        "{.records[*].name}",
        r#"{range .records[*]}{$.zone} {.name} {.data}{"\n"}{end}"#,
        "{.zoneRecords[*].type}",
        r#"{range .names[*]}{.name}={.state}{"\n"}{end}"#,
        "{.findings[*].id} {.notes[*].message} {.config.ttl}",
        "{..pod}",
        "{.records[?(@.type == \"SRV\")].data}",
        r#"{range .records}{.type}{"\t"}{.source.pod}{"\n"}{end}"#,
        "{.records[*]['name','ttl']}",
        "{.records[2].name} {.records[-1:].data}",
    ] {
        let whole = Template::parse(template)
            .unwrap_or_else(|e| panic!("{e}"))
            .execute(&document);
        assert!(!whole.trim().is_empty(), "{template} prints something");
        assert_eq!(
            stdout(&["-o", &format!("jsonpath={template}")]),
            whole,
            "{template}"
        );
    }
    for spec in [
        "NAME:.name,TYPE:.type,POD:.source.pod",
        "NAME:.name,ZONE:$.zone,FIRST:$.names[0].name",
    ] {
        let columns = Columns::parse(spec).unwrap_or_else(|e| panic!("{e}"));
        let mut whole = Vec::new();
        render_document(
            &document,
            &["zoneRecords", "records"],
            &Shape::Columns(columns),
            true,
            &mut whole,
        )
        .expect("render");
        assert_eq!(
            stdout(&["-o", &format!("custom-columns={spec}")]),
            String::from_utf8(whole).expect("utf-8"),
            "{spec}"
        );
    }
}
