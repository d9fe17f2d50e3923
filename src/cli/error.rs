//! `CliError`: every failure the command reports, with its one-line message, hint and exit code.

use crate::analyze::SelectionError;
use crate::corefile::CorefileError;
use crate::model::{ConfigOrigin, SelectorError};
use crate::source::{SourceError, TargetError};

use super::exit::Exit;

/// A failure of one run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// Reading the input failed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The Corefile is invalid.
    #[error("corefile from {origin}: {error}")]
    Corefile {
        /// Where it came from.
        origin: ConfigOrigin,
        /// What is wrong.
        error: CorefileError,
    },
    /// `--corefile` could not be read.
    #[error("cannot read corefile {path}")]
    CorefileRead {
        /// The path.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A target does not resolve.
    #[error(transparent)]
    Selection(#[from] SelectionError),
    /// A positional argument is not a target.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// `-l` does not parse.
    #[error(transparent)]
    Selector(#[from] SelectorError),
    /// `--cluster-domain` is not a domain name.
    #[error("--cluster-domain {0:?} is not a valid domain name")]
    ClusterDomain(String),
    /// `--request-timeout` does not parse.
    #[error("--request-timeout: {0}")]
    Timeout(String),
    /// `-f` and the live source were both asked for.
    #[error("-f reads manifests and cannot be combined with {0}")]
    FilesAndCluster(&'static str),
    /// `explain -o zone`: an explanation has no zone-file form.
    #[error("explain prints table, json or yaml, not zone")]
    ExplainFormat,
    /// `--from` does not name a Pod.
    #[error("--from {0:?} does not name a pod")]
    FromNotAPod(String),
    /// The async runtime could not start.
    #[error("cannot start the runtime")]
    Runtime(#[source] std::io::Error),
    /// Writing the output failed.
    #[error("cannot write the output")]
    Io(#[source] std::io::Error),
}

impl CliError {
    /// The exit code for this failure.
    pub fn exit(&self) -> Exit {
        match self {
            CliError::Source(err) => match err {
                SourceError::Read { .. }
                | SourceError::Syntax { .. }
                | SourceError::Empty { .. } => Exit::Input,
                SourceError::Kubeconfig { .. } | SourceError::NoConfiguration => Exit::Kubeconfig,
                SourceError::Unauthorized { .. } => Exit::Unauthorized,
                SourceError::Forbidden { .. } => Exit::Forbidden,
                SourceError::NotFound(_) => Exit::NotFound,
                SourceError::Unreachable { .. } => Exit::Unreachable,
                SourceError::Tls { .. } => Exit::Tls,
                SourceError::Timeout { .. } => Exit::Timeout,
                SourceError::Api { .. } => Exit::ServerError,
            },
            CliError::Corefile { .. } | CliError::CorefileRead { .. } => Exit::Corefile,
            CliError::Selection(SelectionError::NotFound(_)) => Exit::NotFound,
            CliError::Selection(_)
            | CliError::Target(_)
            | CliError::Selector(_)
            | CliError::ClusterDomain(_)
            | CliError::Timeout(_)
            | CliError::FilesAndCluster(_)
            | CliError::ExplainFormat
            | CliError::FromNotAPod(_) => Exit::Usage,
            CliError::Runtime(_) => Exit::Io,
            CliError::Io(_) => Exit::Io,
        }
    }

    /// What to do about it, in one line.
    pub fn hint(&self) -> Option<String> {
        match self {
            CliError::Source(err) => err.hint(),
            CliError::Corefile { .. } => Some(
                "CoreDNS refuses a Corefile with this error too; fix it, or pass --corefile"
                    .to_string(),
            ),
            CliError::CorefileRead { .. } => Some("check the path given to --corefile".to_string()),
            CliError::Selection(SelectionError::NotFound(not_found)) => Some(not_found.hint()),
            CliError::Selection(SelectionError::TargetsNeedOneNamespace) => {
                Some("name one namespace with -n instead of -A".to_string())
            }
            CliError::Target(_) => Some("use svc/NAME, sts/NAME or a Service NAME".to_string()),
            CliError::Selector(_) => {
                Some("use kubectl's syntax, e.g. -l app=redis,tier!=cache".to_string())
            }
            CliError::ClusterDomain(_) => Some("e.g. --cluster-domain cluster.local".to_string()),
            CliError::Timeout(_) => Some("e.g. --request-timeout 10s".to_string()),
            CliError::FilesAndCluster(_) => {
                Some("drop -f to read the live cluster, or drop the connection flags".to_string())
            }
            CliError::ExplainFormat => Some("use -o table, -o json or -o yaml".to_string()),
            CliError::FromNotAPod(_) => Some("use --from pod/NAME".to_string()),
            CliError::Runtime(_) => None,
            CliError::Io(_) => None,
        }
    }
}
