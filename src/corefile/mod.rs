//! Corefile text → `DnsConfig`: the server block that holds the `kubernetes` plugin, its zones
//! and options, and the `cache` plugin beside it. Pure: text in, configuration out.

mod blocks;
mod cache;
mod kubernetes;
mod lexer;
mod server;
mod zones;

pub use kubernetes::DEFAULT_TTL;
pub use zones::normalize_zone;

use crate::model::{ConfigOrigin, DnsConfig, Note};

/// kubeadm's default Corefile, which the tool assumes when the cluster's cannot be read.
pub const KUBEADM_COREFILE: &str = include_str!("kubeadm.Corefile");

/// Why a Corefile cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CorefileError {
    /// The text does not parse as a Corefile.
    #[error("line {line}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A plugin option CoreDNS would refuse to start with.
    #[error("line {line}: {message}")]
    Option {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// No server block configures the `kubernetes` plugin.
    #[error("no server block uses the kubernetes plugin")]
    NoKubernetesPlugin,
}

/// The configuration a Corefile gives, and what the reader should know about how it was read.
#[derive(Debug, Clone)]
pub struct ParsedCorefile {
    /// The `kubernetes` plugin's configuration.
    pub config: DnsConfig,
    /// Notes: a second `kubernetes` stanza, file imports that could not be followed.
    pub notes: Vec<Note>,
}

/// Parses a Corefile and extracts the first server block's `kubernetes` stanza.
pub fn parse(text: &str, origin: ConfigOrigin) -> Result<ParsedCorefile, CorefileError> {
    let tokens = lexer::tokenize(text)?;
    let corefile = blocks::parse_blocks(&tokens)?;
    let mut notes = Vec::new();
    let mut stanzas = corefile.blocks.iter().flat_map(|block| {
        block
            .directives
            .iter()
            .filter(|d| d.name == "kubernetes")
            .map(move |d| (block, d))
    });
    let (block, directive) = stanzas.next().ok_or(CorefileError::NoKubernetesPlugin)?;
    if let Some((other, _)) = stanzas.next() {
        notes.push(Note::warning(format!(
            "the Corefile has more than one kubernetes stanza; using the one in server block {:?} (line {}), not {:?} (line {})",
            block.keys.join(" "),
            block.line,
            other.keys.join(" "),
            other.line
        )));
    }
    let cache = block
        .directives
        .iter()
        .find(|d| d.name == "cache")
        .map(cache::parse_cache)
        .transpose()?;
    let mut config = kubernetes::parse_kubernetes(directive, &block.keys, cache, origin)?;
    config.server = server::server_block(&corefile, block);
    if !corefile.file_imports.is_empty() {
        notes.push(Note::warning(format!(
            "the Corefile imports files the tool cannot read ({}); options they add are not reflected",
            corefile.file_imports.join(", ")
        )));
    }
    Ok(ParsedCorefile { config, notes })
}

/// NodeLocal DNSCache's settings from its Corefile (the `node-local-dns` ConfigMap): the server
/// block for the cluster zone (`cluster.local:53 { bind 169.254.20.10 … cache { denial … } }`), its
/// `bind` addresses and how long its `cache` keeps a denial. `None` when the text is no Corefile
/// or has no block for `zone`.
pub fn node_local_cache(
    text: &str,
    zone: &crate::model::DnsName,
) -> Option<crate::model::NodeLocalCache> {
    let tokens = lexer::tokenize(text).ok()?;
    let corefile = blocks::parse_blocks(&tokens).ok()?;
    let block = corefile.blocks.iter().find(|block| {
        block.keys.iter().any(|key| {
            let host = key.trim_start_matches("dns://");
            let host = host.rsplit_once(':').map_or(host, |(host, _)| host);
            zones::normalize_zone(host).is_ok_and(|zones| zones.contains(zone))
        })
    })?;
    let addresses = block
        .directives
        .iter()
        .filter(|d| d.name == "bind")
        .flat_map(|d| d.args.iter().cloned())
        .collect();
    let denial_ttl = block
        .directives
        .iter()
        .find(|d| d.name == "cache")
        .and_then(|d| cache::parse_cache(d).ok())
        .map_or(0, |cache| {
            if cache.denial_disabled.iter().any(|z| zone.is_within(z)) {
                0
            } else {
                cache.denial_ttl
            }
        });
    Some(crate::model::NodeLocalCache {
        addresses,
        denial_ttl,
    })
}

/// The configuration assumed when no Corefile is available: kubeadm's default.
pub fn kubeadm_default() -> DnsConfig {
    DnsConfig::kubeadm_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DnsName, PodsMode};

    #[test]
    fn kubeadm_corefile_matches_the_assumed_default() {
        let parsed = parse(KUBEADM_COREFILE, ConfigOrigin::Default).unwrap();
        assert_eq!(parsed.config, DnsConfig::kubeadm_default());
        assert!(parsed.notes.is_empty());
    }

    #[test]
    fn defaults_when_options_are_omitted() {
        let config = parse(
            "cluster.local:53 {\n kubernetes\n}\n",
            ConfigOrigin::Default,
        )
        .unwrap()
        .config;
        assert_eq!(
            config.zones,
            vec![DnsName::parse("cluster.local.").unwrap()]
        );
        assert_eq!(config.ttl, 5);
        assert_eq!(config.pods, PodsMode::Disabled);
        assert!(config.cache.is_none());
    }

    #[test]
    fn options_coredns_rejects_are_errors() {
        for bad in [
            ".:53 {\n kubernetes cluster.local {\n ttl 3601\n }\n}",
            ".:53 {\n kubernetes cluster.local {\n pods sometimes\n }\n}",
            ".:53 {\n kubernetes cluster.local {\n frobnicate\n }\n}",
            ".:53 {\n kubernetes in-addr.arpa\n}",
            ".:53 {\n kubernetes cluster.local {\n namespaces a\n namespace_labels x=y\n }\n}",
        ] {
            assert!(
                matches!(
                    parse(bad, ConfigOrigin::Default),
                    Err(CorefileError::Option { .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(
            parse(".:53 {\n forward . 8.8.8.8\n}", ConfigOrigin::Default).unwrap_err(),
            CorefileError::NoKubernetesPlugin
        );
    }

    #[test]
    fn cache_ttls() {
        let config = parse(
            ".:53 {\n kubernetes cluster.local\n cache 30 {\n denial 9984 5\n }\n}",
            ConfigOrigin::Default,
        )
        .unwrap()
        .config;
        let cache = config.cache.unwrap();
        assert_eq!((cache.success_ttl, cache.denial_ttl), (30, 5));
    }
}

#[cfg(test)]
mod node_local_tests {
    use super::*;

    #[test]
    fn node_local_cache_reads_bind_and_the_cluster_zone_denial_ttl() {
        let zone = crate::model::DnsName::parse("cluster.local.").expect("zone");
        let text = "cluster.local:53 {\n  cache {\n    success 9984 30\n    denial 9984 5\n  }\n  bind 169.254.20.10 10.96.0.10\n  forward . 10.96.0.10\n}\n.:53 {\n  cache 30\n}\n";
        let cache = node_local_cache(text, &zone).expect("a block for cluster.local");
        assert_eq!(cache.addresses, ["169.254.20.10", "10.96.0.10"]);
        assert_eq!(cache.denial_ttl, 5);
        let disabled =
            "cluster.local:53 {\n  cache 30 {\n    disable denial cluster.local\n  }\n}\n";
        assert_eq!(
            node_local_cache(disabled, &zone).map(|c| c.denial_ttl),
            Some(0)
        );
        assert_eq!(node_local_cache(".:53 {\n  cache 30\n}\n", &zone), None);
        assert_eq!(node_local_cache("{{{", &zone), None);
    }
}
