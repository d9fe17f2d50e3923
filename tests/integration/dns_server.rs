//! Which DNS server the cluster runs, live: each distribution layout is served by the HTTPS test
//! API server, and the report says which server and release the records follow — and the
//! release's rules change the records (CoreDNS 1.11.4's hostname-only endpoint PTRs).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::apiserver::{ApiServer, ServerOptions};
use crate::support::stdout_of;

/// Starts the test API server with the app objects and one layout, and runs the binary against
/// it with `args`; returns (exit code, stdout, stderr).
fn run_layout(layout: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let root = crate::support::root();
    let paths: Vec<PathBuf> = ["app.yaml", layout]
        .iter()
        .map(|file| root.join("tests/fixtures/dns-servers").join(file))
        .collect();
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let api = ApiServer::start(&refs, ServerOptions::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = api.write_kubeconfig(dir.path(), "config", None);
    crate::live_api::run(&kubeconfig, args)
}

fn json_of(layout: &str, extra: &[&str]) -> Value {
    let mut args = vec!["-n", "app", "-o", "json"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run_layout(layout, &args);
    assert_eq!(code, Some(0), "{stderr}");
    serde_json::from_str(&stdout).expect("JSON document")
}

fn ptr_targets(document: &Value) -> Vec<String> {
    document["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["type"] == "PTR")
        .map(|r| r["data"].as_str().expect("data").to_string())
        .collect()
}

fn notes(document: &Value) -> Vec<String> {
    document["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .map(|n| n["message"].as_str().expect("message").to_string())
        .collect()
}

#[test]
fn kubeadm_coredns_image_tag_decides_the_release_and_its_ptr_rule() {
    let document = json_of("kubeadm-coredns-1-11-4.yaml", &[]);
    let server = &document["dnsServer"];
    assert_eq!(server["kind"], "coredns", "{server}");
    assert_eq!(server["version"], "1.11.4", "{server}");
    assert_eq!(server["versionSource"], "image", "{server}");
    assert_eq!(
        server["image"], "registry.k8s.io/coredns/coredns:v1.11.4",
        "{server}"
    );
    assert_eq!(server["pods"], 1, "{server}");
    // 1.11.4 answers endpoint PTRs only for endpoints with a hostname.
    assert_eq!(
        ptr_targets(&document),
        vec!["db-0.db.app.svc.cluster.local.".to_string()]
    );
    let absent_ptr = document["names"]
        .as_array()
        .expect("names")
        .iter()
        .find(|n| n["name"] == "2.7.244.10.in-addr.arpa.")
        .expect("the PTR name of the endpoint without a hostname");
    assert_eq!(absent_ptr["state"], "absent", "{absent_ptr}");
    assert_eq!(
        absent_ptr["causes"][0]["code"], "coredns-release",
        "{absent_ptr}"
    );

    // --coredns-version wins over the image: 1.12.1 reverted the rule.
    let overridden = json_of(
        "kubeadm-coredns-1-11-4.yaml",
        &["--coredns-version", "1.12.1"],
    );
    assert_eq!(overridden["dnsServer"]["version"], "1.12.1");
    assert_eq!(overridden["dnsServer"]["versionSource"], "flag");
    assert_eq!(
        ptr_targets(&overridden).len(),
        2,
        "{:?}",
        ptr_targets(&overridden)
    );

    // The table says it in plain words.
    let (code, table, stderr) = run_layout("kubeadm-coredns-1-11-4.yaml", &["-n", "app"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        table.contains(
            "note: cluster DNS: CoreDNS 1.11.4; records follow CoreDNS 1.11.4's rules; it differs from the newest release: an endpoint's PTR only when the endpoint sets a hostname; an IPv6 endpoint label ending in '-' keeps it (no '0' appended)"
        ),
        "{table}"
    );
}

#[test]
fn rke2_layout_is_recognised_by_its_configmap_and_image() {
    let document = json_of("rke2.yaml", &[]);
    let server = &document["dnsServer"];
    assert_eq!(server["kind"], "coredns", "{server}");
    assert_eq!(server["distribution"], "RKE2", "{server}");
    assert_eq!(server["version"], "1.12.1", "{server}");
    assert_eq!(
        document["config"]["source"]["name"], "rke2-coredns-rke2-coredns",
        "{}",
        document["config"]
    );
    assert_eq!(ptr_targets(&document).len(), 2);
}

#[test]
fn gke_kube_dns_is_named_with_what_the_records_then_mean() {
    let document = json_of("gke-kube-dns.yaml", &[]);
    let server = &document["dnsServer"];
    assert_eq!(server["kind"], "kube-dns", "{server}");
    assert_eq!(server["distribution"], "GKE", "{server}");
    assert!(server.get("version").is_none(), "{server}");
    let notes = notes(&document);
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("cluster DNS is kube-dns, not CoreDNS")
                && n.contains("corp.example")),
        "{notes:?}"
    );
}

#[test]
fn no_dns_server_at_all_is_said_plainly() {
    for layout in ["no-dns.yaml", "gke-cloud-dns.yaml"] {
        let document = json_of(layout, &[]);
        assert_eq!(document["dnsServer"]["kind"], "none", "{layout}");
        let notes = notes(&document);
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("no in-cluster DNS server")),
            "{layout}: {notes:?}"
        );
        if layout == "gke-cloud-dns.yaml" {
            assert!(
                notes.iter().any(|n| n.contains("scaled to zero")),
                "{notes:?}"
            );
        }
    }
}

#[test]
fn offline_manifests_of_the_same_layout_give_the_same_report() {
    // Deployments and the kube-dns ConfigMap are read from files too; only "no DNS pods at
    // all" needs a live list (offline, missing objects are unknown, not absent).
    for layout in [
        "kubeadm-coredns-1-11-4.yaml",
        "rke2.yaml",
        "gke-kube-dns.yaml",
    ] {
        let (code, live, stderr) = run_layout(layout, &["-n", "app", "-o", "json"]);
        assert_eq!(code, Some(0), "{stderr}");
        let dir = "tests/fixtures/dns-servers";
        let offline = stdout_of(&[
            "-f",
            &format!("{dir}/app.yaml"),
            "-f",
            &format!("{dir}/{layout}"),
            "-n",
            "app",
            "-o",
            "json",
        ]);
        assert_eq!(live, offline, "{layout}");
    }
    let offline = stdout_of(&[
        "-f",
        "tests/fixtures/dns-servers/app.yaml",
        "-n",
        "app",
        "-o",
        "json",
    ]);
    let document: Value = serde_json::from_str(&offline).expect("JSON");
    assert!(
        document.get("dnsServer").is_none(),
        "{}",
        document["dnsServer"]
    );
}

#[test]
fn openshift_layout_reads_the_operators_corefile() {
    let document = json_of("openshift.yaml", &[]);
    let server = &document["dnsServer"];
    assert_eq!(server["kind"], "coredns", "{server}");
    assert_eq!(server["distribution"], "OpenShift", "{server}");
    assert_eq!(
        document["config"]["source"]["namespace"], "openshift-dns",
        "{}",
        document["config"]
    );
    // OpenShift's Corefile sets no ttl: CoreDNS's default of 5 seconds applies.
    assert_eq!(document["ttl"], 5);
}
