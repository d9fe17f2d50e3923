//! Zone arguments → zones, as `plugin/normalize.go` does it: transports and ports stripped,
//! names made absolute and lower-case, and CIDRs turned into the reverse zones that cover them
//! (split at the next octet or nibble boundary, so `172.16.0.0/12` becomes sixteen zones).

use std::net::IpAddr;

use crate::model::DnsName;

/// Turns one server-block key or `kubernetes` zone argument into the zones it means.
pub fn normalize_zone(text: &str) -> Result<Vec<DnsName>, String> {
    let without_transport = ["dns://", "tls://", "grpc://", "https://", "quic://"]
        .iter()
        .find_map(|scheme| text.strip_prefix(scheme))
        .unwrap_or(text);
    let host = match without_transport.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => without_transport,
    };
    if let Some((addr, prefix)) = host.split_once('/') {
        return reverse_zones_for_cidr(addr, prefix)
            .ok_or_else(|| format!("invalid CIDR {host:?}"));
    }
    DnsName::parse(host)
        .map(|name| vec![name])
        .map_err(|err| format!("invalid zone {host:?}: {err}"))
}

fn reverse_zones_for_cidr(addr: &str, prefix: &str) -> Option<Vec<DnsName>> {
    let ip: IpAddr = addr.parse().ok()?;
    let prefix: u32 = prefix.parse().ok()?;
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
        assert_eq!(zones("::/128").len(), 1);
    }

    #[test]
    fn bad_cidrs_are_errors() {
        assert!(normalize_zone("10.0.0.0/33").is_err());
        assert!(normalize_zone("10.0.0/8").is_err());
    }
}
