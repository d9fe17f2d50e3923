//! The `kubernetes` plugin's options (`plugin/kubernetes/setup.go ParseStanza`) → `DnsConfig`.
//! An option CoreDNS would refuse to start with is an error here too.

use super::CorefileError;
use super::blocks::Directive;
use super::zones::normalize_zone;
use crate::model::{
    CacheConfig, ConfigOrigin, DnsConfig, LabelSelector, PodsMode, ServerBlockConfig,
    is_reverse_zone,
};

/// CoreDNS's TTL when the stanza has no `ttl` option.
pub const DEFAULT_TTL: u32 = 5;

/// Builds the configuration from a `kubernetes` directive and the keys of its server block.
pub fn parse_kubernetes(
    directive: &Directive,
    block_keys: &[String],
    cache: Option<CacheConfig>,
    origin: ConfigOrigin,
) -> Result<DnsConfig, CorefileError> {
    let invalid = |line: usize, message: String| CorefileError::Option { line, message };
    let mut zones = Vec::new();
    // OriginsFromArgsOrServerBlock: the directive's arguments, else the server block's keys
    // (of which only the first zone each key expands to is kept).
    if directive.args.is_empty() {
        for key in block_keys {
            let expanded = normalize_zone(key).map_err(|m| invalid(directive.line, m))?;
            zones.extend(expanded.into_iter().take(1));
        }
    } else {
        for arg in &directive.args {
            zones.extend(normalize_zone(arg).map_err(|m| invalid(directive.line, m))?);
        }
    }
    if zones.iter().all(is_reverse_zone) {
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
        server: ServerBlockConfig::default(),
        origin,
        coredns_version: None,
    };
    for option in &directive.block {
        let line = option.line;
        let args = &option.args;
        let arg_error = || {
            invalid(
                line,
                format!("kubernetes: wrong argument count for {}", option.name),
            )
        };
        match option.name.as_str() {
            "endpoint_pod_names" => {
                if !args.is_empty() {
                    return Err(arg_error());
                }
                config.endpoint_pod_names = true;
            }
            "pods" => {
                config.pods = match args.as_slice() {
                    [mode] if mode == "disabled" => PodsMode::Disabled,
                    [mode] if mode == "insecure" => PodsMode::Insecure,
                    [mode] if mode == "verified" => PodsMode::Verified,
                    [mode] => {
                        return Err(invalid(
                            line,
                            format!(
                                "kubernetes: wrong value for pods: {mode}, must be one of: disabled, verified, insecure"
                            ),
                        ));
                    }
                    _ => return Err(arg_error()),
                };
            }
            "namespaces" => {
                if args.is_empty() {
                    return Err(arg_error());
                }
                config.namespaces.extend(args.iter().cloned());
            }
            "labels" | "namespace_labels" => {
                if args.is_empty() {
                    return Err(arg_error());
                }
                let selector = LabelSelector::parse(&args.join(" "))
                    .map_err(|err| invalid(line, format!("kubernetes: {}: {err}", option.name)))?;
                if option.name == "labels" {
                    config.labels = Some(selector);
                } else {
                    config.namespace_labels = Some(selector);
                }
            }
            "fallthrough" => {
                let mut zones = Vec::new();
                for arg in args {
                    zones.extend(normalize_zone(arg).map_err(|m| invalid(line, m))?);
                }
                config.fallthrough = Some(zones);
            }
            "ttl" => {
                let [value] = args.as_slice() else {
                    return Err(arg_error());
                };
                let ttl: i64 = value.parse().map_err(|_| {
                    invalid(line, format!("kubernetes: ttl {value:?} is not a number"))
                })?;
                if !(0..=3600).contains(&ttl) {
                    return Err(invalid(
                        line,
                        format!("kubernetes: ttl must be in range [0, 3600]: {ttl}"),
                    ));
                }
                config.ttl = u32::try_from(ttl).unwrap_or(DEFAULT_TTL);
            }
            "noendpoints" => {
                if !args.is_empty() {
                    return Err(arg_error());
                }
                config.noendpoints = true;
            }
            "ignore" => match args.first().map(String::as_str) {
                Some("empty_service") => config.ignore_empty_service = true,
                Some(other) => {
                    return Err(invalid(
                        line,
                        format!("kubernetes: unable to parse ignore value: {other:?}"),
                    ));
                }
                // setup.go accepts a bare `ignore` and does nothing with it.
                None => {}
            },
            // Options that change how CoreDNS reaches the API or what other zones it serves,
            // not which records this zone has.
            "endpoint"
            | "tls"
            | "kubeconfig"
            | "startup_timeout"
            | "apiserver_qps"
            | "apiserver_burst"
            | "apiserver_max_inflight"
            | "multicluster"
            | "zonal" => {}
            other => {
                return Err(invalid(
                    line,
                    format!("kubernetes: unknown property {other:?}"),
                ));
            }
        }
    }
    if !config.namespaces.is_empty() && config.namespace_labels.is_some() {
        return Err(invalid(
            directive.line,
            "kubernetes: namespaces and namespace_labels cannot both be set".to_string(),
        ));
    }
    Ok(config)
}
