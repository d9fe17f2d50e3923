//! `explain` through the binary: exit codes scripts can wait on, the JSON contract, errors with
//! hints, completion, and the same explanation live and offline.

use std::path::{Path, PathBuf};

use crate::support::apiserver::{ApiServer, ServerOptions};
use crate::support::{command, root};

const REDIS: &str = "examples/redis-statefulset.yaml";
const KAFKA: &str = "examples/kafka-servicename-mismatch.yaml";
const CLUSTER_DNS: &str = "examples/cluster-dns.yaml";

/// Runs the binary; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = command().args(args).output().expect("run the binary");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        stderr,
    )
}

#[test]
fn exit_code_says_whether_the_name_resolves() {
    let resolves = [
        "explain",
        "redis-0.redis-headless",
        "-n",
        "cache",
        "-f",
        REDIS,
        "-f",
        CLUSTER_DNS,
    ];
    let (code, out, err) = run(&resolves);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("resolves at redis-0.redis-headless.cache.svc.cluster.local."),
        "{out}"
    );
    let missing = [
        "explain",
        "kafka-1.kafka-headless",
        "--from",
        "pod/kafka-0",
        "-n",
        "streaming",
        "-f",
        KAFKA,
        "-f",
        CLUSTER_DNS,
    ];
    let (code, out, err) = run(&missing);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(err.is_empty(), "{err}");
    assert!(
        out.contains("pod kafka-1's spec.subdomain is \"kafka\", not \"kafka-headless\""),
        "{out}"
    );
}

#[test]
fn json_follows_the_explain_contract() {
    let (code, out, err) = run(&[
        "explain",
        "kafka-0.kafka",
        "--from",
        "pod/kafka-1",
        "-n",
        "streaming",
        "-f",
        KAFKA,
        "-f",
        CLUSTER_DNS,
        "-o",
        "json",
    ]);
    assert_eq!(code, Some(1), "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(doc["schema"], "dnsrecords.explain/v1");
    assert_eq!(doc["question"]["name"], "kafka-0.kafka");
    assert_eq!(doc["question"]["type"], "A");
    let client = &doc["client"];
    assert_eq!(client["pod"], "pod/streaming/kafka-1");
    assert_eq!(client["dnsPolicy"], "ClusterFirst");
    assert_eq!(client["ndots"], 5);
    assert_eq!(client["nameservers"], serde_json::json!(["10.96.0.10"]));
    assert_eq!(
        client["search"],
        serde_json::json!([
            "streaming.svc.cluster.local",
            "svc.cluster.local",
            "cluster.local"
        ])
    );
    let tries = doc["tries"].as_array().expect("tries");
    assert_eq!(tries.len(), 4);
    let first = &tries[0];
    assert_eq!(first["name"], "kafka-0.kafka.streaming.svc.cluster.local.");
    assert_eq!(first["rcode"], "NXDOMAIN");
    assert_eq!(first["answer"], serde_json::json!([]));
    let codes: Vec<&str> = first["causes"]
        .as_array()
        .expect("causes")
        .iter()
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(codes, ["service-missing", "did-you-mean"], "{first}");
    assert_eq!(
        first["causes"][0]["objects"],
        serde_json::json!(["svc/streaming/kafka"])
    );
    // The as-is name goes to forward: no rcode the tool can compute.
    assert_eq!(tries[3]["rcode"], serde_json::Value::Null);
    assert_eq!(doc["result"]["rcode"], serde_json::Value::Null);
    assert_eq!(doc["result"]["answer"], serde_json::json!([]));
}

#[test]
fn an_absolute_name_or_an_address_is_one_question() {
    let (code, out, _) = run(&[
        "explain",
        "10.244.1.10",
        "-f",
        REDIS,
        "-f",
        CLUSTER_DNS,
        "-o",
        "json",
    ]);
    assert_eq!(code, Some(0), "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(doc["client"], serde_json::Value::Null);
    assert_eq!(doc["question"]["type"], "PTR");
    assert_eq!(doc["tries"].as_array().map(Vec::len), Some(1));
    // One PTR per Service whose slices hold the address.
    let data: Vec<&str> = doc["result"]["answer"]
        .as_array()
        .expect("answer")
        .iter()
        .filter_map(|r| r["data"].as_str())
        .collect();
    assert!(
        data.contains(&"redis-0.redis-headless.cache.svc.cluster.local."),
        "{data:?}"
    );
    let (code, out, _) = run(&[
        "explain",
        "redis-headless.cache.svc.cluster.local.",
        "--type",
        "srv",
        "-f",
        REDIS,
        "-f",
        CLUSTER_DNS,
    ]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("0 33 6379 redis-0.redis-headless.cache.svc.cluster.local."),
        "{out}"
    );
    assert!(
        out.contains("redis-0.redis-headless.cache.svc.cluster.local. 30 IN A 10.244.1.10"),
        "{out}"
    );
}

/// A name of a second server block's `kubernetes` stanza is answered by that stanza (its zone,
/// its TTL), not reported as another block's business.
#[test]
fn a_second_server_blocks_name_is_answered_by_its_stanza() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corefile = crate::support::two_block_corefile(dir.path());
    let explain = |name: &str| {
        run(&[
            "explain",
            name,
            "-f",
            REDIS,
            "-f",
            CLUSTER_DNS,
            "--corefile",
            &corefile,
        ])
    };
    let name = "redis-0.redis-headless.cache.svc.example.internal.";
    let (code, out, err) = explain(name);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains(&format!("resolves at {name}")), "{out}");
    assert!(out.contains(&format!("{name} 7 IN A 10.244.1.10")), "{out}");
    // A name the second stanza does not serve is its NXDOMAIN.
    let (code, out, _) = explain("nope.cache.svc.example.internal.");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("→ NXDOMAIN"), "{out}");
    assert!(out.contains("no Service nope in namespace cache"), "{out}");
}

#[test]
fn usage_errors_and_a_missing_pod() {
    let (code, _, err) = run(&[
        "explain",
        "x",
        "--from",
        "pod/kafka-9",
        "-n",
        "streaming",
        "-f",
        KAFKA,
    ]);
    assert_eq!(code, Some(5), "{err}");
    assert!(
        err.contains("error: pods \"kafka-9\" not found in namespace \"streaming\""),
        "{err}"
    );
    assert!(err.contains("hint: did you mean pod/kafka-0"), "{err}");
    let (code, _, err) = run(&["explain", "x", "-o", "zone", "-f", KAFKA]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("explain prints table, json or yaml"), "{err}");
    let (code, _, err) = run(&["explain", "x", "--from", "svc/kafka", "-f", KAFKA]);
    assert_eq!(code, Some(2), "{err}");
    let (code, _, err) = run(&["explain", "x", "--type", "MX", "-f", KAFKA]);
    assert_eq!(code, Some(2), "{err}");
}

#[test]
fn completion_offers_the_subcommand_pods_and_types() {
    let complete = |args: &[&str]| {
        let (_, out, _) = run(&[&["__complete"], args].concat());
        out
    };
    let first = complete(&["-f", "examples", "-n", "streaming", "ex"]);
    assert!(first.lines().any(|l| l == "explain"), "{first}");
    let pods = complete(&[
        "-f",
        "examples",
        "-n",
        "streaming",
        "explain",
        "x",
        "--from",
        "pod/",
    ]);
    assert!(pods.lines().any(|l| l == "pod/kafka-0"), "{pods}");
    let types = complete(&["explain", "x", "--type", "AA"]);
    assert!(types.lines().any(|l| l == "AAAA"), "{types}");
}

#[test]
fn completion_offers_every_flag_help_lists_and_skips_their_values() {
    let complete = |args: &[&str]| {
        let (_, out, _) = run(&[&["__complete"], args].concat());
        out
    };
    let offered = complete(&["--"]);
    let mut documented = std::collections::BTreeSet::new();
    for help in [run(&["--help"]).1, run(&["explain", "--help"]).1] {
        for word in help.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
            if let Some(name) = word.strip_prefix("--")
                && name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            {
                documented.insert(format!("--{name}"));
            }
        }
    }
    for flag in &documented {
        assert!(
            offered.lines().any(|l| l == flag),
            "{flag} is not completed: {offered}"
        );
    }
    assert!(documented.contains("--chunk-size") && documented.contains("--dns-timeout"));
    // The value of a value flag is no target: `explain` after it is still the subcommand.
    for flag in [
        "--chunk-size",
        "--dns-timeout",
        "--connect-timeout",
        "--watch-timeout",
    ] {
        let pods = complete(&[
            "-f",
            "examples",
            "-n",
            "streaming",
            flag,
            "10",
            "explain",
            "x",
            "--from",
            "pod/",
        ]);
        assert!(pods.lines().any(|l| l == "pod/kafka-0"), "{flag}: {pods}");
    }
}

#[test]
fn live_and_offline_explain_the_same() {
    let paths: Vec<PathBuf> = [REDIS, CLUSTER_DNS]
        .iter()
        .map(|p| root().join(p))
        .collect();
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let api = ApiServer::start(&refs, ServerOptions::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    let kubeconfig = kubeconfig.to_string_lossy().to_string();
    let question = [
        "explain",
        "redis-1.redis-headless",
        "--from",
        "pod/redis-0",
        "-n",
        "cache",
    ];
    let (code, live, err) = run(&[&question[..], &["--kubeconfig", &kubeconfig]].concat());
    assert_eq!(code, Some(0), "{err}");
    let (_, offline, _) = run(&[&question[..], &["-f", REDIS, "-f", CLUSTER_DNS]].concat());
    assert_eq!(live, offline);
}

/// NetworkPolicies on the client's side: a deny-all egress policy makes every lookup from the pod
/// time out (exit 1, `dns-egress-blocked` naming the policy); the usual DNS egress rule
/// (kube-system's kube-dns pods on 53/UDP and 53/TCP) lets the name resolve again; UDP alone
/// resolves but warns that truncated answers fail over TCP.
#[test]
fn network_policies_that_block_dns_egress_are_a_client_cause() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, egress: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: cache}}\nspec:\n  podSelector: {{matchLabels: {{app: redis}}}}\n  policyTypes: [Egress]\n{egress}"
            ),
        )
        .expect("write the policy");
        path.to_str().expect("a UTF-8 path").to_string()
    };
    let deny = write("deny-egress", "");
    let allow = write(
        "allow-dns",
        "  egress:\n  - to:\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}\n      podSelector: {matchLabels: {k8s-app: kube-dns}}\n    ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]\n",
    );
    let udp_only = write(
        "udp-only",
        "  egress:\n  - ports: [{protocol: UDP, port: 53}]\n",
    );
    let explain = |policy: &str, format: &str| {
        run(&[
            "explain",
            "redis-0.redis-headless",
            "--from",
            "pod/redis-1",
            "-n",
            "cache",
            "-f",
            REDIS,
            "-f",
            CLUSTER_DNS,
            "-f",
            policy,
            "-o",
            format,
        ])
    };
    let (code, out, err) = explain(&deny, "table");
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        out.contains("does not resolve: every question times out, because a NetworkPolicy keeps it from cluster DNS"),
        "{out}"
    );
    assert!(
        out.contains("NetworkPolicy deny-egress selects the pod for egress and no rule lets it reach the cluster DNS pods on 53/UDP or 53/TCP"),
        "{out}"
    );
    let (_, json, _) = explain(&deny, "json");
    let doc: serde_json::Value = serde_json::from_str(&json).expect("json");
    let codes: Vec<&str> = doc["client"]["causes"]
        .as_array()
        .expect("client causes")
        .iter()
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert!(codes.contains(&"dns-egress-blocked"), "{codes:?}");

    let (code, out, err) = explain(&allow, "table");
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(!out.contains("NetworkPolicy"), "{out}");

    let (code, out, err) = explain(&udp_only, "table");
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains(
            "NetworkPolicy udp-only lets the pod reach cluster DNS on 53/UDP but not on 53/TCP"
        ),
        "{out}"
    );
}

/// NodeLocal DNSCache (its ConfigMap kube-system/node-local-dns in the input): explain says the
/// node cache answers first and for how long it keeps a miss, with the wait as the fix when the
/// name does not resolve.
#[test]
fn node_local_dns_cache_is_a_client_cause() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config_map = dir.path().join("node-local-dns.yaml");
    std::fs::write(
        &config_map,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: node-local-dns, namespace: kube-system}\ndata:\n  Corefile: |\n    cluster.local:53 {\n        cache {\n            denial 9984 5\n        }\n        bind 169.254.20.10 10.96.0.10\n        forward . 10.96.0.10\n    }\n    .:53 {\n        cache 30\n        forward . /etc/resolv.conf\n    }\n",
    )
    .expect("write the ConfigMap");
    let (code, out, err) = run(&[
        "explain",
        "kafka-1.kafka",
        "--from",
        "pod/kafka-0",
        "-n",
        "streaming",
        "-f",
        KAFKA,
        "-f",
        CLUSTER_DNS,
        "-f",
        config_map.to_str().expect("a UTF-8 path"),
        "-o",
        "json",
    ]);
    assert_eq!(code, Some(1), "{out}{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    let cause = doc["client"]["causes"]
        .as_array()
        .expect("client causes")
        .iter()
        .find(|c| c["code"] == "node-local-cache")
        .unwrap_or_else(|| panic!("no node-local-cache cause: {out}"));
    let message = cause["message"].as_str().expect("message");
    assert!(message.contains("169.254.20.10 10.96.0.10"), "{message}");
    assert!(message.contains("up to 5s"), "{message}");
}

/// The live source keeps what explain reads of a Pod beyond DNS settings: a Windows pod
/// (`spec.os.name: windows`) is explained with the Windows resolver live as offline.
#[test]
fn live_pods_keep_their_os_for_the_resolver() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pod = dir.path().join("windows-pod.yaml");
    std::fs::write(
        &pod,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: win-client, namespace: cache}\nspec:\n  os: {name: windows}\n  containers: [{name: app, image: mcr.microsoft.com/windows/nanoserver:ltsc2022}]\nstatus: {phase: Running, podIP: 10.244.9.9, conditions: [{type: Ready, status: \"True\"}]}\n",
    )
    .expect("write the pod");
    let paths: Vec<PathBuf> = [root().join(REDIS), root().join(CLUSTER_DNS), pod.clone()].to_vec();
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let api = ApiServer::start(&refs, ServerOptions::default());
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    let kubeconfig = kubeconfig.to_string_lossy().to_string();
    let question = [
        "explain",
        "redis-headless",
        "--from",
        "pod/win-client",
        "-n",
        "cache",
    ];
    let (_, live, err) = run(&[&question[..], &["--kubeconfig", &kubeconfig]].concat());
    let pod_path = pod.to_string_lossy().to_string();
    let (_, offline, _) = run(&[
        &question[..],
        &["-f", REDIS, "-f", CLUSTER_DNS, "-f", &pod_path],
    ]
    .concat());
    assert!(
        live.contains("a Windows Pod's DNS client appends only the first search suffix"),
        "{live}{err}"
    );
    assert_eq!(live, offline);
}
