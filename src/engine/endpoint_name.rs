//! The label that names one endpoint address under its Service (`kubernetes.go
//! endpointHostname`): the endpoint's hostname, else (with `endpoint_pod_names`) its Pod's name,
//! else the address with its separators turned into dashes.

use super::view::EndpointView;
use crate::model::CoreDnsRules;

/// The endpoint label CoreDNS uses for the address `address` (as the slice spells it, an IP or
/// an FQDN slice's name) of `endpoint`. It can be empty or hold dots (a Pod name under
/// `endpoint_pod_names`); callers skip names that are not one valid label.
pub fn endpoint_label(
    endpoint: &EndpointView,
    address: &str,
    pod_names: bool,
    rules: &CoreDnsRules,
) -> String {
    if let Some(hostname) = &endpoint.hostname {
        return hostname.clone();
    }
    if pod_names && let Some(name) = &endpoint.target_name {
        return name.clone();
    }
    if rules.ipv6_label_trailing_zero {
        dashed_endpoint_address(address)
    } else {
        // Before CoreDNS 1.12.3 the label kept a trailing dash (`fd00::` → `fd00--`).
        dashed_pod_address(address)
    }
}

/// `10.244.1.5` → `10-244-1-5`; `fd00::1` → `fd00--1`; a result ending in `-` gets a `0`
/// appended (`fd00::` → `fd00--0`, since CoreDNS v1.12.3) so that it is a valid label. The
/// address string is used as written, not re-canonicalised, exactly as CoreDNS does: an FQDN
/// slice's `db.example.com` is `db-example-com`, and `db.example.com.` keeps a trailing dash
/// (only the IPv6 branch appends the `0`).
pub fn dashed_endpoint_address(address: &str) -> String {
    if address.contains('.') {
        return address.replace('.', "-");
    }
    if address.contains(':') {
        let dashed = address.replace(':', "-");
        if dashed.ends_with('-') {
            return dashed + "0";
        }
        return dashed;
    }
    String::new()
}

/// The label of a Pod record (`findPods`): plain replacement, with no trailing `0`, because
/// CoreDNS turns the question's label back into an IP by replacing every `-`.
pub fn dashed_pod_address(address: &str) -> String {
    if address.contains('.') {
        address.replace('.', "-")
    } else {
        address.replace(':', "-")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(hostname: Option<&str>, target: Option<&str>) -> EndpointView {
        EndpointView {
            addresses: Vec::new(),
            names: Vec::new(),
            ready: true,
            terminating: false,
            hostname: hostname.map(str::to_string),
            target_name: target.map(str::to_string),
            pod: None,
            zone: None,
        }
    }

    #[test]
    fn hostname_then_pod_name_then_dashed_ip() {
        let a = "10.244.1.5";
        assert_eq!(
            endpoint_label(
                &endpoint(Some("redis-0"), Some("p")),
                a,
                true,
                &CoreDnsRules::NEWEST
            ),
            "redis-0"
        );
        assert_eq!(
            endpoint_label(
                &endpoint(None, Some("web-abc")),
                a,
                true,
                &CoreDnsRules::NEWEST
            ),
            "web-abc"
        );
        assert_eq!(
            endpoint_label(
                &endpoint(None, Some("web-abc")),
                a,
                false,
                &CoreDnsRules::NEWEST
            ),
            "10-244-1-5"
        );
    }

    #[test]
    fn releases_before_1_12_3_keep_the_trailing_dash() {
        let old = CoreDnsRules::for_version(crate::model::CoreDnsVersion::parse("1.12.2").ok());
        let a = "fd00::";
        assert_eq!(
            endpoint_label(&endpoint(None, None), a, false, &old),
            "fd00--"
        );
        assert_eq!(
            endpoint_label(&endpoint(None, None), a, false, &CoreDnsRules::NEWEST),
            "fd00--0"
        );
    }

    #[test]
    fn ipv6_dashes_as_kubernetes_test_endpoint_hostname() {
        assert_eq!(dashed_endpoint_address("5678:abcd::1"), "5678-abcd--1");
        assert_eq!(
            dashed_endpoint_address("2001:db8:3333:4444:5555:6666::"),
            "2001-db8-3333-4444-5555-6666--0"
        );
        assert_eq!(dashed_endpoint_address("fd00::"), "fd00--0");
        assert_eq!(dashed_pod_address("fd00::"), "fd00--");
        assert_eq!(dashed_pod_address("10.1.2.3"), "10-1-2-3");
    }

    #[test]
    fn fqdn_addresses_dash_like_ipv4() {
        assert_eq!(dashed_endpoint_address("db.example.com"), "db-example-com");
        // The IPv4 branch appends no `0`: the absolute form keeps its trailing dash.
        assert_eq!(
            dashed_endpoint_address("db.example.com."),
            "db-example-com-"
        );
    }
}
