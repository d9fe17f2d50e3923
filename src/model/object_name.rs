//! The API server's rules for the names users type: a namespace, a Service and a StatefulSet
//! name. A string that breaks them names nothing the API server can hold, so it is refused before
//! it could become part of a request path (`kube-system/secrets/x?y=` would otherwise select
//! another resource).
//!
//! The rules are apimachinery's: a namespace and a Service name are RFC 1123 labels (Services were
//! RFC 1035 labels, no leading digit, until the RelaxedServiceNameValidation gate — beta and on by
//! default from Kubernetes 1.36, stable in 1.37 — allowed every RFC 1123 label; the looser rule is
//! used so that no name a current cluster accepts is refused); a StatefulSet name is an RFC 1123
//! subdomain. The path-segment checks come first with kubectl's wording (`may not contain '/'`),
//! since those are the ones that change which URL a request goes to.

use std::fmt;

/// What a name is meant to name; decides the rule and the wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// A namespace: an RFC 1123 label.
    Namespace,
    /// A Service: an RFC 1123 label.
    Service,
    /// A StatefulSet: an RFC 1123 subdomain.
    StatefulSet,
    /// A Pod: an RFC 1123 subdomain.
    Pod,
    /// An EndpointSlice: an RFC 1123 subdomain.
    EndpointSlice,
    /// A Service or EndpointSlice port name: an RFC 1123 label.
    PortName,
    /// A Pod's `spec.hostname` or an endpoint's `hostname`: an RFC 1123 label.
    Hostname,
    /// A Pod's `spec.subdomain`: an RFC 1123 label.
    Subdomain,
    /// An ExternalName Service's `spec.externalName`: an RFC 1123 subdomain.
    ExternalName,
}

/// Longest RFC 1123 label.
const LABEL_MAX: usize = 63;
/// Longest RFC 1123 subdomain.
const SUBDOMAIN_MAX: usize = 253;

impl NameKind {
    fn is_subdomain(self) -> bool {
        matches!(
            self,
            NameKind::StatefulSet
                | NameKind::Pod
                | NameKind::EndpointSlice
                | NameKind::ExternalName
        )
    }

    fn max_len(self) -> usize {
        if self.is_subdomain() {
            SUBDOMAIN_MAX
        } else {
            LABEL_MAX
        }
    }

    /// The rule, for a hint.
    pub fn rule(self) -> String {
        let what = match self {
            NameKind::Namespace => "a namespace",
            NameKind::Service => "a Service name",
            NameKind::StatefulSet => "a StatefulSet name",
            NameKind::Pod => "a Pod name",
            NameKind::EndpointSlice => "an EndpointSlice name",
            NameKind::PortName => "a port name",
            NameKind::Hostname => "a hostname",
            NameKind::Subdomain => "a subdomain",
            NameKind::ExternalName => "an externalName",
        };
        if self.is_subdomain() {
            format!(
                "{what} is an RFC 1123 subdomain: at most {SUBDOMAIN_MAX} lower case letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit"
            )
        } else {
            format!(
                "{what} is an RFC 1123 label: at most {LABEL_MAX} lower case letters, digits and '-', starting and ending with a letter or digit"
            )
        }
    }
}

impl fmt::Display for NameKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameKind::Namespace => "namespace",
            NameKind::Service => "Service name",
            NameKind::StatefulSet => "StatefulSet name",
            NameKind::Pod => "Pod name",
            NameKind::EndpointSlice => "EndpointSlice name",
            NameKind::PortName => "port name",
            NameKind::Hostname => "hostname",
            NameKind::Subdomain => "subdomain",
            NameKind::ExternalName => "externalName",
        })
    }
}

/// The first rule a name breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameProblem {
    /// The empty string.
    Empty,
    /// `.` or `..`: a path segment that means "this" or "the parent".
    DotSegment(&'static str),
    /// A character that splits or escapes a path segment: `/` or `%`.
    PathCharacter(char),
    /// Longer than the rule allows.
    TooLong(usize),
    /// An upper case letter (the API server only stores lower case names).
    UpperCase(char),
    /// Any other character the rule does not allow (`?`, `#`, a space, a control character).
    Character(char),
    /// A label (or, in a subdomain, a part between dots) that starts or ends with something
    /// other than a letter or digit, or is empty (`a..b`).
    Edge,
}

impl fmt::Display for NameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameProblem::Empty => f.write_str("may not be empty"),
            NameProblem::DotSegment(segment) => write!(f, "may not be '{segment}'"),
            NameProblem::PathCharacter(c) | NameProblem::Character(c) => {
                // escape_debug keeps a control or bidi character from reaching the terminal raw.
                write!(f, "may not contain '{}'", c.escape_debug())
            }
            NameProblem::TooLong(max) => write!(f, "must be no more than {max} characters"),
            NameProblem::UpperCase(_) => f.write_str("must be lower case"),
            NameProblem::Edge => {
                f.write_str("must start and end with a lower case letter or digit")
            }
        }
    }
}

/// A name that breaks the API server's rule for its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} {name:?}: {problem}")]
pub struct InvalidName {
    /// What it was meant to name.
    pub kind: NameKind,
    /// The name as given.
    pub name: String,
    /// The first rule it breaks.
    pub problem: NameProblem,
}

/// Checks `name` against the rule for `kind`; the first broken rule is the error.
pub fn validate_name(kind: NameKind, name: &str) -> Result<(), InvalidName> {
    name_problem(kind, name).map_or(Ok(()), |problem| {
        Err(InvalidName {
            kind,
            name: name.to_string(),
            problem,
        })
    })
}

fn name_problem(kind: NameKind, name: &str) -> Option<NameProblem> {
    if name.is_empty() {
        return Some(NameProblem::Empty);
    }
    // kubectl's own path-segment checks, with its wording, before the stricter DNS rule.
    for segment in [".", ".."] {
        if name == segment {
            return Some(NameProblem::DotSegment(segment));
        }
    }
    if let Some(c) = name.chars().find(|c| matches!(c, '/' | '%')) {
        return Some(NameProblem::PathCharacter(c));
    }
    if name.len() > kind.max_len() {
        return Some(NameProblem::TooLong(kind.max_len()));
    }
    let allowed = |c: char| {
        c.is_ascii_lowercase()
            || c.is_ascii_digit()
            || c == '-'
            || (c == '.' && kind.is_subdomain())
    };
    if let Some(c) = name.chars().find(|c| !allowed(*c)) {
        return Some(if c.is_ascii_uppercase() {
            NameProblem::UpperCase(c)
        } else {
            NameProblem::Character(c)
        });
    }
    let alphanumeric = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let parts_ok = name
        .split('.')
        .all(|part| alphanumeric(part.chars().next()) && alphanumeric(part.chars().last()));
    (!parts_ok).then_some(NameProblem::Edge)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(kind: NameKind, name: &str) -> Option<String> {
        validate_name(kind, name).err().map(|e| e.to_string())
    }

    #[test]
    fn valid_names_pass() {
        for name in ["default", "kube-system", "a", "123-abc", &"a".repeat(63)] {
            assert_eq!(problem(NameKind::Namespace, name), None, "{name}");
            assert_eq!(problem(NameKind::Service, name), None, "{name}");
        }
        for name in ["web", "web.v2", "a-b.c-d.e", &"a".repeat(253)] {
            assert_eq!(problem(NameKind::StatefulSet, name), None, "{name}");
        }
    }

    #[test]
    fn path_characters_are_refused_in_kubectls_words() {
        assert_eq!(
            problem(NameKind::Namespace, "kube-system/secrets/foo?x=").as_deref(),
            Some(r#"invalid namespace "kube-system/secrets/foo?x=": may not contain '/'"#)
        );
        assert_eq!(
            problem(NameKind::Namespace, "kube-system%2Fsecrets").as_deref(),
            Some(r#"invalid namespace "kube-system%2Fsecrets": may not contain '%'"#)
        );
        assert_eq!(
            problem(NameKind::Service, "..").as_deref(),
            Some(r#"invalid Service name "..": may not be '..'"#)
        );
        assert_eq!(
            problem(NameKind::StatefulSet, ".").as_deref(),
            Some(r#"invalid StatefulSet name ".": may not be '.'"#)
        );
    }

    #[test]
    fn dns_rules_are_enforced() {
        assert_eq!(
            problem(NameKind::Service, "redis?watch=true").as_deref(),
            Some(r#"invalid Service name "redis?watch=true": may not contain '?'"#)
        );
        assert_eq!(
            problem(NameKind::Namespace, "").as_deref(),
            Some(r#"invalid namespace "": may not be empty"#)
        );
        assert_eq!(
            problem(NameKind::Namespace, &"a".repeat(64)),
            Some(format!(
                "invalid namespace {:?}: must be no more than 63 characters",
                "a".repeat(64)
            ))
        );
        assert_eq!(
            problem(NameKind::StatefulSet, &"a".repeat(254)),
            Some(format!(
                "invalid StatefulSet name {:?}: must be no more than 253 characters",
                "a".repeat(254)
            ))
        );
        assert_eq!(
            problem(NameKind::Namespace, "Cache").as_deref(),
            Some(r#"invalid namespace "Cache": must be lower case"#)
        );
        assert_eq!(
            problem(NameKind::Service, "-web").as_deref(),
            Some(
                r#"invalid Service name "-web": must start and end with a lower case letter or digit"#
            )
        );
        // A dot is fine inside a subdomain, not inside a label; empty parts are refused.
        assert_eq!(
            problem(NameKind::Service, "web.v2").as_deref(),
            Some(r#"invalid Service name "web.v2": may not contain '.'"#)
        );
        assert_eq!(
            problem(NameKind::StatefulSet, "web..v2").as_deref(),
            Some(
                r#"invalid StatefulSet name "web..v2": must start and end with a lower case letter or digit"#
            )
        );
    }

    #[test]
    fn control_characters_are_escaped_in_the_message() {
        let message = problem(NameKind::Service, "a\u{1b}[2Jb").unwrap_or_default();
        assert!(!message.contains('\u{1b}'), "{message:?}");
        assert_eq!(
            message,
            r#"invalid Service name "a\u{1b}[2Jb": may not contain '\u{1b}'"#
        );
        let message = problem(NameKind::Namespace, "ab\u{202e}c").unwrap_or_default();
        assert!(!message.contains('\u{202e}'), "{message:?}");
    }
}
