//! The port-forward transport: a few websocket streams through the API server to TCP port 53
//! of one CoreDNS pod (`create pods/portforward` in kube-system, the only request of the tool
//! that is not GET, LIST or WATCH, and only with `--verify`), DNS over TCP pipelined on them.

use std::sync::{Arc, Mutex, PoisonError};

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::Portforwarder;

use super::VerifyError;
use super::pipeline::Lanes;
use crate::model::kubernetes::DNS_NAMESPACE;
use crate::source::{self, Connection};

/// DNS's port in the CoreDNS pod.
pub const DNS_PORT: u16 = 53;

/// Streams opened to one pod. A CoreDNS server answers the questions of one TCP connection one
/// after the other, so a few streams let it work on several at once.
pub const STREAMS: usize = 4;

/// Open port-forwards and the pipelined client over them; dropping it ends the forwards.
pub struct Forwarded {
    /// Where to send questions.
    pub lanes: Lanes,
    /// What the kubelet reported on the streams' error channels.
    errors: Arc<Mutex<Vec<String>>>,
    forwarders: Vec<Portforwarder>,
}

impl Forwarded {
    /// The first error the kubelet reported on a stream, if any (e.g. nothing listens on 53).
    pub fn first_error(&self) -> Option<String> {
        self.errors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .first()
            .cloned()
    }
}

impl Drop for Forwarded {
    fn drop(&mut self) {
        for forwarder in &self.forwarders {
            forwarder.abort();
        }
    }
}

/// Opens [`STREAMS`] port-forwards to `pod`'s port 53, all at once.
pub async fn open(connection: &Connection, pod: &str) -> Result<Forwarded, VerifyError> {
    let api: Api<Pod> = Api::namespaced(connection.client.clone(), DNS_NAMESPACE);
    let opened =
        futures::future::try_join_all((0..STREAMS).map(|_| api.portforward(pod, &[DNS_PORT])))
            .await
            .map_err(|err| classify(err, pod, connection))?;
    let errors = Arc::new(Mutex::new(Vec::new()));
    let mut streams = Vec::with_capacity(opened.len());
    let mut forwarders = Vec::with_capacity(opened.len());
    for mut forwarder in opened {
        // Each forwarder was opened for exactly this port, so both parts are there.
        if let Some(stream) = forwarder.take_stream(DNS_PORT) {
            streams.push(stream);
        }
        if let Some(error) = forwarder.take_error(DNS_PORT) {
            let errors = Arc::clone(&errors);
            tokio::spawn(async move {
                if let Some(message) = error.await {
                    errors
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(message);
                }
            });
        }
        forwarders.push(forwarder);
    }
    Ok(Forwarded {
        lanes: Lanes::new(streams),
        errors,
        forwarders,
    })
}

/// RBAC and a missing pod by their status; anything else is an API failure like any other.
fn classify(err: kube::Error, pod: &str, connection: &Connection) -> VerifyError {
    match &err {
        kube::Error::Api(status) if status.is_forbidden() => VerifyError::PortForwardForbidden {
            pod: pod.to_string(),
        },
        kube::Error::Api(status) if status.is_not_found() => VerifyError::DnsPodNotFound {
            pod: pod.to_string(),
        },
        _ => VerifyError::PortForward {
            pod: pod.to_string(),
            source: Box::new(source::classify(err, &connection.context)),
        },
    }
}
