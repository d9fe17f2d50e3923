//! Corefile text → `ClusterDns`: every server block as `core/dnsserver` reads its keys, every
//! `kubernetes` stanza with its options and zones, the `cache` plugin beside each. Pure: text
//! (and the environment values the caller knows) in, configuration out.

mod blocks;
mod cache;
mod kubernetes;
mod lexer;
mod server;
mod zones;

use std::collections::BTreeMap;

pub use kubernetes::DEFAULT_TTL;
pub use zones::normalize_zone;

use crate::model::{ClusterDns, ConfigOrigin, DnsConfig, DnsName, Note};

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
    /// A server block's keys CoreDNS would refuse to start with.
    #[error("line {line}: {message}")]
    ServerBlock {
        /// 1-based line of the block.
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
    /// The primary `kubernetes` stanza's configuration (`dns.primary()`).
    pub config: DnsConfig,
    /// Every stanza of every server block.
    pub dns: ClusterDns,
    /// Notes: stanzas that serve nothing, file imports and environment values the tool could
    /// not know.
    pub notes: Vec<Note>,
}

/// Parses a Corefile with no environment values known.
pub fn parse(text: &str, origin: ConfigOrigin) -> Result<ParsedCorefile, CorefileError> {
    parse_with_env(text, origin, &BTreeMap::new())
}

/// Parses a Corefile; `env` holds the values `{$VAR}`/`{%VAR%}` take (`--corefile-env`).
pub fn parse_with_env(
    text: &str,
    origin: ConfigOrigin,
    env: &BTreeMap<String, String>,
) -> Result<ParsedCorefile, CorefileError> {
    let corefile = blocks::parse_blocks(lexer::tokenize(text), env)?;
    let mut notes = Vec::new();
    let addresses = block_addresses(&corefile)?;
    let cluster_port = server::cluster_port(&corefile, &addresses);
    for (block, keys) in corefile.blocks.iter().zip(&addresses) {
        for unheld in keys.iter().flat_map(|key| &key.unheld) {
            notes.push(Note::warning(format!(
                "server block {:?} (line {}) serves the zone {unheld:?}, a name the tool cannot hold: nothing it computes lies there, and the zone is left out",
                block.keys.join(" "),
                block.line
            )));
        }
    }
    let mut stanzas = Vec::new();
    for (index, block) in corefile.blocks.iter().enumerate() {
        let mut uses = block.directives.iter().filter(|d| d.name == "kubernetes");
        let Some(directive) = uses.next() else {
            continue;
        };
        // `kubernetesParse`: the plugin's tokens may hold one use only; words left after its
        // block (a `{` on the next line, text after the `}`) read as a second one.
        if let Some(second) = uses.next() {
            return Err(CorefileError::Option {
                line: second.line,
                message: "kubernetes: this plugin can only be used once per server block"
                    .to_string(),
            });
        }
        if !directive.trailing.is_empty() {
            return Err(CorefileError::Option {
                line: directive.line,
                message: format!(
                    "kubernetes: this plugin can only be used once per server block (the words {:?} after its arguments and block read as a second use; a block's '{{' must end the directive's line)",
                    directive.trailing.join(" ")
                ),
            });
        }
        let cache = block
            .directives
            .iter()
            .find(|d| d.name == "cache")
            .map(cache::parse_cache)
            .transpose()?;
        let block_zones: Vec<DnsName> = addresses[index]
            .iter()
            .flat_map(|key| key.zones.iter().cloned())
            .collect();
        // From the keys, a zone the tool cannot hold that would be the primary zone.
        if directive.args.is_empty()
            && block_zones.iter().all(crate::model::is_below_reverse_tree)
            && let Some(unheld) = addresses[index].iter().flat_map(|key| &key.unheld).next()
        {
            return Err(CorefileError::ServerBlock {
                line: block.line,
                message: format!(
                    "the tool does not accept this zone: {unheld:?} (CoreDNS serves it; the tool's names hold letters, digits, '-' and '_' only)"
                ),
            });
        }
        let mut config =
            kubernetes::parse_kubernetes(directive, &block_zones, cache, origin.clone())?;
        config.server = server::server_block(&corefile, index, &addresses, &cluster_port);
        notes.extend(unreached_notes(&config, &block.keys, &cluster_port));
        stanzas.push(config);
    }
    if stanzas.is_empty() {
        return Err(CorefileError::NoKubernetesPlugin);
    }
    let primary = stanzas
        .iter()
        .position(|config| {
            config.server.on_port_53 && config.zones.iter().any(|z| zone_reached(config, z))
        })
        .unwrap_or(0);
    if !corefile.file_imports.is_empty() {
        notes.push(Note::warning(format!(
            "the Corefile imports files the tool cannot read ({}); options they add are not reflected",
            corefile.file_imports.join(", ")
        )));
    }
    if !corefile.unknown_env.is_empty() {
        let names: Vec<&str> = corefile.unknown_env.iter().map(String::as_str).collect();
        notes.push(Note::warning(format!(
            "the Corefile reads environment variables whose values in the CoreDNS container are unknown offline ({}); they are read as unset (empty) — give their values with --corefile-env NAME=VALUE",
            names.join(", ")
        )));
    }
    let config = stanzas[primary].clone();
    Ok(ParsedCorefile {
        config,
        dns: ClusterDns { stanzas, primary },
        notes,
    })
}

/// Every block's keys as `InspectServerBlocks` reads them, refusing what CoreDNS refuses: a
/// key it cannot split, and a zone served twice on the same listener by blocks without a
/// `view` (`validateZonesAndListeningAddresses`).
fn block_addresses(
    corefile: &blocks::Corefile,
) -> Result<Vec<Vec<zones::KeyAddress>>, CorefileError> {
    let mut seen: BTreeMap<(String, DnsName, String), usize> = BTreeMap::new();
    let mut all = Vec::new();
    for block in &corefile.blocks {
        let mut keys = Vec::new();
        let filtered = block.directives.iter().any(|d| d.name == "view");
        for key in &block.keys {
            let address = zones::parse_key(key).map_err(|message| CorefileError::ServerBlock {
                line: block.line,
                message,
            })?;
            for zone in &address.zones {
                let id = (
                    address.transport.to_string(),
                    zone.clone(),
                    address.port.clone(),
                );
                if !filtered && seen.insert(id, block.line).is_some() {
                    return Err(CorefileError::ServerBlock {
                        line: block.line,
                        message: format!(
                            "cannot serve {}://{zone}:{} - it is already defined",
                            address.transport, address.port
                        ),
                    });
                }
            }
            keys.push(address);
        }
        all.push(keys);
    }
    Ok(all)
}

/// Whether questions for names in `zone` reach the stanza's block: the block receives the zone
/// itself, or holds a zone below it.
fn zone_reached(config: &DnsConfig, zone: &DnsName) -> bool {
    config.server.receives(zone)
        || config
            .server
            .zones
            .iter()
            .any(|own| own != zone && own.is_within(zone) && config.server.receives(own))
}

/// Notes for a stanza whose block the cluster's questions do not reach, and for zones of the
/// stanza its block never receives.
fn unreached_notes(config: &DnsConfig, keys: &[String], cluster_port: &str) -> Vec<Note> {
    let block = format!(
        "server block {:?} (line {})",
        keys.join(" "),
        config.server.line
    );
    if !config.server.on_port_53 {
        return vec![Note::warning(format!(
            "{block} does not listen for plain DNS on port {cluster_port}, where the cluster's questions arrive: its kubernetes stanza answers none of them"
        ))];
    }
    config
        .zones
        .iter()
        .filter(|zone| !zone_reached(config, zone))
        .map(|zone| {
            Note::warning(format!(
                "{block} never receives questions for {zone} (its keys, or a more specific block, take them): the kubernetes zone {zone} serves nothing there"
            ))
        })
        .collect()
}

/// NodeLocal DNSCache's settings from its Corefile (the `node-local-dns` ConfigMap): the server
/// block for the cluster zone (`cluster.local:53 { bind 169.254.20.10 … cache { denial … } }`), its
/// `bind` addresses and how long its `cache` keeps a denial. `None` when the text is no Corefile
/// or has no block for `zone`.
pub fn node_local_cache(
    text: &str,
    zone: &crate::model::DnsName,
) -> Option<crate::model::NodeLocalCache> {
    let corefile = blocks::parse_blocks(lexer::tokenize(text), &BTreeMap::new()).ok()?;
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
            ".:53 {\n kubernetes 10.in-addr.arpa\n}",
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
