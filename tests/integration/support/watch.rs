//! Watches for the test API server: `?watch=true&resourceVersion=RV` answers a chunked stream
//! of JSON events (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR), one per line, as the real server
//! does. A watch from RV gets every recorded change after RV, then the live ones; a watch from an
//! RV older than the last compaction gets one ERROR event with a 410 `Expired` Status.
//!
//! Changes come from a script of timed steps ([`Step`]) in [`ServerOptions::script`](super::ServerOptions):
//! apply an object (ADDED, or MODIFIED if it exists), delete one, end every open watch (as a
//! dropped connection or the server's watch timeout does), or compact the history (open watches
//! end, and a client resuming from its last RV meets the 410). Each change bumps the server's
//! resourceVersion and is written to the store, so lists after it see it. The script's clock
//! starts at the first watch request; the instant each step was applied is kept for latency
//! measurements.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Bytes, Frame};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use super::{
    Body, RESOURCES, Resource, Shared, Store, lock, object_labels, parse_field_selector,
    parse_label_selector, parse_query,
};

/// One timed step of a script.
#[derive(Debug, Clone)]
pub struct Step {
    /// When, counted from the first watch request.
    pub after: Duration,
    /// What happens.
    pub action: Action,
}

/// What a step does.
#[derive(Debug, Clone)]
pub enum Action {
    /// Create or replace this object (a complete object with apiVersion, kind and metadata).
    Apply(Value),
    /// Delete an object: (resource plural, namespace, name).
    Delete(&'static str, String, String),
    /// End every open watch stream, as a dropped connection does.
    DropWatches,
    /// Compact the history: open watches end, and resuming from any earlier RV answers 410.
    Compact,
}

impl Step {
    /// A step `after` the first watch.
    pub fn at(after: Duration, action: Action) -> Step {
        Step { after, action }
    }
}

/// One change in the history.
#[derive(Debug, Clone)]
struct Recorded {
    rv: u64,
    kind: &'static str,
    plural: &'static str,
    namespace: String,
    object: Value,
}

/// What open watches hear.
#[derive(Debug, Clone)]
enum Signal {
    Event(Recorded),
    /// Open watches end; resuming from an RV below this one answers 410.
    Compacted(u64),
    End,
}

/// Open watches, the history and the script.
pub(super) struct Hub {
    script: Vec<Step>,
    history: Arc<Mutex<Vec<Recorded>>>,
    compacted: Arc<Mutex<u64>>,
    started: Mutex<bool>,
    applied: Arc<Mutex<Vec<Option<Instant>>>>,
    sender: broadcast::Sender<Signal>,
}

impl Hub {
    /// A hub that will run `script` once watches start.
    pub(super) fn new(script: Vec<Step>) -> Hub {
        let (sender, _) = broadcast::channel(1024);
        Hub {
            applied: Arc::new(Mutex::new(vec![None; script.len()])),
            script,
            history: Arc::new(Mutex::new(Vec::new())),
            compacted: Arc::new(Mutex::new(0)),
            started: Mutex::new(false),
            sender,
        }
    }

    /// When each step of the script was applied, in script order (`None`: not yet).
    pub(super) fn applied(&self) -> Vec<Option<Instant>> {
        lock(&self.applied).clone()
    }
}

/// Whether the request asks for a watch.
pub(super) fn is_watch(query: &str) -> bool {
    parse_query(query)
        .iter()
        .any(|(key, value)| key == "watch" && (value == "true" || value == "1"))
}

/// The same query as a list: without the watch parameters.
pub(super) fn list_query(query: &str) -> String {
    query
        .split('&')
        .filter(|part| {
            let key = part.split('=').next().unwrap_or_default();
            !matches!(
                key,
                "watch" | "resourceVersion" | "allowWatchBookmarks" | "timeoutSeconds"
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The resource and namespace a watch path names.
fn target(path: &str) -> Option<(&'static Resource, Option<String>)> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (group, version, rest) = match segments.as_slice() {
        ["api", "v1", rest @ ..] => ("", "v1", rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return None,
    };
    let (namespace, plural) = match rest {
        [plural] => (None, *plural),
        ["namespaces", namespace, plural] => (Some((*namespace).to_string()), *plural),
        _ => return None,
    };
    let resource = RESOURCES
        .iter()
        .find(|r| r.plural == plural && r.group == group && r.version == version)?;
    Some((resource, namespace))
}

/// Starts the stream of one watch (the request has passed the list's checks).
pub(super) fn respond(shared: &Shared, path: &str, query: &str) -> Response<Body> {
    start_script(shared);
    let params = parse_query(query);
    let param = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    let (sender, receiver) = mpsc::unbounded_channel::<Bytes>();
    let mut events = shared.watch.sender.subscribe();
    let from: u64 = param("resourceVersion").parse().unwrap_or(0);
    let bookmarks = param("allowWatchBookmarks") == "true";
    let timeout = param("timeoutSeconds")
        .parse::<u64>()
        .map_or(Duration::from_secs(290), Duration::from_secs);
    let labels = parse_label_selector(&param("labelSelector")).unwrap_or_default();
    let fields = parse_field_selector(&param("fieldSelector")).unwrap_or_default();
    let Some((resource, namespace)) = target(path) else {
        return stream_response(receiver);
    };
    let matches = move |recorded: &Recorded| {
        recorded.plural == resource.plural
            && namespace
                .as_deref()
                .is_none_or(|ns| recorded.namespace == ns)
            && labels
                .iter()
                .all(|req| req.matches(object_labels(&recorded.object)))
            && fields
                .iter()
                .all(|req| req.matches(resource, &recorded.object))
    };
    let line = |kind: &str, object: &Value| {
        let mut text =
            serde_json::to_vec(&json!({"type": kind, "object": object})).unwrap_or_default();
        text.push(b'\n');
        Bytes::from(text)
    };
    // The backlog and the 410 are decided under the history's lock, so no event falls between
    // the backlog and the live subscription (taken above).
    let compacted = *lock(&shared.watch.compacted);
    if from != 0 && from < compacted {
        let status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": format!("too old resource version: {from} ({compacted})"),
            "reason": "Expired",
            "code": 410,
        });
        let _ = sender.send(line("ERROR", &status));
        return stream_response(receiver);
    }
    let mut last_sent = from;
    if from != 0 {
        for recorded in lock(&shared.watch.history).iter() {
            if recorded.rv > from && matches(recorded) {
                let _ = sender.send(line(recorded.kind, &recorded.object));
                last_sent = recorded.rv;
            }
        }
    }
    let store = Arc::clone(&shared.store);
    let interval = shared.options.bookmark_interval;
    let api_version = resource.api_version();
    let kind = resource.kind;
    tokio::spawn(async move {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut ticks = tokio::time::interval(interval);
        ticks.tick().await;
        loop {
            tokio::select! {
                signal = events.recv() => match signal {
                    Ok(Signal::Event(recorded)) => {
                        if recorded.rv > last_sent && matches(&recorded) {
                            last_sent = recorded.rv;
                            if sender.send(line(recorded.kind, &recorded.object)).is_err() {
                                return;
                            }
                        }
                    }
                    // Dropped, compacted, or so far behind that events were lost: end the
                    // stream, and the client resumes (or re-lists).
                    Ok(Signal::End | Signal::Compacted(_)) | Err(_) => return,
                },
                _ = ticks.tick(), if bookmarks => {
                    let rv = lock(&store).resource_version;
                    let bookmark = json!({
                        "kind": kind,
                        "apiVersion": api_version,
                        "metadata": {"resourceVersion": rv.to_string()},
                    });
                    if sender.send(line("BOOKMARK", &bookmark)).is_err() {
                        return;
                    }
                }
                () = tokio::time::sleep_until(deadline) => return,
            }
        }
    });
    stream_response(receiver)
}

fn stream_response(receiver: mpsc::UnboundedReceiver<Bytes>) -> Response<Body> {
    let frames = futures::stream::unfold(receiver, |mut receiver| async move {
        let bytes = receiver.recv().await?;
        Some((Ok::<_, Infallible>(Frame::data(bytes)), receiver))
    });
    let mut response = Response::new(StreamBody::new(frames).boxed());
    *response.status_mut() = StatusCode::OK;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Runs the script once, from the first watch request.
fn start_script(shared: &Shared) {
    {
        let mut started = lock(&shared.watch.started);
        if *started || shared.watch.script.is_empty() {
            return;
        }
        *started = true;
    }
    let script = shared.watch.script.clone();
    let store = Arc::clone(&shared.store);
    let history = Arc::clone(&shared.watch.history);
    let compacted = Arc::clone(&shared.watch.compacted);
    let applied = Arc::clone(&shared.watch.applied);
    let sender = shared.watch.sender.clone();
    tokio::spawn(async move {
        let begin = tokio::time::Instant::now();
        for (index, step) in script.into_iter().enumerate() {
            tokio::time::sleep_until(begin + step.after).await;
            let signal = {
                let mut store = lock(&store);
                let signal = apply(&mut store, step.action);
                match &signal {
                    Signal::Event(recorded) => lock(&history).push(recorded.clone()),
                    Signal::Compacted(rv) => *lock(&compacted) = *rv,
                    Signal::End => {}
                }
                signal
            };
            lock(&applied)[index] = Some(Instant::now());
            let _ = sender.send(signal);
        }
    });
}

/// Applies one action to the store; the signal for the open watches.
fn apply(store: &mut Store, action: Action) -> Signal {
    match action {
        Action::Apply(mut object) => {
            let Some(resource) = Resource::for_object(&object) else {
                return Signal::End;
            };
            if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.remove("resourceVersion");
            }
            let name = object["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let namespace = if resource.namespaced {
                object["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or("default")
                    .to_string()
            } else {
                String::new()
            };
            let existed = store.get(resource, &namespace, &name).is_some();
            // normalize gives an object without a resourceVersion the next one.
            let mut rv = store.resource_version;
            store.normalize(resource, &mut object, &mut rv);
            store.resource_version = rv;
            Signal::Event(Recorded {
                rv,
                kind: if existed { "MODIFIED" } else { "ADDED" },
                plural: resource.plural,
                namespace,
                object,
            })
        }
        Action::Delete(plural, namespace, name) => {
            let Some(resource) = RESOURCES.iter().find(|r| r.plural == plural) else {
                return Signal::End;
            };
            let Some(mut object) = store
                .objects
                .get_mut(resource.plural)
                .and_then(|map| map.remove(&(namespace.clone(), name)))
            else {
                return Signal::End;
            };
            store.resource_version += 1;
            let rv = store.resource_version;
            object["metadata"]["resourceVersion"] = json!(rv.to_string());
            Signal::Event(Recorded {
                rv,
                kind: "DELETED",
                plural: resource.plural,
                namespace,
                object,
            })
        }
        Action::DropWatches => Signal::End,
        Action::Compact => {
            // A new revision that every earlier one is older than: a client resuming from what
            // it saw meets the 410, a fresh list gets this one.
            store.resource_version += 1;
            Signal::Compacted(store.resource_version)
        }
    }
}
