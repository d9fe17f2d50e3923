//! The test API server, checked through the real `kube::Client` the binary uses: TLS with the
//! kubeconfig's CA, bearer tokens, GET, LIST with selectors and paging, and every injected fault.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::api::{Api, DeleteParams, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::Status;
use kube::{Client, Config, ResourceExt};

use crate::support::apiserver::{ApiServer, ServerOptions};
use crate::support::root;

fn fixtures() -> Vec<PathBuf> {
    ["cache.yaml", "kube-system.yaml", "elsewhere.yaml"]
        .iter()
        .map(|name| root().join("tests/fixtures/apiserver").join(name))
        .collect()
}

fn start(options: ServerOptions) -> ApiServer {
    let paths = fixtures();
    let paths: Vec<&std::path::Path> = paths.iter().map(PathBuf::as_path).collect();
    ApiServer::start(&paths, options)
}

/// A kube client configured the way the binary configures one: from a kubeconfig file.
async fn client_from_file(path: &std::path::Path) -> Client {
    let kubeconfig = Kubeconfig::read_from(path).expect("read the kubeconfig");
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("config from the kubeconfig");
    Client::try_from(config).expect("build the client")
}

async fn client(server: &ApiServer, dir: &tempfile::TempDir) -> Client {
    let path = server.write_kubeconfig(dir.path(), "kubeconfig", Some("cache"));
    client_from_file(&path).await
}

/// The `Status` of an API error, or a panic naming what came back instead.
fn api_status<T: std::fmt::Debug>(result: Result<T, kube::Error>) -> Box<Status> {
    match result {
        Err(kube::Error::Api(status)) => status,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn names<K: kube::Resource>(items: &[K]) -> Vec<String> {
    items
        .iter()
        .map(|item| {
            format!(
                "{}/{}",
                item.namespace().unwrap_or_default(),
                item.name_any()
            )
        })
        .collect()
}

#[tokio::test]
async fn apiserver_gets_a_service_over_tls_with_the_token() {
    let server = start(ServerOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let client = client(&server, &dir).await;

    // The kubeconfig's namespace is the client's default namespace.
    assert_eq!(client.default_namespace(), "cache");
    let services: Api<Service> = Api::default_namespaced(client.clone());
    let redis = services.get("redis").await.unwrap();
    assert_eq!(redis.namespace().as_deref(), Some("cache"));
    let spec = redis.spec.unwrap();
    assert_eq!(spec.cluster_ip.as_deref(), Some("10.96.20.15"));
    assert_eq!(redis.metadata.resource_version.as_deref(), Some("48975"));

    // A missing object is a NotFound Status, which get_opt turns into None.
    assert!(services.get_opt("nope").await.unwrap().is_none());
    let status = api_status(services.get("nope").await);
    assert_eq!(
        (status.code, status.reason.as_str(), status.message.as_str()),
        (404, "NotFound", "services \"nope\" not found")
    );
    let details = status.details.unwrap();
    assert_eq!(
        (details.name.as_str(), details.kind.as_str()),
        ("nope", "services")
    );

    // Objects without metadata.namespace were filed under default; Namespaces are synthesized
    // for every namespace the fixtures use.
    let default: Api<Service> = Api::namespaced(client.clone(), "default");
    assert_eq!(
        default.get("kubernetes").await.unwrap().name_any(),
        "kubernetes"
    );
    let namespaces: Api<Namespace> = Api::all(client.clone());
    assert_eq!(
        namespaces.get("staging").await.unwrap().name_any(),
        "staging"
    );
    let all = namespaces.list(&ListParams::default()).await.unwrap();
    assert_eq!(
        names(&all.items),
        ["/cache", "/default", "/kube-system", "/staging"]
    );

    // The CoreDNS ConfigMap, and the server's version.
    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "kube-system");
    let corefile = configmaps.get("coredns").await.unwrap().data.unwrap();
    assert!(corefile["Corefile"].contains("kubernetes cluster.local in-addr.arpa ip6.arpa"));
    let version = client.apiserver_version().await.unwrap();
    assert_eq!(
        (version.major.as_str(), version.minor.as_str()),
        ("1", "33")
    );
    assert_eq!(version.git_version, "v1.33.0");

    let log = server.requests();
    let get = log
        .iter()
        .find(|r| r.path == "/api/v1/namespaces/cache/services/redis")
        .unwrap();
    assert_eq!((get.method.as_str(), get.status), ("GET", 200));
    assert_eq!(get.http_version, "HTTP/1.1");
    assert_eq!(get.header("Authorization"), Some("Bearer test-token"));
    assert!(get.finished >= get.started);
    assert!(
        log.iter()
            .any(|r| r.path == "/api/v1/namespaces/cache/services/nope" && r.status == 404)
    );
    assert!(server.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(server.url().starts_with("https://127.0.0.1:"));

    server.clear_log();
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn apiserver_lists_endpointslices_by_service_name_across_namespaces() {
    let server = start(ServerOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let client = client(&server, &dir).await;
    let slices: Api<EndpointSlice> = Api::all(client.clone());

    let redis = slices
        .list(&ListParams::default().labels("kubernetes.io/service-name=redis"))
        .await
        .unwrap();
    assert_eq!(
        names(&redis.items),
        [
            "cache/redis-b4m9t",
            "cache/redis-q2w8z",
            "staging/redis-m5n6p"
        ]
    );
    assert_eq!(redis.types.kind, "EndpointSliceList");
    assert_eq!(redis.types.api_version, "discovery.k8s.io/v1");
    assert!(redis.metadata.resource_version.is_some());
    assert!(redis.metadata.continue_.is_none());

    // Set-based and negated requirements, URL-encoded by kube.
    let set = slices
        .list(&ListParams::default().labels("kubernetes.io/service-name in (kube-dns, kubernetes)"))
        .await
        .unwrap();
    assert_eq!(
        names(&set.items),
        ["default/kubernetes", "kube-system/kube-dns-7xk2p"]
    );
    let unmanaged = slices
        .list(&ListParams::default().labels("!endpointslice.kubernetes.io/managed-by"))
        .await
        .unwrap();
    assert_eq!(
        names(&unmanaged.items),
        ["default/kubernetes", "staging/redis-m5n6p"]
    );

    // Namespaced list: only cache's.
    let in_cache: Api<EndpointSlice> = Api::namespaced(client.clone(), "cache");
    let cache = in_cache
        .list(&ListParams::default().labels("kubernetes.io/service-name=redis"))
        .await
        .unwrap();
    assert_eq!(cache.items.len(), 2);

    // Field selectors: chains of != and =, unknown fields ignored.
    let pods: Api<Pod> = Api::namespaced(client.clone(), "staging");
    let live = pods
        .list(&ListParams::default().fields("status.phase!=Succeeded,status.phase!=Failed"))
        .await
        .unwrap();
    assert_eq!(names(&live.items), ["staging/redis-7d9c5b8f4-k2j4l"]);
    let cache_pods: Api<Pod> = Api::namespaced(client.clone(), "cache");
    let one = cache_pods
        .list(&ListParams::default().fields("metadata.name=redis-1,spec.notAField=x"))
        .await
        .unwrap();
    assert_eq!(names(&one.items), ["cache/redis-1"]);

    // A malformed selector is a 400, as on a real server.
    let bad = api_status(slices.list(&ListParams::default().labels("app in (")).await);
    assert_eq!((bad.code, bad.reason.as_str()), (400, "BadRequest"));

    let log = server.requests();
    let first = &log[0];
    assert_eq!(first.path, "/apis/discovery.k8s.io/v1/endpointslices");
    assert_eq!(
        first.param("labelSelector").as_deref(),
        Some("kubernetes.io/service-name=redis")
    );
    assert!(log.iter().all(|r| r.method == "GET"));
}

/// Lists every object with kube's own limit + continue loop.
async fn list_in_pages<K>(api: &Api<K>, limit: u32) -> Result<(Vec<K>, usize), kube::Error>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let mut params = ListParams::default().limit(limit);
    let mut items = Vec::new();
    let mut pages = 0;
    loop {
        let page = api.list(&params).await?;
        pages += 1;
        items.extend(page.items);
        match page.metadata.continue_.filter(|token| !token.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => return Ok((items, pages)),
        }
    }
}

const ALL_PODS: [&str; 7] = [
    "cache/redis-0",
    "cache/redis-1",
    "cache/redis-2",
    "kube-system/coredns-668d6bf9bc-4x9vq",
    "kube-system/coredns-668d6bf9bc-b8m2t",
    "staging/migrate-8qzx4",
    "staging/redis-7d9c5b8f4-k2j4l",
];

#[tokio::test]
async fn apiserver_pages_lists_with_limit_and_continue() {
    let server = start(ServerOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let client = client(&server, &dir).await;
    let pods: Api<Pod> = Api::all(client.clone());

    let first = pods.list(&ListParams::default().limit(2)).await.unwrap();
    assert_eq!(first.items.len(), 2);
    assert!(first.metadata.continue_.is_some());
    assert_eq!(first.metadata.remaining_item_count, Some(5));

    let (items, pages) = list_in_pages(&pods, 2).await.unwrap();
    assert_eq!(names(&items), ALL_PODS);
    assert_eq!(pages, 4);
    // Objects without a resourceVersion in the fixtures were given one.
    assert!(
        items
            .iter()
            .all(|pod| pod.metadata.resource_version.is_some())
    );

    let log = server.requests();
    let continued: Vec<_> = log
        .iter()
        .filter(|r| r.param("continue").is_some())
        .collect();
    assert_eq!(continued.len(), 3);
    assert!(
        continued
            .iter()
            .all(|r| r.param("limit").as_deref() == Some("2"))
    );
    assert!(log.iter().all(|r| r.status == 200));

    // A token from one list is refused by another.
    let token = first.metadata.continue_.unwrap();
    let services: Api<Service> = Api::all(client.clone());
    let status = api_status(
        services
            .list(&ListParams::default().limit(2).continue_token(&token))
            .await,
    );
    assert_eq!(status.code, 400);
}

#[tokio::test]
async fn apiserver_max_page_caps_what_the_client_asks_for() {
    let server = start(ServerOptions {
        max_page: Some(3),
        ..ServerOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let client = client(&server, &dir).await;
    let pods: Api<Pod> = Api::all(client);

    let (items, pages) = list_in_pages(&pods, 500).await.unwrap();
    assert_eq!(names(&items), ALL_PODS);
    assert_eq!(pages, 3);
    // Even a list without any limit is paged.
    let unlimited = pods.list(&ListParams::default()).await.unwrap();
    assert_eq!(unlimited.items.len(), 3);
    assert!(unlimited.metadata.continue_.is_some());
}

#[tokio::test]
async fn apiserver_expired_continue_token_is_410_and_a_restart_succeeds() {
    let server = start(ServerOptions {
        expire_continue_tokens: true,
        ..ServerOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let client = client(&server, &dir).await;
    let pods: Api<Pod> = Api::all(client);

    let err = list_in_pages(&pods, 2).await.unwrap_err();
    let status = api_status::<()>(Err(err));
    assert_eq!((status.code, status.reason.as_str()), (410, "Expired"));
    assert!(
        status.message.contains("continue parameter is too old"),
        "{}",
        status.message
    );

    // Restarting the list from the first page gets all of it: each list expires once.
    let (items, pages) = list_in_pages(&pods, 2).await.unwrap();
    assert_eq!(names(&items), ALL_PODS);
    assert_eq!(pages, 4);

    let statuses: Vec<u16> = server.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 410, 200, 200, 200, 200]);
}

#[tokio::test]
async fn apiserver_rejects_a_wrong_token_with_401() {
    let server = start(ServerOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wrong");
    let text = server
        .kubeconfig_yaml(None)
        .replace("test-token", "wrong-token");
    std::fs::write(&path, text).unwrap();
    let client = client_from_file(&path).await;

    // No namespace in the kubeconfig: kube falls back to "default".
    assert_eq!(client.default_namespace(), "default");
    let services: Api<Service> = Api::default_namespaced(client);
    let status = api_status(services.get("kubernetes").await);
    assert_eq!(
        (status.code, status.reason.as_str(), status.message.as_str()),
        (401, "Unauthorized", "Unauthorized")
    );
    let log = server.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, 401);
    assert_eq!(log[0].header("authorization"), Some("Bearer wrong-token"));
}

#[tokio::test]
async fn apiserver_forbids_a_resource_with_403() {
    let server = start(ServerOptions {
        forbidden: vec![("statefulsets".to_string(), Some("cache".to_string()))],
        ..ServerOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let client = client(&server, &dir).await;

    let in_cache: Api<StatefulSet> = Api::namespaced(client.clone(), "cache");
    let status = api_status(in_cache.list(&ListParams::default()).await);
    assert_eq!((status.code, status.reason.as_str()), (403, "Forbidden"));
    assert_eq!(
        status.message,
        "statefulsets.apps is forbidden: User \"system:serviceaccount:test:dnsrecords\" cannot \
         list resource \"statefulsets\" in API group \"apps\" in the namespace \"cache\""
    );
    let details = status.details.unwrap();
    assert_eq!(
        (details.group.as_str(), details.kind.as_str()),
        ("apps", "statefulsets")
    );

    let status = api_status(in_cache.get("redis").await);
    assert_eq!(
        status.message,
        "statefulsets.apps \"redis\" is forbidden: User \"system:serviceaccount:test:dnsrecords\" \
         cannot get resource \"statefulsets\" in API group \"apps\" in the namespace \"cache\""
    );

    // Listing across namespaces would include cache, so it is forbidden too…
    let everywhere: Api<StatefulSet> = Api::all(client.clone());
    let status = api_status(everywhere.list(&ListParams::default()).await);
    assert!(
        status.message.ends_with("at the cluster scope"),
        "{}",
        status.message
    );
    // …while another namespace and other resources in cache are readable.
    let kube_system: Api<StatefulSet> = Api::namespaced(client.clone(), "kube-system");
    assert!(
        kube_system
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let pods: Api<Pod> = Api::namespaced(client, "cache");
    assert_eq!(
        pods.list(&ListParams::default()).await.unwrap().items.len(),
        3
    );
}

#[tokio::test]
async fn apiserver_injects_failures_and_kube_retries_only_some() {
    let server = start(ServerOptions {
        failures: vec![("/api/v1/namespaces/kube-system/configmaps".to_string(), 500)],
        transient_failures: vec![("/api/v1/namespaces/cache/services".to_string(), 503, 2)],
        ..ServerOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let client = client(&server, &dir).await;

    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "kube-system");
    let status = api_status(configmaps.get("coredns").await);
    assert_eq!(
        (status.code, status.reason.as_str()),
        (500, "InternalError")
    );
    assert!(
        status.message.starts_with("Internal error occurred"),
        "{}",
        status.message
    );

    // kube's client retries 503 on its own: two injected 503s, then the answer.
    let services: Api<Service> = Api::namespaced(client, "cache");
    assert_eq!(services.get("redis").await.unwrap().name_any(), "redis");

    let statuses: Vec<(String, u16)> = server
        .requests()
        .iter()
        .map(|r| (r.path.clone(), r.status))
        .collect();
    let configmap = "/api/v1/namespaces/kube-system/configmaps/coredns".to_string();
    let service = "/api/v1/namespaces/cache/services/redis".to_string();
    assert_eq!(
        statuses,
        [
            (configmap, 500),
            (service.clone(), 503),
            (service.clone(), 503),
            (service, 200)
        ]
    );
}

#[tokio::test]
async fn apiserver_latency_overlaps_concurrent_requests() {
    let latency = Duration::from_millis(200);
    let server = start(ServerOptions {
        latency,
        ..ServerOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let client = client(&server, &dir).await;
    let services: Api<Service> = Api::namespaced(client.clone(), "cache");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "cache");
    let slices: Api<EndpointSlice> = Api::namespaced(client.clone(), "cache");
    let sets: Api<StatefulSet> = Api::namespaced(client, "cache");
    let all = ListParams::default();

    let began = Instant::now();
    let (a, b, c, d) = tokio::join!(
        services.list(&all),
        pods.list(&all),
        slices.list(&all),
        sets.get("redis"),
    );
    let elapsed = began.elapsed();
    assert_eq!(a.unwrap().items.len(), 2);
    assert_eq!(b.unwrap().items.len(), 3);
    assert_eq!(c.unwrap().items.len(), 3);
    assert_eq!(d.unwrap().name_any(), "redis");
    assert!(elapsed >= latency, "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(600), "{elapsed:?}");

    let log = server.requests();
    assert_eq!(log.len(), 4);
    assert!(log.iter().all(|r| r.finished - r.started >= latency));
    // All four were in flight at once.
    let last_start = log.iter().map(|r| r.started).max().unwrap();
    let first_finish = log.iter().map(|r| r.finished).min().unwrap();
    assert!(last_start < first_finish);
}

#[tokio::test]
async fn apiserver_refuses_and_logs_writes() {
    let server = start(ServerOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let client = client(&server, &dir).await;
    let services: Api<Service> = Api::namespaced(client, "cache");

    let status = api_status(services.delete("redis", &DeleteParams::default()).await);
    assert_eq!(
        (status.code, status.reason.as_str()),
        (405, "MethodNotAllowed")
    );
    assert!(services.get("redis").await.is_ok());

    let log = server.requests();
    assert_eq!(
        log.iter()
            .map(|r| (r.method.as_str(), r.status))
            .collect::<Vec<_>>(),
        [("DELETE", 405), ("GET", 200)]
    );
}

/// kubectl itself can read from the server (legacy discovery, short names, client-side tables),
/// so a test can compare the plugin with what kubectl sees.
#[test]
fn apiserver_serves_kubectl() {
    let server = start(ServerOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.write_kubeconfig(dir.path(), "kubeconfig", Some("cache"));
    let out = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args(["get", "svc,sts", "-o", "name"])
        .env("HOME", dir.path())
        .env_remove("KUBECONFIG")
        .output()
        .expect("kubectl must be installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "service/redis\nservice/redis-headless\nstatefulset.apps/redis\n"
    );
    let log = server.requests();
    assert!(log.iter().all(|r| r.method == "GET" && r.status == 200));
    assert!(log.iter().any(|r| r.path == "/version"));
    assert!(
        log.iter()
            .any(|r| r.path == "/api/v1/namespaces/cache/services" && r.param("limit").is_some())
    );
}
