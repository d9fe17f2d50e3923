//! Exit codes: one per class of outcome, documented in the README.

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Records printed.
    Success,
    /// Records printed, and a finding at or above `--fail-on` exists.
    Findings,
    /// `explain`: the name does not resolve (or only an answer the tool cannot compute would
    /// resolve it).
    Unresolved,
    /// Bad flags or arguments (clap's own code).
    Usage,
    /// The manifest input could not be read or parsed.
    Input,
    /// The Corefile is invalid: CoreDNS would refuse it too.
    Corefile,
    /// A named Service or StatefulSet does not exist.
    NotFound,
    /// The kubeconfig is missing or invalid.
    Kubeconfig,
    /// The server rejected the credentials (401).
    Unauthorized,
    /// The target may not be read (403).
    Forbidden,
    /// The server could not be reached.
    Unreachable,
    /// The TLS handshake failed.
    Tls,
    /// The server did not answer within --request-timeout.
    Timeout,
    /// The server answered with an error the tool cannot use (500, malformed body).
    ServerError,
    /// Writing the output failed.
    Io,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> i32 {
        match self {
            Exit::Success => 0,
            Exit::Findings | Exit::Unresolved => 1,
            Exit::Usage => 2,
            Exit::Input => 3,
            Exit::Corefile => 4,
            Exit::NotFound => 5,
            Exit::Kubeconfig => 6,
            Exit::Unauthorized => 7,
            Exit::Forbidden => 8,
            Exit::Unreachable => 9,
            Exit::Tls => 10,
            Exit::Timeout => 11,
            Exit::ServerError => 12,
            Exit::Io => 74,
        }
    }
}
