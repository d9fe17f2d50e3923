//! The hash maps of the engine and the findings: std's maps with foldhash instead of SipHash.
//! Their keys are names, namespaces and addresses hashed several times per object, and SipHash
//! alone cost several percent of a large run; foldhash is what hashbrown uses by default and
//! is seeded per process, so crafted object names cannot pick collisions ahead of time.

/// A `HashMap` with the fast hasher; build with `HashMap::default()`.
pub type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A `HashSet` with the fast hasher; build with `HashSet::default()` or `collect()`.
pub type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;
