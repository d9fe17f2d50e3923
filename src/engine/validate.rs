//! The API server's name rules (apimachinery `validation.go`), applied to offline input the way
//! the API applies them to live objects: an object the API would refuse never reaches the engine.

/// `IsDNS1123Label`: at most 63 of `[a-z0-9-]`, alphanumeric at both ends.
pub fn dns1123_label(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("must not be empty".to_string());
    }
    if value.len() > 63 {
        return Err(format!(
            "must be no more than 63 characters (it has {})",
            value.len()
        ));
    }
    if !value
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err("must consist of lower case alphanumeric characters or '-'".to_string());
    }
    if value.starts_with('-') || value.ends_with('-') {
        return Err("must start and end with an alphanumeric character".to_string());
    }
    Ok(())
}

/// `IsDNS1035Label`: a DNS-1123 label that starts with a letter (Service names).
pub fn dns1035_label(value: &str) -> Result<(), String> {
    dns1123_label(value)?;
    if !value.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("must start with an alphabetic character".to_string());
    }
    Ok(())
}

/// `IsDNS1123Subdomain`: at most 253 characters of dot-separated DNS-1123 labels.
pub fn dns1123_subdomain(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("must not be empty".to_string());
    }
    if value.len() > 253 {
        return Err(format!(
            "must be no more than 253 characters (it has {})",
            value.len()
        ));
    }
    for label in value.split('.') {
        dns1123_label(label).map_err(|problem| {
            format!(
                "must be dot-separated labels that each {}",
                problem.trim_start_matches("must ")
            )
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_subdomains_follow_apimachinery() {
        assert!(dns1123_label("redis-0").is_ok());
        assert!(dns1123_label("0abc").is_ok());
        assert!(dns1035_label("0abc").is_err());
        assert!(dns1123_label("Redis").is_err());
        assert!(dns1123_label("-a").is_err());
        assert!(dns1123_label(&"a".repeat(64)).is_err());
        assert!(dns1123_label("bad\nevil").is_err());
        assert!(dns1123_subdomain("web-1.example").is_ok());
        assert!(dns1123_subdomain("a..b").is_err());
        assert!(dns1123_subdomain(&"a.".repeat(127)).is_err());
    }
}
