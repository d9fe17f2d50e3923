//! `NotFound`: a named target that does not exist, reported as kubectl does, with near names —
//! the same whether the objects came from files or from the API.

use std::fmt;

/// A Service, StatefulSet or Pod the user named that is not there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFound {
    /// `services`, `statefulsets.apps` or `pods`, as kubectl names the resource.
    pub resource: &'static str,
    /// The name asked for.
    pub name: String,
    /// The namespace looked in.
    pub namespace: String,
    /// Near names of the same kind in that namespace, best first.
    pub suggestions: Vec<String>,
}

impl NotFound {
    /// `did you mean svc/redis-headless?`, or how to list them.
    pub fn hint(&self) -> String {
        let prefix = match self.resource {
            "pods" => "pod",
            resource if resource.starts_with("statefulsets") => "sts",
            _ => "svc",
        };
        if self.suggestions.is_empty() {
            return format!(
                "list them with `kubectl get {} -n {}`",
                self.resource, self.namespace
            );
        }
        let names: Vec<String> = self
            .suggestions
            .iter()
            .map(|n| format!("{prefix}/{n}"))
            .collect();
        format!("did you mean {}?", names.join(" or "))
    }
}

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:?} not found in namespace {:?}",
            self.resource, self.name, self.namespace
        )
    }
}

impl std::error::Error for NotFound {}
