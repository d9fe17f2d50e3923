//! The server block around the `kubernetes` stanza, as `core/dnsserver` routes a question: the
//! block's zones, the zones of the other blocks on the same port, and which plugins of the block
//! run before and after `kubernetes` in CoreDNS's chain order (`plugin.cfg`, not Corefile order).

use super::blocks::Corefile;
use super::zones::KeyAddress;
use crate::model::ServerBlockConfig;

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

/// The server block `index` (which holds a `kubernetes` stanza) and its neighbours: the zones
/// of its keys on `cluster_port` (plain DNS, where the cluster's questions arrive; else its
/// first key's listener), and the zones of the other blocks on that listener.
pub fn server_block(
    corefile: &Corefile,
    index: usize,
    addresses: &[Vec<KeyAddress>],
    cluster_port: &str,
) -> ServerBlockConfig {
    let own = addresses.get(index).map_or(&[][..], Vec::as_slice);
    let on_cluster_port = |key: &KeyAddress| key.transport == "dns" && key.port == cluster_port;
    let on_port_53 = own.iter().any(on_cluster_port);
    let listener = own
        .iter()
        .find(|key| on_cluster_port(key))
        .or_else(|| own.first())
        .map(|key| (key.transport, key.port.clone()));
    let same_listener = |key: &&KeyAddress| {
        listener
            .as_ref()
            .is_some_and(|(t, p)| key.transport == *t && &key.port == p)
    };
    let zones = own
        .iter()
        .filter(same_listener)
        .flat_map(|key| key.zones.iter().cloned())
        .collect();
    let other_zones = addresses
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != index)
        .flat_map(|(_, keys)| keys.iter().filter(same_listener))
        .flat_map(|key| key.zones.iter().cloned())
        .collect();
    let block = corefile.blocks.get(index);
    let present = |name: &str| block.is_some_and(|b| b.directives.iter().any(|d| d.name == name));
    ServerBlockConfig {
        zones,
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
        line: block.map_or(0, |b| b.line),
        on_port_53,
    }
}

/// The port the cluster's questions arrive on: 53 when a block listens for plain DNS there;
/// else the port of the first `kubernetes` block's plain-DNS key (OpenShift's CoreDNS serves
/// `.:5353` behind a Service that maps port 53 to it).
pub fn cluster_port(corefile: &Corefile, addresses: &[Vec<KeyAddress>]) -> String {
    let plain = |key: &&KeyAddress| key.transport == "dns";
    if addresses
        .iter()
        .flatten()
        .filter(plain)
        .any(|key| key.port == "53")
    {
        return "53".to_string();
    }
    corefile
        .blocks
        .iter()
        .zip(addresses)
        .filter(|(block, _)| block.directives.iter().any(|d| d.name == "kubernetes"))
        .find_map(|(_, keys)| keys.iter().find(plain))
        .map_or_else(|| "53".to_string(), |key| key.port.clone())
}

#[cfg(test)]
mod tests {
    use super::super::blocks::parse_blocks;
    use super::super::lexer::tokenize;
    use super::super::zones::parse_key;
    use super::*;
    use crate::model::DnsName;

    fn config(text: &str) -> ServerBlockConfig {
        let corefile = parse_blocks(tokenize(text), &Default::default()).unwrap();
        let addresses: Vec<Vec<KeyAddress>> = corefile
            .blocks
            .iter()
            .map(|b| b.keys.iter().map(|k| parse_key(k).unwrap()).collect())
            .collect();
        let index = corefile
            .blocks
            .iter()
            .position(|b| b.directives.iter().any(|d| d.name == "kubernetes"))
            .unwrap();
        let port = cluster_port(&corefile, &addresses);
        server_block(&corefile, index, &addresses, &port)
    }

    #[test]
    fn kubeadm_block_hands_on_to_forward() {
        let server = config(super::super::KUBEADM_COREFILE);
        assert_eq!(server.zones, vec![DnsName::root()]);
        assert!(server.other_zones.is_empty());
        assert_eq!(server.next_plugin.as_deref(), Some("forward"));
        assert!(server.before.is_empty());
        assert!(server.on_port_53);
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
    fn a_block_off_port_53() {
        let server =
            config(".:5353 {\n kubernetes cluster.local\n}\n.:53 {\n forward . 8.8.8.8\n}\n");
        assert!(!server.on_port_53);
        assert!(server.other_zones.is_empty());
    }
}
