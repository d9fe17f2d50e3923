//! `VerifyError`: the DNS server given to `--verify` cannot be asked at all.

use std::time::Duration;

use crate::model::Transport;
use crate::source::SourceError;

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
    /// `-f --verify` without `--dns-server`: offline there is no cluster to forward through.
    #[error("--verify with -f needs --dns-server")]
    NeedsServer,
    /// No ready CoreDNS pod behind the kube-dns EndpointSlices to forward to.
    #[error("no ready CoreDNS pod in the kube-dns EndpointSlices of kube-system to ask")]
    NoDnsPod,
    /// The user may not open a port-forward in kube-system (RBAC).
    #[error(
        "forbidden to create pods/portforward in namespace kube-system (to ask pod {pod} on port 53)"
    )]
    PortForwardForbidden {
        /// The CoreDNS pod.
        pod: String,
    },
    /// `--dns-pod` names no pod of kube-system.
    #[error("pod {pod:?} not found in namespace kube-system (--dns-pod)")]
    DnsPodNotFound {
        /// The name given.
        pod: String,
    },
    /// The port-forward request failed for another reason (unreachable, 500, …).
    #[error("cannot open a port-forward to pod {pod} in kube-system")]
    PortForward {
        /// The CoreDNS pod.
        pod: String,
        /// The request's failure, classified as every API failure is.
        #[source]
        source: Box<SourceError>,
    },
    /// Through the port-forward, not one question was answered in time, retry included.
    #[error(
        "the DNS server of pod {pod} did not answer through the port-forward within {timeout:?} (--dns-timeout)"
    )]
    ForwardNoAnswer {
        /// The CoreDNS pod.
        pod: String,
        /// The per-question timeout.
        timeout: Duration,
    },
    /// The forwarded streams closed before answering (nothing listens on TCP 53 in the pod, or
    /// the kubelet could not connect).
    #[error("the port-forward to pod {pod} closed before the DNS server answered")]
    ForwardClosed {
        /// The CoreDNS pod.
        pod: String,
        /// What the kubelet said on the error channel, if anything.
        message: Option<String>,
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
            VerifyError::NeedsServer => {
                "offline there is no cluster to forward through: add --dns-server HOST[:PORT] (e.g. after `kubectl -n kube-system port-forward svc/kube-dns 5353:53`, with --tcp)"
            }
            VerifyError::NoDnsPod => {
                "check `kubectl -n kube-system get endpointslices -l kubernetes.io/service-name=kube-dns` (reading them needs the kube-system Role of deploy/rbac.yaml); choose a pod with --dns-pod NAME or a server with --dns-server HOST[:PORT]"
            }
            VerifyError::PortForwardForbidden { .. } => {
                "grant create on pods/portforward in kube-system (the optional Role in deploy/rbac.yaml), or run `kubectl -n kube-system port-forward svc/kube-dns 5353:53` and pass --dns-server 127.0.0.1:5353 --tcp"
            }
            VerifyError::DnsPodNotFound { .. } => {
                "list CoreDNS's pods with `kubectl -n kube-system get pods -l k8s-app=kube-dns`, or drop --dns-pod to pick a ready one"
            }
            VerifyError::PortForward { source, .. } => return source.hint(),
            VerifyError::ForwardNoAnswer { .. } => {
                "the pod may be overloaded or not serving: try another with --dns-pod, or a longer --dns-timeout"
            }
            VerifyError::ForwardClosed { .. } => {
                "check that the pod serves DNS on TCP port 53, or choose another with --dns-pod"
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
            VerifyError::PortForward { source, .. } => Some(match source.detail() {
                Some(detail) => format!("{source}: {detail}"),
                None => source.to_string(),
            }),
            VerifyError::ForwardClosed { message, .. } => message.clone(),
            _ => None,
        }
    }
}
