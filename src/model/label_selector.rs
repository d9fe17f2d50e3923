//! Kubernetes label selectors in their string form (`app=web,tier!=db,env in (a,b),!legacy`),
//! as `-l` and the Corefile's `labels`/`namespace_labels` options take them.

use std::fmt;

use super::LabelSet;

/// One requirement of a selector.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A parsed label selector; every requirement must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSelector {
    text: String,
    requirements: Vec<Requirement>,
}

/// Why a selector string does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid label selector {selector:?}: {reason}")]
pub struct SelectorError {
    selector: String,
    reason: String,
}

impl LabelSelector {
    /// Parses the string form kubectl's `-l` accepts.
    pub fn parse(text: &str) -> Result<Self, SelectorError> {
        let fail = |reason: &str| SelectorError {
            selector: text.to_string(),
            reason: reason.to_string(),
        };
        let mut requirements = Vec::new();
        for part in split_top_level(text) {
            let part = part.trim();
            if part.is_empty() {
                return Err(fail("empty requirement"));
            }
            requirements.push(parse_requirement(part).ok_or_else(|| fail(part))?);
        }
        Ok(LabelSelector {
            text: text.trim().to_string(),
            requirements,
        })
    }

    /// Whether `labels` satisfy every requirement.
    pub fn matches(&self, labels: &impl LabelSet) -> bool {
        self.requirements.iter().all(|req| match req {
            Requirement::Equals(key, value) => labels.label(key) == Some(value.as_str()),
            Requirement::NotEquals(key, value) => labels.label(key) != Some(value.as_str()),
            Requirement::In(key, values) => labels
                .label(key)
                .is_some_and(|v| values.iter().any(|x| x == v)),
            Requirement::NotIn(key, values) => labels
                .label(key)
                .is_none_or(|v| !values.iter().any(|x| x == v)),
            Requirement::Exists(key) => labels.label(key).is_some(),
            Requirement::DoesNotExist(key) => labels.label(key).is_none(),
        })
    }

    /// The API's structured selector (`matchLabels` and `matchExpressions`, as NetworkPolicies
    /// carry it); an operator the API does not define matches nothing. The text is the string
    /// form kubectl would print.
    pub fn from_api(
        selector: &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector,
    ) -> Self {
        let mut requirements = Vec::new();
        let mut text = Vec::new();
        for (key, value) in selector.match_labels.iter().flatten() {
            text.push(format!("{key}={value}"));
            requirements.push(Requirement::Equals(key.clone(), value.clone()));
        }
        for expression in selector.match_expressions.iter().flatten() {
            let key = expression.key.clone();
            let values = expression.values.clone().unwrap_or_default();
            let joined = values.join(",");
            match expression.operator.as_str() {
                "In" => {
                    text.push(format!("{key} in ({joined})"));
                    requirements.push(Requirement::In(key, values));
                }
                "NotIn" => {
                    text.push(format!("{key} notin ({joined})"));
                    requirements.push(Requirement::NotIn(key, values));
                }
                "Exists" => {
                    text.push(key.clone());
                    requirements.push(Requirement::Exists(key));
                }
                "DoesNotExist" => {
                    text.push(format!("!{key}"));
                    requirements.push(Requirement::DoesNotExist(key));
                }
                other => {
                    // The API server refuses other operators; matching nothing is the safe side.
                    text.push(format!("{key} {other} ({joined})"));
                    requirements.push(Requirement::In(key, Vec::new()));
                }
            }
        }
        LabelSelector {
            text: text.join(","),
            requirements,
        }
    }

    /// The selector as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for LabelSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl serde::Serialize for LabelSelector {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

/// Splits on commas that are not inside a `( … )` value list.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, ch) in text.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn parse_requirement(part: &str) -> Option<Requirement> {
    if let Some(key) = part.strip_prefix('!') {
        return valid_key(key.trim()).map(|k| Requirement::DoesNotExist(k.to_string()));
    }
    if let Some((key, value)) = part.split_once("!=") {
        return Some(Requirement::NotEquals(
            valid_key(key.trim())?.to_string(),
            valid_value(value.trim())?.to_string(),
        ));
    }
    if let Some((key, value)) = part.split_once("==").or_else(|| part.split_once('=')) {
        return Some(Requirement::Equals(
            valid_key(key.trim())?.to_string(),
            valid_value(value.trim())?.to_string(),
        ));
    }
    let mut words = part.splitn(2, char::is_whitespace);
    let key = valid_key(words.next()?.trim())?.to_string();
    let Some(rest) = words.next().map(str::trim) else {
        return Some(Requirement::Exists(key));
    };
    let (negated, list) = if let Some(list) = rest.strip_prefix("notin") {
        (true, list)
    } else if let Some(list) = rest.strip_prefix("in") {
        (false, list)
    } else {
        return None;
    };
    let inner = list.trim().strip_prefix('(')?.strip_suffix(')')?;
    // "for 'in', 'notin' operators, values set can't be empty" (`labels.Parse`).
    if inner.trim().is_empty() {
        return None;
    }
    let values = inner
        .split(',')
        .map(|v| valid_value(v.trim()).map(str::to_string))
        .collect::<Option<Vec<_>>>()?;
    Some(if negated {
        Requirement::NotIn(key, values)
    } else {
        Requirement::In(key, values)
    })
}

/// A label key as `validation.IsQualifiedName` has it: an optional DNS-subdomain prefix and
/// `/`, then a name of at most 63 characters of alphanumerics, `-`, `_` and `.`, beginning and
/// ending with an alphanumeric.
fn valid_key(key: &str) -> Option<&str> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    let prefix_ok = prefix.is_none_or(|prefix| {
        !prefix.is_empty()
            && prefix.len() <= 253
            && prefix.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            })
    });
    (prefix_ok && !name.is_empty() && valid_value(name).is_some()).then_some(key)
}

/// A label value as `validation.IsValidLabelValue` has it: empty, or at most 63 characters of
/// alphanumerics, `-`, `_` and `.`, beginning and ending with an alphanumeric.
fn valid_value(value: &str) -> Option<&str> {
    let edges = |b: Option<&u8>| b.is_none_or(u8::is_ascii_alphanumeric);
    let ok = value.len() <= 63
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && edges(value.as_bytes().first())
        && edges(value.as_bytes().last());
    ok.then_some(value)
}

/// Labels (or a Service selector) as `a=b,c=d`, `(none)` when empty.
pub fn format_labels(labels: &impl LabelSet) -> String {
    let pairs: Vec<String> = labels.pairs().map(|(k, v)| format!("{k}={v}")).collect();
    if pairs.is_empty() {
        return "(none)".to_string();
    }
    pairs.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn equality_and_sets() {
        let sel = LabelSelector::parse("app=web, tier!=db,env in (prod, stage),!legacy").unwrap();
        assert!(sel.matches(&labels(&[("app", "web"), ("env", "prod")])));
        assert!(!sel.matches(&labels(&[("app", "web"), ("env", "dev")])));
        assert!(!sel.matches(&labels(&[("app", "web"), ("env", "prod"), ("legacy", "")])));
        assert!(!sel.matches(&labels(&[("app", "web"), ("env", "prod"), ("tier", "db")])));
    }

    #[test]
    fn exists_and_notin() {
        let sel = LabelSelector::parse("app,zone notin (a)").unwrap();
        assert!(sel.matches(&labels(&[("app", "x")])));
        assert!(!sel.matches(&labels(&[("app", "x"), ("zone", "a")])));
        assert!(!sel.matches(&labels(&[])));
    }

    #[test]
    fn rejects_garbage() {
        assert!(LabelSelector::parse("app=").is_ok());
        assert!(LabelSelector::parse("=x").is_err());
        assert!(LabelSelector::parse("a in b").is_err());
        assert!(LabelSelector::parse("a,,b").is_err());
    }
}

#[cfg(test)]
mod grammar_tests {
    use super::*;

    /// The rules of `k8s.io/apimachinery/pkg/labels.Parse` that `meta.ParseToLabelSelector`
    /// (the Corefile's `labels` and `namespace_labels`) inherits.
    #[test]
    fn kubernetes_selector_grammar() {
        for good in [
            "app=web",
            "app==web",
            "app!=web",
            "app",
            "!app",
            "tier in (web, api)",
            "tier notin (db)",
            "app.kubernetes.io/name=web",
            "app=",
            "a=b,c!=d,e in (f),!g",
        ] {
            assert!(LabelSelector::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "app>1",
            "app<1",
            "tier in ()",
            "app=-web",
            "app=web-",
            "-app=web",
            "Bad_Prefix.io/app=web",
            "/app=web",
            "app=a b",
            "tier in frontend",
            &format!("app={}", "a".repeat(64)),
        ] {
            assert!(LabelSelector::parse(bad).is_err(), "{bad}");
        }
    }
}
