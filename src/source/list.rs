//! Paged LIST and GET against the API, and the classification of `kube::Error` into what the
//! user can act on. Pages of 500, as kubectl uses; an expired continue token restarts the list.
//!
//! Classification goes by type, never by the words of a message: the API's `Status`, then the
//! chain of causes kube wraps (tower's boxed error → hyper-util's client error → the connector's
//! `io::Error` → `rustls::Error` or tokio's `Elapsed`; or `hyper::Error` → `io::Error`), looked at
//! with `causes::causes`, which also sees inside `io::Error` wrappers.

use std::collections::VecDeque;
use std::fmt::Debug;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ListMeta;
use kube::api::{Api, ListParams, ObjectList};
use kube::core::Resource;
use serde::de::DeserializeOwned;

use super::SourceError;
use super::causes::{causes, find_cause, io_kinds};
use super::error::ExecOutcome;
use super::kubeconfig::RequestContext;

/// kubectl's page size for lists (its `--chunk-size` default), and ours.
pub const PAGE_SIZE: u32 = 500;

/// How a list is fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// Pages of this many objects, as kubectl lists (`--chunk-size`): a whole cluster's Pods
    /// never arrive as one body.
    Pages(std::num::NonZeroU32),
    /// One request for the whole list: a named target's namespace lists, so that `svc/NAME`
    /// costs one round trip however many Pods its namespace holds (each page is another); and
    /// every list with `--chunk-size 0`.
    Whole,
}

impl Paging {
    /// Pages of `chunk_size` objects; 0 asks for each list whole, as kubectl's `--chunk-size 0`.
    pub fn chunks(chunk_size: u32) -> Paging {
        std::num::NonZeroU32::new(chunk_size).map_or(Paging::Whole, Paging::Pages)
    }

    /// The `limit` of each request: none for a whole list.
    pub fn limit(self) -> Option<u32> {
        match self {
            Paging::Pages(size) => Some(size.get()),
            Paging::Whole => None,
        }
    }
}

/// Lists every object matching `params` (in pages or whole, as `paging` says), dropping
/// `managedFields` and the last-applied annotation as pages arrive (they can be half of an
/// object's size and the engine never reads them).
pub async fn list_all<K>(
    api: &Api<K>,
    params: &ListParams,
    paging: Paging,
) -> Result<Vec<K>, kube::Error>
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
{
    // The same request `Api::list` sends, paged by `paged` so that pages decode off the thread
    // that fetches the next one.
    let request = kube::core::Request::new(api.resource_url());
    paged(&api.clone().into_client(), &request, params, paging, slim).await
}

/// Lists every object of `K` in `namespace` (all with `None`) decoded as `T`, a type of our own
/// that holds only what the tool reads: serde skips every other field while it reads the page,
/// so a large list never exists in memory in its full API form.
pub async fn list_all_as<K, T>(
    client: &kube::Client,
    namespace: Option<&str>,
    params: &ListParams,
    paging: Paging,
) -> Result<Vec<T>, kube::Error>
where
    K: Resource<DynamicType = ()>,
    T: Clone + DeserializeOwned + Send + 'static,
{
    let request = kube::core::Request::new(K::url_path(&(), namespace));
    paged(client, &request, params, paging, |item| item).await
}

/// Pages whose items are still being decoded while the next page is fetched, per list: enough
/// to keep the next request in flight during a decode, few enough that a list's undecoded
/// bodies stay a few pages (500 objects each).
const DECODING_AHEAD: usize = 2;

/// The paging loop of both lists: `keep` applied to each item as its page arrives; an expired
/// continue token restarts the list once. A server may page a list asked for whole (its own
/// cap): the continue token is followed either way.
///
/// A page's continue token is read first (its list metadata, the items skipped unparsed) and the
/// next page is asked for at once, while the items decode on tokio's blocking pool: decoding a
/// page of Pods takes longer than the server takes to send the next one, and waiting for it
/// made the list's pages one long chain of fetch-then-decode. Items keep the pages' order.
async fn paged<T>(
    client: &kube::Client,
    request: &kube::core::Request,
    params: &ListParams,
    paging: Paging,
    keep: fn(T) -> T,
) -> Result<Vec<T>, kube::Error>
where
    T: Clone + DeserializeOwned + Send + 'static,
{
    let mut restarted = false;
    'restart: loop {
        let mut items = Vec::new();
        let mut decoding = VecDeque::new();
        let mut params = params.clone();
        params.limit = paging.limit();
        params.continue_token = None;
        loop {
            let body = match fetch_page(client, request, &params).await {
                Ok(body) => body,
                Err(err) => {
                    // A page before this one that does not decode failed first.
                    for page in decoding.drain(..) {
                        decoded(page).await?;
                    }
                    // 410 Gone: the continue token expired (the list took longer than the
                    // server's compaction window). Start again from the first page, once.
                    if matches!(&err, kube::Error::Api(status) if status.code == 410) && !restarted
                    {
                        restarted = true;
                        continue 'restart;
                    }
                    return Err(err);
                }
            };
            let head: PageHead = serde_json::from_str(&body).map_err(kube::Error::SerdeError)?;
            let next = head.metadata.continue_.filter(|token| !token.is_empty());
            // The server counts what is left of an unfiltered list: one allocation for all of
            // it instead of doubling through a large list (a hint only, capped: a wrong count
            // must not make the tool allocate without bound).
            let remaining = head
                .metadata
                .remaining_item_count
                .and_then(|count| usize::try_from(count).ok())
                .unwrap_or(0);
            if items.capacity() == 0 {
                let page = paging.limit().map_or(0, |limit| limit as usize);
                items.reserve(page.min(MAX_RESERVE) + remaining.min(MAX_RESERVE));
            }
            decoding.push_back(tokio::task::spawn_blocking(move || decode(&body, keep)));
            // After the last page, every decode is waited for.
            let ahead = if next.is_some() { DECODING_AHEAD } else { 0 };
            while decoding.len() > ahead {
                if let Some(page) = decoding.pop_front() {
                    items.extend(decoded(page).await?);
                }
            }
            match next {
                Some(token) => params = params.continue_token(&token),
                None => return Ok(items),
            }
        }
    }
}

/// One page's body, or the API's `Status` as `kube::Error::Api` (kube's own handling).
async fn fetch_page(
    client: &kube::Client,
    request: &kube::core::Request,
    params: &ListParams,
) -> Result<String, kube::Error> {
    let mut page = request.list(params).map_err(kube::Error::BuildRequest)?;
    page.extensions_mut().insert("list");
    client.request_text(page).await
}

/// What is read of a page before its items: the list metadata. serde skips `items` without
/// building anything.
#[derive(serde::Deserialize)]
struct PageHead {
    #[serde(default)]
    metadata: ListMeta,
}

/// A page's items, each passed through `keep`.
fn decode<T>(body: &str, keep: fn(T) -> T) -> Result<Vec<T>, serde_json::Error>
where
    T: Clone + DeserializeOwned,
{
    let page: ObjectList<T> = serde_json::from_str(body)?;
    Ok(page.items.into_iter().map(keep).collect())
}

/// The items of a page whose decoding was handed to the blocking pool.
async fn decoded<T>(
    page: tokio::task::JoinHandle<Result<Vec<T>, serde_json::Error>>,
) -> Result<Vec<T>, kube::Error> {
    match page.await {
        Ok(items) => items.map_err(kube::Error::SerdeError),
        // A decode that panicked is a bug of ours: it goes on as the panic it was.
        Err(err) => match err.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(err) => Err(kube::Error::Service(Box::new(err))),
        },
    }
}

/// The most items a `remainingItemCount` may reserve at once.
const MAX_RESERVE: usize = 1_000_000;

fn slim<K: Resource>(mut object: K) -> K {
    slim_meta(&mut object);
    object
}

/// Drops what no part of the tool reads from an object's metadata: `managedFields` and the
/// last-applied annotation. The watch source applies it to every event as well.
pub(super) fn slim_meta<K: Resource>(object: &mut K) {
    let meta = object.meta_mut();
    meta.managed_fields = None;
    if let Some(annotations) = meta.annotations.as_mut() {
        annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
    }
}

/// The HTTP status of an API error, if the server answered with one.
pub fn status_code(err: &kube::Error) -> Option<u16> {
    match err {
        kube::Error::Api(status) => Some(status.code),
        _ => None,
    }
}

/// Turns a failed request into the error the user sees.
pub fn classify(err: kube::Error, context: &RequestContext) -> SourceError {
    let server = context.server.clone();
    if let kube::Error::Api(status) = &err {
        let code = status.code;
        let message = status.message.clone();
        return if status.reason == "Unauthorized" || code == 401 {
            SourceError::Unauthorized {
                server,
                source: err,
            }
        } else if status.is_forbidden() {
            SourceError::Forbidden {
                message,
                source: err,
            }
        } else {
            SourceError::Api {
                server,
                code,
                message,
                source: err,
            }
        };
    }
    if matches!(err, kube::Error::SerdeError(_) | kube::Error::FromUtf8(_)) {
        return SourceError::MalformedResponse {
            server,
            source: err,
        };
    }
    if let Some(credentials) = credential_failure(&err, context) {
        return credentials.into_error(err);
    }
    let facts = ChainFacts::of(&err);
    if let Some(certificate) = facts.tls_certificate {
        SourceError::Tls {
            server,
            certificate,
            source: err,
        }
    } else if facts.timed_out && facts.connecting {
        SourceError::ConnectTimeout {
            server,
            // Our own connect timer is the only one that leaves tokio's `Elapsed` in the chain;
            // without it the operating system gave up.
            limit: context.connect_limit.filter(|_| facts.our_timer),
            source: err,
        }
    } else if facts.timed_out {
        SourceError::Timeout {
            server,
            limit: context.request_timeout,
            source: err,
        }
    } else if facts.refused {
        SourceError::Refused {
            server,
            source: err,
        }
    } else if facts.dropped {
        SourceError::Dropped {
            server,
            source: err,
        }
    } else if facts.connecting {
        SourceError::Unreachable {
            server,
            source: err,
        }
    } else {
        SourceError::Request {
            server,
            source: err,
        }
    }
}

/// Turns a failure to build the client (no request sent yet) into the error the user sees:
/// an exec plugin that failed, or credentials and certificates kube cannot use.
pub fn classify_setup(err: kube::Error, context: &RequestContext) -> SourceError {
    match credential_failure(&err, context) {
        Some(credentials) => credentials.into_error(err),
        None => SourceError::ClientConfig {
            server: context.server.clone(),
            source: err,
        },
    }
}

/// A failure to produce credentials: the exec plugin's, or kube's own.
enum CredentialFailure {
    Exec {
        user: String,
        command: String,
        outcome: ExecOutcome,
    },
    Config {
        server: String,
    },
}

impl CredentialFailure {
    fn into_error(self, source: kube::Error) -> SourceError {
        match self {
            CredentialFailure::Exec {
                user,
                command,
                outcome,
            } => SourceError::ExecPlugin {
                user,
                command,
                outcome,
                source,
            },
            CredentialFailure::Config { server } => SourceError::ClientConfig { server, source },
        }
    }
}

/// kube's `AuthError`, wherever it sits: `kube::Error::Auth` when the client is built (the
/// plugin runs then), inside `kube::Error::Service` when a token is refreshed for a request.
fn credential_failure(err: &kube::Error, context: &RequestContext) -> Option<CredentialFailure> {
    use kube::client::AuthError;
    let auth = find_cause::<AuthError>(err)?;
    let outcome = match auth {
        AuthError::AuthExecStart(_) => Some(ExecOutcome::NotStarted),
        AuthError::AuthExecRun { out, .. } => Some(ExecOutcome::Exited(out.status.code())),
        AuthError::AuthExecParse(_) => Some(ExecOutcome::BadOutput),
        AuthError::ExecPluginFailed
        | AuthError::AuthExec(_)
        | AuthError::AuthExecSerialize(_)
        | AuthError::MissingCommand
        | AuthError::ExecMissingClusterInfo
        | AuthError::UnrefreshableTokenResponse
        | AuthError::MalformedTokenExpirationDate(_) => Some(ExecOutcome::Failed),
        // A token file, basic auth or a bearer token kube cannot use: configuration.
        _ => None,
    };
    match (outcome, &context.exec_command) {
        (Some(outcome), Some(command)) => Some(CredentialFailure::Exec {
            user: context.user.clone().unwrap_or_default(),
            command: command.clone(),
            outcome,
        }),
        _ => Some(CredentialFailure::Config {
            server: context.server.clone(),
        }),
    }
}

/// What the chain of causes says about a failed request.
#[derive(Debug, Default, PartialEq, Eq)]
struct ChainFacts {
    /// A `rustls::Error`: `Some(true)` when it is about the server's certificate.
    tls_certificate: Option<bool>,
    /// An `io::Error` of kind `TimedOut`, tokio's `Elapsed`, or hyper's own timeout.
    timed_out: bool,
    /// tokio's `Elapsed`: the timer was ours (hyper-timeout's connect timeout).
    our_timer: bool,
    /// The failure happened while connecting (TCP or TLS handshake), not after.
    connecting: bool,
    /// `ConnectionRefused`.
    refused: bool,
    /// The peer closed or reset the connection, or the answer ended early.
    dropped: bool,
}

impl ChainFacts {
    fn of(err: &(dyn std::error::Error + 'static)) -> ChainFacts {
        use std::io::ErrorKind;
        let mut facts = ChainFacts::default();
        for cause in causes(err) {
            if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
                facts.tls_certificate = Some(matches!(
                    tls,
                    rustls::Error::InvalidCertificate(_)
                        | rustls::Error::NoCertificatesPresented
                        | rustls::Error::InvalidCertRevocationList(_)
                ));
            }
            if cause
                .downcast_ref::<tokio::time::error::Elapsed>()
                .is_some()
            {
                facts.timed_out = true;
                facts.our_timer = true;
                facts.connecting = true;
            }
            if let Some(client) = cause.downcast_ref::<hyper_util::client::legacy::Error>()
                && client.is_connect()
            {
                facts.connecting = true;
            }
            if let Some(hyper) = cause.downcast_ref::<hyper::Error>() {
                facts.timed_out |= hyper.is_timeout();
                facts.dropped |= hyper.is_incomplete_message() || hyper.is_canceled();
            }
        }
        for kind in io_kinds(err) {
            match kind {
                ErrorKind::TimedOut => facts.timed_out = true,
                ErrorKind::ConnectionRefused => facts.refused = true,
                ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::UnexpectedEof
                | ErrorKind::BrokenPipe => facts.dropped = true,
                _ => {}
            }
        }
        facts
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::time::Duration;

    use super::*;

    /// Stands in for hyper-util's client error (which has no public constructor): an error
    /// that only says where, with the cause as its source.
    #[derive(Debug, thiserror::Error)]
    #[error("client error (Connect)")]
    struct Wrapper(#[source] Box<dyn std::error::Error + Send + Sync>);

    fn context() -> RequestContext {
        RequestContext {
            server: "https://10.0.0.1:6443".to_string(),
            user: Some("dev".to_string()),
            exec_command: None,
            request_timeout: Some(Duration::from_secs(5)),
            connect_limit: Some((Duration::from_secs(30), "--connect-timeout")),
        }
    }

    /// An error wrapped the way kube wraps a connector's: `Service(Box<client error(io::Error)>)`.
    fn service(io: io::Error) -> kube::Error {
        kube::Error::Service(Box::new(Wrapper(Box::new(io))))
    }

    fn status(code: u16, reason: &str) -> kube::Error {
        kube::Error::Api(
            kube::core::Status::failure("the server says no", reason)
                .with_code(code)
                .boxed(),
        )
    }

    fn elapsed() -> tokio::time::error::Elapsed {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        runtime
            .block_on(async {
                tokio::time::timeout(Duration::ZERO, std::future::pending::<()>()).await
            })
            .expect_err("a pending future times out")
    }

    #[test]
    fn api_statuses_by_code_and_reason() {
        let ctx = context();
        assert!(matches!(
            classify(status(401, "Unauthorized"), &ctx),
            SourceError::Unauthorized { .. }
        ));
        assert!(matches!(
            classify(status(403, "Forbidden"), &ctx),
            SourceError::Forbidden { ref message, .. } if message == "the server says no"
        ));
        let err = classify(status(500, "InternalError"), &ctx);
        assert!(matches!(err, SourceError::Api { code: 500, .. }));
        assert_eq!(
            err.to_string(),
            "the server https://10.0.0.1:6443 answered 500: the server says no"
        );
    }

    #[test]
    fn io_kinds_decide_the_connection_failures() {
        let ctx = context();
        let refused = classify(service(io::ErrorKind::ConnectionRefused.into()), &ctx);
        assert!(
            matches!(refused, SourceError::Refused { .. }),
            "{refused:?}"
        );
        assert_eq!(
            refused.to_string(),
            "the server https://10.0.0.1:6443 refused the connection"
        );
        for kind in [
            io::ErrorKind::ConnectionReset,
            io::ErrorKind::UnexpectedEof,
            io::ErrorKind::ConnectionAborted,
            io::ErrorKind::BrokenPipe,
        ] {
            let dropped = classify(service(kind.into()), &ctx);
            assert!(matches!(dropped, SourceError::Dropped { .. }), "{kind:?}");
        }
        // tokio-rustls reports a peer that closes during the handshake as "tls handshake eof":
        // the word "tls" must not make it a TLS failure.
        let eof = io::Error::new(io::ErrorKind::UnexpectedEof, "tls handshake eof");
        let dropped = classify(service(eof), &ctx);
        assert!(
            matches!(dropped, SourceError::Dropped { .. }),
            "{dropped:?}"
        );
        assert_eq!(dropped.hint().map(|h| h.contains("insecure")), Some(false));
    }

    #[test]
    fn rustls_errors_are_tls_failures_whatever_their_text() {
        let ctx = context();
        let certificate =
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let err = classify(
            service(io::Error::new(io::ErrorKind::InvalidData, certificate)),
            &ctx,
        );
        assert!(
            matches!(
                err,
                SourceError::Tls {
                    certificate: true,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.detail().as_deref(),
            Some("invalid peer certificate: UnknownIssuer")
        );
        assert!(
            err.hint()
                .is_some_and(|h| h.contains("--insecure-skip-tls-verify"))
        );
        // A server that answers the handshake with something other than TLS.
        let protocol = rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType);
        let err = classify(
            service(io::Error::new(io::ErrorKind::InvalidData, protocol)),
            &ctx,
        );
        assert!(
            matches!(
                err,
                SourceError::Tls {
                    certificate: false,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.hint().is_some_and(|h| !h.contains("insecure")));
    }

    #[test]
    fn timeouts_name_the_limit_that_fired() {
        let ctx = context();
        // hyper-timeout's connect timer: io::Error(TimedOut) around tokio's Elapsed.
        let connect = io::Error::new(io::ErrorKind::TimedOut, elapsed());
        let err = classify(service(connect), &ctx);
        assert!(matches!(err, SourceError::ConnectTimeout { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "the server https://10.0.0.1:6443 did not complete the connection (TCP and TLS handshake) within 30s (--connect-timeout)"
        );
        assert!(
            err.hint()
                .is_some_and(|h| h.contains("raise --connect-timeout"))
        );
        // A read timeout: io::Error(TimedOut) alone.
        let err = classify(service(io::ErrorKind::TimedOut.into()), &ctx);
        assert_eq!(
            err.to_string(),
            "the server https://10.0.0.1:6443 did not answer within 5s (--request-timeout)"
        );
        // With --request-timeout 0 a timeout is the system's: no advice to raise the flag.
        let unlimited = RequestContext {
            request_timeout: None,
            ..context()
        };
        let err = classify(service(io::ErrorKind::TimedOut.into()), &unlimited);
        assert!(matches!(err, SourceError::Timeout { limit: None, .. }));
        assert!(err.hint().is_some_and(|h| !h.contains("--request-timeout")));
    }

    #[test]
    fn exec_plugin_failures_are_not_connection_failures() {
        let ctx = RequestContext {
            exec_command: Some("aws".to_string()),
            ..context()
        };
        let start = kube::client::AuthError::AuthExecStart(io::ErrorKind::NotFound.into());
        let err = classify_setup(kube::Error::Auth(start), &ctx);
        assert_eq!(
            err.to_string(),
            r#"the credential plugin "aws" of user "dev" could not be started"#
        );
        assert_eq!(err.detail().as_deref(), Some("entity not found"));
        // When a token is refreshed for a request the AuthError arrives boxed in Service.
        let refresh = kube::client::AuthError::ExecPluginFailed;
        let err = classify(kube::Error::Service(Box::new(refresh)), &ctx);
        assert!(
            matches!(
                err,
                SourceError::ExecPlugin {
                    outcome: ExecOutcome::Failed,
                    ..
                }
            ),
            "{err:?}"
        );
        // Without an exec plugin an AuthError is the kubeconfig's credentials.
        let token = kube::client::AuthError::ReadTokenFile(
            io::ErrorKind::NotFound.into(),
            "/no/token".into(),
        );
        let err = classify_setup(kube::Error::Auth(token), &context());
        assert!(matches!(err, SourceError::ClientConfig { .. }), "{err:?}");
    }

    #[test]
    fn malformed_bodies_and_other_failures() {
        let ctx = context();
        let serde = serde_json::from_str::<serde_json::Value>("{").expect_err("not JSON");
        assert!(matches!(
            classify(kube::Error::SerdeError(serde), &ctx),
            SourceError::MalformedResponse { .. }
        ));
        let other = classify(service(io::Error::other("something else")), &ctx);
        assert!(matches!(other, SourceError::Request { .. }), "{other:?}");
        assert_eq!(other.detail().as_deref(), Some("something else"));
    }

    /// A client whose server is `answer`: the continue token of each request (none for the
    /// first page) → status and body.
    fn mock_client(answer: fn(Option<&str>) -> (u16, String)) -> kube::Client {
        let service = tower::service_fn(move |request: http::Request<kube::client::Body>| {
            let token = request.uri().query().and_then(|query| {
                query
                    .split('&')
                    .find_map(|pair| pair.strip_prefix("continue="))
                    .map(str::to_string)
            });
            let (status, body) = answer(token.as_deref());
            async move {
                http::Response::builder()
                    .status(status)
                    .body(kube::client::Body::from(body.into_bytes()))
            }
        });
        kube::Client::new(service, "default")
    }

    #[derive(Debug, Clone, PartialEq, serde::Deserialize)]
    struct Item {
        name: String,
    }

    fn page(items: &[&str], next: Option<&str>) -> String {
        let items: Vec<String> = items
            .iter()
            .map(|name| format!(r#"{{"name":"{name}"}}"#))
            .collect();
        format!(
            r#"{{"kind":"List","apiVersion":"v1","metadata":{{"continue":"{}"}},"items":[{}]}}"#,
            next.unwrap_or(""),
            items.join(",")
        )
    }

    /// The whole list from a server answering `answer` (the client needs the runtime running:
    /// kube's request buffer is a task).
    fn list(answer: fn(Option<&str>) -> (u16, String)) -> Result<Vec<Item>, kube::Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let request = kube::core::Request::new("/api/v1/pods");
        runtime.block_on(async {
            let client = mock_client(answer);
            paged(
                &client,
                &request,
                &ListParams::default(),
                Paging::chunks(PAGE_SIZE),
                |item| item,
            )
            .await
        })
    }

    fn names(items: &[Item]) -> Vec<&str> {
        items.iter().map(|item| item.name.as_str()).collect()
    }

    #[test]
    fn pages_decoded_ahead_keep_their_order() {
        let result = list(|token| {
            let n: usize = token.map_or(0, |t| t.parse().expect("a page number"));
            let items: Vec<String> = (0..3).map(|i| format!("p{n}-{i}")).collect();
            let items: Vec<&str> = items.iter().map(String::as_str).collect();
            let next = (n < 7).then(|| (n + 1).to_string());
            (200, page(&items, next.as_deref()))
        });
        let items = result.expect("the list");
        let expected: Vec<String> = (0..8)
            .flat_map(|n| (0..3).map(move |i| format!("p{n}-{i}")))
            .collect();
        assert_eq!(names(&items), expected);
    }

    #[test]
    fn an_undecodable_page_fails_before_a_later_page_that_could_not_be_fetched() {
        // The second page is asked for while the first decodes: its failure must not hide
        // that the first page was already wrong.
        let result = list(|token| {
            match token {
            None => (
                200,
                r#"{"metadata":{"continue":"2"},"items":[{"name":5}]}"#.to_string(),
            ),
            Some(_) => (
                500,
                r#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"boom","reason":"InternalError","code":500}"#
                    .to_string(),
            ),
        }
        });
        let err = result.expect_err("the first page does not decode");
        assert!(matches!(err, kube::Error::SerdeError(_)), "{err:?}");
    }

    #[test]
    fn a_later_page_failing_is_the_error_when_the_earlier_ones_decode() {
        let result = list(|token| {
            match token {
            None => (200, page(&["a"], Some("2"))),
            Some(_) => (
                500,
                r#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"boom","reason":"InternalError","code":500}"#
                    .to_string(),
            ),
        }
        });
        let err = result.expect_err("the second page fails");
        assert!(
            matches!(&err, kube::Error::Api(status) if status.code == 500),
            "{err:?}"
        );
    }

    #[test]
    fn an_expired_token_restarts_the_list_once_with_pages_still_decoding() {
        static EXPIRED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
        let result = list(|token| {
            match token {
            None => (200, page(&["a", "b"], Some("2"))),
            Some("2") if !EXPIRED.swap(true, std::sync::atomic::Ordering::SeqCst) => (
                410,
                r#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"expired","reason":"Expired","code":410}"#
                    .to_string(),
            ),
            Some("2") => (200, page(&["c"], Some("3"))),
            Some(_) => (200, page(&["d"], None)),
        }
        });
        let items = result.expect("the list, restarted");
        assert_eq!(names(&items), ["a", "b", "c", "d"]);
    }

    #[test]
    fn a_page_that_is_not_json_is_a_decode_error() {
        let result = list(|_| (200, "<html>not an API server</html>".to_string()));
        let err = result.expect_err("not JSON");
        assert!(matches!(err, kube::Error::SerdeError(_)), "{err:?}");
    }
}
