//! `DnsName`: an absolute, lower-case domain name that is safe to print in a zone file.

use std::fmt;

/// Why a string cannot be a DNS name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// A label was empty (two dots in a row, or a leading dot).
    #[error("empty label in {0:?}")]
    EmptyLabel(String),
    /// A label was longer than the 63 bytes DNS allows.
    #[error("label {0:?} is longer than 63 bytes")]
    LabelTooLong(String),
    /// The whole name was longer than the 253 characters DNS allows.
    #[error("name {0:?} is longer than 253 characters")]
    NameTooLong(String),
    /// A label held a character that needs escaping in presentation form.
    #[error("label {0:?} has a character other than letters, digits, '-' and '_'")]
    BadCharacter(String),
}

/// An absolute domain name, stored lower-case with its trailing dot (`redis.cache.svc.cluster.local.`).
///
/// Labels are restricted to letters, digits, `-` and `_`: every name CoreDNS builds from valid
/// Kubernetes objects fits, and such names print identically in every output format.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct DnsName(String);

impl DnsName {
    /// The root name `.`.
    pub fn root() -> Self {
        DnsName(".".to_string())
    }

    /// Parses a name in presentation form; a missing trailing dot is added.
    pub fn parse(text: &str) -> Result<Self, NameError> {
        let trimmed = text.strip_suffix('.').unwrap_or(text);
        if trimmed.is_empty() {
            return Ok(Self::root());
        }
        // Built in one pass: prepending label by label would copy the name once per label.
        let mut name = String::with_capacity(trimmed.len() + 1);
        for label in trimmed.split('.') {
            check_label(label)?;
            push_lowercase(&mut name, label);
            name.push('.');
        }
        if name.len() > 254 {
            return Err(NameError::NameTooLong(name));
        }
        Ok(DnsName(name))
    }

    /// The name with one more label on the left (`label.self`).
    pub fn prepend(&self, label: &str) -> Result<Self, NameError> {
        check_label(label)?;
        let rest = if self.is_root() { "" } else { self.0.as_str() };
        let mut text = String::with_capacity(label.len() + 1 + rest.len());
        push_lowercase(&mut text, label);
        text.push('.');
        text.push_str(rest);
        // 253 presentation characters plus the trailing dot: the 255-byte wire limit.
        if text.len() > 254 {
            return Err(NameError::NameTooLong(text));
        }
        Ok(DnsName(text))
    }

    /// The name with several labels on the left, given left to right (`a.b.self`).
    pub fn prepend_all(&self, labels: &[&str]) -> Result<Self, NameError> {
        // Built in one allocation: prepending label by label copied the name once per label.
        // The error is the one the label-by-label form gives: labels are checked right to left
        // and a too-long name is reported as the partial name that first passed the limit.
        if labels.is_empty() {
            return Ok(self.clone());
        }
        let rest = if self.is_root() { "" } else { self.0.as_str() };
        let mut length = rest.len();
        for label in labels.iter().rev() {
            check_label(label)?;
            length += label.len() + 1;
            if length > 254 {
                return self.prepend_one_by_one(labels);
            }
        }
        let mut text = String::with_capacity(length);
        for label in labels {
            push_lowercase(&mut text, label);
            text.push('.');
        }
        text.push_str(rest);
        Ok(DnsName(text))
    }

    /// `prepend_all` label by label, for the error of a name that grows too long.
    fn prepend_one_by_one(&self, labels: &[&str]) -> Result<Self, NameError> {
        labels
            .iter()
            .rev()
            .try_fold(self.clone(), |name, label| name.prepend(label))
    }

    /// True for the root name `.`.
    pub fn is_root(&self) -> bool {
        self.0 == "."
    }

    /// The presentation form with its trailing dot.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Labels from left to right, without the root.
    pub fn labels(&self) -> impl DoubleEndedIterator<Item = &str> {
        self.0.split('.').filter(|label| !label.is_empty())
    }

    /// True when `self` equals `zone` or lies below it.
    pub fn is_within(&self, zone: &DnsName) -> bool {
        if zone.is_root() {
            return true;
        }
        self.0 == zone.0
            || (self.0.len() > zone.0.len()
                && self.0.ends_with(&zone.0)
                && self.0.as_bytes()[self.0.len() - zone.0.len() - 1] == b'.')
    }

    /// How many labels the name has (the root has none).
    pub fn label_count(&self) -> usize {
        // Every label ends in the one dot after it; the root is the lone dot of no label.
        if self.is_root() {
            0
        } else {
            self.0.bytes().filter(|&b| b == b'.').count()
        }
    }

    /// A name whose text is known to be what `parse` would make of it (lower-case labels of
    /// letters, digits and hyphens, a trailing dot): reverse names are built that way a hundred
    /// thousand times a run, and checking them again cost more than building them.
    pub(crate) fn from_valid_text(text: String) -> Self {
        debug_assert_eq!(
            Self::parse(&text).as_ref().map(DnsName::as_str),
            Ok(text.as_str())
        );
        DnsName(text)
    }
}

/// Appends a checked label (ASCII only), lower-cased.
fn push_lowercase(text: &mut String, label: &str) {
    // Names built from Kubernetes objects are lower-case already: copy them whole.
    if label.bytes().any(|b| b.is_ascii_uppercase()) {
        text.extend(label.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        text.push_str(label);
    }
}

fn check_label(label: &str) -> Result<(), NameError> {
    if label.is_empty() {
        return Err(NameError::EmptyLabel(label.to_string()));
    }
    if label.len() > 63 {
        return Err(NameError::LabelTooLong(label.to_string()));
    }
    if !label
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(NameError::BadCharacter(label.to_string()));
    }
    Ok(())
}

impl fmt::Display for DnsName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for DnsName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DnsName({})", self.0)
    }
}

impl DnsName {
    /// Bytes whose order is the output order: DNS canonical order (RFC 4034 §6.1) — labels
    /// from the right, so a name sorts right after its parent and the records of one Service
    /// stay together — except that all-digit labels sort first and as numbers, so reverse names
    /// follow the addresses. Computed once per record when sorting large sets.
    pub fn order_key(&self) -> Vec<u8> {
        let mut key = Vec::with_capacity(self.0.len() + 8);
        self.push_order_key(&mut key);
        key
    }

    /// Appends [`DnsName::order_key`] to `key`, so that a sort can keep every key in one buffer.
    pub fn push_order_key(&self, key: &mut Vec<u8>) {
        for label in self.labels_from_right() {
            if is_numeric(label) {
                key.push(0x01);
                key.push(u8::try_from(label.len()).unwrap_or(u8::MAX));
            }
            key.extend_from_slice(label);
            key.push(0x00);
        }
    }

    /// The length of [`DnsName::order_key`], without building it: a sort allocates its keys'
    /// buffer at its exact size from these.
    pub fn order_key_len(&self) -> usize {
        self.labels_from_right()
            .map(|label| label.len() + 1 + if is_numeric(label) { 2 } else { 0 })
            .sum()
    }

    /// Labels as bytes from right to left, without the root.
    fn labels_from_right(&self) -> impl Iterator<Item = &[u8]> {
        self.0
            .as_bytes()
            .rsplit(|&b| b == b'.')
            .filter(|label| !label.is_empty())
    }
}

impl Ord for DnsName {
    /// The order of [`DnsName::order_key`], compared label by label from the right without
    /// building the keys: each label's key ends in 0x00 and no label byte is 0x00 or 0x01, so
    /// the first differing label decides, and a parent (fewer labels) sorts first.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        if self.0 == other.0 {
            return std::cmp::Ordering::Equal;
        }
        let mut left = self.labels_from_right();
        let mut right = other.labels_from_right();
        loop {
            match (left.next(), right.next()) {
                (None, None) => return std::cmp::Ordering::Equal,
                (None, Some(_)) => return std::cmp::Ordering::Less,
                (Some(_), None) => return std::cmp::Ordering::Greater,
                (Some(a), Some(b)) => {
                    let order = label_order(a, b);
                    if order != std::cmp::Ordering::Equal {
                        return order;
                    }
                }
            }
        }
    }
}

/// Whether a label's key carries the numeric prefix: all digits, shorter than 32.
fn is_numeric(label: &[u8]) -> bool {
    !label.is_empty() && label.len() < 32 && label.iter().all(u8::is_ascii_digit)
}

/// Two labels in the order of their key bytes: a numeric label's key starts with 0x01, below
/// every label byte, then its length; any other label's key is its bytes then 0x00, so a
/// prefix sorts first, as in a plain byte comparison.
fn label_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    if a == b {
        return std::cmp::Ordering::Equal;
    }
    match (is_numeric(a), is_numeric(b)) {
        (true, true) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

impl PartialOrd for DnsName {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_key_is_each_label_from_the_right_numeric_ones_marked() {
        for text in [
            "web.shop.svc.cluster.local.",
            "10.10.96.10.in-addr.arpa.",
            "0-1.a.b.",
            "123456789012345678901234567890123.x.",
            "_http._tcp.web.shop.svc.cluster.local.",
            "a..b.",
            "1.",
            ".",
        ] {
            let Ok(name) = DnsName::parse(text) else {
                continue;
            };
            let mut expected = Vec::new();
            for label in name.labels_from_right() {
                if is_numeric(label) {
                    expected.extend_from_slice(&[0x01, label.len() as u8]);
                }
                expected.extend_from_slice(label);
                expected.push(0x00);
            }
            assert_eq!(name.order_key(), expected, "{text}");
            assert_eq!(name.order_key_len(), expected.len(), "{text}");
        }
    }

    #[test]
    fn comparing_names_agrees_with_their_order_keys() {
        let names = [
            ".",
            "cluster.local.",
            "a.cluster.local.",
            "b.a.cluster.local.",
            "redis-0.redis.cache.svc.cluster.local.",
            "redis.cache.svc.cluster.local.",
            "_redis._tcp.redis.cache.svc.cluster.local.",
            "9.1.244.10.in-addr.arpa.",
            "10.1.244.10.in-addr.arpa.",
            "100.1.244.10.in-addr.arpa.",
            "in-addr.arpa.",
            "10-244-1-5.web.shop.svc.cluster.local.",
            "0.in-addr.arpa.",
            "00.in-addr.arpa.",
            "1a.in-addr.arpa.",
            "a1.in-addr.arpa.",
            "_a.in-addr.arpa.",
            "-.in-addr.arpa.",
            "12345678901234567890123456789012.in-addr.arpa.",
            "1234567890123456789012345678901.in-addr.arpa.",
            "arpa.",
        ];
        let parsed: Vec<DnsName> = names.iter().map(|n| DnsName::parse(n).unwrap()).collect();
        for a in &parsed {
            for b in &parsed {
                assert_eq!(a.cmp(b), a.order_key().cmp(&b.order_key()), "{a} vs {b}");
                assert_eq!(a.order_key_len(), a.order_key().len(), "{a}");
            }
        }
        assert_eq!(DnsName::parse("Web.Shop.").unwrap().as_str(), "web.shop.");
        assert!(DnsName::parse("a..b.").is_err());
    }

    #[test]
    fn prepending_several_labels_equals_prepending_one_at_a_time() {
        let zone = DnsName::parse("cluster.local.").unwrap();
        let one_by_one = |base: &DnsName, labels: &[&str]| {
            labels
                .iter()
                .rev()
                .try_fold(base.clone(), |name, label| name.prepend(label))
        };
        let long = "x".repeat(60);
        let cases: [&[&str]; 6] = [
            &[],
            &["Redis", "cache", "svc"],
            &["_http", "_tcp", "web", "shop", "svc"],
            &["a", "", "svc"],
            &["a b", "ns"],
            &[&long, &long, &long, &long, "a"],
        ];
        for labels in cases {
            for base in [&zone, &DnsName::root()] {
                assert_eq!(
                    base.prepend_all(labels),
                    one_by_one(base, labels),
                    "{labels:?}"
                );
            }
        }
    }

    #[test]
    fn parses_and_lowercases() {
        let name = DnsName::parse("Redis.Cache.svc.cluster.local").unwrap();
        assert_eq!(name.as_str(), "redis.cache.svc.cluster.local.");
        assert_eq!(name.label_count(), 5);
        assert_eq!(DnsName::root().label_count(), 0);
        assert_eq!(DnsName::parse("local").unwrap().label_count(), 1);
    }

    #[test]
    fn rejects_bad_labels() {
        assert!(matches!(
            DnsName::parse("a..b"),
            Err(NameError::EmptyLabel(_))
        ));
        assert!(matches!(
            DnsName::parse(&"x".repeat(64)),
            Err(NameError::LabelTooLong(_))
        ));
        assert!(matches!(
            DnsName::parse("a b"),
            Err(NameError::BadCharacter(_))
        ));
        let long = vec!["abcdefghi"; 30].join(".");
        assert!(matches!(
            DnsName::parse(&long),
            Err(NameError::NameTooLong(_))
        ));
    }

    #[test]
    fn within_and_order() {
        let zone = DnsName::parse("cluster.local.").unwrap();
        let svc = DnsName::parse("a.ns.svc.cluster.local.").unwrap();
        let other = DnsName::parse("xcluster.local.").unwrap();
        assert!(svc.is_within(&zone));
        assert!(zone.is_within(&zone));
        assert!(!other.is_within(&zone));
        assert!(svc.is_within(&DnsName::root()));
        let child = DnsName::parse("_http._tcp.a.ns.svc.cluster.local.").unwrap();
        let sibling = DnsName::parse("b.ns.svc.cluster.local.").unwrap();
        let mut names = vec![sibling.clone(), child.clone(), svc.clone()];
        names.sort();
        assert_eq!(names, vec![svc, child, sibling]);
    }
}
