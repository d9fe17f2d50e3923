//! `SourceError`: every way reading the input can fail, each naming what the user can fix.

use std::path::PathBuf;

/// A failure to read the cluster's objects, from files or from the API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// A file or directory could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The path as given.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A document is not valid YAML or JSON.
    #[error("{path}: document {document}: {message}")]
    Syntax {
        /// The file (`-` for standard input).
        path: String,
        /// 1-based document number within the file.
        document: usize,
        /// The parser's one-line explanation.
        message: String,
    },
    /// A file named on the command line holds no objects at all.
    #[error("{path}: no objects in the file")]
    Empty {
        /// The file.
        path: String,
    },
    /// The kubeconfig could not be used.
    #[error("invalid kubeconfig {origin}: {message}")]
    Kubeconfig {
        /// The file(s) or `in-cluster configuration`.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// No kubeconfig was found and the tool does not run inside a cluster.
    #[error(
        "no kubeconfig found (KUBECONFIG is unset or names no file, ~/.kube/config does not exist) and not running inside a cluster"
    )]
    NoConfiguration,
    /// The server rejected the credentials (401).
    #[error("unauthorized: the server {server} rejected the credentials of the current context")]
    Unauthorized {
        /// The API server URL.
        server: String,
    },
    /// The target itself may not be read (403).
    #[error("forbidden: {message}")]
    Forbidden {
        /// The server's message (names the user, verb and resource).
        message: String,
    },
    /// A named target does not exist, kubectl-style.
    #[error(transparent)]
    NotFound(#[from] crate::model::NotFound),
    /// The server could not be reached.
    #[error("cannot reach the server {server}: {message}")]
    Unreachable {
        /// The API server URL.
        server: String,
        /// The innermost cause.
        message: String,
    },
    /// The TLS handshake failed (unknown CA, wrong name, expired certificate).
    #[error("TLS handshake with {server} failed: {message}")]
    Tls {
        /// The API server URL.
        server: String,
        /// The innermost cause.
        message: String,
    },
    /// The server did not answer within `--request-timeout`.
    #[error("the server {server} did not answer in time")]
    Timeout {
        /// The API server URL.
        server: String,
    },
    /// Any other answer the tool cannot use (500, malformed body).
    #[error("the server {server} answered {code}: {message}")]
    Api {
        /// The API server URL.
        server: String,
        /// HTTP status code (0 when the body was malformed).
        code: u16,
        /// The server's message.
        message: String,
    },
}

impl SourceError {
    /// A one-line suggestion of what to do about it.
    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            SourceError::Read { .. } => "check the path given to -f",
            SourceError::Syntax { .. } => {
                "each document must be a Kubernetes object (YAML or JSON), as `kubectl get -o yaml` prints it"
            }
            SourceError::Empty { .. } => {
                "export the objects with `kubectl get svc,endpointslices,statefulsets,pods -o yaml > cluster.yaml`"
            }
            SourceError::Kubeconfig { .. } => {
                "check it with `kubectl config view`, or pass --kubeconfig"
            }
            SourceError::NoConfiguration => {
                "pass --kubeconfig, set KUBECONFIG, or read manifests with -f"
            }
            SourceError::Unauthorized { .. } => {
                "your credentials expired or are wrong: log in again, or check `kubectl auth whoami`"
            }
            SourceError::Forbidden { .. } => {
                "ask for read access (get/list) to services, endpointslices, statefulsets and pods: see deploy/rbac.yaml"
            }
            SourceError::NotFound(not_found) => return Some(not_found.hint()),
            SourceError::Unreachable { .. } => {
                "check the server address in your kubeconfig and your network or VPN"
            }
            SourceError::Tls { .. } => {
                "the server's certificate does not match the kubeconfig's certificate-authority; --insecure-skip-tls-verify skips the check"
            }
            SourceError::Timeout { .. } => "raise --request-timeout, or check the server's health",
            SourceError::Api { .. } => "retry; if it persists, check the API server's health",
        };
        Some(hint.to_string())
    }
}
