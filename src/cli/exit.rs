//! Exit codes: one per class of outcome. The README's table is this one (a test compares them),
//! and each failure class has a test that provokes it.

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Records printed.
    Success,
    /// Records printed, and a finding at or above `--fail-on` exists, or `--verify` found a
    /// difference.
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
    /// The kubeconfig is missing or invalid, or a flag names an entry it lacks.
    Kubeconfig,
    /// The server rejected the credentials (401).
    Unauthorized,
    /// The target may not be read (403).
    Forbidden,
    /// The server refused the connection.
    Refused,
    /// The TLS handshake failed.
    Tls,
    /// Connecting or an answer took longer than allowed.
    Timeout,
    /// The server answered with an error the tool cannot use (500, malformed body).
    ServerError,
    /// The server could not be reached (name not resolved, no route).
    Unreachable,
    /// The connection was closed before the answer was complete.
    Dropped,
    /// The exec credential plugin failed.
    ExecPlugin,
    /// The client could not be set up from the kubeconfig's certificates or credentials.
    ClientConfig,
    /// The DNS server of `--verify` answered no question at all.
    DnsServer,
    /// Writing the output failed.
    Io,
}

impl Exit {
    /// Every code, in order (`Unresolved` shares `Findings`' code 1 and its row).
    pub const ALL: [Exit; 19] = [
        Exit::Success,
        Exit::Findings,
        Exit::Usage,
        Exit::Input,
        Exit::Corefile,
        Exit::NotFound,
        Exit::Kubeconfig,
        Exit::Unauthorized,
        Exit::Forbidden,
        Exit::Refused,
        Exit::Tls,
        Exit::Timeout,
        Exit::ServerError,
        Exit::Unreachable,
        Exit::Dropped,
        Exit::ExecPlugin,
        Exit::ClientConfig,
        Exit::DnsServer,
        Exit::Io,
    ];

    /// The process exit code.
    pub fn code(self) -> u8 {
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
            Exit::Refused => 9,
            Exit::Tls => 10,
            Exit::Timeout => 11,
            Exit::ServerError => 12,
            Exit::Unreachable => 13,
            Exit::Dropped => 14,
            Exit::ExecPlugin => 15,
            Exit::ClientConfig => 16,
            Exit::DnsServer => 17,
            Exit::Io => 74,
        }
    }

    /// The meaning, as the README's table states it.
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Success => "records printed, no finding at or above `--fail-on`",
            Exit::Findings | Exit::Unresolved => {
                "records printed, and a finding at or above `--fail-on` exists, or `--verify` found a difference; for `explain`, the name does not resolve (or only an answer the tool cannot compute would make it)"
            }
            Exit::Usage => {
                "usage error (bad flag, target, selector, or a namespace or name the API server would refuse)"
            }
            Exit::Input => "the manifest input cannot be read or parsed",
            Exit::Corefile => "the Corefile is invalid (CoreDNS would refuse it too)",
            Exit::NotFound => {
                "the named Service or StatefulSet does not exist, or the pod of `--dns-pod`"
            }
            Exit::Kubeconfig => {
                "no usable kubeconfig, or `--context`/`--cluster`/`--user` names an entry it lacks"
            }
            Exit::Unauthorized => "unauthorized (401)",
            Exit::Forbidden => {
                "forbidden to read the target, or to create `pods/portforward` for `--verify` (403)"
            }
            Exit::Refused => "the API server refused the connection (nothing listens there)",
            Exit::Tls => "TLS handshake failed",
            Exit::Timeout => {
                "connecting took longer than `--connect-timeout`, or an answer longer than `--request-timeout`"
            }
            Exit::ServerError => "the API server answered with an error (5xx, malformed response)",
            Exit::Unreachable => {
                "the API server cannot be reached (its name does not resolve, no route)"
            }
            Exit::Dropped => "the connection was closed before the answer was complete",
            Exit::ExecPlugin => "the kubeconfig user's exec credential plugin failed",
            Exit::ClientConfig => {
                "the kubeconfig's certificates, keys or token cannot be used to set up a client"
            }
            Exit::DnsServer => {
                "the DNS server of `--verify` answered no question (timeout, refused, closed, malformed), or there is no ready CoreDNS pod to ask"
            }
            Exit::Io => "the output could not be written",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_in_order() {
        let codes: Vec<u8> = Exit::ALL.iter().map(|e| e.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
    }
}
