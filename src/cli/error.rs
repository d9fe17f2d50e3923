//! `CliError`: every failure the command reports, with its one-line message, hint and exit code.

use crate::analyze::SelectionError;
use crate::corefile::CorefileError;
use crate::model::{ConfigOrigin, InvalidName, SelectorError};
use crate::source::{SourceError, TargetError};
use crate::verify::VerifyError;

use super::exit::Exit;

/// A failure of one run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// Reading the input failed (boxed: the source errors hold kube's, which are large).
    #[error(transparent)]
    Source(Box<SourceError>),
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
    /// `-n` is not a namespace name.
    #[error(transparent)]
    InvalidName(#[from] InvalidName),
    /// `-l` does not parse.
    #[error(transparent)]
    Selector(#[from] SelectorError),
    /// `--cluster-domain` is not a domain name.
    #[error("--cluster-domain {0:?} is not a valid domain name")]
    ClusterDomain(String),
    /// `-f` and the live source were both asked for.
    #[error("-f reads manifests and cannot be combined with {0}")]
    FilesAndCluster(&'static str),
    /// `--verify` could not ask its DNS server.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// `explain -o zone`: an explanation has no zone-file form.
    #[error("explain prints table, json or yaml, not zone")]
    ExplainFormat,
    /// `--watch` with `-f`: manifests do not change.
    #[error("--watch follows a live cluster and cannot be combined with -f")]
    WatchNeedsCluster,
    /// `--watch` with an output that has no streaming form.
    #[error("--watch prints table, wide or json (JSON Lines), not {0}")]
    WatchFormat(&'static str),
    /// `--watch-timeout` without a watch: it would be ignored.
    #[error("--watch-timeout applies only with --watch (-w) or explain --until-resolves")]
    WatchTimeoutWithoutWatch,
    /// `docs ID`: no finding has that id.
    #[error(transparent)]
    UnknownFinding(#[from] crate::docs::UnknownFinding),
    /// `docs -o zone`: a page has no zone-file form.
    #[error("docs prints table, json or yaml, not zone")]
    DocsFormat,
    /// `-o jsonpath=…` or `--sort-by` does not parse.
    #[error(transparent)]
    JsonPath(#[from] crate::render::jsonpath::JsonPathError),
    /// `-o custom-columns=…` does not parse.
    #[error(transparent)]
    Columns(#[from] crate::render::ColumnsError),
    /// `-o jsonpath-file=` or `custom-columns-file=` could not be read.
    #[error("cannot read {path}")]
    ShapeFile {
        /// The path.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A flag that does not apply to the output format.
    #[error("{flag} cannot be used with {format}: {why}")]
    FlagFormat {
        /// The flag.
        flag: &'static str,
        /// The `-o` it was given with.
        format: String,
        /// Why, and where it applies.
        why: &'static str,
    },
    /// A record-list flag given to a subcommand.
    #[error("{flag} shapes the record list, not {command}")]
    FlagCommand {
        /// The flag.
        flag: &'static str,
        /// The subcommand.
        command: &'static str,
    },
    /// `-L ''`.
    #[error("-L/--label-columns needs label keys, e.g. -L app,app.kubernetes.io/name")]
    EmptyLabel,
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

impl From<SourceError> for CliError {
    fn from(err: SourceError) -> Self {
        CliError::Source(Box::new(err))
    }
}

impl CliError {
    /// The exit code for this failure.
    pub fn exit(&self) -> Exit {
        match self {
            CliError::Source(err) => source_exit(err),
            CliError::Corefile { .. } | CliError::CorefileRead { .. } => Exit::Corefile,
            CliError::Selection(SelectionError::NotFound(_)) => Exit::NotFound,
            CliError::Selection(_)
            | CliError::Target(_)
            | CliError::InvalidName(_)
            | CliError::Selector(_)
            | CliError::ClusterDomain(_)
            | CliError::FilesAndCluster(_)
            | CliError::ExplainFormat
            | CliError::WatchNeedsCluster
            | CliError::WatchFormat(_)
            | CliError::WatchTimeoutWithoutWatch
            | CliError::UnknownFinding(_)
            | CliError::DocsFormat
            | CliError::JsonPath(_)
            | CliError::Columns(_)
            | CliError::FlagFormat { .. }
            | CliError::FlagCommand { .. }
            | CliError::EmptyLabel
            | CliError::FromNotAPod(_) => Exit::Usage,
            CliError::ShapeFile { .. } => Exit::Input,
            CliError::Verify(VerifyError::InvalidServer(_) | VerifyError::NeedsServer) => {
                Exit::Usage
            }
            CliError::Verify(VerifyError::PortForwardForbidden { .. }) => Exit::Forbidden,
            CliError::Verify(VerifyError::DnsPodNotFound { .. }) => Exit::NotFound,
            CliError::Verify(VerifyError::PortForward { source, .. }) => source_exit(source),
            CliError::Verify(_) => Exit::DnsServer,
            CliError::Runtime(_) => Exit::Io,
            CliError::Io(_) => Exit::Io,
        }
    }

    /// What to do about it, in one line.
    pub fn hint(&self) -> Option<String> {
        match self {
            CliError::Source(err) => err.hint(),
            // The parser says so when the refusal is the tool's own, not CoreDNS's.
            CliError::Corefile { error, .. }
                if error.to_string().contains("the tool does not accept") =>
            {
                Some(
                    "CoreDNS may accept this Corefile, the tool cannot read it; pass --corefile with a copy it can read"
                        .to_string(),
                )
            }
            CliError::Corefile { .. } => Some(
                "CoreDNS refuses a Corefile with this error too; fix it, or pass --corefile"
                    .to_string(),
            ),
            CliError::CorefileRead { .. } => Some("check the path given to --corefile".to_string()),
            CliError::Selection(SelectionError::NotFound(not_found)) => Some(not_found.hint()),
            CliError::Selection(SelectionError::TargetsNeedOneNamespace) => {
                Some("name one namespace with -n instead of -A".to_string())
            }
            CliError::Target(err) => Some(err.hint()),
            CliError::InvalidName(err) => Some(err.kind.rule()),
            CliError::Selector(_) => {
                Some("use kubectl's syntax, e.g. -l app=redis,tier!=cache".to_string())
            }
            CliError::ClusterDomain(_) => Some("e.g. --cluster-domain cluster.local".to_string()),
            CliError::FilesAndCluster(_) => {
                Some("drop -f to read the live cluster, or drop the connection flags".to_string())
            }
            CliError::Verify(err) => err.hint(),
            CliError::ExplainFormat => Some("use -o table, -o json or -o yaml".to_string()),
            CliError::FromNotAPod(_) => Some("use --from pod/NAME".to_string()),
            CliError::WatchNeedsCluster => {
                Some("drop -f and point --kubeconfig or --context at the cluster".to_string())
            }
            CliError::WatchFormat(_) => Some("use -o table, -o wide or -o json".to_string()),
            CliError::WatchTimeoutWithoutWatch => {
                Some("add -w, or drop --watch-timeout".to_string())
            }
            CliError::UnknownFinding(err) => Some(err.hint()),
            CliError::DocsFormat => Some("use -o table, -o json or -o yaml".to_string()),
            CliError::JsonPath(_) => Some(
                "kubectl's template syntax, e.g. -o jsonpath='{range .records[*]}{.name}{\"\\n\"}{end}'"
                    .to_string(),
            ),
            CliError::Columns(_) => {
                Some("e.g. -o custom-columns=NAME:.name,TYPE:.type,POD:.source.pod".to_string())
            }
            CliError::ShapeFile { .. } => Some("check the path after the =".to_string()),
            CliError::FlagFormat { .. } | CliError::FlagCommand { .. } | CliError::EmptyLabel => {
                None
            }
            CliError::Runtime(_) => None,
            CliError::Io(_) => None,
        }
    }

    /// The underlying cause worth printing after the message (`: Connection reset by peer`),
    /// or `None` when the message says it all. Never the whole chain: kube's errors repeat
    /// their cause in their own text, so printing every link says the same thing three times.
    pub fn detail(&self) -> Option<String> {
        match self {
            CliError::Source(err) => err.detail(),
            CliError::Verify(err) => err.detail(),
            CliError::CorefileRead { source, .. }
            | CliError::Runtime(source)
            | CliError::Io(source) => Some(source.to_string()),
            CliError::Corefile { .. }
            | CliError::Selection(_)
            | CliError::Target(_)
            | CliError::InvalidName(_)
            | CliError::Selector(_)
            | CliError::ClusterDomain(_)
            | CliError::FilesAndCluster(_)
            | CliError::ExplainFormat
            | CliError::WatchNeedsCluster
            | CliError::WatchFormat(_)
            | CliError::WatchTimeoutWithoutWatch
            | CliError::UnknownFinding(_)
            | CliError::DocsFormat
            | CliError::JsonPath(_)
            | CliError::FlagFormat { .. }
            | CliError::FlagCommand { .. }
            | CliError::EmptyLabel
            | CliError::FromNotAPod(_) => None,
            CliError::ShapeFile { source, .. } => Some(source.to_string()),
            CliError::Columns(err) => std::error::Error::source(err).map(ToString::to_string),
        }
    }

    /// Whether this is the output being closed by its reader (`| head`): then nothing is
    /// wrong. Only the output's own error counts — a broken pipe on the way to the API
    /// server is a dropped connection. The whole chain is walked, as ripgrep does, because
    /// the JSON renderer's `io::Error` wraps a `serde_json::Error` that hides the pipe's.
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            CliError::Io(err) => {
                crate::source::io_kinds(err).any(|kind| kind == std::io::ErrorKind::BrokenPipe)
            }
            _ => false,
        }
    }
}

fn source_exit(err: &SourceError) -> Exit {
    match err {
        SourceError::Read { .. } | SourceError::Syntax { .. } | SourceError::Empty { .. } => {
            Exit::Input
        }
        SourceError::KubeconfigRead { .. }
        | SourceError::Kubeconfig { .. }
        | SourceError::InCluster { .. }
        | SourceError::NoConfiguration
        | SourceError::NoCurrentContext { .. }
        | SourceError::UnknownEntry { .. } => Exit::Kubeconfig,
        SourceError::InvalidName(_) | SourceError::ContextNamespace { .. } => Exit::Usage,
        SourceError::Unauthorized { .. } => Exit::Unauthorized,
        SourceError::Forbidden { .. } => Exit::Forbidden,
        SourceError::NotFound(_) => Exit::NotFound,
        SourceError::Refused { .. } => Exit::Refused,
        SourceError::Unreachable { .. } => Exit::Unreachable,
        SourceError::Dropped { .. } => Exit::Dropped,
        SourceError::Tls { .. } => Exit::Tls,
        SourceError::ConnectTimeout { .. } | SourceError::Timeout { .. } => Exit::Timeout,
        SourceError::ExecPlugin { .. } => Exit::ExecPlugin,
        SourceError::ClientConfig { .. } => Exit::ClientConfig,
        SourceError::Api { .. }
        | SourceError::MalformedResponse { .. }
        | SourceError::Request { .. } => Exit::ServerError,
    }
}
