//! The `kubernetes` plugin's options (`plugin/kubernetes/setup.go ParseStanza`) → `DnsConfig`.
//! An option CoreDNS would refuse to start with is an error here too.

use super::CorefileError;
use super::blocks::Directive;
use super::zones::normalize_exact;
use crate::model::{
    CacheConfig, ConfigOrigin, DnsConfig, DnsName, LabelSelector, PodsMode, ServerBlockConfig,
    StanzaOption, is_below_reverse_tree,
};

/// CoreDNS's TTL when the stanza has no `ttl` option.
pub const DEFAULT_TTL: u32 = 5;

/// Builds the configuration from a `kubernetes` directive and the zones of its server block's
/// keys (already expanded, as `core/dnsserver/register.go` leaves them).
pub fn parse_kubernetes(
    directive: &Directive,
    block_zones: &[DnsName],
    cache: Option<CacheConfig>,
    origin: ConfigOrigin,
) -> Result<DnsConfig, CorefileError> {
    let invalid = |line: usize, message: String| CorefileError::Option { line, message };
    // `plugin.OriginsFromArgsOrServerBlock`: the arguments (one an argument CoreDNS cannot
    // read gives nothing, silently), else every zone of the block's keys.
    let zones: Vec<DnsName> = if directive.args.is_empty() {
        block_zones.to_vec()
    } else {
        exact_zones(&directive.args).map_err(|m| invalid(directive.line, m))?
    };
    if !zones.iter().any(|zone| !is_below_reverse_tree(zone)) {
        return Err(invalid(
            directive.line,
            "kubernetes: non-reverse zone name must be used".to_string(),
        ));
    }
    let mut config = DnsConfig {
        zones,
        ttl: DEFAULT_TTL,
        pods: PodsMode::Disabled,
        endpoint_pod_names: false,
        ignore_empty_service: false,
        noendpoints: false,
        namespaces: Vec::new(),
        namespace_labels: None,
        labels: None,
        fallthrough: None,
        cache,
        node_local: None,
        multicluster: Vec::new(),
        zonal: false,
        server: ServerBlockConfig::default(),
        origin,
        coredns_version: None,
        options: Vec::new(),
    };
    for option in &directive.block {
        parse_option(option, &mut config)?;
        config.options.push(StanzaOption {
            name: option.name.clone(),
            line: option.line,
        });
        // An option followed by `{` on its line: the plugin's next `NextBlock` reads the `{`
        // itself as the next option's name.
        if option.braced {
            return Err(invalid(
                option.line,
                "kubernetes: unknown property '{'".to_string(),
            ));
        }
    }
    if !config.namespaces.is_empty() && config.namespace_labels.is_some() {
        return Err(invalid(
            directive.line,
            "kubernetes: namespaces and namespace_labels cannot both be set".to_string(),
        ));
    }
    if let Some(zone) = config
        .multicluster
        .iter()
        .find(|zone| !config.zones.contains(zone))
    {
        return Err(invalid(
            directive.line,
            format!("kubernetes: is not authoritative for the multicluster zone {zone}"),
        ));
    }
    if config.zonal && config.noendpoints {
        return Err(invalid(
            directive.line,
            "kubernetes: zonal requires the endpoint cache; remove noendpoints".to_string(),
        ));
    }
    Ok(config)
}

/// One option of the stanza's block, with `ParseStanza`'s argument rules: which counts are
/// errors, which extra arguments are ignored.
fn parse_option(option: &Directive, config: &mut DnsConfig) -> Result<(), CorefileError> {
    let line = option.line;
    let invalid = |message: String| CorefileError::Option { line, message };
    let args = option.args.as_slice();
    let arg_error = || {
        invalid(format!(
            "kubernetes: wrong argument count or unexpected line ending after '{}'",
            args.last().unwrap_or(&option.name)
        ))
    };
    match option.name.as_str() {
        "endpoint_pod_names" => {
            if !args.is_empty() {
                return Err(arg_error());
            }
            config.endpoint_pod_names = true;
        }
        "pods" => {
            config.pods = match args {
                [mode] if mode == "disabled" => PodsMode::Disabled,
                [mode] if mode == "insecure" => PodsMode::Insecure,
                [mode] if mode == "verified" => PodsMode::Verified,
                [mode] => {
                    return Err(invalid(format!(
                        "kubernetes: wrong value for pods: {mode}, must be one of: disabled, verified, insecure"
                    )));
                }
                _ => return Err(arg_error()),
            };
        }
        "namespaces" => {
            if args.is_empty() {
                return Err(arg_error());
            }
            for namespace in args {
                if !config.namespaces.contains(namespace) {
                    config.namespaces.push(namespace.clone());
                }
            }
        }
        "labels" | "namespace_labels" => {
            if args.is_empty() {
                return Err(arg_error());
            }
            let text = args.join(" ");
            let selector = LabelSelector::parse(&text).map_err(|err| {
                invalid(format!(
                    "kubernetes: {}: unable to parse label selector value: '{text}': {err}",
                    option.name
                ))
            })?;
            if option.name == "labels" {
                config.labels = Some(selector);
            } else {
                config.namespace_labels = Some(selector);
            }
        }
        // `fall.SetZonesFromArgs`: no zones is the root; a zone CoreDNS cannot read is dropped.
        "fallthrough" => {
            config.fallthrough = Some(if args.is_empty() {
                vec![DnsName::root()]
            } else {
                exact_zones(args).map_err(invalid)?
            });
        }
        // Only the first argument is read; more are ignored.
        "ttl" => {
            let Some(value) = args.first() else {
                return Err(arg_error());
            };
            let ttl = go_atoi(value).ok_or_else(|| {
                invalid(format!(
                    "kubernetes: strconv.Atoi: parsing {value:?}: invalid syntax"
                ))
            })?;
            if !(0..=3600).contains(&ttl) {
                return Err(invalid(format!(
                    "kubernetes: ttl must be in range [0, 3600]: {ttl}"
                )));
            }
            config.ttl = u32::try_from(ttl).unwrap_or(DEFAULT_TTL);
        }
        "noendpoints" => {
            if !args.is_empty() {
                return Err(arg_error());
            }
            config.noendpoints = true;
        }
        "zonal" => {
            if !args.is_empty() {
                return Err(arg_error());
            }
            config.zonal = true;
        }
        // Only the first argument is read; a bare `ignore` is accepted and does nothing.
        "ignore" => match args.first().map(String::as_str) {
            Some("empty_service") => config.ignore_empty_service = true,
            Some(other) => {
                return Err(invalid(format!(
                    "kubernetes: unable to parse ignore value: '{other}'"
                )));
            }
            None => {}
        },
        "multicluster" => {
            config.multicluster = exact_zones(args).map_err(invalid)?;
        }
        "endpoint" => {
            if args.is_empty() {
                return Err(arg_error());
            }
        }
        "tls" => {
            if args.len() != 3 {
                return Err(arg_error());
            }
        }
        "kubeconfig" => {
            if !(1..=2).contains(&args.len()) {
                return Err(arg_error());
            }
        }
        "startup_timeout" => {
            let Some(value) = args.first() else {
                return Err(arg_error());
            };
            if !is_go_duration(value) {
                return Err(invalid(format!(
                    "kubernetes: failed to parse startup_timeout: {value}"
                )));
            }
        }
        "apiserver_qps" => {
            let [value] = args else {
                return Err(arg_error());
            };
            match value.parse::<f32>() {
                Ok(qps) if qps < 0.0 => {
                    return Err(invalid(
                        "kubernetes: apiserver_qps must be >= 0".to_string(),
                    ));
                }
                Ok(_) => {}
                Err(_) => {
                    return Err(invalid(format!(
                        "kubernetes: invalid apiserver_qps {value:?}"
                    )));
                }
            }
        }
        "apiserver_burst" | "apiserver_max_inflight" => {
            let [value] = args else {
                return Err(arg_error());
            };
            match go_atoi(value) {
                Some(n) if n < 0 => {
                    return Err(invalid(format!("kubernetes: {} must be >= 0", option.name)));
                }
                Some(_) => {}
                None => {
                    return Err(invalid(format!(
                        "kubernetes: invalid {} {value:?}",
                        option.name
                    )));
                }
            }
        }
        other => {
            return Err(invalid(format!("kubernetes: unknown property '{other}'")));
        }
    }
    Ok(())
}

/// The zones of arguments read with `NormalizeExact` (see `zones::normalize_exact`). A zone the
/// tool cannot hold is left out when a zone the tool holds comes before it (no record lies in
/// it); first, it would be the primary zone the PTR targets are built in, and is refused.
fn exact_zones(args: &[String]) -> Result<Vec<DnsName>, String> {
    let mut zones = Vec::new();
    for entry in args.iter().flat_map(|arg| normalize_exact(arg)) {
        match entry {
            Ok(zone) => zones.push(zone),
            Err(message) if zones.iter().all(is_below_reverse_tree) => return Err(message),
            Err(_) => {}
        }
    }
    Ok(zones)
}

/// Go's `strconv.Atoi`: an optional sign, then decimal digits, within 64 bits.
fn go_atoi(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.strip_prefix('+').unwrap_or(text).parse().ok()
}

/// Whether Go's `time.ParseDuration` reads `text`: an optional sign, then `0` or one or more
/// decimal numbers each with a unit (`ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`).
fn is_go_duration(text: &str) -> bool {
    let rest = text.strip_prefix(['+', '-']).unwrap_or(text);
    if rest == "0" {
        return true;
    }
    if rest.is_empty() {
        return false;
    }
    let mut rest = rest;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let number = &rest[..number_end];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return false;
        }
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        if !matches!(
            &rest[..unit_end],
            "ns" | "us" | "µs" | "μs" | "ms" | "s" | "m" | "h"
        ) {
            return false;
        }
        rest = &rest[unit_end..];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        for good in ["5s", "1m30s", "0", "1.5h", "-2ms", "300µs", "1h2m3s4ms"] {
            assert!(is_go_duration(good), "{good}");
        }
        for bad in ["", "5", "s", "1.2.3s", "5 s", "1d", "+"] {
            assert!(!is_go_duration(bad), "{bad}");
        }
    }

    #[test]
    fn go_atoi_takes_a_sign() {
        assert_eq!(go_atoi("+30"), Some(30));
        assert_eq!(go_atoi("-1"), Some(-1));
        assert_eq!(go_atoi("30s"), None);
        assert_eq!(go_atoi(""), None);
        assert_eq!(go_atoi("99999999999999999999"), None);
    }
}
