//! `SourceError`: every way reading the input can fail, each naming what the user can fix, with
//! the underlying error kept as its `#[source]` (never flattened into the message).

use std::path::PathBuf;
use std::time::Duration;

use kube::config::{InClusterError, KubeconfigError};

use super::causes::innermost;
use crate::model::InvalidName;

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
    /// A kubeconfig file could not be read.
    #[error("cannot read kubeconfig {origin}")]
    KubeconfigRead {
        /// The file.
        origin: String,
        /// Why.
        #[source]
        source: KubeconfigError,
    },
    /// The kubeconfig could not be used: not YAML, or the context's cluster or credentials are
    /// incomplete.
    #[error("invalid kubeconfig {origin}")]
    Kubeconfig {
        /// The file(s).
        origin: String,
        /// What kube found wrong.
        #[source]
        source: KubeconfigError,
    },
    /// The in-cluster service account could not be used.
    #[error("cannot use the in-cluster service account")]
    InCluster {
        /// What kube found wrong.
        #[source]
        source: InClusterError,
    },
    /// No kubeconfig was found and the tool does not run inside a cluster.
    #[error(
        "no kubeconfig found (KUBECONFIG is unset or names no file, ~/.kube/config does not exist) and not running inside a cluster"
    )]
    NoConfiguration,
    /// Neither `--context` nor the kubeconfig's `current-context` names a context.
    #[error("the kubeconfig {origin} sets no current-context")]
    NoCurrentContext {
        /// The file(s).
        origin: String,
        /// The contexts it has.
        contexts: Vec<String>,
    },
    /// `--context`, `--cluster`, `--user` or the context names an entry the kubeconfig lacks.
    #[error("{entry} {name:?} does not exist in the kubeconfig {origin}")]
    UnknownEntry {
        /// Which list was searched.
        entry: KubeconfigEntry,
        /// The name asked for.
        name: String,
        /// The file(s).
        origin: String,
        /// The names of that kind it has.
        known: Vec<String>,
    },
    /// A namespace or target name that breaks the API server's naming rule.
    #[error(transparent)]
    InvalidName(#[from] InvalidName),
    /// The kubeconfig context's namespace is not a namespace name, so it never becomes a path.
    #[error("{error} (the namespace of {origin})")]
    ContextNamespace {
        /// Where it came from: `kubeconfig context "dev"`, or the in-cluster service account.
        origin: String,
        /// The rule it breaks.
        error: InvalidName,
    },
    /// The server rejected the credentials (401).
    #[error("unauthorized: the server {server} rejected the credentials of the current context")]
    Unauthorized {
        /// The API server URL.
        server: String,
        /// The server's answer.
        #[source]
        source: kube::Error,
    },
    /// The target itself may not be read (403).
    #[error("forbidden: {message}")]
    Forbidden {
        /// The server's message (names the user, verb and resource).
        message: String,
        /// The server's answer.
        #[source]
        source: kube::Error,
    },
    /// A named target does not exist, kubectl-style.
    #[error(transparent)]
    NotFound(#[from] crate::model::NotFound),
    /// Nothing listens at the server's address and port.
    #[error("the server {server} refused the connection")]
    Refused {
        /// The API server URL.
        server: String,
        /// The connection error.
        #[source]
        source: kube::Error,
    },
    /// The connection could not be made for another reason: the name does not resolve, no
    /// route to the host, the network is down.
    #[error("cannot reach the server {server}")]
    Unreachable {
        /// The API server URL.
        server: String,
        /// The connection error.
        #[source]
        source: kube::Error,
    },
    /// The server (or something on the way) closed the connection before the answer was
    /// complete: during the TLS handshake, or after the request was sent.
    #[error("the server {server} closed the connection before answering")]
    Dropped {
        /// The API server URL.
        server: String,
        /// The connection error.
        #[source]
        source: kube::Error,
    },
    /// The TLS handshake failed.
    #[error("TLS handshake with {server} failed")]
    Tls {
        /// The API server URL.
        server: String,
        /// Whether the server's certificate was refused (unknown CA, wrong name, expired), as
        /// opposed to the server not speaking TLS as expected.
        certificate: bool,
        /// The handshake error (holds the `rustls::Error`).
        #[source]
        source: kube::Error,
    },
    /// Connecting (TCP and the TLS handshake) took longer than allowed.
    #[error("{}", connect_timeout_message(.server, .limit))]
    ConnectTimeout {
        /// The API server URL.
        server: String,
        /// Our limit and the flag that set it; `None` when the operating system gave up.
        limit: Option<(Duration, &'static str)>,
        /// The timeout error.
        #[source]
        source: kube::Error,
    },
    /// The server did not answer a request within `--request-timeout`.
    #[error("{}", timeout_message(.server, .limit))]
    Timeout {
        /// The API server URL.
        server: String,
        /// `--request-timeout`; `None` when it was 0 and something else timed out.
        limit: Option<Duration>,
        /// The timeout error.
        #[source]
        source: kube::Error,
    },
    /// The kubeconfig user's exec credential plugin failed, so no request could be sent.
    #[error("the credential plugin {command:?} of user {user:?} {outcome}")]
    ExecPlugin {
        /// The kubeconfig user.
        user: String,
        /// `users[].user.exec.command`.
        command: String,
        /// What went wrong.
        outcome: ExecOutcome,
        /// kube's error (holds the `AuthError`).
        #[source]
        source: kube::Error,
    },
    /// The client could not be built from the kubeconfig: certificates, keys or a token file
    /// that cannot be used, a proxy kube does not support.
    #[error("cannot set up a client for {server}")]
    ClientConfig {
        /// The API server URL.
        server: String,
        /// kube's error.
        #[source]
        source: kube::Error,
    },
    /// The server answered with an error the tool cannot use (500, 404 for a whole resource).
    #[error("the server {server} answered {code}: {message}")]
    Api {
        /// The API server URL.
        server: String,
        /// HTTP status code.
        code: u16,
        /// The server's message.
        message: String,
        /// The server's answer.
        #[source]
        source: kube::Error,
    },
    /// The server's answer is not the JSON object the request asks for.
    #[error("the server {server} sent a malformed response")]
    MalformedResponse {
        /// The API server URL.
        server: String,
        /// The decoding error.
        #[source]
        source: kube::Error,
    },
    /// A request failed in a way none of the above describes.
    #[error("the request to {server} failed")]
    Request {
        /// The API server URL.
        server: String,
        /// kube's error.
        #[source]
        source: kube::Error,
    },
}

/// The kubeconfig lists `--context`, `--cluster` and `--user` choose from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KubeconfigEntry {
    /// `contexts`.
    Context,
    /// `clusters`.
    Cluster,
    /// `users`.
    User,
}

impl KubeconfigEntry {
    fn plural(self) -> &'static str {
        match self {
            KubeconfigEntry::Context => "contexts",
            KubeconfigEntry::Cluster => "clusters",
            KubeconfigEntry::User => "users",
        }
    }

    fn flag(self) -> &'static str {
        match self {
            KubeconfigEntry::Context => "--context",
            KubeconfigEntry::Cluster => "--cluster",
            KubeconfigEntry::User => "--user",
        }
    }
}

impl std::fmt::Display for KubeconfigEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KubeconfigEntry::Context => "context",
            KubeconfigEntry::Cluster => "cluster",
            KubeconfigEntry::User => "user",
        })
    }
}

/// How an exec credential plugin failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecOutcome {
    /// The command could not be started (not found, not executable).
    NotStarted,
    /// It exited unsuccessfully: the exit code, `None` when a signal ended it.
    Exited(Option<i32>),
    /// It succeeded but printed no valid `ExecCredential`.
    BadOutput,
    /// kube refused its configuration or answer for another reason.
    Failed,
}

impl std::fmt::Display for ExecOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExecOutcome::NotStarted => f.write_str("could not be started"),
            ExecOutcome::Exited(Some(code)) => write!(f, "exited with status {code}"),
            ExecOutcome::Exited(None) => f.write_str("was killed by a signal"),
            ExecOutcome::BadOutput => f.write_str("printed no valid ExecCredential"),
            ExecOutcome::Failed => f.write_str("failed"),
        }
    }
}

fn connect_timeout_message(server: &str, limit: &Option<(Duration, &'static str)>) -> String {
    match *limit {
        Some((limit, flag)) => format!(
            "the server {server} did not complete the connection (TCP and TLS handshake) within {} ({flag})",
            format_duration(limit)
        ),
        None => format!("connecting to the server {server} timed out"),
    }
}

fn timeout_message(server: &str, limit: &Option<Duration>) -> String {
    match *limit {
        Some(limit) => format!(
            "the server {server} did not answer within {} (--request-timeout)",
            format_duration(limit)
        ),
        None => format!("the connection to the server {server} timed out"),
    }
}

/// A duration as the flags spell it: `2h`, `1m`, `30s`, `300ms`.
pub fn format_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    let seconds = duration.as_secs();
    if duration.subsec_nanos() == 0 && seconds > 0 {
        if seconds.is_multiple_of(3600) {
            return format!("{}h", seconds / 3600);
        }
        if seconds.is_multiple_of(60) {
            return format!("{}m", seconds / 60);
        }
        return format!("{seconds}s");
    }
    if duration.subsec_nanos().is_multiple_of(1_000_000) {
        return format!("{millis}ms");
    }
    format!("{duration:?}")
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
            SourceError::KubeconfigRead { .. } => {
                "check the path given to --kubeconfig or KUBECONFIG"
            }
            SourceError::Kubeconfig { .. } => {
                "check it with `kubectl config view`, or pass --kubeconfig"
            }
            SourceError::InCluster { .. } => {
                "the pod's service account token and CA are mounted under /var/run/secrets/kubernetes.io/serviceaccount; or pass --kubeconfig"
            }
            SourceError::NoConfiguration => {
                "pass --kubeconfig, set KUBECONFIG, or read manifests with -f"
            }
            SourceError::NoCurrentContext { contexts, .. } => {
                return Some(format!(
                    "pick one with --context ({})",
                    known_names("contexts", contexts)
                ));
            }
            SourceError::UnknownEntry { entry, known, .. } => {
                return Some(format!(
                    "pick one with {} ({})",
                    entry.flag(),
                    known_names(entry.plural(), known)
                ));
            }
            SourceError::InvalidName(error) => return Some(error.kind.rule()),
            SourceError::ContextNamespace { error, .. } => {
                return Some(format!(
                    "{}; pass -n, or fix it with `kubectl config set-context --current --namespace=NAME`",
                    error.kind.rule()
                ));
            }
            SourceError::Unauthorized { .. } => {
                "your credentials expired or are wrong: log in again, or check `kubectl auth whoami`"
            }
            SourceError::Forbidden { .. } => {
                "ask for read access (get/list) to services, endpointslices, statefulsets and pods: see deploy/rbac.yaml"
            }
            SourceError::NotFound(not_found) => return Some(not_found.hint()),
            SourceError::Refused { .. } => {
                "nothing listens at that address: check the server URL and port in the kubeconfig (`kubectl config view --minify`) and that the API server is up"
            }
            SourceError::Unreachable { .. } => {
                "check the server address in the kubeconfig and your network, VPN or proxy"
            }
            SourceError::Dropped { .. } => {
                "check that the kubeconfig's server URL is the API server's HTTPS port; a proxy or load balancer on the way may be cutting connections"
            }
            SourceError::Tls {
                certificate: true, ..
            } => {
                "the server's certificate is not valid for the kubeconfig's certificate-authority and server name; fix certificate-authority-data, or (test clusters only) pass --insecure-skip-tls-verify"
            }
            SourceError::Tls {
                certificate: false, ..
            } => {
                "the server does not speak TLS as expected: check that the kubeconfig's server URL is the API server's HTTPS port"
            }
            SourceError::ConnectTimeout { limit, .. } => {
                return Some(match limit {
                    Some((_, "--request-timeout")) => {
                        "check the server address and your network, or raise --request-timeout"
                            .to_string()
                    }
                    Some(_) => "check the server address and your network, or raise --connect-timeout (0 waits forever)".to_string(),
                    None => "check the server address and your network".to_string(),
                });
            }
            SourceError::Timeout { limit, .. } => {
                return Some(match limit {
                    Some(_) => "raise --request-timeout (0 waits forever), or check the API server's health".to_string(),
                    None => "check the API server's health and your network".to_string(),
                });
            }
            SourceError::ExecPlugin { .. } => {
                "run the plugin yourself to see why (users[].user.exec in the kubeconfig); usually the provider's login has expired"
            }
            SourceError::ClientConfig { .. } => {
                "check the kubeconfig's certificate-authority, client-certificate, client-key and token entries (`kubectl config view --minify --raw`)"
            }
            SourceError::Api { .. } | SourceError::MalformedResponse { .. } => {
                "retry; if it persists, check the API server's health"
            }
            SourceError::Request { .. } => {
                "retry; if it persists, check the server URL in the kubeconfig"
            }
        };
        Some(hint.to_string())
    }

    /// The cause worth printing after the message, on the same line: what the operating system,
    /// the TLS library or a parser said. `None` where the message already says all of it.
    pub fn detail(&self) -> Option<String> {
        match self {
            SourceError::Read { source, .. } => Some(source.to_string()),
            SourceError::KubeconfigRead { source, .. } | SourceError::Kubeconfig { source, .. } => {
                Some(one_line(innermost(source)))
            }
            SourceError::InCluster { source } => Some(one_line(innermost(source))),
            // kube's own error one level down says which entry it could not use (the token
            // file's path, the certificate); the innermost would only say "file not found".
            SourceError::ClientConfig { source, .. } => {
                Some(std::error::Error::source(source).map_or_else(|| one_line(source), one_line))
            }
            SourceError::Unreachable { source, .. }
            | SourceError::Tls { source, .. }
            | SourceError::MalformedResponse { source, .. }
            | SourceError::Request { source, .. } => Some(one_line(innermost(source))),
            SourceError::ExecPlugin {
                outcome, source, ..
            } => exec_detail(outcome, source),
            SourceError::Syntax { .. }
            | SourceError::Empty { .. }
            | SourceError::NoConfiguration
            | SourceError::NoCurrentContext { .. }
            | SourceError::UnknownEntry { .. }
            | SourceError::InvalidName(_)
            | SourceError::ContextNamespace { .. }
            | SourceError::Unauthorized { .. }
            | SourceError::Forbidden { .. }
            | SourceError::NotFound(_)
            | SourceError::Refused { .. }
            | SourceError::Dropped { .. }
            | SourceError::ConnectTimeout { .. }
            | SourceError::Timeout { .. }
            | SourceError::Api { .. } => None,
        }
    }
}

/// What the plugin said: its last line on stderr when kube captured it (interactiveMode
/// `Never`; otherwise the plugin wrote to the terminal itself), or why it did not start.
fn exec_detail(outcome: &ExecOutcome, source: &kube::Error) -> Option<String> {
    let auth = super::causes::find_cause::<kube::client::AuthError>(source)?;
    match (outcome, auth) {
        (_, kube::client::AuthError::AuthExecRun { out, .. }) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            // Debug quoting: the plugin's output is not ours to send to the terminal raw.
            stderr
                .lines()
                .map(str::trim)
                .rfind(|line| !line.is_empty())
                .map(|line| format!("its stderr: {line:?}"))
        }
        (ExecOutcome::Failed | ExecOutcome::BadOutput | ExecOutcome::NotStarted, other) => {
            Some(one_line(innermost(other)))
        }
        (ExecOutcome::Exited(_), _) => None,
    }
}

fn known_names(plural: &str, names: &[String]) -> String {
    if names.is_empty() {
        return format!("the kubeconfig has no {plural}");
    }
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    format!("its {plural}: {}", quoted.join(", "))
}

/// The first non-empty line of an error's text (parsers print snippets over several lines).
fn one_line(err: &(dyn std::error::Error + 'static)) -> String {
    let text = err.to_string();
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or(&text)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_the_flags() {
        assert_eq!(format_duration(Duration::from_secs(30)), "30s");
        assert_eq!(format_duration(Duration::from_secs(60)), "1m");
        assert_eq!(format_duration(Duration::from_secs(7200)), "2h");
        assert_eq!(format_duration(Duration::from_secs(90)), "90s");
        assert_eq!(format_duration(Duration::from_millis(300)), "300ms");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(format_duration(Duration::from_micros(5)), "5µs");
    }
}
