//! `VerifyError`: the DNS server given to `--verify` cannot be asked at all.

use std::time::Duration;

use crate::model::Transport;

/// Why no question could be answered. A server that answers some questions and not others is
/// no error: those questions are `rcode` differences.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// `--dns-server` is not `HOST[:PORT]`.
    #[error("--dns-server {0:?} is not HOST[:PORT]")]
    InvalidServer(String),
    /// The host name does not resolve.
    #[error("cannot resolve the DNS server {host}")]
    Resolve {
        /// The host given.
        host: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Not one question was answered in time, retry included.
    #[error(
        "the DNS server {server} did not answer over {transport} within {timeout:?} (--dns-timeout)"
    )]
    NoAnswer {
        /// `HOST:PORT`.
        server: String,
        /// How it was asked.
        transport: Transport,
        /// The per-question timeout.
        timeout: Duration,
    },
    /// Nothing listens there (TCP refused, or ICMP port unreachable for UDP).
    #[error("the DNS server {server} refused the connection over {transport}")]
    Refused {
        /// `HOST:PORT`.
        server: String,
        /// How it was asked.
        transport: Transport,
    },
    /// The server closed the TCP connection before answering.
    #[error("the DNS server {server} closed the connection before answering")]
    Closed {
        /// `HOST:PORT`.
        server: String,
    },
    /// The server's answers do not decode, or answer other questions.
    #[error("the DNS server {server} sent no usable answer")]
    Malformed {
        /// `HOST:PORT`.
        server: String,
        /// The first decoding failure.
        #[source]
        source: super::wire::WireError,
    },
    /// Another socket failure.
    #[error("cannot ask the DNS server {server}")]
    Io {
        /// `HOST:PORT`.
        server: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl VerifyError {
    /// What to do about it, in one line.
    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            VerifyError::InvalidServer(_) => {
                "e.g. --dns-server 10.96.0.10, --dns-server 127.0.0.1:5353 or --dns-server [fd00::a]:53"
            }
            VerifyError::Resolve { .. } => "give the server's address instead of its name",
            VerifyError::NoAnswer {
                transport: Transport::Udp,
                ..
            } => {
                "check --dns-server and that the port is reachable; `kubectl port-forward` carries TCP only: add --tcp; a slow server needs a longer --dns-timeout"
            }
            VerifyError::NoAnswer { .. } => {
                "check --dns-server and that the port is reachable; a slow server needs a longer --dns-timeout"
            }
            VerifyError::Refused { .. } => {
                "nothing listens there: check the address and port of --dns-server"
            }
            VerifyError::Closed { .. } | VerifyError::Malformed { .. } => {
                "check that --dns-server names a DNS server (port 53 by default)"
            }
            VerifyError::Io { .. } => return None,
        };
        Some(hint.to_string())
    }

    /// The underlying cause worth printing after the message.
    pub fn detail(&self) -> Option<String> {
        match self {
            VerifyError::Resolve { source, .. } | VerifyError::Io { source, .. } => {
                Some(source.to_string())
            }
            VerifyError::Malformed { source, .. } => Some(source.to_string()),
            _ => None,
        }
    }
}
