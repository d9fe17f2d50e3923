//! The binary as users run it: flags, records, exit codes, one-line errors with hints.

use std::io::Write;

use std::path::Path;

use dnsrecords::cli::Exit;

use crate::support::{assert_fails, command, example, std_command, stdout_of};

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
    assert_fails(
        command().arg("svc/x"),
        6,
        "error: no kubeconfig found (KUBECONFIG is unset or names no file, ~/.kube/config does not exist) and not running inside a cluster\n  hint: pass --kubeconfig, set KUBECONFIG, or read manifests with -f\n",
    );
    assert_fails(
        command().args(["-f", "examples", "--context", "prod"]),
        2,
        "error: -f reads manifests and cannot be combined with --context\n  hint: drop -f to read the live cluster, or drop the connection flags\n",
    );
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

const NAMESPACE_RULE: &str = "a namespace is an RFC 1123 label: at most 63 lower case letters, digits and '-', starting and ending with a letter or digit";
const SERVICE_RULE: &str = "a Service name is an RFC 1123 label: at most 63 lower case letters, digits and '-', starting and ending with a letter or digit";
const STATEFULSET_RULE: &str = "a StatefulSet name is an RFC 1123 subdomain: at most 253 lower case letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit";

#[test]
fn namespaces_and_names_the_api_server_would_refuse_are_usage_errors() {
    let long_namespace = "a".repeat(64);
    let long_statefulset = format!("sts/{}", "a".repeat(254));
    let cases: Vec<(Vec<&str>, String, &str)> = vec![
        (
            vec!["-n", "kube-system/secrets/foo?x="],
            r#"invalid namespace "kube-system/secrets/foo?x=": may not contain '/'"#.to_string(),
            NAMESPACE_RULE,
        ),
        (
            vec!["-n", "kube-system%2Fsecrets"],
            r#"invalid namespace "kube-system%2Fsecrets": may not contain '%'"#.to_string(),
            NAMESPACE_RULE,
        ),
        (
            vec!["-n", ".."],
            r#"invalid namespace "..": may not be '..'"#.to_string(),
            NAMESPACE_RULE,
        ),
        (
            vec!["-n", ""],
            r#"invalid namespace "": may not be empty"#.to_string(),
            NAMESPACE_RULE,
        ),
        (
            vec!["-n", &long_namespace],
            format!("invalid namespace {long_namespace:?}: must be no more than 63 characters"),
            NAMESPACE_RULE,
        ),
        (
            vec!["-n", "Cache"],
            r#"invalid namespace "Cache": must be lower case"#.to_string(),
            NAMESPACE_RULE,
        ),
        (
            vec!["-n", "cache?watch=1"],
            r#"invalid namespace "cache?watch=1": may not contain '?'"#.to_string(),
            NAMESPACE_RULE,
        ),
        (
            vec!["-n", "cache", "svc/redis?watch=true"],
            r#"invalid Service name "redis?watch=true": may not contain '?'"#.to_string(),
            SERVICE_RULE,
        ),
        (
            vec!["-n", "cache", "svc/../secrets"],
            r#"invalid Service name "../secrets": may not contain '/'"#.to_string(),
            SERVICE_RULE,
        ),
        (
            vec!["-n", "cache", "Redis-Headless"],
            r#"invalid Service name "Redis-Headless": must be lower case"#.to_string(),
            SERVICE_RULE,
        ),
        (
            vec!["-n", "cache", "sts/%2e%2e"],
            r#"invalid StatefulSet name "%2e%2e": may not contain '%'"#.to_string(),
            STATEFULSET_RULE,
        ),
        (
            vec!["-n", "cache", &long_statefulset],
            format!(
                "invalid StatefulSet name {:?}: must be no more than 253 characters",
                "a".repeat(254)
            ),
            STATEFULSET_RULE,
        ),
    ];
    for (args, message, hint) in &cases {
        let expected = format!("error: {message}\n  hint: {hint}\n");
        // Offline, and live with no kubeconfig at all: the name is refused first (2, not 6).
        assert_fails(command().args(["-f", "examples"]).args(args), 2, &expected);
        assert_fails(command().args(args), 2, &expected);
    }
}

#[test]
fn all_namespaces_with_targets_is_refused_before_connecting() {
    // No kubeconfig exists: a refusal after connecting would have been exit 6.
    assert_fails(
        command().args(["-A", "svc/redis"]),
        2,
        "error: a resource cannot be retrieved by name across all namespaces\n  hint: name one namespace with -n instead of -A\n",
    );
}

#[test]
fn durations_are_parsed_by_clap_with_kubectls_syntax() {
    assert_fails(
        command().args(["--request-timeout", "soon"]),
        2,
        "error: invalid value 'soon' for '--request-timeout <DURATION>': invalid duration \"soon\": use a whole number of seconds, or numbers with a unit (h, m, s, ms, us, ns), e.g. 30s, 1m, 2h30m\n\nFor more information, try '--help'.\n",
    );
    assert_fails(
        command().arg("--connect-timeout=-1s"),
        2,
        "error: invalid value '-1s' for '--connect-timeout <DURATION>': invalid duration \"-1s\": use a whole number of seconds, or numbers with a unit (h, m, s, ms, us, ns), e.g. 30s, 1m, 2h30m\n\nFor more information, try '--help'.\n",
    );
    // Valid forms are accepted (the timeouts do not apply to -f).
    for value in ["0", "30", "30s", "1m", "2h", "1h30m", "500ms"] {
        stdout_of(&["-f", "examples", "-n", "cache", "--request-timeout", value]);
    }
}

/// Writes a kubeconfig with two contexts, one cluster and one user; the server is never
/// contacted by the tests that use it.
fn two_context_kubeconfig(dir: &Path, current: Option<&str>) -> String {
    let current = current
        .map(|c| format!("current-context: {c}\n"))
        .unwrap_or_default();
    let path = dir.join("config");
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: {{server: 'https://127.0.0.1:9'}}
users:
- name: alice
  user: {{token: t}}
contexts:
- name: work
  context: {{cluster: prod, user: alice}}
- name: home
  context: {{cluster: lab, user: alice}}
{current}"
        ),
    )
    .expect("write kubeconfig");
    path.display().to_string()
}

#[test]
fn connection_flags_must_name_what_the_kubeconfig_has() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = two_context_kubeconfig(dir.path(), Some("work"));
    let run = |args: &[&str], code: i32, stderr: String| {
        assert_fails(
            command().args(["--kubeconfig", &config]).args(args),
            code,
            &stderr,
        );
    };
    run(
        &["--user", "bob"],
        6,
        format!(
            "error: user \"bob\" does not exist in the kubeconfig {config}\n  hint: pick one with --user (its users: \"alice\")\n"
        ),
    );
    run(
        &["--context", "prod"],
        6,
        format!(
            "error: context \"prod\" does not exist in the kubeconfig {config}\n  hint: pick one with --context (its contexts: \"work\", \"home\")\n"
        ),
    );
    run(
        &["--cluster", "staging"],
        6,
        format!(
            "error: cluster \"staging\" does not exist in the kubeconfig {config}\n  hint: pick one with --cluster (its clusters: \"prod\")\n"
        ),
    );
    // A context naming a cluster that is not there.
    run(
        &["--context", "home"],
        6,
        format!(
            "error: cluster \"lab\" does not exist in the kubeconfig {config}\n  hint: pick one with --cluster (its clusters: \"prod\")\n"
        ),
    );
    let without_current = tempfile::tempdir().expect("tempdir");
    let config = two_context_kubeconfig(without_current.path(), None);
    assert_fails(
        command().args(["--kubeconfig", &config]),
        6,
        &format!(
            "error: the kubeconfig {config} sets no current-context\n  hint: pick one with --context (its contexts: \"work\", \"home\")\n"
        ),
    );
}

#[test]
fn unreadable_and_broken_kubeconfigs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing").display().to_string();
    assert_fails(
        command().args(["--kubeconfig", &missing]),
        6,
        &format!(
            "error: cannot read kubeconfig {missing}: No such file or directory (os error 2)\n  hint: check the path given to --kubeconfig or KUBECONFIG\n"
        ),
    );
}

#[test]
fn an_output_that_cannot_be_written_is_exit_74_and_a_closed_pipe_is_not() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full");
    let out = std_command()
        .args(["-f", "examples", "-n", "cache"])
        .stdout(full)
        .output()
        .expect("run");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: cannot write the output: No space left on device (os error 28)\n"
    );
    assert_eq!(out.status.code(), Some(74));
}

/// A manifest whose output in every format is far larger than a pipe's buffer (64 KiB), so the
/// binary is still writing when the reader goes away.
fn big_manifest(dir: &Path) -> String {
    let mut text = String::new();
    for i in 0..3000 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Service\nmetadata: {{name: svc-{i}, namespace: big}}\nspec: {{clusterIP: 10.96.{}.{}, ports: [{{name: http, port: 80}}]}}\n",
            i / 250,
            i % 250 + 1
        ));
    }
    let path = dir.join("big.yaml");
    std::fs::write(&path, text).expect("write the manifest");
    path.display().to_string()
}

#[test]
fn a_reader_that_closes_early_is_not_an_error_in_any_format() {
    use std::io::Read;
    use std::process::Stdio;
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = big_manifest(dir.path());
    for format in ["table", "wide", "json", "yaml", "zone"] {
        let mut child = std_command()
            .args(["-f", &manifest, "-n", "big", "-o", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // `| head -c 100`: read a little, then close the pipe.
        let mut stdout = child.stdout.take().expect("stdout");
        let mut first = [0u8; 100];
        stdout.read_exact(&mut first).expect("the output starts");
        drop(stdout);
        let out = child.wait_with_output().expect("wait");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "-o {format}");
        assert_eq!(out.status.code(), Some(0), "-o {format}");
    }
}

#[test]
fn the_readme_exit_code_table_is_the_one_the_binary_uses() {
    let readme = std::fs::read_to_string(crate::support::root().join("README.md")).expect("README");
    let section = readme
        .split("### Exit codes")
        .nth(1)
        .expect("an exit code section");
    let rows: Vec<(u8, String)> = section
        .lines()
        .skip_while(|l| !l.starts_with("| 0 "))
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            Some((cells.first()?.parse().ok()?, cells.get(1)?.to_string()))
        })
        .collect();
    let expected: Vec<(u8, String)> = Exit::ALL
        .iter()
        .map(|e| (e.code(), e.meaning().to_string()))
        .collect();
    assert_eq!(rows, expected);
}

/// Errors quote what the user or a file supplied; stderr goes through the escaping module, so a
/// control or bidi character in a file name or a Service name never reaches the terminal raw.
#[test]
fn errors_on_stderr_escape_control_characters() {
    for args in [
        vec!["-f", "missing\u{1b}[2J\u{202e}.yaml"],
        vec![
            "-f",
            "examples/redis-statefulset.yaml",
            "-n",
            "cache",
            "svc/re\u{7}dis",
        ],
    ] {
        let out = command().args(&args).output().expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(
            !stderr
                .chars()
                .any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'),
            "raw control character on stderr: {stderr:?}"
        );
    }
}

#[test]
fn corefile_env_gives_the_values_of_environment_references() {
    let mut corefile = tempfile::NamedTempFile::new().expect("tempfile");
    write!(
        corefile,
        ".:53 {{\n  kubernetes {{$DOMAIN}} in-addr.arpa {{\n    ttl {{$TTL}}\n  }}\n}}\n"
    )
    .expect("write");
    let path = corefile.path().display().to_string();
    let redis = example("redis-statefulset.yaml");
    let out = stdout_of(&[
        "-f",
        &redis,
        "--corefile",
        &path,
        "--corefile-env",
        "DOMAIN=corp.example",
        "--corefile-env",
        "TTL=7",
        "-n",
        "cache",
        "--fail-on",
        "never",
    ]);
    let headless: Vec<Vec<&str>> = out
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .filter(|fields| fields.first() == Some(&"redis-headless.cache.svc.corp.example."))
        .collect();
    assert!(!headless.is_empty(), "{out}");
    assert!(
        headless.iter().all(|fields| fields.get(2) == Some(&"7")),
        "{out}"
    );
    // Without the values the references read as unset: an empty ttl, which CoreDNS refuses.
    let out = command()
        .args([
            "-f",
            &redis,
            "--corefile",
            &path,
            "--corefile-env",
            "DOMAIN=corp.example",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(4));
    let out = command()
        .args([
            "-f",
            &redis,
            "--corefile",
            &path,
            "--corefile-env",
            "DOMAIN",
        ])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(2),
        "NAME without =VALUE is a usage error"
    );
}
