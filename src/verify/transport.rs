//! One question over the network: UDP (TCP when the answer is truncated) or TCP only, a timeout
//! per attempt and one retry.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::timeout;

use super::framing;
use super::wire::{self, Answer, WireError};
use crate::model::{Question, Served, Transport};

/// Why one question got no answer.
#[derive(Debug, thiserror::Error)]
pub enum AskError {
    /// No answer within the timeout.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// Nothing listens at the address.
    #[error("connection refused")]
    Refused,
    /// The TCP connection ended before the answer was complete.
    #[error("connection closed before the answer")]
    Closed,
    /// The answer cannot be used.
    #[error("unusable answer")]
    Wire(#[source] WireError),
    /// Another socket failure.
    #[error("socket error")]
    Io(#[source] io::Error),
}

/// Asks `question` (message id `id`), retrying once when the first attempt fails for any
/// reason but a refusal.
pub async fn ask(
    server: SocketAddr,
    question: &Question,
    id: u16,
    transport: Transport,
    limit: Duration,
) -> Result<Served, AskError> {
    let name = question.name.as_str();
    let query = wire::encode_query(id, name, question.rtype).map_err(AskError::Wire)?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result = match transport {
            Transport::Tcp => over_tcp(server, &query, limit).await,
            Transport::Udp => over_udp(server, &query, id, question, limit).await,
        }
        .and_then(|bytes| {
            wire::decode_answer(&bytes, id, name, question.rtype).map_err(AskError::Wire)
        });
        let result = match result {
            // More than fits in a datagram: the whole answer comes over TCP.
            Ok(Answer {
                truncated: true, ..
            }) if transport == Transport::Udp => {
                over_tcp(server, &query, limit).await.and_then(|bytes| {
                    wire::decode_answer(&bytes, id, name, question.rtype).map_err(AskError::Wire)
                })
            }
            other => other,
        };
        match result {
            Ok(answer) => return Ok(answer.served),
            Err(AskError::Refused) => return Err(AskError::Refused),
            Err(err) if attempt >= 2 => return Err(err),
            Err(_) => {}
        }
    }
}

/// One datagram out, the first datagram that answers our id back (a late answer to an
/// earlier attempt on another socket never arrives here: each attempt has its own socket).
async fn over_udp(
    server: SocketAddr,
    query: &[u8],
    id: u16,
    question: &Question,
    limit: Duration,
) -> Result<Vec<u8>, AskError> {
    let local: SocketAddr = if server.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let exchange = async {
        let socket = UdpSocket::bind(local).await.map_err(io_error)?;
        socket.connect(server).await.map_err(io_error)?;
        socket.send(query).await.map_err(io_error)?;
        let mut buffer = vec![0_u8; 65_535];
        loop {
            let length = socket.recv(&mut buffer).await.map_err(io_error)?;
            let Some(bytes) = buffer.get(..length) else {
                continue;
            };
            // Anything that is not the answer to this question is ignored, as resolvers do.
            if wire::decode_answer(bytes, id, question.name.as_str(), question.rtype).is_ok() {
                return Ok(bytes.to_vec());
            }
        }
    };
    timeout(limit, exchange)
        .await
        .map_err(|_| AskError::Timeout(limit))?
}

/// One connection, one length-prefixed query, one length-prefixed answer.
async fn over_tcp(server: SocketAddr, query: &[u8], limit: Duration) -> Result<Vec<u8>, AskError> {
    let exchange = async {
        let mut stream = TcpStream::connect(server).await.map_err(io_error)?;
        let framed = framing::frame(query).map_err(AskError::Io)?;
        stream.write_all(&framed).await.map_err(io_error)?;
        framing::read_message(&mut stream)
            .await
            .map_err(io_error)?
            .ok_or(AskError::Closed)
    };
    timeout(limit, exchange)
        .await
        .map_err(|_| AskError::Timeout(limit))?
}

/// Socket errors by kind: a refusal and a closed connection are their own failures.
pub(super) fn io_error(err: io::Error) -> AskError {
    match err.kind() {
        io::ErrorKind::ConnectionRefused => AskError::Refused,
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => AskError::Closed,
        _ => AskError::Io(err),
    }
}
