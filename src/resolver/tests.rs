//! The search walk per dnsPolicy, over CoreDNS's real answers for a small cluster.

use super::*;
use crate::answer::Rcode;
use crate::engine::{EngineOutput, compute};
use crate::model::{DnsConfig, DnsName, DnsOption, PodDnsConfig};

const CLUSTER: &str = r#"
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: kube-dns, namespace: kube-system}
  spec: {clusterIP: 10.96.0.10, clusterIPs: [10.96.0.10], ports: [{name: dns, port: 53, protocol: UDP}]}
- apiVersion: v1
  kind: Service
  metadata: {name: redis, namespace: cache}
  spec: {clusterIP: 10.96.5.5, clusterIPs: [10.96.5.5], ports: [{name: redis, port: 6379}]}
- apiVersion: v1
  kind: Namespace
  metadata: {name: cache}
- apiVersion: v1
  kind: Namespace
  metadata: {name: web}
"#;

fn output() -> (EngineOutput, DnsConfig) {
    let loaded = crate::source::load_text(CLUSTER, "test", "default").unwrap();
    let config = DnsConfig::kubeadm_default();
    (compute(&loaded.snapshot, &config), config)
}

fn environment(node_search: &[&str]) -> Environment {
    Environment {
        kubelet: Kubelet {
            cluster_domain: DnsName::parse("cluster.local.").unwrap(),
            cluster_dns: vec!["10.96.0.10".to_string()],
        },
        node: NodeResolver {
            search: node_search.iter().map(|s| s.to_string()).collect(),
            nameservers: vec!["169.254.169.253".to_string()],
            options: Vec::new(),
        },
        node_search_given: !node_search.is_empty(),
        cluster_dns_known: Some("10.96.0.10".to_string()),
    }
}

fn client(namespace: &str, dns: PodDns) -> ClientSpec {
    ClientSpec {
        pod: None,
        namespace: namespace.to_string(),
        dns,
    }
}

fn names(trace: &Trace) -> Vec<&str> {
    trace.tries.iter().map(|t| t.name.as_str()).collect()
}

#[test]
fn cluster_first_walks_the_namespace_search_path() {
    let (output, config) = output();
    let answerer = Answerer::new(&output, &config);
    let spec = client("web", PodDns::default());
    let trace = explain(
        &answerer,
        &environment(&[]),
        "redis.cache",
        &[QType::A],
        Some(&spec),
    );
    assert_eq!(
        names(&trace),
        [
            "redis.cache.web.svc.cluster.local.",
            "redis.cache.svc.cluster.local."
        ]
    );
    assert!(trace.resolves());
    assert_eq!(
        trace.client.as_ref().unwrap().conf.text(),
        "search web.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
    );
    assert!(
        trace
            .causes
            .iter()
            .any(|c| c.code() == "node-search-unknown")
    );
}

#[test]
fn fewer_dots_than_ndots_search_first_and_a_trailing_dot_asks_once() {
    let (output, config) = output();
    let answerer = Answerer::new(&output, &config);
    let spec = client("web", PodDns::default());
    let env = environment(&["corp.example"]);
    let trace = explain(
        &answerer,
        &env,
        "redis.cache.svc.cluster.local",
        &[QType::A],
        Some(&spec),
    );
    assert_eq!(
        names(&trace),
        [
            "redis.cache.svc.cluster.local.web.svc.cluster.local.",
            "redis.cache.svc.cluster.local.svc.cluster.local.",
            "redis.cache.svc.cluster.local.cluster.local.",
            // The node's domain is outside every kubernetes zone: forward answers it, which
            // the tool cannot compute; if forward finds nothing, the walk goes on.
            "redis.cache.svc.cluster.local.corp.example.",
            "redis.cache.svc.cluster.local.",
        ]
    );
    assert_eq!(
        trace.outcome,
        Outcome::Resolved {
            name: "redis.cache.svc.cluster.local.".to_string(),
            unless: Some("redis.cache.svc.cluster.local.corp.example.".to_string())
        }
    );
    let trace = explain(
        &answerer,
        &env,
        "redis.cache.svc.cluster.local.",
        &[QType::A],
        Some(&spec),
    );
    assert_eq!(names(&trace), ["redis.cache.svc.cluster.local."]);
    assert!(trace.resolves());
}

#[test]
fn glibc_goes_on_after_nodata_and_musl_stops() {
    let (output, config) = output();
    let answerer = Answerer::new(&output, &config);
    let mut spec = client("web", PodDns::default());
    let trace = explain(
        &answerer,
        &environment(&[]),
        "cache",
        &[QType::A],
        Some(&spec),
    );
    // cache.svc.cluster.local. is the namespace's empty non-terminal: NODATA.
    assert_eq!(
        names(&trace),
        [
            "cache.web.svc.cluster.local.",
            "cache.svc.cluster.local.",
            "cache.cluster.local.",
            "cache.",
        ]
    );
    assert!(matches!(trace.outcome, Outcome::NotComputed { .. }));
    spec.dns.images = vec!["alpine:3.20".to_string()];
    let trace = explain(
        &answerer,
        &environment(&[]),
        "cache",
        &[QType::A],
        Some(&spec),
    );
    let musl = trace.causes.iter().find(|c| c.code() == "musl").unwrap();
    assert!(
        musl.to_string()
            .contains("fails with NODATA at cache.svc.cluster.local."),
        "{musl}"
    );
    let conf = trace.client.as_ref().unwrap().conf.clone();
    let ask = |q: &crate::answer::Question| Some(answerer.answer(q));
    let musl = walk("cache", &[QType::A], &conf, Library::Musl, &ask);
    assert_eq!(
        musl.outcome,
        Outcome::Failed {
            name: "cache.svc.cluster.local.".to_string(),
            rcode: Rcode::NoError
        }
    );
}

#[test]
fn host_network_without_with_host_net_uses_the_node_resolver() {
    let (output, config) = output();
    let answerer = Answerer::new(&output, &config);
    let env = environment(&["corp.example"]);
    let spec = client(
        "web",
        PodDns {
            host_network: true,
            ..PodDns::default()
        },
    );
    let trace = explain(&answerer, &env, "redis.cache", &[QType::A], Some(&spec));
    // The node's file has no ndots option: glibc's default 1 asks the name as is first.
    assert_eq!(names(&trace), ["redis.cache.", "redis.cache.corp.example."]);
    assert!(trace.tries[0].answer.is_none());
    assert!(matches!(trace.outcome, Outcome::NotComputed { .. }));
    assert!(trace.causes.iter().any(|c| c.code() == "node-resolver"));

    let spec = client(
        "web",
        PodDns {
            host_network: true,
            policy: DnsPolicy::ClusterFirstWithHostNet,
            ..PodDns::default()
        },
    );
    let trace = explain(&answerer, &env, "redis.cache", &[QType::A], Some(&spec));
    assert!(trace.resolves());
}

#[test]
fn default_policy_asks_the_node() {
    let (output, config) = output();
    let answerer = Answerer::new(&output, &config);
    let spec = client(
        "web",
        PodDns {
            policy: DnsPolicy::Default,
            ..PodDns::default()
        },
    );
    let trace = explain(
        &answerer,
        &environment(&[]),
        "redis.cache.svc.cluster.local.",
        &[QType::A],
        Some(&spec),
    );
    assert_eq!(
        trace.client.as_ref().unwrap().conf.nameservers,
        ["169.254.169.253"]
    );
    assert!(matches!(trace.outcome, Outcome::NotComputed { .. }));
    assert!(trace.causes.iter().any(|c| c.code() == "node-resolver"));
}

#[test]
fn none_policy_uses_only_dns_config() {
    let (output, config) = output();
    let answerer = Answerer::new(&output, &config);
    let dns = |nameserver: &str| PodDns {
        policy: DnsPolicy::None,
        config: Some(PodDnsConfig {
            nameservers: vec![nameserver.to_string()],
            searches: vec!["cache.svc.cluster.local".to_string()],
            options: vec![DnsOption {
                name: "ndots".to_string(),
                value: Some("1".to_string()),
            }],
        }),
        ..PodDns::default()
    };
    let spec = client("web", dns("10.96.0.10"));
    let trace = explain(
        &answerer,
        &environment(&[]),
        "redis",
        &[QType::A],
        Some(&spec),
    );
    assert_eq!(names(&trace), ["redis.cache.svc.cluster.local."]);
    assert!(trace.resolves());
    // ndots 1: one dot is enough to ask as is first (forward answers that), then the search.
    let trace = explain(
        &answerer,
        &environment(&[]),
        "redis.cache",
        &[QType::A],
        Some(&spec),
    );
    assert_eq!(
        names(&trace),
        ["redis.cache.", "redis.cache.cache.svc.cluster.local."]
    );
    assert!(matches!(trace.outcome, Outcome::NotComputed { .. }));
    let spec = client("web", dns("8.8.8.8"));
    let trace = explain(
        &answerer,
        &environment(&[]),
        "redis",
        &[QType::A],
        Some(&spec),
    );
    assert!(matches!(trace.outcome, Outcome::NotComputed { .. }));
    assert!(trace.causes.iter().any(|c| c.code() == "not-cluster-dns"));
}

#[test]
fn a_candidate_too_long_ends_the_glibc_search() {
    let (output, config) = output();
    let answerer = Answerer::new(&output, &config);
    let spec = client("web", PodDns::default());
    let long = vec!["a".repeat(60); 4].join(".");
    let trace = explain(
        &answerer,
        &environment(&[]),
        &long,
        &[QType::A],
        Some(&spec),
    );
    // 243 characters plus ".web.svc.cluster.local" is too long; the name is still asked as is.
    assert_eq!(trace.tries.len(), 2);
    assert!(trace.tries[0].skipped.is_some());
    assert_eq!(trace.tries[1].name, format!("{long}."));
}

#[test]
fn windows_appends_one_suffix() {
    let (output, config) = output();
    let answerer = Answerer::new(&output, &config);
    let spec = client(
        "cache",
        PodDns {
            windows: true,
            ..PodDns::default()
        },
    );
    let trace = explain(
        &answerer,
        &environment(&[]),
        "redis.cache",
        &[QType::A],
        Some(&spec),
    );
    assert_eq!(
        names(&trace),
        ["redis.cache.cache.svc.cluster.local.", "redis.cache."]
    );
    assert!(trace.causes.iter().any(|c| c.code() == "windows"));
}

#[test]
fn an_address_is_a_ptr_question_and_no_client_asks_once() {
    let (output, config) = output();
    let answerer = Answerer::new(&output, &config);
    let trace = explain(&answerer, &environment(&[]), "10.96.5.5", &[], None);
    assert_eq!(names(&trace), ["5.5.96.10.in-addr.arpa."]);
    assert_eq!(trace.qtypes, [QType::Ptr]);
    assert!(trace.resolves());
    assert!(trace.client.is_none());
}

#[test]
fn a_label_too_long_is_never_sent() {
    let (output, config) = output();
    let answerer = Answerer::new(&output, &config);
    let spec = client("web", PodDns::default());
    let label = "a".repeat(64);
    let trace = explain(
        &answerer,
        &environment(&[]),
        &label,
        &[QType::A],
        Some(&spec),
    );
    assert!(
        trace
            .tries
            .iter()
            .all(|t| t.answer.is_none() && t.skipped.is_some())
    );
    assert!(matches!(trace.outcome, Outcome::NotSent { .. }));
    assert!(!trace.resolves());
}

#[test]
fn a_cache_that_keeps_denials_is_a_client_cause_of_a_miss() {
    let (output, mut config) = output();
    if let Some(cache) = config.cache.as_mut() {
        cache.denial_disabled.clear();
    }
    let answerer = Answerer::new(&output, &config);
    let spec = client("cache", PodDns::default());
    let trace = explain(
        &answerer,
        &environment(&[]),
        "nothere.cache.svc.cluster.local.",
        &[QType::A],
        Some(&spec),
    );
    assert!(matches!(
        trace.outcome,
        Outcome::Failed {
            rcode: Rcode::NxDomain,
            ..
        }
    ));
    let cache = trace
        .causes
        .iter()
        .find(|c| c.code() == "negative-cache")
        .unwrap();
    assert!(cache.to_string().contains("30s"), "{cache}");
    // kubeadm's Corefile disables denial caching for cluster.local.
    let (output, config) = self::output();
    let answerer = Answerer::new(&output, &config);
    let trace = explain(
        &answerer,
        &environment(&[]),
        "nothere.cache.svc.cluster.local.",
        &[QType::A],
        Some(&spec),
    );
    assert!(!trace.causes.iter().any(|c| c.code() == "negative-cache"));
}
