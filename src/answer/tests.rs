//! Unit tests of the pure helpers: the address a pod label or a reverse name spells.

use std::net::IpAddr;

use super::backend::{pod_address, reverse_address};
use super::{QType, Rcode};

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[test]
fn pod_labels_turn_back_into_addresses_as_find_pods_does() {
    assert_eq!(pod_address("10-244-1-5"), Some(ip("10.244.1.5")));
    assert_eq!(pod_address("fd00--1"), Some(ip("fd00::1")));
    // IPv4-mapped IPv6 answers as IPv4 (HostType: To4() != nil).
    assert_eq!(pod_address("--ffff-a00-1"), Some(ip("10.0.0.1")));
    // Two dashes are read as IPv6, which "10:244:1" is not.
    assert_eq!(pod_address("10-244-1"), None);
    assert_eq!(pod_address("010-244-1-5"), None);
    assert_eq!(pod_address("web-1"), None);
}

#[test]
fn reverse_names_are_complete_addresses_or_nothing() {
    assert_eq!(
        reverse_address("10.0.96.10.in-addr.arpa."),
        Some(ip("10.96.0.10"))
    );
    assert_eq!(reverse_address("0.96.10.in-addr.arpa."), None);
    assert_eq!(
        reverse_address(
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa."
        ),
        Some(ip("fd00::1"))
    );
    assert_eq!(reverse_address("d.f.ip6.arpa."), None);
    assert_eq!(reverse_address("web.shop.svc.cluster.local."), None);
}

#[test]
fn type_and_rcode_mnemonics() {
    assert_eq!(QType::parse("aaaa"), Some(QType::Aaaa));
    assert_eq!(QType::parse("MX"), None);
    assert_eq!(Rcode::NxDomain.to_string(), "NXDOMAIN");
}
