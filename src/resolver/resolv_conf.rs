//! The resolv.conf kubelet writes for a Pod (`pkg/kubelet/network/dns/dns.go GetPodDNS`): the
//! policy picks cluster DNS or the node's resolver, `dnsConfig` is merged in, and the result is
//! cut to the API's limits. The container runtime writes it as `search`, `nameserver` lines and
//! `options`, in that order.

use std::collections::BTreeMap;

use super::cause::ClientCause;
use crate::model::{DnsName, DnsPolicy, PodDns};

/// At most this many search domains (`validation.MaxDNSSearchPaths`, ExpandedDNSConfig, GA in 1.28).
pub const MAX_SEARCH_DOMAINS: usize = 32;
/// The search line at most this long (`validation.MaxDNSSearchListChars`).
pub const MAX_SEARCH_CHARS: usize = 2048;
/// A search domain at most this long (`utilvalidation.DNS1123SubdomainMaxLength`).
const MAX_DOMAIN_CHARS: usize = 253;
/// At most this many nameservers (`validation.MaxDNSNameservers`).
const MAX_NAMESERVERS: usize = 3;
/// kubelet's options for cluster DNS (`defaultDNSOptions`).
const CLUSTER_OPTIONS: &str = "ndots:5";

/// What the node's own resolv.conf holds (kubelet's `--resolv-conf`); the API does not show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeResolver {
    /// Its search domains (`--node-search`).
    pub search: Vec<String>,
    /// Its nameservers, if known.
    pub nameservers: Vec<String>,
    /// Its options.
    pub options: Vec<String>,
}

/// What kubelet is configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kubelet {
    /// `--cluster-domain`.
    pub cluster_domain: DnsName,
    /// `--cluster-dns`.
    pub cluster_dns: Vec<String>,
}

/// A Pod's resolv.conf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvConf {
    /// `search` domains, in order, without trailing dots.
    pub search: Vec<String>,
    /// `nameserver` lines.
    pub nameservers: Vec<String>,
    /// `options`, sorted by name (kubelet merges them through a Go map, so its order varies).
    pub options: Vec<String>,
    /// Whether a nameserver is cluster DNS (CoreDNS answers).
    pub cluster_dns: bool,
    /// What kubelet did or could not know.
    pub causes: Vec<ClientCause>,
}

impl ResolvConf {
    /// The `ndots` option (glibc's default 1, at most 15).
    pub fn ndots(&self) -> usize {
        self.options
            .iter()
            .rev()
            .find_map(|o| o.strip_prefix("ndots:"))
            .and_then(|n| n.parse::<usize>().ok())
            .map_or(1, |n| n.min(15))
    }

    /// Whether `options no-tld-query` is set (glibc's RES_NOTLDQUERY).
    pub fn no_tld_query(&self) -> bool {
        self.options.iter().any(|o| o == "no-tld-query")
    }

    /// The file as the container runtime writes it.
    pub fn text(&self) -> String {
        let mut text = String::new();
        if !self.search.is_empty() {
            text.push_str(&format!("search {}\n", self.search.join(" ")));
        }
        for server in &self.nameservers {
            text.push_str(&format!("nameserver {server}\n"));
        }
        if !self.options.is_empty() {
            text.push_str(&format!("options {}\n", self.options.join(" ")));
        }
        text
    }
}

/// `GetPodDNS` for a Pod in `namespace`.
pub fn resolv_conf(
    namespace: &str,
    pod: &PodDns,
    kubelet: &Kubelet,
    node: &NodeResolver,
) -> ResolvConf {
    // getPodDNSType: ClusterFirst on the host network falls back to the node's resolver.
    let cluster = match pod.policy {
        DnsPolicy::ClusterFirstWithHostNet => true,
        DnsPolicy::ClusterFirst => !pod.host_network,
        DnsPolicy::Default | DnsPolicy::None => false,
    };
    let trim = |d: &String| d.trim_end_matches('.').to_string();
    let (mut servers, mut search, mut options) = if pod.policy == DnsPolicy::None {
        (Vec::new(), Vec::new(), Vec::new())
    } else if cluster {
        let domain = kubelet.cluster_domain.as_str().trim_end_matches('.');
        let mut search = vec![
            format!("{namespace}.svc.{domain}"),
            format!("svc.{domain}"),
            domain.to_string(),
        ];
        search.extend(node.search.iter().map(trim));
        (
            kubelet.cluster_dns.clone(),
            omit_duplicates(search),
            vec![CLUSTER_OPTIONS.to_string()],
        )
    } else {
        (
            node.nameservers.clone(),
            node.search.iter().map(trim).collect(),
            node.options.clone(),
        )
    };
    if let Some(config) = &pod.config {
        servers.extend(config.nameservers.iter().cloned());
        servers = omit_duplicates(servers);
        search.extend(config.searches.iter().cloned());
        search = omit_duplicates(search);
        options = merge_options(&options, config);
    }
    let mut causes = Vec::new();
    if servers.len() > MAX_NAMESERVERS {
        causes.push(ClientCause::NameserversTruncated {
            dropped: servers.split_off(MAX_NAMESERVERS),
        });
    }
    let (search, dropped) = fit_search(search);
    if !dropped.is_empty() {
        causes.push(ClientCause::SearchTruncated { dropped });
    }
    let cluster_dns = servers.iter().any(|s| kubelet.cluster_dns.contains(s));
    ResolvConf {
        search,
        nameservers: servers,
        options,
        cluster_dns,
        causes,
    }
}

/// `omitDuplicates`: the first occurrence stays.
fn omit_duplicates(items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items
        .into_iter()
        .filter(|item| seen.insert(item.clone()))
        .collect()
}

/// `mergeDNSOptions`: `dnsConfig` overrides an option of the same name. kubelet iterates a Go
/// map, so the order in the file varies from Pod to Pod; the tool sorts by name.
fn merge_options(existing: &[String], config: &crate::model::PodDnsConfig) -> Vec<String> {
    let mut merged: BTreeMap<String, String> = BTreeMap::new();
    for option in existing {
        match option.split_once(':') {
            Some((name, value)) => merged.insert(name.to_string(), value.to_string()),
            None => merged.insert(option.clone(), String::new()),
        };
    }
    for option in &config.options {
        merged.insert(
            option.name.clone(),
            option.value.clone().unwrap_or_default(),
        );
    }
    merged
        .into_iter()
        .map(|(name, value)| {
            if value.is_empty() {
                name
            } else {
                format!("{name}:{value}")
            }
        })
        .collect()
}

/// `formDNSSearchFitsLimits`: at most 32 domains, none longer than 253 characters, and the
/// line cut from the end until it fits 2048 characters.
fn fit_search(mut search: Vec<String>) -> (Vec<String>, Vec<String>) {
    let mut dropped = Vec::new();
    if search.len() > MAX_SEARCH_DOMAINS {
        dropped.extend(search.split_off(MAX_SEARCH_DOMAINS));
    }
    let (kept, long): (Vec<String>, Vec<String>) = search
        .into_iter()
        .partition(|d| d.len() <= MAX_DOMAIN_CHARS);
    dropped.extend(long);
    let mut search = kept;
    while search.join(" ").len() > MAX_SEARCH_CHARS {
        if let Some(last) = search.pop() {
            dropped.push(last);
        }
    }
    (search, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DnsOption, PodDnsConfig};

    fn kubelet() -> Kubelet {
        Kubelet {
            cluster_domain: DnsName::parse("cluster.local.").unwrap(),
            cluster_dns: vec!["10.96.0.10".to_string()],
        }
    }

    fn node() -> NodeResolver {
        NodeResolver {
            search: vec!["us-east-1.compute.internal.".to_string()],
            nameservers: vec!["169.254.169.253".to_string()],
            options: vec!["timeout:2".to_string()],
        }
    }

    #[test]
    fn cluster_first_as_kubelet_writes_it() {
        let conf = resolv_conf("cache", &PodDns::default(), &kubelet(), &node());
        assert_eq!(
            conf.text(),
            "search cache.svc.cluster.local svc.cluster.local cluster.local us-east-1.compute.internal\nnameserver 10.96.0.10\noptions ndots:5\n"
        );
        assert_eq!(conf.ndots(), 5);
        assert!(conf.cluster_dns);
    }

    #[test]
    fn host_network_without_with_host_net_gets_the_node_file() {
        let pod = PodDns {
            host_network: true,
            ..PodDns::default()
        };
        let conf = resolv_conf("cache", &pod, &kubelet(), &node());
        assert_eq!(
            conf.text(),
            "search us-east-1.compute.internal\nnameserver 169.254.169.253\noptions timeout:2\n"
        );
        assert!(!conf.cluster_dns);
        let pod = PodDns {
            host_network: true,
            policy: DnsPolicy::ClusterFirstWithHostNet,
            ..PodDns::default()
        };
        assert!(resolv_conf("cache", &pod, &kubelet(), &node()).cluster_dns);
    }

    #[test]
    fn dns_config_merges_and_none_starts_empty() {
        let config = PodDnsConfig {
            nameservers: vec!["10.96.0.10".to_string(), "1.1.1.1".to_string()],
            searches: vec![
                "cache.svc.cluster.local".to_string(),
                "corp.example".to_string(),
            ],
            options: vec![
                DnsOption {
                    name: "ndots".to_string(),
                    value: Some("2".to_string()),
                },
                DnsOption {
                    name: "single-request-reopen".to_string(),
                    value: None,
                },
            ],
        };
        let pod = PodDns {
            config: Some(config.clone()),
            ..PodDns::default()
        };
        let conf = resolv_conf("cache", &pod, &kubelet(), &NodeResolver::default());
        assert_eq!(
            conf.text(),
            "search cache.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\nnameserver 1.1.1.1\noptions ndots:2 single-request-reopen\n"
        );
        assert_eq!(conf.ndots(), 2);
        let pod = PodDns {
            policy: DnsPolicy::None,
            config: Some(config),
            ..PodDns::default()
        };
        let conf = resolv_conf("cache", &pod, &kubelet(), &node());
        assert_eq!(
            conf.text(),
            "search cache.svc.cluster.local corp.example\nnameserver 10.96.0.10\nnameserver 1.1.1.1\noptions ndots:2 single-request-reopen\n"
        );
    }

    #[test]
    fn limits_cut_the_search_line_and_nameservers() {
        let many: Vec<String> = (0..40).map(|i| format!("d{i}.example")).collect();
        let pod = PodDns {
            policy: DnsPolicy::None,
            config: Some(PodDnsConfig {
                nameservers: vec![
                    "1.1.1.1".into(),
                    "2.2.2.2".into(),
                    "3.3.3.3".into(),
                    "4.4.4.4".into(),
                ],
                searches: many,
                options: Vec::new(),
            }),
            ..PodDns::default()
        };
        let conf = resolv_conf("x", &pod, &kubelet(), &node());
        assert_eq!(conf.search.len(), MAX_SEARCH_DOMAINS);
        assert_eq!(conf.nameservers.len(), 3);
        assert!(conf.causes.iter().any(|c| c.code() == "search-truncated"));
        assert!(
            conf.causes
                .iter()
                .any(|c| c.code() == "nameservers-truncated")
        );
        let long: Vec<String> = (0..20)
            .map(|i| format!("{i:02}{}", "x".repeat(120)))
            .collect();
        let (kept, dropped) = fit_search(long);
        assert!(kept.join(" ").len() <= MAX_SEARCH_CHARS);
        assert_eq!(kept.len() + dropped.len(), 20);
        assert_eq!(kept.len(), 16);
        let (kept, dropped) = fit_search(vec!["a".repeat(254), "ok".to_string()]);
        assert_eq!((kept, dropped.len()), (vec!["ok".to_string()], 1));
    }
}
