//! The test API server's `pods/{name}/portforward` endpoint, speaking the websocket port-forward
//! protocol kube's client speaks (subprotocol `v4.channel.k8s.io`), bridged to a TCP address of
//! the test's (a `named` standing in for CoreDNS's port 53).
//!
//! The protocol: every binary message starts with a channel byte; for the first (here: only)
//! port, channel 0 carries data and channel 1 errors. The server's first message on each channel
//! is the port number as two little-endian bytes; after that, channel 0 carries the stream's bytes
//! both ways and channel 1 at most one error text from the server, after which the port is unusable.

use std::net::SocketAddr;

use futures::{SinkExt, StreamExt};
use hyper::body::Incoming;
use hyper::header::{
    CONNECTION, HeaderValue, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_PROTOCOL, UPGRADE,
};
use hyper::{Method, Request, Response, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

use super::apiserver::{Body, full_body};

/// The subprotocol this server chooses among those the client offers.
pub const PROTOCOL: &str = "v4.channel.k8s.io";

/// Where a port-forward's bytes go: every forwarded port of every pod reaches this address.
#[derive(Debug, Clone)]
pub struct PortForward {
    /// The TCP address standing in for the pod's port.
    pub target: SocketAddr,
}

/// A port-forward request's pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requested {
    /// The pod's namespace.
    pub namespace: String,
    /// The pod's name.
    pub pod: String,
}

/// The pod of `GET /api/v1/namespaces/{namespace}/pods/{name}/portforward`, if this is one.
pub fn requested(method: &Method, path: &str) -> Option<Requested> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        [
            "api",
            "v1",
            "namespaces",
            namespace,
            "pods",
            pod,
            "portforward",
        ] if method == Method::GET => Some(Requested {
            namespace: namespace.to_string(),
            pod: pod.to_string(),
        }),
        _ => None,
    }
}

/// The 101 answer to an upgrade request, and a task that serves the websocket once hyper hands
/// the connection over; `Err` says why the request is no websocket port-forward (a 400).
pub fn accept(
    request: Request<Incoming>,
    ports: &str,
    forward: &PortForward,
) -> Result<Response<Body>, String> {
    let header = |name| {
        request
            .headers()
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    if !header(UPGRADE).eq_ignore_ascii_case("websocket") {
        return Err("upgrade request required".to_string());
    }
    let key = header(hyper::header::SEC_WEBSOCKET_KEY);
    if key.is_empty() {
        return Err("missing Sec-WebSocket-Key".to_string());
    }
    let offered = header(SEC_WEBSOCKET_PROTOCOL);
    if !offered.split(',').any(|p| p.trim() == PROTOCOL) {
        return Err(format!("no supported subprotocol in {offered:?}"));
    }
    // One port per request is all the tool asks for, and all this server forwards.
    let port: u16 = ports
        .parse()
        .map_err(|_| format!("ports {ports:?}: one port number expected"))?;
    let target = forward.target;
    tokio::spawn(async move {
        let Ok(upgraded) = hyper::upgrade::on(request).await else {
            return;
        };
        let socket = WebSocketStream::from_raw_socket(
            hyper_util::rt::TokioIo::new(upgraded),
            Role::Server,
            None,
        )
        .await;
        bridge(socket, port, target).await;
    });
    let mut response = Response::new(full_body(Vec::new()));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static(PROTOCOL));
    let accept =
        HeaderValue::from_str(&derive_accept_key(key.as_bytes())).map_err(|e| e.to_string())?;
    headers.insert(SEC_WEBSOCKET_ACCEPT, accept);
    Ok(response)
}

/// Channel 0 both ways between the websocket and a TCP connection to `target`, until either
/// side ends; a connection that fails is reported on channel 1, as the kubelet reports it.
async fn bridge<S>(socket: WebSocketStream<S>, port: u16, target: SocketAddr)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (mut sink, mut stream) = socket.split();
    let [low, high] = port.to_le_bytes();
    for channel in [0_u8, 1] {
        if sink
            .send(Message::binary(vec![channel, low, high]))
            .await
            .is_err()
        {
            return;
        }
    }
    let tcp = match tokio::net::TcpStream::connect(target).await {
        Ok(tcp) => tcp,
        Err(err) => {
            let mut message = vec![1_u8];
            message.extend(format!("error forwarding port {port} to pod: {err}").into_bytes());
            let _ = sink.send(Message::binary(message)).await;
            let _ = sink.send(Message::Close(None)).await;
            return;
        }
    };
    let (mut from_pod, mut to_pod) = tcp.into_split();
    let upstream = async {
        while let Some(Ok(message)) = stream.next().await {
            let data = match message {
                Message::Binary(bytes) if bytes.first() == Some(&0) => bytes,
                Message::Close(_) => break,
                // Channel 1 from the client, pings and text: nothing to forward.
                _ => continue,
            };
            if to_pod.write_all(&data[1..]).await.is_err() {
                break;
            }
        }
    };
    let downstream = async {
        let mut buffer = vec![0_u8; 16 * 1024];
        while let Ok(read) = from_pod.read(&mut buffer).await {
            if read == 0 {
                break;
            }
            let mut message = Vec::with_capacity(read + 1);
            message.push(0);
            message.extend_from_slice(&buffer[..read]);
            if sink.send(Message::binary(message)).await.is_err() {
                return;
            }
        }
        let _ = sink.send(Message::Close(None)).await;
    };
    // Either side ending ends the forward, as the kubelet's does.
    tokio::select! {
        () = upstream => {}
        () = downstream => {}
    }
}
