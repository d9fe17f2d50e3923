//! A question's name as it was asked: CoreDNS matches on the lower-case form (`request.Name`)
//! but writes answers with the name as asked (`request.QName`), so both are kept.

use std::fmt;

use crate::model::DnsName;

/// Why a text cannot be sent as a question: the resolver refuses it before any packet leaves.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// Nothing to ask.
    #[error("the name is empty")]
    Empty,
    /// Two dots in a row, or a leading dot.
    #[error("{name:?} has an empty label")]
    EmptyLabel {
        /// The name as given.
        name: String,
    },
    /// A label longer than the 63 octets DNS allows.
    #[error("label {label:?} is {length} characters long; DNS allows 63")]
    LabelTooLong {
        /// The label.
        label: String,
        /// Its length.
        length: usize,
    },
    /// A name longer than the 253 characters (255 octets on the wire) DNS allows.
    #[error("{name:?} is {length} characters long; DNS allows 253")]
    NameTooLong {
        /// The name.
        name: String,
        /// Its length without the trailing dot.
        length: usize,
    },
    /// Whitespace, control or non-ASCII characters: a resolver needs the punycode (`xn--`) form.
    #[error("{name:?} has a character a resolver does not send (whitespace, control or non-ASCII)")]
    BadCharacter {
        /// The name.
        name: String,
    },
}

/// An absolute question name: as asked (case kept) and lower-cased for matching.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QName {
    asked: String,
    lower: String,
}

impl QName {
    /// Parses a name; a missing trailing dot is added (the caller decides what is absolute).
    pub fn parse(text: &str) -> Result<Self, NameError> {
        let trimmed = text.strip_suffix('.').unwrap_or(text);
        if text.is_empty() {
            return Err(NameError::Empty);
        }
        if !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(NameError::BadCharacter {
                name: text.to_string(),
            });
        }
        if !trimmed.is_empty() {
            for label in trimmed.split('.') {
                if label.is_empty() {
                    return Err(NameError::EmptyLabel {
                        name: text.to_string(),
                    });
                }
                if label.len() > 63 {
                    return Err(NameError::LabelTooLong {
                        label: label.to_string(),
                        length: label.len(),
                    });
                }
            }
        }
        // 253 presentation characters is the 255-octet wire limit (length bytes and the root).
        if trimmed.len() > 253 {
            return Err(NameError::NameTooLong {
                name: text.to_string(),
                length: trimmed.len(),
            });
        }
        let asked = format!("{trimmed}.");
        let asked = if asked == "." || trimmed.is_empty() {
            ".".to_string()
        } else {
            asked
        };
        Ok(QName {
            lower: asked.to_ascii_lowercase(),
            asked,
        })
    }

    /// The name as asked, with its trailing dot.
    pub fn asked(&self) -> &str {
        &self.asked
    }

    /// The lower-case form CoreDNS matches on.
    pub fn lower(&self) -> &str {
        &self.lower
    }

    /// The model's name for it, when every label is one the engine's names can hold.
    pub fn dns_name(&self) -> Option<DnsName> {
        DnsName::parse(&self.lower).ok()
    }

    /// Whether the name is `zone` or below it (`dns.IsSubDomain`, case-insensitive).
    pub fn is_within(&self, zone: &DnsName) -> bool {
        if zone.is_root() {
            return true;
        }
        let zone = zone.as_str();
        self.lower == zone
            || (self.lower.len() > zone.len()
                && self.lower.ends_with(zone)
                && self.lower.as_bytes()[self.lower.len() - zone.len() - 1] == b'.')
    }

    /// The zone part of the name as asked: CoreDNS keeps the question's case for the zone
    /// (`handler.go`: `zone = qname[len(qname)-len(zone):]`) and builds SRV and NS targets from it.
    pub fn asked_zone(&self, zone: &DnsName) -> String {
        if zone.is_root() {
            return ".".to_string();
        }
        let length = zone.as_str().len();
        self.asked[self.asked.len().saturating_sub(length)..].to_string()
    }

    /// The lower-case labels left of `zone`, left to right (`dnsutil.TrimZone`).
    pub fn labels_below(&self, zone: &DnsName) -> Vec<&str> {
        let base = if zone.is_root() {
            self.lower.as_str()
        } else {
            &self.lower[..self.lower.len() - zone.as_str().len()]
        };
        base.split('.').filter(|l| !l.is_empty()).collect()
    }

    /// The labels as typed, left to right.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.asked.split('.').filter(|l| !l.is_empty())
    }
}

impl fmt::Display for QName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.asked)
    }
}

/// `name` in presentation form with its `zone` suffix written as the question wrote the zone.
pub fn in_asked_case(name: &DnsName, zone: &DnsName, asked_zone: &str) -> String {
    if zone.is_root() || !name.is_within(zone) {
        return name.to_string();
    }
    let keep = name.as_str().len() - zone.as_str().len();
    format!("{}{asked_zone}", &name.as_str()[..keep])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_case_and_matches_without_it() {
        let name = QName::parse("Redis.Cache.svc.Cluster.Local").unwrap();
        assert_eq!(name.asked(), "Redis.Cache.svc.Cluster.Local.");
        assert_eq!(name.lower(), "redis.cache.svc.cluster.local.");
        let zone = DnsName::parse("cluster.local.").unwrap();
        assert!(name.is_within(&zone));
        assert_eq!(name.asked_zone(&zone), "Cluster.Local.");
        assert_eq!(name.labels_below(&zone), vec!["redis", "cache", "svc"]);
        let target = DnsName::parse("redis-0.redis.cache.svc.cluster.local.").unwrap();
        assert_eq!(
            in_asked_case(&target, &zone, "Cluster.Local."),
            "redis-0.redis.cache.svc.Cluster.Local."
        );
        assert!(!QName::parse("xcluster.local").unwrap().is_within(&zone));
    }

    #[test]
    fn limits_a_resolver_enforces() {
        assert!(matches!(
            QName::parse(&"a".repeat(64)),
            Err(NameError::LabelTooLong { length: 64, .. })
        ));
        let long = vec!["abcdefghi"; 26].join(".");
        assert!(matches!(
            QName::parse(&long),
            Err(NameError::NameTooLong { length: 259, .. })
        ));
        assert!(QName::parse(&vec!["abcdefghi"; 25].join(".")).is_ok());
        assert!(matches!(
            QName::parse("a..b"),
            Err(NameError::EmptyLabel { .. })
        ));
        assert!(matches!(
            QName::parse("a b"),
            Err(NameError::BadCharacter { .. })
        ));
        assert_eq!(QName::parse(".").unwrap().asked(), ".");
    }
}
