//! The binary as users run it: flags, records, exit codes, one-line errors with hints.

use std::io::Write;

use crate::support::{command, example, stdout_of};

#[test]
fn redis_headless_prints_aggregate_per_pod_srv_and_ptr_records() {
    let out = stdout_of(&[
        "-f",
        &example("redis-statefulset.yaml"),
        "-n",
        "cache",
        "svc/redis-headless",
        "-o",
        "zone",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    let has = |prefix: &str, rtype: &str| {
        lines.iter().any(|l| {
            l.starts_with(prefix)
                && l.split_whitespace().nth(3) == Some(rtype)
                && l.split_whitespace().nth(1) == Some("30")
        })
    };
    assert!(
        has("redis-headless.cache.svc.cluster.local. ", "A"),
        "{out}"
    );
    assert!(
        has("redis-0.redis-headless.cache.svc.cluster.local. ", "A"),
        "{out}"
    );
    assert!(
        has("redis-2.redis-headless.cache.svc.cluster.local. ", "A"),
        "{out}"
    );
    assert!(
        has(
            "_redis._tcp.redis-headless.cache.svc.cluster.local. ",
            "SRV"
        ),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains(" PTR redis-0.redis-headless.cache.svc.cluster.local.")),
        "{out}"
    );
    // Only this Service: the ClusterIP Service beside it is not shown.
    assert!(
        !lines.iter().any(|l| l.starts_with("redis.cache.svc")),
        "{out}"
    );
}

#[test]
fn statefulset_target_shows_its_governing_service_and_pods() {
    let out = stdout_of(&[
        "-f",
        &example("redis-statefulset.yaml"),
        "-n",
        "cache",
        "sts/redis",
    ]);
    assert!(
        out.contains("redis-1.redis-headless.cache.svc.cluster.local."),
        "{out}"
    );
    assert!(out.contains(".cache.pod.cluster.local."), "{out}");
}

#[test]
fn default_corefile_is_announced() {
    let out = stdout_of(&["-f", &example("redis-statefulset.yaml"), "-n", "cache"]);
    assert!(
        out.contains("note: no Corefile in the input: assuming kubeadm's default"),
        "{out}"
    );
    let out = stdout_of(&[
        "-f",
        &example("redis-statefulset.yaml"),
        "-f",
        &example("cluster-dns.yaml"),
        "-n",
        "cache",
    ]);
    assert!(!out.contains("assuming kubeadm's default"), "{out}");
}

#[test]
fn json_has_the_documented_shape() {
    let out = stdout_of(&[
        "-f",
        "examples",
        "-n",
        "cache",
        "svc/redis-headless",
        "-o",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(doc["schema"], "dnsrecords/v1");
    assert_eq!(doc["zone"], "cluster.local.");
    assert_eq!(doc["ttl"], 30);
    assert_eq!(doc["config"]["source"]["kind"], "config-map");
    assert_eq!(doc["findings"], serde_json::json!([]));
    let records = doc["records"].as_array().expect("records");
    assert!(!records.is_empty());
    for record in records {
        for field in ["name", "type", "ttl", "data", "source"] {
            assert!(!record[field].is_null(), "{field} missing in {record}");
        }
    }
}

#[test]
fn headless_service_without_ready_endpoints_is_reported_as_nxdomain() {
    let manifest = "apiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: x}\nspec: {clusterIP: None, ports: [{name: pg, port: 5432}]}\n";
    let out = command()
        .args(["-f", "-", "-n", "x"])
        .write_stdin(manifest)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // A headless Service with no endpoint is an error finding: exit 1.
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("No DNS records found in x namespace."),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "NXDOMAIN db.x.svc.cluster.local. (Service db has no selector and no EndpointSlice)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("error[empty-endpoints] DNS003: Service db has no ready endpoint because it has no selector and no EndpointSlice"),
        "{stdout}"
    );
}

fn assert_one_line_error(args: &[&str], stdin: Option<&str>, code: i32, needle: &str) {
    let mut cmd = command();
    cmd.args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains(needle),
        "expected {needle:?} in {stderr}"
    );
    assert!(
        stderr.lines().any(|l| l.starts_with("  hint: ")),
        "{stderr}"
    );
}

#[test]
fn invalid_yaml_names_file_and_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.yaml");
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\nkind: [unclosed\n",
    )
    .expect("write");
    let path = path.display().to_string();
    assert_one_line_error(&["-f", &path], None, 3, &format!("{path}: document 2:"));
}

#[test]
fn empty_and_missing_files_are_errors() {
    let mut empty = tempfile::NamedTempFile::new().expect("tempfile");
    writeln!(empty, "# nothing here").expect("write");
    let path = empty.path().display().to_string();
    assert_one_line_error(&["-f", &path], None, 3, "no objects in the file");
    assert_one_line_error(
        &["-f", "does-not-exist.yaml"],
        None,
        3,
        "cannot read does-not-exist.yaml",
    );
}

#[test]
fn malformed_objects_are_skipped_with_a_warning_naming_the_document() {
    let manifest = "\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: x}
spec: {clusterIP: 10.96.0.1, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: bad, namespace: x}
spec: {clusterIP: 10.96.0.300}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: orphan, namespace: x}
addressType: IPv4
endpoints: [{addresses: [10.0.0.1]}]
";
    let out = command()
        .args(["-f", "-", "-n", "x"])
        .write_stdin(manifest)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("web.x.svc.cluster.local."), "{stdout}");
    assert!(
        stdout.contains(
            "warning: -: document 2: Service x/bad: spec.clusterIPs \"10.96.0.300\" is not an IP address; the API server would refuse it, so it is skipped"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("warning: -: document 3: EndpointSlice x/orphan: has no kubernetes.io/service-name label"), "{stdout}");
}

#[test]
fn unknown_service_suggests_near_names() {
    assert_one_line_error(
        &[
            "-f",
            &example("redis-statefulset.yaml"),
            "-n",
            "cache",
            "svc/redis-headles",
        ],
        None,
        5,
        "services \"redis-headles\" not found in namespace \"cache\"",
    );
    let out = command()
        .args([
            "-f",
            &example("redis-statefulset.yaml"),
            "-n",
            "cache",
            "redis-headles",
        ])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("hint: did you mean svc/redis-headless"));
}

#[test]
fn usage_errors() {
    assert_one_line_error(&["-f", "examples", "deploy/nginx"], None, 2, "deploy");
    assert_one_line_error(
        &["-f", "examples", "-A", "svc/redis"],
        None,
        2,
        "across all namespaces",
    );
    assert_one_line_error(
        &["-f", "examples", "-l", "=x"],
        None,
        2,
        "invalid label selector",
    );
    let out = command().args(["--output", "csv"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn invalid_corefile_is_an_error_with_its_line() {
    let mut corefile = tempfile::NamedTempFile::new().expect("tempfile");
    write!(
        corefile,
        ".:53 {{\n  kubernetes cluster.local {{\n    ttl 9000\n  }}\n}}\n"
    )
    .expect("write");
    let path = corefile.path().display().to_string();
    assert_one_line_error(
        &["-f", "examples", "--corefile", &path],
        None,
        4,
        "line 3: kubernetes: ttl must be in range [0, 3600]: 9000",
    );
}

#[test]
fn without_kubeconfig_or_cluster_the_error_says_what_to_do() {
    assert_one_line_error(&["svc/x"], None, 6, "no kubeconfig found");
    assert_one_line_error(
        &["-f", "examples", "--context", "prod"],
        None,
        2,
        "-f reads manifests",
    );
    assert_one_line_error(&["--request-timeout", "soon"], None, 2, "--request-timeout");
}

#[test]
fn colour_follows_flag_and_no_color() {
    let args = ["-f", "examples", "-n", "cache"];
    let plain = stdout_of(&args);
    assert!(
        !plain.contains('\u{1b}'),
        "piped output must not be coloured"
    );
    let forced = command()
        .args(args)
        .args(["--color", "always"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&forced.stdout).contains('\u{1b}'));
    let no_color = command()
        .args(args)
        .env("NO_COLOR", "1")
        .env("CLICOLOR_FORCE", "1")
        .output()
        .expect("run");
    assert!(!String::from_utf8_lossy(&no_color.stdout).contains('\u{1b}'));
    let clicolor = command()
        .args(args)
        .env("CLICOLOR_FORCE", "1")
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&clicolor.stdout).contains('\u{1b}'));
}

#[test]
fn no_headers_and_cluster_domain() {
    let out = stdout_of(&[
        "-f",
        "examples",
        "-n",
        "cache",
        "--no-headers",
        "--cluster-domain",
        "corp.example",
    ]);
    assert!(!out.contains("NAME"), "{out}");
    assert!(
        out.contains("redis-headless.cache.svc.corp.example."),
        "{out}"
    );
    assert!(!out.contains("cluster.local."), "{out}");
}

#[test]
fn help_reads_like_kubectl() {
    let out = stdout_of(&["--help"]);
    assert!(
        out.contains("Usage: kubectl dnsrecords [OPTIONS] [TARGET]..."),
        "{out}"
    );
    assert!(
        out.contains("kubectl dnsrecords svc/redis-headless -n cache"),
        "{out}"
    );
    let version = stdout_of(&["--version"]);
    assert!(version.starts_with("kubectl-dnsrecords "), "{version}");
}

#[test]
fn exit_code_follows_fail_on() {
    let code = |args: &[&str]| command().args(args).output().expect("run").status.code();
    let kafka = [
        "-f",
        "examples/kafka-servicename-mismatch.yaml",
        "-n",
        "streaming",
    ];
    let mysql = ["-f", "examples/mysql-statefulset.yaml", "-n", "db"];
    // Kafka has an error finding; MySQL only warnings.
    assert_eq!(code(&kafka), Some(1));
    assert_eq!(
        code(&[&kafka[..], &["--fail-on", "never"]].concat()),
        Some(0)
    );
    assert_eq!(code(&mysql), Some(0));
    assert_eq!(
        code(&[&mysql[..], &["--fail-on", "warning"]].concat()),
        Some(1)
    );
    assert_eq!(
        code(&[
            "-f",
            "examples/redis-statefulset.yaml",
            "-n",
            "cache",
            "--fail-on",
            "warning"
        ]),
        Some(0)
    );
}

#[test]
fn kafka_mismatch_names_the_service_that_was_meant() {
    let out = stdout_of(&[
        "-f",
        "examples/kafka-servicename-mismatch.yaml",
        "-n",
        "streaming",
        "-o",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    let findings = doc["findings"].as_array().expect("findings");
    let mismatch = findings
        .iter()
        .find(|f| f["id"] == "service-name-mismatch")
        .expect("the mismatch is found");
    assert_eq!(mismatch["severity"], "error");
    assert_eq!(mismatch["code"], "DNS001");
    assert!(
        mismatch["message"]
            .as_str()
            .unwrap()
            .contains("kafka-headless selects these pods and was probably meant")
    );
    assert_eq!(mismatch["objects"][0]["kind"], "StatefulSet");
    assert!(
        mismatch["names"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "kafka-0.kafka.streaming.svc.cluster.local.")
    );
    assert!(
        mismatch["hint"]
            .as_str()
            .unwrap()
            .contains("--cascade=orphan")
    );
    assert_eq!(mismatch["docs"], "docs/findings.md#service-name-mismatch");
}
