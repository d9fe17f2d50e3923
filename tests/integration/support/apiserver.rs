//! A test Kubernetes API server: HTTPS on 127.0.0.1 with a CA of its own, bearer-token
//! authentication, and read-only GET/LIST of the resources the live source reads, answered from
//! YAML fixtures the way the real API server shapes its answers (lists, `Status` errors, label and
//! field selectors, `limit`/`continue` paging).
//!
//! Faults are injected through [`ServerOptions`]: latency before every answer, 403 for a resource
//! in a namespace, a fixed status for a path prefix, continue tokens that expire, a page cap.
//! Every request is logged (method, path, query, status, timing, headers) so tests can assert
//! what a client asked, how concurrently, and that it never wrote; accepted connections are
//! counted, so a test can also prove a client never connected at all. A path prefix can be set
//! to drop the connection instead of answering.
//!
//! The server runs on its own thread with its own tokio runtime, so plain `#[test]` functions can
//! use it; it stops when the [`ApiServer`] is dropped.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::{Map, Value, json};
use tokio::sync::oneshot;

/// The identity a token authenticates as, in 403 messages.
pub const DEFAULT_USER: &str = "system:serviceaccount:test:dnsrecords";

/// How the server behaves beyond serving its fixtures.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Every request must carry `Authorization: Bearer <token>`; anything else is 401.
    pub token: String,
    /// Slept before answering each request. Requests on different connections overlap, so N
    /// concurrent requests take about one latency, not N.
    pub latency: std::time::Duration,
    /// `(resource plural, namespace)`: GET and LIST of that resource there answer 403. `None`
    /// forbids it in every namespace. A namespaced entry also forbids the all-namespaces LIST of
    /// that resource (RBAC is additive: a cluster-wide grant would include the namespace).
    pub forbidden: Vec<(String, Option<String>)>,
    /// `(path prefix, status code)`: every request whose path starts with the prefix is answered
    /// with a `Status` of that code, after authentication. The first matching entry wins.
    ///
    /// kube's client retries 429, 503 and 504 on its own (up to 15 times, exponential backoff
    /// from 5 ms), so a permanent 503 here makes a kube client wait a long time; use 500 for a
    /// failure it reports at once, [`ServerOptions::transient_failures`] to test its retries.
    pub failures: Vec<(String, u16)>,
    /// `(path prefix, status code, times)`: like `failures`, but only the first `times` matching
    /// requests fail; later ones are served normally. Checked before `failures`.
    pub transient_failures: Vec<(String, u16, usize)>,
    /// The first continue token presented for each distinct list (resource, namespace scope,
    /// label and field selector) answers 410 Gone, reason `Expired`, as when etcd compacted the
    /// list's revision. Every later continue request for that list is served, so a client that
    /// restarts the list once (from the first page, without a token) gets all of it.
    pub expire_continue_tokens: bool,
    /// Cap on items per page, even if the client asks for more or sets no `limit` at all (the
    /// real server never pages an unlimited list; this lets tests check a client follows
    /// `continue` regardless).
    pub max_page: Option<usize>,
    /// The user named in 403 messages.
    pub user: String,
    /// Path prefixes whose requests are read and logged (status 0), then answered by closing
    /// the connection without a response: a connection dropped mid-request.
    pub drop_connections: Vec<String>,
    /// Timed changes delivered to the store and to open watches (see [`watch`]); the clock
    /// starts at the first watch request.
    pub script: Vec<watch::Step>,
    /// How often an open watch that asked for bookmarks gets one.
    pub bookmark_interval: Duration,
    /// Where `pods/{name}/portforward` forwards to; `None` answers it 404. A `forbidden` entry
    /// for `pods/portforward` answers it 403, as RBAC without `create` on it does.
    pub port_forward: Option<super::portforward::PortForward>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            token: "test-token".to_string(),
            latency: Duration::ZERO,
            forbidden: Vec::new(),
            failures: Vec::new(),
            transient_failures: Vec::new(),
            expire_continue_tokens: false,
            max_page: None,
            user: DEFAULT_USER.to_string(),
            drop_connections: Vec::new(),
            script: Vec::new(),
            bookmark_interval: Duration::from_secs(1),
            port_forward: None,
        }
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, still percent-encoded as sent.
    pub path: String,
    /// The raw query string without `?` (empty if none), still encoded as sent.
    pub query: String,
    /// The status code answered; 0 when the connection was dropped instead.
    pub status: u16,
    /// When the request arrived (before the injected latency).
    pub started: std::time::Instant,
    /// When the answer was ready.
    pub finished: std::time::Instant,
    /// `HTTP/1.1`, …
    pub http_version: String,
    /// The request headers, names lower-case, in the order sent.
    pub headers: Vec<(String, String)>,
}

impl LoggedRequest {
    /// The first value of a request header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// A decoded query parameter (`+` and `%XX` decoded), if present.
    pub fn param(&self, name: &str) -> Option<String> {
        parse_query(&self.query)
            .into_iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }
}

/// A running test API server. Serves until dropped.
pub struct ApiServer {
    addr: SocketAddr,
    ca_pem: String,
    token: String,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ApiServer {
    /// Loads the fixtures (YAML files: multi-document and/or `kind: List`), binds 127.0.0.1 on a
    /// free port and serves HTTPS on a thread of its own.
    ///
    /// Panics if a fixture cannot be read or parsed, or the socket cannot be bound: those are
    /// mistakes in the test, not behaviour under test.
    pub fn start(fixtures: &[&std::path::Path], options: ServerOptions) -> ApiServer {
        let store = Store::load(fixtures);
        let tls = TlsMaterial::generate();
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("bind the test API server socket");
        listener
            .set_nonblocking(true)
            .expect("make the test API server socket non-blocking");
        let addr = listener
            .local_addr()
            .expect("read the test API server's address");

        let transient = options
            .transient_failures
            .iter()
            .map(|(_, _, times)| *times)
            .collect();
        let token = options.token.clone();
        let watch = watch::Hub::new(options.script.clone());
        let shared = Arc::new(Shared {
            store: Arc::new(Mutex::new(store)),
            watch,
            options,
            addr,
            log: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
            expired_lists: Mutex::new(HashSet::new()),
            transient_left: Mutex::new(transient),
        });
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls.server_config()));
        let (shutdown, stop) = oneshot::channel();
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("test-apiserver-{}", addr.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("build the test API server's runtime");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)
                        .expect("register the test API server socket with tokio");
                    serve(listener, acceptor, thread_shared, stop).await;
                });
                runtime.shutdown_timeout(Duration::from_secs(1));
            })
            .expect("spawn the test API server thread");

        ApiServer {
            addr,
            ca_pem: tls.ca_pem,
            token,
            shared,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The CA certificate that signed the server's certificate, PEM.
    pub fn ca_pem(&self) -> String {
        self.ca_pem.clone()
    }

    /// Writes a kubeconfig to `dir/name` and returns its path: cluster `test` (the server, with
    /// `certificate-authority-data`), user `test` (the bearer token), and one context `test`
    /// (with `namespace` if given) as current-context.
    pub fn write_kubeconfig(
        &self,
        dir: &std::path::Path,
        name: &str,
        namespace: Option<&str>,
    ) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, self.kubeconfig_yaml(namespace)).expect("write the kubeconfig");
        path
    }

    /// Like [`ApiServer::write_kubeconfig`], with user `test`'s credentials replaced by `user`:
    /// YAML indented by four spaces, as it goes under `user:` (e.g. an `exec:` block).
    pub fn write_kubeconfig_with_user(
        &self,
        dir: &std::path::Path,
        name: &str,
        user: &str,
    ) -> std::path::PathBuf {
        let token_line = format!("    token: {}\n", yaml_string(&self.token));
        let text = self.kubeconfig_yaml(None).replace(&token_line, user);
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write the kubeconfig");
        path
    }

    /// The kubeconfig [`ApiServer::write_kubeconfig`] writes, as text.
    pub fn kubeconfig_yaml(&self, namespace: Option<&str>) -> String {
        let namespace = namespace
            .map(|ns| format!("\n    namespace: {}", yaml_string(ns)))
            .unwrap_or_default();
        format!(
            "apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: {server}
    certificate-authority-data: {ca}
users:
- name: test
  user:
    token: {token}
contexts:
- name: test
  context:
    cluster: test
    user: test{namespace}
current-context: test
preferences: {{}}
",
            server = yaml_string(&self.url()),
            ca = base64_encode(self.ca_pem.as_bytes()),
            token = yaml_string(&self.token),
        )
    }

    /// Every request so far, in order of arrival.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        let mut log = lock(&self.shared.log).clone();
        log.sort_by_key(|request| request.started);
        log
    }

    /// How many TCP connections were accepted so far, TLS or not, whether or not a request
    /// followed: zero proves a client never even tried.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// When each step of [`ServerOptions::script`] was applied, in script order (`None`: not yet).
    pub fn script_applied(&self) -> Vec<Option<Instant>> {
        self.shared.watch.applied()
    }

    /// Forgets the requests logged so far.
    pub fn clear_log(&self) {
        lock(&self.shared.log).clear();
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// State the connection tasks share with the [`ApiServer`] handle.
struct Shared {
    /// Shared with the watch script, which changes it.
    store: Arc<Mutex<Store>>,
    /// Open watches, the event history and the script.
    watch: watch::Hub,
    options: ServerOptions,
    addr: SocketAddr,
    log: Mutex<Vec<LoggedRequest>>,
    /// TCP connections accepted.
    connections: AtomicUsize,
    /// Lists whose one expiry has happened.
    expired_lists: Mutex<HashSet<String>>,
    /// Remaining failures per entry of `options.transient_failures`.
    transient_left: Mutex<Vec<usize>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

// ---------------------------------------------------------------------------------------------
// TLS

struct TlsMaterial {
    ca_pem: String,
    leaf_der: CertificateDer<'static>,
    key_der: Vec<u8>,
}

impl TlsMaterial {
    /// A CA and a leaf it signed for 127.0.0.1 and localhost (rustls/webpki refuse a self-signed
    /// leaf that is its own trust anchor).
    fn generate() -> TlsMaterial {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let mut ca_name = DistinguishedName::new();
        ca_name.push(DnType::CommonName, "dnsrecords-test-ca");
        ca_params.distinguished_name = ca_name;
        let ca_key = KeyPair::generate().expect("generate the CA key");
        let ca = CertifiedIssuer::self_signed(ca_params, ca_key).expect("self-sign the CA");

        let mut leaf_params =
            CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
                .expect("server certificate parameters");
        let mut leaf_name = DistinguishedName::new();
        leaf_name.push(DnType::CommonName, "kube-apiserver");
        leaf_params.distinguished_name = leaf_name;
        leaf_params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        leaf_params.use_authority_key_identifier_extension = true;
        let leaf_key = KeyPair::generate().expect("generate the server key");
        let leaf = leaf_params
            .signed_by(&leaf_key, &ca)
            .expect("sign the server certificate");

        TlsMaterial {
            ca_pem: ca.pem(),
            leaf_der: leaf.der().clone(),
            key_der: leaf_key.serialize_der(),
        }
    }

    fn server_config(&self) -> rustls::ServerConfig {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()));
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS protocol versions")
            .with_no_client_auth()
            .with_single_cert(vec![self.leaf_der.clone()], key)
            .expect("TLS server certificate");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        config
    }
}

// ---------------------------------------------------------------------------------------------
// Serving

async fn serve(
    listener: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    shared: Arc<Shared>,
    mut stop: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => {
                let Ok((tcp, _)) = accepted else {
                    // Out of file descriptors or similar: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                shared.connections.fetch_add(1, Ordering::SeqCst);
                // As a real API server's sockets (Go sets TCP_NODELAY on every TCP connection):
                // with Nagle's algorithm, a response's last segment waits for the client's
                // delayed ACK, and one page in ten took 40 ms more than it should.
                let _ = tcp.set_nodelay(true);
                let acceptor = acceptor.clone();
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = hyper::service::service_fn(move |request| {
                        let shared = Arc::clone(&shared);
                        // An error makes hyper close the connection without answering.
                        async move {
                            handle(&shared, request)
                                .await
                                .ok_or(DroppedConnection)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                        // pods/portforward hands the connection over to a websocket.
                        .with_upgrades()
                        .await;
                });
            }
        }
    }
}

/// The answer to a request listed in [`ServerOptions::drop_connections`]: none.
#[derive(Debug)]
struct DroppedConnection;

impl std::fmt::Display for DroppedConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for DroppedConnection {}

/// A response body: whole JSON documents for GET and LIST, a stream of events for watches.
pub type Body = BoxBody<Bytes, std::convert::Infallible>;

/// A body that is one complete buffer.
pub fn full_body(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
}

/// Answers one request, or `None` to drop its connection.
async fn handle(shared: &Shared, request: Request<Incoming>) -> Option<Response<Body>> {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let http_version = format!("{:?}", request.version());
    // A port-forward upgrades the connection: it needs the request itself, not only its parts.
    if let Some(target) = super::portforward::requested(&method, &path) {
        let (status, response) = port_forward(shared, request, &target, &query, &headers);
        lock(&shared.log).push(LoggedRequest {
            method: method.to_string(),
            path,
            query,
            status,
            started,
            finished: Instant::now(),
            http_version,
            headers,
        });
        return Some(response);
    }
    drop(request);

    if !shared.options.latency.is_zero() {
        tokio::time::sleep(shared.options.latency).await;
    }
    if shared
        .options
        .drop_connections
        .iter()
        .any(|prefix| path.starts_with(prefix.as_str()))
    {
        lock(&shared.log).push(LoggedRequest {
            method: method.to_string(),
            path,
            query,
            status: 0,
            started,
            finished: Instant::now(),
            http_version,
            headers,
        });
        return None;
    }

    let authorization = headers
        .iter()
        .find(|(name, _)| name == "authorization")
        .map(|(_, value)| value.as_str());
    // A watch is authenticated, authorized and failure-injected as the same request without
    // `watch` (a list) would be; then it streams.
    let watching = watch::is_watch(&query);
    let answered = if watching {
        answer(
            shared,
            &method,
            &path,
            &watch::list_query(&query),
            authorization,
        )
    } else {
        answer(shared, &method, &path, &query, authorization)
    };
    if watching && answered.is_ok() {
        let response = watch::respond(shared, &path, &query);
        lock(&shared.log).push(LoggedRequest {
            method: method.to_string(),
            path,
            query,
            status: 200,
            started,
            finished: Instant::now(),
            http_version,
            headers,
        });
        return Some(response);
    }
    let (status, body) = match answered {
        Ok(body) => (200, body),
        Err(err) => (
            err.code,
            serde_json::to_vec(&err.to_status()).unwrap_or_default(),
        ),
    };

    let mut response = Response::new(full_body(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response.headers_mut().insert(
        hyper::header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );

    lock(&shared.log).push(LoggedRequest {
        method: method.to_string(),
        path,
        query,
        status,
        started,
        finished: Instant::now(),
        http_version,
        headers,
    });
    Some(response)
}

/// `pods/{name}/portforward`: authentication, RBAC, the pod's existence, then the upgrade.
fn port_forward(
    shared: &Shared,
    request: Request<Incoming>,
    target: &super::portforward::Requested,
    query: &str,
    headers: &[(String, String)],
) -> (u16, Response<Body>) {
    let options = &shared.options;
    let refuse = |err: ApiError| (err.code, status_response(&err));
    let expected = format!("Bearer {}", options.token);
    let authorization = headers
        .iter()
        .find(|(name, _)| name == "authorization")
        .map(|(_, value)| value.as_str());
    if authorization != Some(expected.as_str()) {
        return refuse(ApiError::new(
            401,
            "Unauthorized",
            "Unauthorized".to_string(),
        ));
    }
    let denied = options.forbidden.iter().any(|(plural, ns)| {
        plural == "pods/portforward" && ns.as_ref().is_none_or(|ns| *ns == target.namespace)
    });
    if denied {
        return refuse(ApiError::new(
            403,
            "Forbidden",
            format!(
                "pods \"{}\" is forbidden: User \"{}\" cannot create resource \"pods/portforward\" in API group \"\" in the namespace \"{}\"",
                target.pod, options.user, target.namespace
            ),
        )
        .with_details(json!({"name": target.pod, "kind": "pods"})));
    }
    let pods = RESOURCES.iter().find(|r| r.plural == "pods");
    let exists = pods.is_some_and(|pods| {
        lock(&shared.store)
            .get(pods, &target.namespace, &target.pod)
            .is_some()
    });
    let Some(forward) = options.port_forward.as_ref().filter(|_| exists) else {
        return refuse(
            ApiError::new(
                404,
                "NotFound",
                format!("pods \"{}\" not found", target.pod),
            )
            .with_details(json!({"name": target.pod, "kind": "pods"})),
        );
    };
    let ports = parse_query(query)
        .into_iter()
        .find(|(key, _)| key == "ports")
        .map(|(_, value)| value)
        .unwrap_or_default();
    match super::portforward::accept(request, &ports, forward) {
        Ok(response) => (101, response),
        Err(message) => refuse(ApiError::bad_request(message)),
    }
}

/// A `Status` body with its code.
fn status_response(err: &ApiError) -> Response<Body> {
    let body = serde_json::to_vec(&err.to_status()).unwrap_or_default();
    let mut response = Response::new(full_body(body));
    *response.status_mut() =
        StatusCode::from_u16(err.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Authentication, fault injection and routing; `Ok` is a 200 body.
fn answer(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: &str,
    authorization: Option<&str>,
) -> Result<Vec<u8>, ApiError> {
    let options = &shared.options;
    let expected = format!("Bearer {}", options.token);
    if authorization != Some(expected.as_str()) {
        return Err(ApiError::new(
            401,
            "Unauthorized",
            "Unauthorized".to_string(),
        ));
    }
    if method != Method::GET {
        return Err(ApiError::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource".to_string(),
        )
        .with_details(json!({})));
    }
    {
        let mut left = lock(&shared.transient_left);
        for (index, (prefix, code, _)) in options.transient_failures.iter().enumerate() {
            if path.starts_with(prefix.as_str())
                && let Some(remaining) = left.get_mut(index)
                && *remaining > 0
            {
                *remaining -= 1;
                return Err(ApiError::injected(*code, path));
            }
        }
    }
    if let Some((_, code)) = options
        .failures
        .iter()
        .find(|(prefix, _)| path.starts_with(prefix.as_str()))
    {
        return Err(ApiError::injected(*code, path));
    }
    route(shared, path, &parse_query(query))
}

#[path = "watch.rs"]
pub mod watch;

/// The 200 body of a request: a list page is written straight from the stored objects (the
/// benchmark's download floor is this server's speed, so a page is not built as a `Value` copy
/// first); everything else is a `Value`.
fn route(shared: &Shared, path: &str, query: &[(String, String)]) -> Result<Vec<u8>, ApiError> {
    let body = |value: Result<Value, ApiError>| {
        value.map(|value| serde_json::to_vec(&value).unwrap_or_default())
    };
    let segments: Vec<String> = path
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(percent_decode)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let (group, version, rest) = match segments.as_slice() {
        ["version"] => return body(Ok(version_info())),
        ["api"] => return body(Ok(api_versions(shared.addr))),
        ["apis"] => return body(Ok(api_group_list())),
        ["apis", group] => {
            return body(api_group(group).ok_or_else(ApiError::no_such_resource));
        }
        ["api", "v1", rest @ ..] => ("", "v1", rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return Err(ApiError::no_such_resource()),
    };
    let resource = |plural: &str| {
        RESOURCES
            .iter()
            .find(|r| r.plural == plural && r.group == group && r.version == version)
            .ok_or_else(ApiError::no_such_resource)
    };
    match rest {
        [] => body(resource_list(group, version).ok_or_else(ApiError::no_such_resource)),
        [plural] => {
            let resource = resource(plural)?;
            list(shared, resource, None, query)
        }
        [plural, name] => {
            let resource = resource(plural)?;
            if resource.namespaced {
                return Err(ApiError::no_such_resource());
            }
            body(get(shared, resource, None, name))
        }
        ["namespaces", namespace, plural] => {
            let resource = resource(plural)?;
            if !resource.namespaced {
                return Err(ApiError::no_such_resource());
            }
            list(shared, resource, Some(namespace), query)
        }
        ["namespaces", namespace, plural, name] => {
            let resource = resource(plural)?;
            if !resource.namespaced {
                return Err(ApiError::no_such_resource());
            }
            body(get(shared, resource, Some(namespace), name))
        }
        _ => Err(ApiError::no_such_resource()),
    }
}

fn get(
    shared: &Shared,
    resource: &Resource,
    namespace: Option<&str>,
    name: &str,
) -> Result<Value, ApiError> {
    // A Namespace is authorized as an object in itself.
    let scope = namespace.or((resource.plural == "namespaces").then_some(name));
    shared.check_allowed(resource, "get", scope, Some(name))?;
    lock(&shared.store)
        .get(resource, namespace.unwrap_or_default(), name)
        .cloned()
        .ok_or_else(|| {
            ApiError::new(
                404,
                "NotFound",
                format!("{} \"{name}\" not found", resource.qualified()),
            )
            .with_details(resource.details(Some(name)))
        })
}

fn list(
    shared: &Shared,
    resource: &Resource,
    namespace: Option<&str>,
    query: &[(String, String)],
) -> Result<Vec<u8>, ApiError> {
    shared.check_allowed(resource, "list", namespace, None)?;
    let param = |name: &str| {
        query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .unwrap_or_default()
    };
    let label_text = param("labelSelector");
    let field_text = param("fieldSelector");
    let labels = parse_label_selector(label_text).map_err(|message| {
        ApiError::bad_request(format!("unable to parse requirement: {message}"))
    })?;
    let fields = parse_field_selector(field_text).map_err(ApiError::bad_request)?;

    let store = lock(&shared.store);
    let matches = |((ns, _), object): &(&(String, String), &Value)| {
        namespace.is_none_or(|wanted| ns == wanted)
            && labels.iter().all(|req| req.matches(object_labels(object)))
            && fields.iter().all(|req| req.matches(resource, object))
    };

    let limit_text = param("limit");
    let limit = if limit_text.is_empty() {
        None
    } else {
        match limit_text.parse::<i64>() {
            Ok(n) if n > 0 => usize::try_from(n).ok(),
            Ok(_) => None,
            Err(_) => {
                return Err(ApiError::bad_request(format!(
                    "invalid value for limit: {limit_text:?}"
                )));
            }
        }
    };
    let limit = match (limit, shared.options.max_page) {
        (Some(asked), Some(cap)) => Some(asked.min(cap.max(1))),
        (asked, cap) => asked.or(cap.map(|c| c.max(1))),
    };

    let list_key = format!(
        "{}/{}/{}?labelSelector={label_text}&fieldSelector={field_text}",
        resource.api_version(),
        resource.plural,
        namespace.unwrap_or("*"),
    );
    let rv = store.resource_version;
    let continue_text = param("continue");
    let (start, after) = if continue_text.is_empty() {
        (0, None)
    } else {
        let token = ContinueToken::decode(continue_text).ok_or_else(|| {
            ApiError::bad_request(
                "continue key is not valid: illegal base64 data or malformed token".to_string(),
            )
        })?;
        if token.list != list_key {
            return Err(ApiError::bad_request(format!(
                "continue key is not valid: the token belongs to another list ({})",
                token.list
            )));
        }
        if shared.options.expire_continue_tokens
            && lock(&shared.expired_lists).insert(list_key.clone())
        {
            return Err(ApiError::new(
                410,
                "Expired",
                "The provided continue parameter is too old to display a consistent list result. \
                 You can start a new list without the continue parameter."
                    .to_string(),
            ));
        }
        (token.start, Some(token.after))
    };

    // As etcd does, a page starts after the last key of the one before: each page costs its
    // own size, not a scan of the whole list (the benchmark lists 100,000 Pods in 200 pages).
    let mut rest = store
        .objects_after(resource, after.as_ref())
        .filter(matches);
    let items: Vec<(&(String, String), &Value)> = match limit {
        Some(limit) => rest.by_ref().take(limit).collect(),
        None => rest.by_ref().collect(),
    };
    let end = start + items.len();
    let mut metadata = Map::new();
    metadata.insert("resourceVersion".to_string(), json!(rv.to_string()));
    if rest.next().is_some()
        && let Some((last, _)) = items.last()
    {
        // The real server counts the rest only when no selector filters the list.
        if label_text.is_empty() && field_text.is_empty() {
            let remaining = match namespace {
                None => store.count(resource) - end,
                Some(_) => 1 + rest.count(),
            };
            metadata.insert("remainingItemCount".to_string(), json!(remaining));
        }
        let token = ContinueToken {
            rv,
            start: end,
            after: (*last).clone(),
            list: list_key,
        };
        metadata.insert("continue".to_string(), json!(token.encode()));
    }
    // The envelope, then each object serialized in place: no copy of the page as a `Value`.
    let envelope = json!({
        "apiVersion": resource.api_version(),
        "kind": format!("{}List", resource.kind),
        "metadata": metadata,
    });
    let mut body = serde_json::to_vec(&envelope).unwrap_or_default();
    body.pop(); // the envelope's closing brace
    body.extend_from_slice(br#","items":["#);
    for (index, (_, object)) in items.iter().enumerate() {
        if index > 0 {
            body.push(b',');
        }
        serde_json::to_writer(&mut body, object).unwrap_or_default();
    }
    body.extend_from_slice(b"]}");
    Ok(body)
}

impl Shared {
    /// 403 if `options.forbidden` covers this request. `namespace` is `None` for a cluster-wide
    /// request (LIST across namespaces, or of a cluster-scoped resource).
    fn check_allowed(
        &self,
        resource: &Resource,
        verb: &str,
        namespace: Option<&str>,
        name: Option<&str>,
    ) -> Result<(), ApiError> {
        let forbidden = self.options.forbidden.iter().any(|(plural, ns)| {
            plural == resource.plural
                && match (ns, namespace) {
                    (None, _) | (Some(_), None) => true,
                    (Some(denied), Some(asked)) => denied == asked,
                }
        });
        if !forbidden {
            return Ok(());
        }
        let object = name.map(|name| format!(" \"{name}\"")).unwrap_or_default();
        let scope = match namespace {
            Some(ns) => format!("in the namespace \"{ns}\""),
            None => "at the cluster scope".to_string(),
        };
        Err(ApiError::new(
            403,
            "Forbidden",
            format!(
                "{}{object} is forbidden: User \"{}\" cannot {verb} resource \"{}\" in API group \"{}\" {scope}",
                resource.qualified(),
                self.options.user,
                resource.plural,
                resource.group,
            ),
        )
        .with_details(resource.details(name)))
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

/// A failed request, answered as a `Status`.
#[derive(Debug)]
struct ApiError {
    code: u16,
    reason: &'static str,
    message: String,
    details: Option<Value>,
}

impl ApiError {
    fn new(code: u16, reason: &'static str, message: String) -> ApiError {
        ApiError {
            code,
            reason,
            message,
            details: None,
        }
    }

    fn with_details(mut self, details: Value) -> ApiError {
        self.details = Some(details);
        self
    }

    fn bad_request(message: String) -> ApiError {
        ApiError::new(400, "BadRequest", message)
    }

    /// What the real server answers for a path it has no handler for.
    fn no_such_resource() -> ApiError {
        ApiError::new(
            404,
            "NotFound",
            "the server could not find the requested resource".to_string(),
        )
        .with_details(json!({}))
    }

    /// A failure injected by `ServerOptions::failures`, worded as the real server words it.
    fn injected(code: u16, path: &str) -> ApiError {
        let (reason, message) = match code {
            400 => ("BadRequest", format!("bad request (injected for {path})")),
            401 => ("Unauthorized", "Unauthorized".to_string()),
            403 => ("Forbidden", format!("forbidden (injected for {path})")),
            404 => (
                "NotFound",
                "the server could not find the requested resource".to_string(),
            ),
            409 => ("Conflict", format!("conflict (injected for {path})")),
            410 => ("Expired", format!("too old resource version (injected for {path})")),
            429 => (
                "TooManyRequests",
                "Too many requests, please try again later.".to_string(),
            ),
            500 => (
                "InternalError",
                format!("Internal error occurred: injected failure for {path}"),
            ),
            503 => (
                "ServiceUnavailable",
                "the server is currently unable to handle the request".to_string(),
            ),
            504 => (
                "Timeout",
                "the server was unable to return a response in the time allotted, but may still be processing the request".to_string(),
            ),
            _ => ("", format!("injected failure {code} for {path}")),
        };
        ApiError::new(code, reason, message)
    }

    fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        });
        if let (Some(details), Some(map)) = (&self.details, status.as_object_mut()) {
            map.insert("details".to_string(), details.clone());
        }
        if let Some(map) = status.as_object_mut() {
            map.insert("code".to_string(), json!(self.code));
        }
        status
    }
}

// ---------------------------------------------------------------------------------------------
// Resources and fixtures

/// A resource the server serves.
#[derive(Debug)]
struct Resource {
    plural: &'static str,
    singular: &'static str,
    /// kubectl resolves `svc`, `sts`, … through these in discovery.
    short_names: &'static [&'static str],
    kind: &'static str,
    group: &'static str,
    version: &'static str,
    namespaced: bool,
    /// Field selectors the real server accepts beyond metadata.name and metadata.namespace.
    fields: &'static [&'static str],
}

const RESOURCES: &[Resource] = &[
    Resource {
        plural: "configmaps",
        short_names: &["cm"],
        singular: "configmap",
        kind: "ConfigMap",
        group: "",
        version: "v1",
        namespaced: true,
        fields: &[],
    },
    Resource {
        plural: "namespaces",
        short_names: &["ns"],
        singular: "namespace",
        kind: "Namespace",
        group: "",
        version: "v1",
        namespaced: false,
        fields: &["status.phase"],
    },
    Resource {
        plural: "pods",
        short_names: &["po"],
        singular: "pod",
        kind: "Pod",
        group: "",
        version: "v1",
        namespaced: true,
        fields: &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
    },
    Resource {
        plural: "services",
        short_names: &["svc"],
        singular: "service",
        kind: "Service",
        group: "",
        version: "v1",
        namespaced: true,
        fields: &["spec.clusterIP", "spec.type"],
    },
    Resource {
        plural: "statefulsets",
        short_names: &["sts"],
        singular: "statefulset",
        kind: "StatefulSet",
        group: "apps",
        version: "v1",
        namespaced: true,
        fields: &[],
    },
    Resource {
        plural: "deployments",
        short_names: &["deploy"],
        singular: "deployment",
        kind: "Deployment",
        group: "apps",
        version: "v1",
        namespaced: true,
        fields: &[],
    },
    Resource {
        plural: "networkpolicies",
        short_names: &["netpol"],
        singular: "networkpolicy",
        kind: "NetworkPolicy",
        group: "networking.k8s.io",
        version: "v1",
        namespaced: true,
        fields: &[],
    },
    Resource {
        plural: "endpointslices",
        short_names: &[],
        singular: "endpointslice",
        kind: "EndpointSlice",
        group: "discovery.k8s.io",
        version: "v1",
        namespaced: true,
        fields: &[],
    },
];

impl Resource {
    fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `services`, `statefulsets.apps`: how the real server names a resource in messages.
    fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    fn details(&self, name: Option<&str>) -> Value {
        let mut details = Map::new();
        if let Some(name) = name {
            details.insert("name".to_string(), json!(name));
        }
        if !self.group.is_empty() {
            details.insert("group".to_string(), json!(self.group));
        }
        details.insert("kind".to_string(), json!(self.plural));
        Value::Object(details)
    }

    fn for_object(object: &Value) -> Option<&'static Resource> {
        let kind = object.get("kind")?.as_str()?;
        let api_version = object.get("apiVersion").and_then(Value::as_str);
        RESOURCES.iter().find(|resource| {
            resource.kind == kind
                && api_version.is_none_or(|api_version| api_version == resource.api_version())
        })
    }
}

/// The fixtures, by resource plural, then (namespace, name); cluster-scoped objects have
/// namespace "".
struct Store {
    objects: BTreeMap<&'static str, BTreeMap<(String, String), Value>>,
    resource_version: u64,
}

impl Store {
    fn load(fixtures: &[&Path]) -> Store {
        let mut documents = Vec::new();
        for path in fixtures {
            let text = std::fs::read_to_string(path)
                .unwrap_or_else(|err| panic!("read fixture {}: {err}", path.display()));
            // Large generated fixtures (the benchmark's) are JSON: parsed as such, they are not
            // held to the YAML parser's node budget.
            let parsed: Vec<Value> = if path.extension().is_some_and(|e| e == "json") {
                vec![
                    serde_json::from_str(&text)
                        .unwrap_or_else(|err| panic!("parse fixture {}: {err}", path.display())),
                ]
            } else {
                serde_saphyr::from_multiple(&text)
                    .unwrap_or_else(|err| panic!("parse fixture {}: {err}", path.display()))
            };
            for document in parsed {
                let is_list = document
                    .get("kind")
                    .and_then(Value::as_str)
                    .is_some_and(|kind| kind == "List" || kind.ends_with("List"));
                match (is_list, document.get("items")) {
                    (true, Some(Value::Array(items))) => documents.extend(items.iter().cloned()),
                    _ => documents.push(document),
                }
            }
        }

        let mut store = Store {
            objects: BTreeMap::new(),
            resource_version: 0,
        };
        let mut next_rv: u64 = 1000;
        let mut namespaces: BTreeSet<String> = BTreeSet::from(["default".to_string()]);
        for mut object in documents {
            // Kinds the server does not serve (Deployments, …) are skipped, so example
            // manifests can be loaded whole.
            let Some(resource) = Resource::for_object(&object) else {
                continue;
            };
            if let Some(namespace) = store.normalize(resource, &mut object, &mut next_rv) {
                namespaces.insert(namespace);
            }
        }
        for namespace in namespaces {
            let key = (String::new(), namespace.clone());
            let existing = store
                .objects
                .get("namespaces")
                .is_some_and(|map| map.contains_key(&key));
            if !existing {
                let mut object = json!({
                    "apiVersion": "v1",
                    "kind": "Namespace",
                    "metadata": {
                        "name": namespace,
                        "labels": {"kubernetes.io/metadata.name": namespace},
                    },
                    "spec": {"finalizers": ["kubernetes"]},
                    "status": {"phase": "Active"},
                });
                if let Some(resource) = Resource::for_object(&object) {
                    store.normalize(resource, &mut object, &mut next_rv);
                }
            }
        }
        store.resource_version = store.resource_version.max(next_rv);
        store
    }

    /// Completes an object (apiVersion, kind, namespace, resourceVersion) and files it; returns
    /// its namespace if namespaced. Objects without a name are skipped.
    fn normalize(
        &mut self,
        resource: &'static Resource,
        object: &mut Value,
        next_rv: &mut u64,
    ) -> Option<String> {
        let map = object.as_object_mut()?;
        map.insert("apiVersion".to_string(), json!(resource.api_version()));
        map.insert("kind".to_string(), json!(resource.kind));
        let metadata = map
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()?;
        let name = metadata.get("name")?.as_str()?.to_string();
        let namespace = if resource.namespaced {
            let namespace = metadata
                .get("namespace")
                .and_then(Value::as_str)
                .filter(|ns| !ns.is_empty())
                .unwrap_or("default")
                .to_string();
            metadata.insert("namespace".to_string(), json!(namespace));
            namespace
        } else {
            metadata.remove("namespace");
            String::new()
        };
        let rv = metadata
            .get("resourceVersion")
            .and_then(Value::as_str)
            .and_then(|rv| rv.parse::<u64>().ok());
        match rv {
            Some(rv) => self.resource_version = self.resource_version.max(rv),
            None => {
                *next_rv += 1;
                metadata.insert("resourceVersion".to_string(), json!(next_rv.to_string()));
            }
        }
        self.objects
            .entry(resource.plural)
            .or_default()
            .insert((namespace.clone(), name), object.clone());
        resource.namespaced.then_some(namespace)
    }

    fn get(&self, resource: &Resource, namespace: &str, name: &str) -> Option<&Value> {
        self.objects
            .get(resource.plural)?
            .get(&(namespace.to_string(), name.to_string()))
    }

    /// The objects of `resource` after `after` in (namespace, name) order; all without it.
    fn objects_after(
        &self,
        resource: &Resource,
        after: Option<&(String, String)>,
    ) -> impl Iterator<Item = (&(String, String), &Value)> {
        use std::ops::Bound;
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        self.objects
            .get(resource.plural)
            .into_iter()
            .flat_map(move |map| map.range((start, Bound::Unbounded)))
    }

    /// How many objects of `resource` there are.
    fn count(&self, resource: &Resource) -> usize {
        self.objects.get(resource.plural).map_or(0, BTreeMap::len)
    }
}

fn object_labels(object: &Value) -> Option<&Map<String, Value>> {
    object.get("metadata")?.get("labels")?.as_object()
}

// ---------------------------------------------------------------------------------------------
// Discovery

fn version_info() -> Value {
    json!({
        "major": "1",
        "minor": "33",
        "emulationMajor": "1",
        "emulationMinor": "33",
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": "32",
        "gitVersion": "v1.33.0",
        "gitCommit": "60a317eadfcb839692a68eab88b2096f4d708f4f",
        "gitTreeState": "clean",
        "buildDate": "2025-04-23T13:04:19Z",
        "goVersion": "go1.24.2",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

fn api_versions(addr: SocketAddr) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": addr.to_string()}],
    })
}

fn groups() -> BTreeSet<(&'static str, &'static str)> {
    RESOURCES
        .iter()
        .filter(|r| !r.group.is_empty())
        .map(|r| (r.group, r.version))
        .collect()
}

fn group_json(group: &str, version: &str) -> Value {
    let group_version = json!({"groupVersion": format!("{group}/{version}"), "version": version});
    json!({
        "name": group,
        "versions": [group_version.clone()],
        "preferredVersion": group_version,
    })
}

fn api_group_list() -> Value {
    let groups: Vec<Value> = groups()
        .into_iter()
        .map(|(group, version)| group_json(group, version))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

fn api_group(name: &str) -> Option<Value> {
    let (group, version) = groups().into_iter().find(|(group, _)| *group == name)?;
    let mut value = group_json(group, version);
    let map = value.as_object_mut()?;
    map.insert("kind".to_string(), json!("APIGroup"));
    map.insert("apiVersion".to_string(), json!("v1"));
    Some(value)
}

fn resource_list(group: &str, version: &str) -> Option<Value> {
    let resources: Vec<Value> = RESOURCES
        .iter()
        .filter(|r| r.group == group && r.version == version)
        .map(|r| {
            json!({
                "name": r.plural,
                "singularName": r.singular,
                "namespaced": r.namespaced,
                "kind": r.kind,
                "verbs": ["get", "list"],
                "shortNames": r.short_names,
            })
        })
        .collect();
    if resources.is_empty() {
        return None;
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }))
}

// ---------------------------------------------------------------------------------------------
// Paging

/// What a continue token encodes: where the next page starts and which list it belongs to.
/// Encoded like the real server's: base64 of a small JSON object.
struct ContinueToken {
    rv: u64,
    /// How many items the pages before held (for `remainingItemCount`).
    start: usize,
    /// The (namespace, name) of the last item served: the next page starts after it.
    after: (String, String),
    list: String,
}

impl ContinueToken {
    fn encode(&self) -> String {
        let json = json!({
            "v": "meta.k8s.io/v1",
            "rv": self.rv,
            "start": self.start,
            "after": [self.after.0, self.after.1],
            "list": self.list,
        });
        base64_encode(json.to_string().as_bytes())
    }

    fn decode(text: &str) -> Option<ContinueToken> {
        let bytes = base64_decode(text)?;
        let json: Value = serde_json::from_slice(&bytes).ok()?;
        if json.get("v")?.as_str()? != "meta.k8s.io/v1" {
            return None;
        }
        Some(ContinueToken {
            rv: json.get("rv")?.as_u64()?,
            start: usize::try_from(json.get("start")?.as_u64()?).ok()?,
            after: (
                json.get("after")?.get(0)?.as_str()?.to_string(),
                json.get("after")?.get(1)?.as_str()?.to_string(),
            ),
            list: json.get("list")?.as_str()?.to_string(),
        })
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(BASE64[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for byte in text.bytes() {
        let value = BASE64.iter().position(|&c| c == byte)?;
        acc = (acc << 6) | u32::try_from(value).ok()?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// Query strings and selectors

/// `a=1&b=x+y` → pairs, `+` and `%XX` decoded.
fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(key), form_decode(value))
        })
        .collect()
}

fn form_decode(text: &str) -> String {
    percent_decode(&text.replace('+', " "))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match decoded {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One requirement of a label selector.
#[derive(Debug, PartialEq)]
enum LabelRequirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
    GreaterThan(String, i64),
    LessThan(String, i64),
}

impl LabelRequirement {
    fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        let value = |key: &str| labels.and_then(|l| l.get(key)).and_then(Value::as_str);
        match self {
            LabelRequirement::Equals(key, wanted) => value(key) == Some(wanted.as_str()),
            LabelRequirement::NotEquals(key, unwanted) => value(key) != Some(unwanted.as_str()),
            LabelRequirement::In(key, set) => {
                value(key).is_some_and(|v| set.iter().any(|s| s == v))
            }
            LabelRequirement::NotIn(key, set) => {
                value(key).is_none_or(|v| set.iter().all(|s| s != v))
            }
            LabelRequirement::Exists(key) => value(key).is_some(),
            LabelRequirement::DoesNotExist(key) => value(key).is_none(),
            LabelRequirement::GreaterThan(key, n) => value(key)
                .and_then(|v| v.parse::<i64>().ok())
                .is_some_and(|v| v > *n),
            LabelRequirement::LessThan(key, n) => value(key)
                .and_then(|v| v.parse::<i64>().ok())
                .is_some_and(|v| v < *n),
        }
    }
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')
}

fn is_value_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// Parses Kubernetes label selector syntax: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`,
/// `k notin (a)`, `k>1`, `k<1`, comma-joined. An empty selector matches everything.
fn parse_label_selector(text: &str) -> Result<Vec<LabelRequirement>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut begin = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&text[begin..i]);
                begin = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[begin..]);
    parts.into_iter().map(parse_label_requirement).collect()
}

fn parse_label_requirement(part: &str) -> Result<LabelRequirement, String> {
    let part = part.trim();
    let key_of = |text: &str| -> Result<String, String> {
        if text.is_empty() || !text.chars().all(is_key_char) {
            Err(format!("found '{text}', expected: identifier"))
        } else {
            Ok(text.to_string())
        }
    };
    let value_of = |text: &str| -> Result<String, String> {
        let text = text.trim();
        if text.chars().all(is_value_char) {
            Ok(text.to_string())
        } else {
            Err(format!("invalid label value: {text:?}"))
        }
    };
    if let Some(rest) = part.strip_prefix('!') {
        return Ok(LabelRequirement::DoesNotExist(key_of(rest.trim())?));
    }
    let key_end = part.find(|c: char| !is_key_char(c)).unwrap_or(part.len());
    let key = key_of(&part[..key_end])?;
    let rest = part[key_end..].trim_start();
    if rest.is_empty() {
        return Ok(LabelRequirement::Exists(key));
    }
    if let Some(value) = rest.strip_prefix("!=") {
        return Ok(LabelRequirement::NotEquals(key, value_of(value)?));
    }
    if let Some(value) = rest.strip_prefix("==").or_else(|| rest.strip_prefix('=')) {
        return Ok(LabelRequirement::Equals(key, value_of(value)?));
    }
    let integer = |text: &str| {
        text.trim().parse::<i64>().map_err(|_| {
            format!("for 'Gt', 'Lt' operators, the value must be an integer: {text:?}")
        })
    };
    if let Some(value) = rest.strip_prefix('>') {
        return Ok(LabelRequirement::GreaterThan(key, integer(value)?));
    }
    if let Some(value) = rest.strip_prefix('<') {
        return Ok(LabelRequirement::LessThan(key, integer(value)?));
    }
    let set = |text: &str| -> Result<Vec<String>, String> {
        let inner = text
            .trim()
            .strip_prefix('(')
            .and_then(|t| t.strip_suffix(')'))
            .ok_or_else(|| format!("found '{}', expected: '('", text.trim()))?;
        let values = inner
            .split(',')
            .map(value_of)
            .collect::<Result<Vec<_>, _>>()?;
        if values.iter().all(String::is_empty) {
            return Err("for 'in', 'notin' operators, values set can't be empty".to_string());
        }
        Ok(values)
    };
    if let Some(values) = rest.strip_prefix("notin") {
        return Ok(LabelRequirement::NotIn(key, set(values)?));
    }
    if let Some(values) = rest.strip_prefix("in") {
        return Ok(LabelRequirement::In(key, set(values)?));
    }
    Err(format!(
        "found '{rest}', expected: in, notin, =, ==, !=, gt, lt"
    ))
}

/// One requirement of a field selector: `field=value`, `field==value` or `field!=value`.
#[derive(Debug, PartialEq)]
struct FieldRequirement {
    field: String,
    equal: bool,
    value: String,
}

impl FieldRequirement {
    /// Fields the resource does not support are ignored (match everything), so a test client's
    /// selector never fails the request.
    fn matches(&self, resource: &Resource, object: &Value) -> bool {
        let supported = matches!(self.field.as_str(), "metadata.name" | "metadata.namespace")
            || resource.fields.contains(&self.field.as_str());
        if !supported {
            return true;
        }
        let found = self
            .field
            .split('.')
            .try_fold(object, |value, key| value.get(key));
        let actual = match found {
            Some(Value::String(text)) => text.clone(),
            Some(Value::Bool(flag)) => flag.to_string(),
            Some(Value::Number(number)) => number.to_string(),
            _ if self.field == "spec.hostNetwork" => "false".to_string(),
            _ => String::new(),
        };
        (actual == self.value) == self.equal
    }
}

fn parse_field_selector(text: &str) -> Result<Vec<FieldRequirement>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    // Split on unescaped commas; `\,` `\=` `\\` escape.
    let mut terms = vec![String::new()];
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(term) = terms.last_mut() {
                    term.push('\\');
                    if let Some(next) = chars.next() {
                        term.push(next);
                    }
                }
            }
            ',' => terms.push(String::new()),
            _ => {
                if let Some(term) = terms.last_mut() {
                    term.push(c);
                }
            }
        }
    }
    terms
        .iter()
        .map(|term| {
            let invalid = || format!("invalid selector: '{text}'; can't understand '{term}'");
            let mut escaped = false;
            for (i, c) in term.char_indices() {
                if escaped {
                    escaped = false;
                    continue;
                }
                if c == '\\' {
                    escaped = true;
                    continue;
                }
                let rest = &term[i..];
                let (op_len, equal) = if rest.starts_with("!=") {
                    (2, false)
                } else if rest.starts_with("==") {
                    (2, true)
                } else if rest.starts_with('=') {
                    (1, true)
                } else {
                    continue;
                };
                let field = term[..i].trim();
                if field.is_empty() {
                    return Err(invalid());
                }
                return Ok(FieldRequirement {
                    field: field.to_string(),
                    equal,
                    value: unescape(term[i + op_len..].trim()),
                });
            }
            Err(invalid())
        })
        .collect()
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("'{text}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_selectors_parse_and_match() {
        let labels = json!({"app": "redis", "tier": "cache", "n": "3"});
        let labels = labels.as_object();
        let check = |selector: &str| {
            parse_label_selector(selector)
                .unwrap()
                .iter()
                .all(|req| req.matches(labels))
        };
        assert!(check(""));
        assert!(check("app=redis"));
        assert!(check("app==redis,tier"));
        assert!(check("app!=web,!missing"));
        assert!(check("tier in (cache, db),app notin (web)"));
        assert!(check("n>2,n<4"));
        assert!(check("missing!=x"));
        assert!(!check("app=web"));
        assert!(!check("app in (web,db)"));
        assert!(!check("!app"));
        assert!(!check("missing"));
        assert!(!check("missing in (x)"));
        assert!(check("missing notin (x)"));
        assert!(parse_label_selector("app=").is_ok());
        assert!(parse_label_selector("app=a b").is_err());
        assert!(parse_label_selector("app in ()").is_err());
        assert!(parse_label_selector("app,").is_err());
        assert!(parse_label_selector("=x").is_err());
        assert_eq!(
            parse_label_selector("kubernetes.io/service-name=redis").unwrap(),
            vec![LabelRequirement::Equals(
                "kubernetes.io/service-name".to_string(),
                "redis".to_string()
            )]
        );
    }

    #[test]
    fn field_selectors_parse_match_and_ignore_unknown_fields() {
        let pods = RESOURCES.iter().find(|r| r.plural == "pods").unwrap();
        let pod =
            json!({"metadata": {"name": "a", "namespace": "x"}, "status": {"phase": "Running"}});
        let check = |selector: &str| {
            parse_field_selector(selector)
                .unwrap()
                .iter()
                .all(|req| req.matches(pods, &pod))
        };
        assert!(check("metadata.name=a"));
        assert!(check("metadata.name==a,status.phase!=Succeeded"));
        assert!(check("status.phase!=Failed,status.phase!=Succeeded"));
        assert!(!check("status.phase=Succeeded"));
        assert!(check("spec.hostNetwork=false"));
        assert!(check("spec.unknownField=whatever"));
        assert!(parse_field_selector("nonsense").is_err());
        assert_eq!(
            parse_field_selector(r"metadata.name=a\,b").unwrap()[0].value,
            "a,b"
        );
    }

    #[test]
    fn base64_and_tokens_round_trip() {
        for text in ["", "a", "ab", "abc", "abcd", "hello, world"] {
            assert_eq!(
                base64_decode(&base64_encode(text.as_bytes())).unwrap(),
                text.as_bytes()
            );
        }
        assert_eq!(base64_encode(b"hello"), "aGVsbG8=");
        let token = ContinueToken {
            rv: 7,
            start: 2,
            after: ("shop".to_string(), "web-1".to_string()),
            list: "v1/pods/*?".to_string(),
        };
        let back = ContinueToken::decode(&token.encode()).unwrap();
        assert_eq!(
            (back.rv, back.start, back.after, back.list.as_str()),
            (
                7,
                2,
                ("shop".to_string(), "web-1".to_string()),
                "v1/pods/*?"
            )
        );
        assert!(ContinueToken::decode("not a token").is_none());
    }

    #[test]
    fn query_strings_decode() {
        assert_eq!(
            parse_query("labelSelector=a+in+%28x%2Cy%29&limit=2&flag"),
            vec![
                ("labelSelector".to_string(), "a in (x,y)".to_string()),
                ("limit".to_string(), "2".to_string()),
                ("flag".to_string(), String::new()),
            ]
        );
        assert_eq!(percent_decode("100%"), "100%");
    }
}
