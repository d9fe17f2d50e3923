//! What the user asked to see: namespaces, named targets and a Service label selector.

use std::fmt;

use super::LabelSelector;

/// A named target on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `svc/NAME`, `service/NAME`, `services/NAME` or a bare `NAME`.
    Service(String),
    /// `sts/NAME`, `statefulset/NAME`, `statefulsets/NAME`: its governing Service and its Pods.
    StatefulSet(String),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Service(name) => write!(f, "svc/{name}"),
            Target::StatefulSet(name) => write!(f, "sts/{name}"),
        }
    }
}

/// The part of the cluster the output covers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selection {
    /// `None`: every namespace (`-A`); else the namespaces to cover (one for `-n`).
    pub namespaces: Option<Vec<String>>,
    /// Named targets, looked up in the (single) selected namespace.
    pub targets: Vec<Target>,
    /// `-l`: only Services whose labels match.
    pub selector: Option<LabelSelector>,
}
