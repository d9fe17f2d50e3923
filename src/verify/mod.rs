//! `--verify`: ask a live DNS server every question the report implies and compare its answers
//! with the report's. The expected side ([`expected`]) and the verdict ([`diff`]) are pure; the
//! transport and the wire format do the I/O.

// Sockets and the clock (timeouts) are this module's job: the purity lints do not apply.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

mod diff;
mod error;
mod expected;
mod framing;
mod pipeline;
mod portforward;
mod route;
mod transport;
mod wire;

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::net::SocketAddr;
use std::time::Duration;

use futures::StreamExt;

pub use diff::classify;
pub use error::VerifyError;
pub use expected::{from_answer, questions};
pub use route::{Origin, Route, choose as choose_route, kube_dns_cluster_ip, ready_dns_pods};
pub use transport::AskError;

use crate::answer::{Answerer, QType, Question as AnswerQuestion};
use crate::model::kubernetes::DNS_NAMESPACE;
use crate::model::{Expected, Outcome, Question, Report, Served, Transport, Verification, Via};
use crate::source::Connection;

/// Questions in flight at once.
pub const CONCURRENCY: usize = 64;

/// How to ask, whatever the route.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// TCP only (a port-forward is TCP whatever this says).
    pub tcp: bool,
    /// Per attempt; each question gets one retry.
    pub timeout: Duration,
    /// Questions in flight at once.
    pub concurrency: usize,
}

/// Splits `HOST[:PORT]` (IPv6 addresses in brackets when a port follows) into host and port.
pub fn parse_server(text: &str) -> Result<(String, u16), VerifyError> {
    let invalid = || VerifyError::InvalidServer(text.to_string());
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok((addr.ip().to_string(), addr.port()));
    }
    if let Ok(ip) = text.parse::<std::net::IpAddr>() {
        return Ok((ip.to_string(), 53));
    }
    let (host, port) = match text.rsplit_once(':') {
        Some((host, port)) => (host, port.parse::<u16>().map_err(|_| invalid())?),
        None => (text, 53),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let plain = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b':');
    if !plain || port == 0 {
        return Err(invalid());
    }
    Ok((host.to_string(), port))
}

/// Resolves `--dns-server` to one address.
pub async fn resolve_server(text: &str) -> Result<SocketAddr, VerifyError> {
    let (host, port) = parse_server(text)?;
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok(SocketAddr::new(ip, port));
    }
    let resolve = |source| VerifyError::Resolve {
        host: host.clone(),
        source,
    };
    tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(resolve)?
        .next()
        .ok_or_else(|| resolve(std::io::Error::other("no address")))
}

/// The record view's questions, each with the answer `answer/` computes for it from the same
/// engine output the report was made from: verify holds no view of the objects of its own. A
/// question whose answer is another plugin's is not asked: the tool cannot say what that plugin
/// answers (kubeadm's `fallthrough in-addr.arpa ip6.arpa` hands an absent reverse name to
/// `forward`).
pub fn report_questions(report: &Report, answerer: &Answerer) -> Vec<(Question, Expected)> {
    questions(report)
        .into_iter()
        .filter_map(|question| {
            let asked =
                AnswerQuestion::new(question.name.as_str(), QType::of(question.rtype)).ok()?;
            let answer = answerer.answer(&asked);
            if !answer.computed() {
                return None;
            }
            let expected = from_answer(&answer, &question.name, question.rtype);
            Some((question, expected))
        })
        .collect()
}

/// Asks each question along `route` and classifies its answer against the expectation given
/// with it (the report's for the record view, `answer/`'s for explain).
pub async fn verify_expected(
    questions: Vec<(Question, Expected)>,
    route: &Route,
    connection: Option<&Connection>,
    options: &VerifyOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<Verification, VerifyError> {
    let limit = options.timeout;
    match route {
        Route::Direct { server, cluster_ip } => {
            let address = resolve_server(server).await?;
            let transport = if options.tcp {
                Transport::Tcp
            } else {
                Transport::Udp
            };
            // Message ids start at a random point: a stray answer to another client's query is
            // not taken for ours (each question also has its own socket and source port).
            let base = RandomState::new().hash_one(server.as_str()) as u16;
            let asked = ask_all(
                questions,
                options.concurrency,
                progress,
                |index, asked: (Question, Expected)| {
                    let id = base.wrapping_add(index as u16);
                    async move {
                        let answer = transport::ask(address, &asked.0, id, transport, limit).await;
                        (asked, answer)
                    }
                },
            )
            .await;
            let display = address.to_string();
            let via = if *cluster_ip {
                Via::ClusterIp
            } else {
                Via::Direct
            };
            conclude(asked, display.clone(), transport, via, |first| {
                no_server(display, transport, limit, first)
            })
        }
        Route::PortForward { pod } => {
            let connection = connection.ok_or(VerifyError::NeedsServer)?;
            let forwarded = portforward::open(connection, pod).await?;
            let lanes = &forwarded.lanes;
            let asked = ask_all(
                questions,
                options.concurrency,
                progress,
                |_, asked: (Question, Expected)| async move {
                    let answer = lanes.ask(&asked.0, limit).await;
                    (asked, answer)
                },
            )
            .await;
            let display = format!("{DNS_NAMESPACE}/{pod}:{}", portforward::DNS_PORT);
            conclude(
                asked,
                display,
                Transport::Tcp,
                Via::PortForward,
                |first| match first {
                    Some(AskError::Timeout(_)) | None => VerifyError::ForwardNoAnswer {
                        pod: pod.clone(),
                        timeout: limit,
                    },
                    Some(AskError::Wire(source)) => VerifyError::Malformed {
                        server: format!("{DNS_NAMESPACE}/{pod}"),
                        source,
                    },
                    Some(_) => VerifyError::ForwardClosed {
                        pod: pod.clone(),
                        message: forwarded.first_error(),
                    },
                },
            )
        }
    }
}

/// A question, what it should be answered, and what it was.
type Asked = ((Question, Expected), Result<Served, AskError>);

/// Asks every question, `concurrency` at a time, in any order.
async fn ask_all<F, A>(
    questions: Vec<(Question, Expected)>,
    concurrency: usize,
    progress: &(dyn Fn() + Sync),
    ask: F,
) -> Vec<Asked>
where
    F: Fn(usize, (Question, Expected)) -> A,
    A: Future<Output = Asked>,
{
    futures::stream::iter(questions.into_iter().enumerate())
        .map(|(index, question)| {
            let asked = ask(index, question);
            async move {
                let asked = asked.await;
                progress();
                asked
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await
}

/// The verdicts, or `nobody` with the first question's failure when not one was answered.
fn conclude(
    asked: Vec<Asked>,
    server: String,
    transport: Transport,
    via: Via,
    nobody: impl FnOnce(Option<AskError>) -> VerifyError,
) -> Result<Verification, VerifyError> {
    if !asked.is_empty() && asked.iter().all(|(_, answer)| answer.is_err()) {
        let first = asked
            .into_iter()
            .min_by(|a, b| (a.0).0.cmp(&(b.0).0))
            .and_then(|(_, answer)| answer.err());
        return Err(nobody(first));
    }
    let mut outcomes: Vec<Outcome> = asked
        .into_iter()
        .map(|((question, expected), answer)| {
            let served = answer.unwrap_or_else(|err| Served {
                rcode: None,
                records: Default::default(),
                ttl: None,
                failure: Some(err.to_string()),
            });
            let (status, note) = classify(question.rtype, &expected, &served);
            Outcome {
                question,
                status,
                expected,
                served,
                note,
            }
        })
        .collect();
    outcomes.sort_by(|a, b| a.question.cmp(&b.question));
    Ok(Verification {
        server,
        transport,
        via,
        outcomes,
    })
}

/// The error for a server that answered nothing, by the first question's failure.
fn no_server(
    server: String,
    transport: Transport,
    timeout: Duration,
    failure: Option<AskError>,
) -> VerifyError {
    match failure {
        Some(AskError::Refused) => VerifyError::Refused { server, transport },
        Some(AskError::Closed) => VerifyError::Closed { server },
        Some(AskError::Wire(source)) => VerifyError::Malformed { server, source },
        Some(AskError::Io(source)) => VerifyError::Io { server, source },
        Some(AskError::Timeout(_)) | None => VerifyError::NoAnswer {
            server,
            transport,
            timeout,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_parse_with_the_default_port() {
        let ok = |text: &str| parse_server(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok("10.96.0.10"), ("10.96.0.10".to_string(), 53));
        assert_eq!(ok("127.0.0.1:5353"), ("127.0.0.1".to_string(), 5353));
        assert_eq!(ok("fd00::a"), ("fd00::a".to_string(), 53));
        assert_eq!(ok("[fd00::a]:54"), ("fd00::a".to_string(), 54));
        assert_eq!(ok("dns.example:53"), ("dns.example".to_string(), 53));
        for bad in ["", ":53", "host:port", "host:0", "a b", "x:99999"] {
            assert!(parse_server(bad).is_err(), "{bad}");
        }
    }
}
