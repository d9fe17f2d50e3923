//! "Did you mean": near names for a name that does not exist, as kubectl-style errors and
//! explanations offer them.

/// Names within a small edit distance of `wanted`, or sharing a prefix with it, closest first
/// (at most three).
pub fn suggest<'a>(wanted: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(usize, &str)> = names
        .filter_map(|name| {
            let distance = strsim::levenshtein(wanted, name);
            let related =
                name.starts_with(wanted) || wanted.starts_with(name) || name.contains(wanted);
            (distance <= 3 || related).then_some((distance, name))
        })
        .collect();
    scored.sort();
    scored.dedup();
    scored
        .into_iter()
        .take(3)
        .map(|(_, name)| name.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_prefer_close_names() {
        let names = ["redis-headless", "redis", "postgres"];
        assert_eq!(
            suggest("redis-headles", names.into_iter()),
            vec!["redis-headless", "redis"]
        );
        assert!(suggest("zzz", names.into_iter()).is_empty());
    }
}
