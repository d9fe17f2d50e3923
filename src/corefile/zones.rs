//! Zone arguments → zones, as `plugin/normalize.go` does it (`SplitHostPort`,
//! `NormalizeExact`) after `plugin/pkg/parse/transport.go Transport`: the transport prefix and
//! a numeric `:port` suffix stripped, names made absolute and lower-case, and a full CIDR turned
//! into the reverse zones that cover it (split at the next octet or nibble boundary,
//! `plugin/pkg/cidr`, so `172.16.0.0/12` becomes sixteen zones). Text that is not a full CIDR is
//! a name, slash and all: `10.0.0/8` is the zone `10.0.0/8.` to CoreDNS.

use std::net::IpAddr;

use crate::model::DnsName;

/// The transports `parse.Transport` knows, in the order it tests them, with their default ports
/// (`core/dnsserver/register.go`).
const TRANSPORTS: &[(&str, &str)] = &[
    ("tls", "853"),
    ("dns", "53"),
    ("quic", "853"),
    ("grpc", "443"),
    ("https3", "443"),
    ("https", "443"),
    ("unix", ""),
];

/// One server-block key as `core/dnsserver` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAddress {
    /// `dns`, `tls`, `quic`, `grpc`, `https`, `https3` or `unix`.
    pub transport: &'static str,
    /// The zones it stands for (several for a CIDR off an octet or nibble boundary).
    pub zones: Vec<DnsName>,
    /// Zones CoreDNS serves that the tool cannot hold (characters no name of its own has):
    /// no record the tool computes lies in them.
    pub unheld: Vec<String>,
    /// The port, given or the transport's default.
    pub port: String,
}

/// Reads a server-block key (`InspectServerBlocks`); an error is one CoreDNS stops with.
pub fn parse_key(key: &str) -> Result<KeyAddress, String> {
    let (transport, rest) = transport(key);
    let (hosts, port) = split_host_port(rest)?;
    let port = port.unwrap_or_else(|| {
        TRANSPORTS
            .iter()
            .find(|(name, _)| *name == transport)
            .map_or(String::new(), |(_, port)| (*port).to_string())
    });
    let mut zones = Vec::new();
    let mut unheld = Vec::new();
    for host in &hosts {
        match zone_name(host) {
            Ok(zone) => zones.push(zone),
            Err(_) => unheld.push(host.clone()),
        }
    }
    Ok(KeyAddress {
        transport,
        zones,
        unheld,
        port,
    })
}

/// Turns one zone argument into the zones it means; an error where CoreDNS's `SplitHostPort`
/// fails or the tool cannot hold the name.
pub fn normalize_zone(text: &str) -> Result<Vec<DnsName>, String> {
    let (_, rest) = transport(text);
    let (hosts, _) = split_host_port(rest)?;
    hosts.iter().map(|host| zone_name(host)).collect()
}

/// `Host.NormalizeExact`, as `OriginsFromArgsOrServerBlock` uses it on a plugin's arguments:
/// an argument CoreDNS cannot read is silently dropped, so it gives no zone. An `Err` entry is
/// a zone CoreDNS reads but the tool cannot hold, in its place among the others.
pub fn normalize_exact(text: &str) -> Vec<Result<DnsName, String>> {
    let (_, rest) = transport(text);
    let Ok((hosts, _)) = split_host_port(rest) else {
        return Vec::new();
    };
    hosts.iter().map(|host| zone_name(host)).collect()
}

fn transport(key: &str) -> (&'static str, &str) {
    TRANSPORTS
        .iter()
        .find_map(|(name, _)| {
            key.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix("://"))
                .map(|rest| (*name, rest))
        })
        .unwrap_or(("dns", key))
}

/// `plugin.SplitHostPort`: hosts and the port, taking reverse notation into account.
fn split_host_port(text: &str) -> Result<(Vec<String>, Option<String>), String> {
    let mut host = text;
    let mut port = None;
    if let Some(colon) = text.rfind(':') {
        if colon == text.len() - 1 {
            return Err(format!("expecting data after last colon: {text:?}"));
        }
        if let Some(number) = go_atoi(&text[colon + 1..]) {
            port = Some(number.to_string());
            host = &text[..colon];
        }
    }
    if host.len() > 255 {
        return Err(format!("specified zone is too long: {} > 255", host.len()));
    }
    if !is_domain_name(host) {
        return Err(format!("zone is not a valid domain name: {host}"));
    }
    let Some((addr, prefix)) = host.split_once('/') else {
        return Ok((vec![host.to_string()], port));
    };
    let Some((ip, bits)) = parse_cidr(addr, prefix) else {
        return Ok((vec![host.to_string()], port));
    };
    if host.starts_with(':') || (host.starts_with('0') && host.contains(':')) {
        return Err(format!("invalid CIDR {host}"));
    }
    let zones = reverse_zones_for_cidr(ip, bits)
        .ok_or_else(|| format!("invalid CIDR {host}"))?
        .into_iter()
        .map(|zone| zone.to_string())
        .collect();
    Ok((zones, port))
}

/// Go's `strconv.Atoi`: an optional sign, then decimal digits, within 64 bits.
fn go_atoi(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.strip_prefix('+').unwrap_or(text).parse().ok()
}

/// `dns.IsDomainName`: not empty, no empty label (`..`, a leading dot) except the root, labels
/// of at most 63 bytes. Any other character is allowed.
fn is_domain_name(text: &str) -> bool {
    if text.is_empty() {
        return false;
    }
    if text == "." {
        return true;
    }
    let trimmed = text.strip_suffix('.').unwrap_or(text);
    !trimmed.is_empty()
        && trimmed
            .split('.')
            .all(|label| !label.is_empty() && label.len() <= 63)
}

/// `net.ParseCIDR`: a full IP address and a decimal prefix no longer than it.
fn parse_cidr(addr: &str, prefix: &str) -> Option<(IpAddr, u32)> {
    let ip: IpAddr = addr.parse().ok()?;
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let bits: u32 = prefix.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((ip, bits))
}

/// `Name.Normalize`, then the tool's own name rules.
fn zone_name(host: &str) -> Result<DnsName, String> {
    DnsName::parse(host)
        .map_err(|err| format!("the tool does not accept this zone: {host:?} ({err})"))
}

fn reverse_zones_for_cidr(ip: IpAddr, prefix: u32) -> Option<Vec<DnsName>> {
    let (bits, boundary) = match ip {
        IpAddr::V4(_) => (32, 8),
        IpAddr::V6(_) => (128, 4),
    };
    if prefix > bits {
        return None;
    }
    let value: u128 = match ip {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    };
    let rounded = prefix.div_ceil(boundary) * boundary;
    let network = mask(value, prefix, bits);
    let count = 1u128 << (rounded - prefix);
    // The distance between the zones' networks. For `::/0` it is 2^128, which no u128 holds;
    // there is one zone then (count is 1), so the step is never used.
    let step = 1u128.checked_shl(bits - rounded).unwrap_or(0);
    (0..count)
        .map(|i| reverse_zone_name(network + i * step, rounded, ip.is_ipv4()))
        .collect()
}

fn mask(value: u128, prefix: u32, bits: u32) -> u128 {
    if prefix == 0 {
        return 0;
    }
    let host_bits = bits - prefix;
    (value >> host_bits) << host_bits
}

/// The reverse name of the first `prefix` bits of `value` (a multiple of 8 for IPv4, 4 for IPv6).
fn reverse_zone_name(value: u128, prefix: u32, v4: bool) -> Option<DnsName> {
    let (suffix, bits, digit_bits) = if v4 {
        ("in-addr.arpa.", 32, 8)
    } else {
        ("ip6.arpa.", 128, 4)
    };
    let mut labels = Vec::new();
    for i in 0..prefix / digit_bits {
        let shift = bits - digit_bits * (i + 1);
        let digit = (value >> shift) & ((1u128 << digit_bits) - 1);
        labels.push(if v4 {
            digit.to_string()
        } else {
            format!("{digit:x}")
        });
    }
    labels.reverse();
    let zone = DnsName::parse(suffix).ok()?;
    let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    zone.prepend_all(&refs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zones(text: &str) -> Vec<String> {
        normalize_zone(text)
            .unwrap()
            .iter()
            .map(|z| z.to_string())
            .collect()
    }

    #[test]
    fn names_keys_and_transports() {
        assert_eq!(zones("cluster.local"), vec!["cluster.local."]);
        assert_eq!(zones("Cluster.Local.:53"), vec!["cluster.local."]);
        assert_eq!(zones("dns://.:53"), vec!["."]);
        assert_eq!(zones("."), vec!["."]);
    }

    #[test]
    fn octet_aligned_cidrs() {
        assert_eq!(zones("10.96.0.0/16"), vec!["96.10.in-addr.arpa."]);
        assert_eq!(zones("10.96.0.0/24"), vec!["0.96.10.in-addr.arpa."]);
        assert_eq!(zones("10.0.0.0/8:53"), vec!["10.in-addr.arpa."]);
    }

    #[test]
    fn unaligned_cidrs_split_at_the_next_boundary() {
        let split = zones("172.16.0.0/12");
        assert_eq!(split.len(), 16);
        assert_eq!(split[0], "16.172.in-addr.arpa.");
        assert_eq!(split[15], "31.172.in-addr.arpa.");
        assert_eq!(
            zones("10.0.0.0/23"),
            vec!["0.0.10.in-addr.arpa.", "1.0.10.in-addr.arpa."]
        );
    }

    #[test]
    fn ipv6_cidrs_use_nibbles() {
        assert_eq!(zones("fd00::/8"), vec!["d.f.ip6.arpa."]);
        assert_eq!(zones("fd00:10:96::/112").len(), 1);
        assert_eq!(zones("fd00::/7").len(), 2);
    }

    #[test]
    fn zero_length_prefixes_are_the_whole_reverse_tree() {
        // Found by the corefile fuzz target: `fd00::/0` overflowed a shift.
        assert_eq!(zones("fd00::/0"), vec!["ip6.arpa."]);
        assert_eq!(zones("10.0.0.0/0"), vec!["in-addr.arpa."]);
        assert_eq!(zones("fd00::/128").len(), 1);
    }

    #[test]
    fn text_that_is_no_full_cidr_is_a_name() {
        // `net.ParseCIDR` fails, so `SplitHostPort` keeps the text as a domain name, which
        // CoreDNS serves; the tool's names hold letters, digits, '-' and '_' only.
        for text in ["10.0.0.0/33", "10.0.0/8", "cluster.local,example.org"] {
            let err = normalize_zone(text).unwrap_err();
            assert!(
                err.starts_with("the tool does not accept this zone"),
                "{err}"
            );
        }
    }

    #[test]
    fn what_split_host_port_refuses() {
        for bad in ["cluster.local:", "a..b", ".x", "::/0", "0::/64", ""] {
            assert!(normalize_zone(bad).is_err(), "{bad:?}");
        }
        assert!(normalize_exact("cluster.local:").is_empty());
        assert!(normalize_exact("cluster.local\"")[0].is_err());
        assert_eq!(parse_key("we!rd.local:53").unwrap().unheld, ["we!rd.local"]);
        assert!(normalize_zone(&"a.".repeat(130)).is_err());
    }

    #[test]
    fn keys_with_transports_and_ports() {
        let key = parse_key("tls://cluster.local").unwrap();
        assert_eq!((key.transport, key.port.as_str()), ("tls", "853"));
        let key = parse_key("dns://.:053").unwrap();
        assert_eq!((key.transport, key.port.as_str()), ("dns", "53"));
        let key = parse_key("https3://example.org:8443").unwrap();
        assert_eq!((key.transport, key.port.as_str()), ("https3", "8443"));
        let key = parse_key("10.0.0.0/15:53").unwrap();
        assert_eq!(key.zones.len(), 2);
        assert_eq!(parse_key("example.org").unwrap().port, "53");
    }
}
