//! The `cache` plugin's settings (`plugin/cache/setup.go`): how long positive and negative
//! answers may be cached. Only the denial TTL matters to us, for the negative-cache finding.

use super::CorefileError;
use super::blocks::Directive;
use super::zones::normalize_zone;
use crate::model::CacheConfig;

/// The cache plugin's default upper bound for positive answers (`dnsutil.MaximumDefaulTTL`).
const DEFAULT_SUCCESS_TTL: u32 = 3600;
/// The default upper bound for negative answers: half of the positive one.
const DEFAULT_DENIAL_TTL: u32 = 1800;

/// Reads a `cache [TTL] [ZONES…] { … }` directive.
pub fn parse_cache(directive: &Directive) -> Result<CacheConfig, CorefileError> {
    let invalid = |line: usize, message: String| CorefileError::Option { line, message };
    let mut config = CacheConfig {
        success_ttl: DEFAULT_SUCCESS_TTL,
        denial_ttl: DEFAULT_DENIAL_TTL,
        zones: Vec::new(),
        success_disabled: Vec::new(),
        denial_disabled: Vec::new(),
    };
    let mut args = directive.args.as_slice();
    if let Some(first) = args.first()
        && let Ok(ttl) = first.parse::<u32>()
    {
        config.success_ttl = ttl;
        config.denial_ttl = ttl;
        args = &args[1..];
    }
    for zone in args {
        config
            .zones
            .extend(normalize_zone(zone).map_err(|m| invalid(directive.line, m))?);
    }
    for option in &directive.block {
        let line = option.line;
        match (option.name.as_str(), option.args.as_slice()) {
            ("success" | "denial", [_capacity, ttl, ..]) => {
                let ttl: u32 = ttl
                    .parse()
                    .map_err(|_| invalid(line, format!("cache: invalid TTL {ttl:?}")))?;
                if option.name == "success" {
                    config.success_ttl = ttl;
                } else {
                    config.denial_ttl = ttl;
                }
            }
            ("disable", [kind, zones @ ..]) => {
                let mut parsed = Vec::new();
                for zone in zones {
                    parsed.extend(normalize_zone(zone).map_err(|m| invalid(line, m))?);
                }
                match kind.as_str() {
                    "success" => config.success_disabled.extend(parsed),
                    "denial" => config.denial_disabled.extend(parsed),
                    other => return Err(invalid(line, format!("cache: cannot disable {other:?}"))),
                }
            }
            // Capacity-only `success`/`denial`, prefetch, serve_stale, servfail, keepttl: no
            // effect on how long a denial may be cached.
            _ => {}
        }
    }
    Ok(config)
}
