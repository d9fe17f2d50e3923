//! `Labels`: an object's labels as the views keep them for every Pod, a sorted boxed slice, and
//! `LabelSet`, what selectors read of labels in either that form or the API's map. A `BTreeMap`
//! allocates a node of eleven slots (over 500 bytes) for a single label: at 100,000 Pods the
//! views' label maps were an eighth of the analysis's peak memory.

use std::collections::BTreeMap;

/// Labels sorted by key, keys unique (they come from a map).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels(Box<[(String, String)]>);

impl Labels {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&String> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|at| &self.0[at].1)
    }

    /// Whether `key` is set.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Whether no label is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The labels as the API's map.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.0.iter().cloned().collect()
    }
}

impl From<BTreeMap<String, String>> for Labels {
    /// Moves the pairs out of the map.
    fn from(map: BTreeMap<String, String>) -> Self {
        // A map iterates in key order: the slice is sorted as `get` needs.
        Labels(map.into_iter().collect())
    }
}

/// What selectors and messages read of a set of labels.
pub trait LabelSet {
    /// The value of `key`.
    fn label(&self, key: &str) -> Option<&str>;
    /// Key and value pairs in key order.
    fn pairs(&self) -> impl Iterator<Item = (&str, &str)>;

    /// Whether every pair of `selector` is set here: a Service's selector (`labels.Set`), whose
    /// every key must be equal.
    fn has_all(&self, selector: &BTreeMap<String, String>) -> bool {
        selector
            .iter()
            .all(|(k, v)| self.label(k) == Some(v.as_str()))
    }
}

impl LabelSet for Labels {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }

    fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl LabelSet for BTreeMap<String, String> {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }

    fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn labels_answer_as_the_map_they_came_from() {
        let source = map(&[("tier", "db"), ("app", "web"), ("b", ""), ("zz", "1")]);
        let labels = Labels::from(source.clone());
        for key in ["app", "b", "tier", "zz", "a", "c", "", "zzz"] {
            assert_eq!(labels.get(key), source.get(key), "{key}");
            assert_eq!(labels.contains_key(key), source.contains_key(key), "{key}");
            assert_eq!(labels.label(key), source.label(key), "{key}");
        }
        assert!(labels.pairs().eq(source.pairs()));
        assert_eq!(labels.to_map(), source);
        assert!(!labels.is_empty());
        assert!(Labels::from(BTreeMap::new()).is_empty());
    }
}
