//! The server block around the `kubernetes` stanza, as `core/dnsserver` routes a question: the
//! block's zones, the zones of the other blocks on the same port, and which plugins of the block
//! run before and after `kubernetes` in CoreDNS's chain order (`plugin.cfg`, not Corefile order).

use super::blocks::{Corefile, ServerBlock};
use super::zones::normalize_zone;
use crate::model::{DnsName, ServerBlockConfig};

/// The plugins `plugin.cfg` orders before `kubernetes` that can answer or rewrite a question
/// themselves (metrics, logging and caching plugins pass it on unchanged, so they are left out;
/// the cache is modelled on its own).
const ANSWER_BEFORE: &[&str] = &[
    "local",
    "dns64",
    "any",
    "chaos",
    "rewrite",
    "autopath",
    "acl",
    "template",
    "hosts",
    "route53",
    "azure",
    "clouddns",
    "k8s_external",
];

/// The plugins `plugin.cfg` orders after `kubernetes` that answer a question handed on to them,
/// in chain order (`loop` only passes questions on, so it does not count).
const ANSWER_AFTER: &[&str] = &[
    "file",
    "auto",
    "secondary",
    "etcd",
    "forward",
    "grpc",
    "erratic",
    "whoami",
    "nomad",
];

/// The server block `block` (which holds the `kubernetes` stanza) and its neighbours.
pub fn server_block(corefile: &Corefile, block: &ServerBlock) -> ServerBlockConfig {
    let port = block.keys.first().map_or(53, |key| port_of(key));
    let zones_of = |block: &ServerBlock| -> Vec<DnsName> {
        block
            .keys
            .iter()
            .flat_map(|key| normalize_zone(key).unwrap_or_default())
            .collect()
    };
    let other_zones = corefile
        .blocks
        .iter()
        .filter(|other| !std::ptr::eq(*other, block))
        .filter(|other| other.keys.iter().any(|key| port_of(key) == port))
        .flat_map(zones_of)
        .collect();
    let present = |name: &str| block.directives.iter().any(|d| d.name == name);
    ServerBlockConfig {
        zones: zones_of(block),
        other_zones,
        next_plugin: ANSWER_AFTER
            .iter()
            .find(|name| present(name))
            .map(|name| (*name).to_string()),
        before: ANSWER_BEFORE
            .iter()
            .filter(|name| present(name))
            .map(|name| (*name).to_string())
            .collect(),
    }
}

/// The port a server-block key listens on: the one it names, else its transport's default
/// (`core/dnsserver/address.go`: dns 53, tls and quic 853, https and grpc 443).
fn port_of(key: &str) -> u16 {
    let (default, rest) = [
        ("dns://", 53),
        ("tls://", 853),
        ("quic://", 853),
        ("https://", 443),
        ("grpc://", 443),
    ]
    .iter()
    .find_map(|(scheme, port)| key.strip_prefix(scheme).map(|rest| (*port, rest)))
    .unwrap_or((53, key));
    match rest.rsplit_once(':') {
        Some((_, port)) => port.parse().unwrap_or(default),
        None => default,
    }
}

#[cfg(test)]
mod tests {
    use super::super::blocks::parse_blocks;
    use super::super::lexer::tokenize;
    use super::*;

    fn config(text: &str) -> ServerBlockConfig {
        let corefile = parse_blocks(&tokenize(text).unwrap()).unwrap();
        let block = corefile
            .blocks
            .iter()
            .find(|b| b.directives.iter().any(|d| d.name == "kubernetes"))
            .unwrap();
        server_block(&corefile, block)
    }

    #[test]
    fn kubeadm_block_hands_on_to_forward() {
        let server = config(super::super::KUBEADM_COREFILE);
        assert_eq!(server.zones, vec![DnsName::root()]);
        assert!(server.other_zones.is_empty());
        assert_eq!(server.next_plugin.as_deref(), Some("forward"));
        assert!(server.before.is_empty());
    }

    #[test]
    fn other_blocks_on_the_same_port_only() {
        let server = config(
            "cluster.local:53 {\n kubernetes\n hosts\n}\nconsul.local:53 {\n forward . 10.0.0.1\n}\n.:5353 {\n forward . 8.8.8.8\n}\ntls://.:853 {\n forward . 1.1.1.1\n}\n",
        );
        assert_eq!(
            server.zones,
            vec![DnsName::parse("cluster.local.").unwrap()]
        );
        assert_eq!(
            server.other_zones,
            vec![DnsName::parse("consul.local.").unwrap()]
        );
        assert_eq!(server.next_plugin, None);
        assert_eq!(server.before, vec!["hosts"]);
    }

    #[test]
    fn ports_by_transport() {
        assert_eq!(port_of(".:53"), 53);
        assert_eq!(port_of("."), 53);
        assert_eq!(port_of("tls://.:5353"), 5353);
        assert_eq!(port_of("tls://."), 853);
        assert_eq!(port_of("cluster.local"), 53);
    }
}
