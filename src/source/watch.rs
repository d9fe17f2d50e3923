//! The watching source: the objects of the query through kube-runtime watchers (one list, then a
//! watch from its resourceVersion, bookmarks, a re-list after 410 and backoff on errors), kept in
//! reflector stores. Once every store has synced, and again after each burst of changes
//! (debounced), the stores are settled into a `ClusterSnapshot` by the same code as the one-shot
//! source. Read-only: LIST and WATCH only, never Secrets; no polling.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::hash::Hash;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::api::Api;
use kube::core::{Resource, Status};
use kube::runtime::reflector::{self, Store};
use kube::runtime::watcher::{self, Event};
use kube::runtime::{WatchStreamExt, watcher as watch_stream};
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::cluster::{Assembly, Fetched, MissingTarget, assemble, namespaced_or_all};
use super::kubeconfig::{Connection, RequestContext};
use super::list::{classify, slim_meta};
use super::{LiveQuery, Loaded, SourceError};
use crate::model::kubernetes::{
    AKS_CUSTOM_CONFIGMAP, COREFILE_CONFIGMAPS, DNS_NAMESPACE, DNS_POD_LABEL, DNS_SERVICE,
    KUBE_DNS_CONFIGMAP, NODE_LOCAL_DNS_CONFIGMAP, OPENSHIFT_COREFILE_CONFIGMAP, SERVICE_NAME_LABEL,
};
use crate::model::{NotFound, PodObject, Target, suggest};

/// How long the session waits after a change for more before it settles a snapshot: a Pod
/// becoming Ready is followed within milliseconds by its EndpointSlice update, and one snapshot
/// for both keeps the output from showing a half-applied state.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// One watched list: which objects, for the messages and for the settling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Feed {
    Services,
    Slices,
    StatefulSets,
    Pods,
    Namespaces,
    NetworkPolicies,
    Corefile(usize),
    AksCustom,
    NodeLocal,
    KubeDnsService,
    KubeDnsSlices,
    CorednsPods,
    DnsDeployments,
    KubeDnsConfig,
    OpenShiftCorefile,
}

impl Feed {
    /// The resource, plural, as the API names it.
    fn resource(self) -> &'static str {
        match self {
            Feed::Services | Feed::KubeDnsService => "services",
            Feed::Slices | Feed::KubeDnsSlices => "endpointslices",
            Feed::StatefulSets => "statefulsets",
            Feed::Pods | Feed::CorednsPods => "pods",
            Feed::Namespaces => "namespaces",
            Feed::NetworkPolicies => "networkpolicies",
            Feed::Corefile(_)
            | Feed::AksCustom
            | Feed::NodeLocal
            | Feed::KubeDnsConfig
            | Feed::OpenShiftCorefile => "configmaps",
            Feed::DnsDeployments => "deployments",
        }
    }
}

/// What a feed's task reports to the session.
enum Signal {
    /// An object was added, changed or deleted.
    Changed,
    /// The feed's (re-)list is complete.
    Synced(Feed),
    /// The server refused the list for good (403, or 404 for an API it does not serve): the
    /// feed's task has ended.
    Refused(Feed, Box<Status>),
    /// A failure the watcher retries after its backoff.
    Failed(Feed, watcher::Error),
}

/// Where a feed stands.
#[derive(Debug, Default)]
struct FeedState {
    synced: bool,
    refused: Option<Box<Status>>,
}

/// What the session hands the caller.
#[derive(Debug)]
#[non_exhaustive]
pub enum WatchUpdate {
    /// The current snapshot: the first once every list has synced, then one per burst of changes.
    Snapshot(Box<Loaded>),
    /// A named target that existed has disappeared: nothing of it is served.
    TargetGone(NotFound),
    /// A watch failed and is retried after a backoff; the output may lag until it recovers.
    Interrupted {
        /// The resource, plural.
        resource: &'static str,
        /// The failure, for the message.
        error: String,
    },
}

/// The readers of every feed's store.
struct Stores {
    services: Store<Service>,
    slices: Store<EndpointSlice>,
    stateful_sets: Store<StatefulSet>,
    pods: Store<Pod>,
    namespaces: Store<Namespace>,
    network_policies: Store<NetworkPolicy>,
    corefiles: Vec<Store<ConfigMap>>,
    aks_custom: Store<ConfigMap>,
    node_local: Store<ConfigMap>,
    kube_dns_service: Store<Service>,
    kube_dns_slices: Store<EndpointSlice>,
    coredns_pods: Store<Pod>,
    dns_deployments: Store<Deployment>,
    kube_dns_config: Store<ConfigMap>,
    openshift_corefile: Store<ConfigMap>,
}

/// A running watch of one query. Dropping it stops every watcher.
pub struct WatchSession {
    query: LiveQuery,
    server: RequestContext,
    stores: Stores,
    feeds: BTreeMap<Feed, FeedState>,
    signals: mpsc::UnboundedReceiver<Signal>,
    tasks: Vec<AbortHandle>,
    sent_first: bool,
}

impl Drop for WatchSession {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Starts watching what `query` covers: the scope's Services, EndpointSlices, StatefulSets,
/// Pods and NetworkPolicies, its Namespace objects, and CoreDNS's ConfigMaps, Service, slices
/// and Pods in kube-system. Must run inside a tokio runtime: each watcher is a task.
pub fn watch_cluster(
    connection: &Connection,
    query: &LiveQuery,
) -> Result<WatchSession, SourceError> {
    super::cluster::check_names(query)?;
    let client = &connection.client;
    let scope = query.namespace.as_deref();
    let (sender, signals) = mpsc::unbounded_channel();
    let mut tasks = Vec::new();
    let mut feeds = BTreeMap::new();
    // The watchers' initial lists page as the one-shot source's do (`--chunk-size`).
    let all = watcher::Config {
        page_size: query.paging.limit(),
        ..watcher::Config::default()
    };
    let mut start = |feed: Feed| {
        feeds.insert(feed, FeedState::default());
        (feed, sender.clone())
    };
    let mut spawned = Vec::new();
    let stores = {
        let mut run = |handle: AbortHandle| spawned.push(handle);
        let services = feed(
            namespaced_or_all(client, scope),
            all.clone(),
            start(Feed::Services),
            slim_meta,
            &mut run,
        );
        let slices = feed(
            namespaced_or_all(client, scope),
            all.clone(),
            start(Feed::Slices),
            slim_meta,
            &mut run,
        );
        let stateful_sets = feed(
            namespaced_or_all(client, scope),
            all.clone(),
            start(Feed::StatefulSets),
            slim_meta,
            &mut run,
        );
        let pods = feed(
            namespaced_or_all(client, scope),
            all.clone(),
            start(Feed::Pods),
            slim_whole_pod,
            &mut run,
        );
        let namespaces_config = match scope {
            Some(name) => watcher::Config::default().fields(&format!("metadata.name={name}")),
            None => all.clone(),
        };
        let namespaces = feed(
            Api::all(client.clone()),
            namespaces_config,
            start(Feed::Namespaces),
            slim_meta,
            &mut run,
        );
        let network_policies = feed(
            namespaced_or_all(client, scope),
            all.clone(),
            start(Feed::NetworkPolicies),
            slim_meta,
            &mut run,
        );
        // kube-system's objects one by one, as the one-shot source GETs them: no other
        // ConfigMap of kube-system is read.
        let config_map =
            |name: &str| watcher::Config::default().fields(&format!("metadata.name={name}"));
        let dns_configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), DNS_NAMESPACE);
        let corefiles = COREFILE_CONFIGMAPS
            .iter()
            .enumerate()
            .map(|(index, name)| {
                feed(
                    dns_configmaps.clone(),
                    config_map(name),
                    start(Feed::Corefile(index)),
                    slim_meta,
                    &mut run,
                )
            })
            .collect();
        let aks_custom = feed(
            dns_configmaps.clone(),
            config_map(AKS_CUSTOM_CONFIGMAP),
            start(Feed::AksCustom),
            slim_meta,
            &mut run,
        );
        let kube_dns_config = feed(
            dns_configmaps.clone(),
            config_map(KUBE_DNS_CONFIGMAP),
            start(Feed::KubeDnsConfig),
            slim_meta,
            &mut run,
        );
        let openshift_corefile = feed(
            Api::namespaced(client.clone(), OPENSHIFT_COREFILE_CONFIGMAP.0),
            config_map(OPENSHIFT_COREFILE_CONFIGMAP.1),
            start(Feed::OpenShiftCorefile),
            slim_meta,
            &mut run,
        );
        let node_local = feed(
            dns_configmaps,
            config_map(NODE_LOCAL_DNS_CONFIGMAP),
            start(Feed::NodeLocal),
            slim_meta,
            &mut run,
        );
        let kube_dns_service = feed(
            Api::namespaced(client.clone(), DNS_NAMESPACE),
            watcher::Config::default().fields(&format!("metadata.name={DNS_SERVICE}")),
            start(Feed::KubeDnsService),
            slim_meta,
            &mut run,
        );
        let kube_dns_slices = feed(
            Api::namespaced(client.clone(), DNS_NAMESPACE),
            watcher::Config::default().labels(&format!("{SERVICE_NAME_LABEL}={DNS_SERVICE}")),
            start(Feed::KubeDnsSlices),
            slim_meta,
            &mut run,
        );
        let coredns_pods = feed(
            Api::namespaced(client.clone(), DNS_NAMESPACE),
            watcher::Config::default().labels(&format!("{}={}", DNS_POD_LABEL.0, DNS_POD_LABEL.1)),
            start(Feed::CorednsPods),
            slim_whole_pod,
            &mut run,
        );
        let dns_deployments = feed(
            Api::namespaced(client.clone(), DNS_NAMESPACE),
            watcher::Config::default().labels(&format!("{}={}", DNS_POD_LABEL.0, DNS_POD_LABEL.1)),
            start(Feed::DnsDeployments),
            slim_meta,
            &mut run,
        );
        Stores {
            services,
            slices,
            stateful_sets,
            pods,
            namespaces,
            network_policies,
            corefiles,
            aks_custom,
            node_local,
            kube_dns_service,
            kube_dns_slices,
            coredns_pods,
            dns_deployments,
            kube_dns_config,
            openshift_corefile,
        }
    };
    tasks.extend(spawned);
    Ok(WatchSession {
        query: query.clone(),
        server: connection.context.clone(),
        stores,
        feeds,
        signals,
        tasks,
        sent_first: false,
    })
}

/// A long watch holds every Pod of its scope: the store keeps only what `PodObject` reads, in
/// the API type the reflector needs (metadata without `managedFields` and annotations).
fn slim_whole_pod(pod: &mut Pod) {
    *pod = Pod::from(PodObject::from(std::mem::take(pod)));
}

/// Starts one watcher feeding a reflector store, and the task that reports its events.
fn feed<K>(
    api: Api<K>,
    config: watcher::Config,
    (feed, signals): (Feed, mpsc::UnboundedSender<Signal>),
    slim: fn(&mut K),
    run: &mut impl FnMut(AbortHandle),
) -> Store<K>
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Default + Eq + Hash + Clone,
{
    let (reader, writer) = reflector::store();
    // Objects are slimmed before the store keeps them, so a long watch holds no more of each
    // object than one list does.
    let stream = watch_stream(api, config)
        .map_ok(move |event| event.modify(slim))
        .default_backoff();
    let stream = reflector::reflector(writer, stream);
    let task = tokio::spawn(async move {
        let mut stream = std::pin::pin!(stream);
        while let Some(item) = stream.next().await {
            let signal = match item {
                Ok(Event::Apply(_) | Event::Delete(_)) => Signal::Changed,
                Ok(Event::InitDone) => Signal::Synced(feed),
                Ok(Event::Init | Event::InitApply(_)) => continue,
                Err(err) => match refusal(&err) {
                    Some(status) => {
                        // Retrying a 403 changes nothing until someone edits RBAC; the feed
                        // becomes a gap, as in the one-shot source.
                        let _ = signals.send(Signal::Refused(feed, status));
                        return;
                    }
                    None => Signal::Failed(feed, err),
                },
            };
            if signals.send(signal).is_err() {
                return;
            }
        }
    });
    run(task.abort_handle());
    reader
}

/// A 403, or a 404 on a list (an API the server does not serve), from the list or the watch.
fn refusal(err: &watcher::Error) -> Option<Box<Status>> {
    let status = match err {
        watcher::Error::InitialListFailed(kube::Error::Api(status))
        | watcher::Error::WatchStartFailed(kube::Error::Api(status))
        | watcher::Error::WatchFailed(kube::Error::Api(status))
        | watcher::Error::WatchError(status) => status,
        _ => return None,
    };
    matches!(status.code, 403 | 404).then(|| status.clone())
}

/// The failure as the one-shot source would have met it, for `classify`.
fn as_kube_error(err: watcher::Error) -> Option<kube::Error> {
    match err {
        watcher::Error::InitialListFailed(err)
        | watcher::Error::WatchStartFailed(err)
        | watcher::Error::WatchFailed(err) => Some(err),
        watcher::Error::WatchError(status) => Some(kube::Error::Api(status)),
        _ => None,
    }
}

impl WatchSession {
    /// Waits for the next update. The first is the snapshot once every list has synced; after
    /// it, a snapshot follows each burst of changes, [`DEBOUNCE`] after its first event.
    ///
    /// Before the first snapshot a failure is fatal as in the one-shot source (401, unreachable,
    /// a forbidden or missing target); after it, failures are reported and retried.
    pub async fn next(&mut self) -> Result<WatchUpdate, SourceError> {
        let mut dirty = false;
        loop {
            let Some(signal) = self.signals.recv().await else {
                // Every task has ended: each feed was refused, and nothing can change any more.
                std::future::pending::<()>().await;
                continue;
            };
            match self.apply(signal)? {
                Applied::Interrupted(update) => return Ok(*update),
                Applied::Changed => dirty = true,
                Applied::Nothing => {}
            }
            if !self.feeds.values().all(|f| f.synced || f.refused.is_some()) {
                continue;
            }
            if !self.sent_first {
                self.sent_first = true;
                return self.settle();
            }
            if !dirty {
                continue;
            }
            let deadline = tokio::time::Instant::now() + DEBOUNCE;
            loop {
                tokio::select! {
                    signal = self.signals.recv() => match signal {
                        Some(signal) => {
                            if let Applied::Interrupted(update) = self.apply(signal)? {
                                return Ok(*update);
                            }
                        }
                        None => break,
                    },
                    () = tokio::time::sleep_until(deadline) => break,
                }
            }
            return self.settle();
        }
    }

    fn apply(&mut self, signal: Signal) -> Result<Applied, SourceError> {
        Ok(match signal {
            Signal::Changed => Applied::Changed,
            Signal::Synced(feed) => {
                if let Some(state) = self.feeds.get_mut(&feed) {
                    state.synced = true;
                }
                // A re-list (after a 410) may have replaced objects whose events were missed.
                Applied::Changed
            }
            Signal::Refused(feed, status) => {
                if let Some(state) = self.feeds.get_mut(&feed) {
                    state.refused = Some(status);
                }
                Applied::Changed
            }
            Signal::Failed(feed, err) => {
                let expired =
                    matches!(&err, watcher::Error::WatchError(status) if status.code == 410);
                if !self.sent_first && !expired {
                    if let Some(err) = as_kube_error(err) {
                        return Err(classify(err, &self.server));
                    }
                    return Ok(Applied::Nothing);
                }
                if expired {
                    // The watcher lists again: routine, not worth a message.
                    Applied::Nothing
                } else {
                    Applied::Interrupted(Box::new(WatchUpdate::Interrupted {
                        resource: feed.resource(),
                        error: err.to_string(),
                    }))
                }
            }
        })
    }

    /// The stores, settled as the one-shot source settles its answers.
    fn settle(&self) -> Result<WatchUpdate, SourceError> {
        let scope = self.query.namespace.as_deref();
        let namespace = scope.unwrap_or("default").to_string();
        let in_namespace = |meta: &kube::core::ObjectMeta, name: &str| {
            meta.name.as_deref() == Some(name)
                && meta.namespace.as_deref() == Some(namespace.as_str())
        };
        let target_services = self
            .query
            .targets
            .iter()
            .filter_map(|t| match t {
                Target::Service(name) => Some(name.clone()),
                Target::StatefulSet(_) => None,
            })
            .map(|name| {
                let found = self
                    .listed(&self.stores.services, Feed::Services)
                    .map(|items| items.into_iter().find(|s| in_namespace(&s.metadata, &name)));
                (name, found)
            })
            .collect();
        let target_sts = self
            .query
            .targets
            .iter()
            .filter_map(|t| match t {
                Target::StatefulSet(name) => Some(name.clone()),
                Target::Service(_) => None,
            })
            .map(|name| {
                let found = self
                    .listed(&self.stores.stateful_sets, Feed::StatefulSets)
                    .map(|items| items.into_iter().find(|s| in_namespace(&s.metadata, &name)));
                (name, found)
            })
            .collect();
        let fetched = Fetched {
            target_services,
            // The whole scope's slices are watched, so the targets need no lists of their own.
            target_slices: Vec::new(),
            target_sts,
            namespace_services: Some(self.listed(&self.stores.services, Feed::Services)),
            namespace_slices: Some(self.listed(&self.stores.slices, Feed::Slices)),
            stateful_sets: self.listed(&self.stores.stateful_sets, Feed::StatefulSets),
            pods: self
                .listed(&self.stores.pods, Feed::Pods)
                .map(|pods| pods.into_iter().map(PodObject::from).collect()),
            namespaces: self.listed(&self.stores.namespaces, Feed::Namespaces),
            network_policies: self.listed(&self.stores.network_policies, Feed::NetworkPolicies),
            corefiles: self
                .stores
                .corefiles
                .iter()
                .enumerate()
                .map(|(index, store)| self.single(store, Feed::Corefile(index)))
                .collect(),
            aks_custom: self.single(&self.stores.aks_custom, Feed::AksCustom),
            node_local: self.single(&self.stores.node_local, Feed::NodeLocal),
            kube_dns_service: self.single(&self.stores.kube_dns_service, Feed::KubeDnsService),
            kube_dns_slices: self.listed(&self.stores.kube_dns_slices, Feed::KubeDnsSlices),
            coredns_pods: self
                .listed(&self.stores.coredns_pods, Feed::CorednsPods)
                .map(|pods| pods.into_iter().map(PodObject::from).collect()),
            dns_deployments: self.listed(&self.stores.dns_deployments, Feed::DnsDeployments),
            kube_dns_config: self.single(&self.stores.kube_dns_config, Feed::KubeDnsConfig),
            openshift_corefile: self
                .single(&self.stores.openshift_corefile, Feed::OpenShiftCorefile),
        };
        match assemble(fetched, scope, &self.server)? {
            Assembly::Loaded(loaded) => Ok(WatchUpdate::Snapshot(loaded)),
            Assembly::Missing { resource, name } => {
                let (resource, names): (&'static str, Vec<String>) = match resource {
                    MissingTarget::Service => {
                        ("services", names_in(&self.stores.services, &namespace))
                    }
                    MissingTarget::StatefulSet => (
                        "statefulsets.apps",
                        names_in(&self.stores.stateful_sets, &namespace),
                    ),
                };
                let not_found = NotFound {
                    resource,
                    suggestions: suggest(&name, names.iter().map(String::as_str)),
                    name,
                    namespace,
                };
                if self.sent_first {
                    Ok(WatchUpdate::TargetGone(not_found))
                } else {
                    Err(SourceError::NotFound(not_found))
                }
            }
        }
    }

    /// A feed's objects in the API's list order (namespace, then name), or the refusal as the
    /// error the one-shot source would have met.
    fn listed<K: Resource + Clone + 'static>(
        &self,
        store: &Store<K>,
        feed: Feed,
    ) -> Result<Vec<K>, kube::Error>
    where
        K::DynamicType: Eq + Hash + Clone,
    {
        if let Some(status) = self.feeds.get(&feed).and_then(|f| f.refused.clone()) {
            return Err(kube::Error::Api(status));
        }
        let mut items: Vec<K> = store
            .state()
            .iter()
            .map(|object| (**object).clone())
            .collect();
        items.sort_by(|a, b| {
            let key = |o: &K| (o.meta().namespace.clone(), o.meta().name.clone());
            key(a).cmp(&key(b))
        });
        Ok(items)
    }

    /// A feed of one named object: the object, if it exists.
    fn single<K: Resource + Clone + 'static>(
        &self,
        store: &Store<K>,
        feed: Feed,
    ) -> Result<Option<K>, kube::Error>
    where
        K::DynamicType: Eq + Hash + Clone,
    {
        self.listed(store, feed)
            .map(|items| items.into_iter().next())
    }
}

/// What applying one signal did.
enum Applied {
    Nothing,
    Changed,
    Interrupted(Box<WatchUpdate>),
}

/// The names of a store's objects in one namespace, for "did you mean".
fn names_in<K: Resource + Clone + 'static>(store: &Store<K>, namespace: &str) -> Vec<String>
where
    K::DynamicType: Eq + Hash + Clone,
{
    store
        .state()
        .iter()
        .filter(|o| o.meta().namespace.as_deref() == Some(namespace))
        .filter_map(|o| o.meta().name.clone())
        .collect()
}
