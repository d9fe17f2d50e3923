//! The live source: one round trip of concurrent GET/LIST requests that fetch what the engine
//! needs for the query, plus CoreDNS's configuration and addresses from kube-system. Read-only:
//! only GET and LIST, never Secrets. A resource the user may not read becomes a note saying what
//! was skipped; only the target itself being unreadable stops the run.

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::api::{Api, ListParams};
use kube::core::Resource;
use serde::de::DeserializeOwned;

use super::kubeconfig::{Connection, RequestContext};
use super::list::{Paging, classify, list_all, list_all_as, status_code};
use super::{Loaded, SourceError};
use crate::model::kubernetes::{
    AKS_CUSTOM_CONFIGMAP, COREFILE_CONFIGMAPS, COREFILE_KEY, DNS_NAMESPACE, DNS_POD_LABEL,
    DNS_SERVICE, KUBE_DNS_CONFIGMAP, NODE_LOCAL_DNS_CONFIGMAP, OPENSHIFT_COREFILE_CONFIGMAP,
    SERVICE_NAME_LABEL,
};
use crate::model::{
    ClusterSnapshot, ConfigOrigin, CorefileSource, Gap, GapResource, InvalidName, Metadata,
    NameKind, NotFound, Note, PodObject, Target, suggest, validate_name,
};

/// What to fetch.
#[derive(Debug, Clone)]
pub struct LiveQuery {
    /// One namespace, or `None` for all (`-A`).
    pub namespace: Option<String>,
    /// Named targets (require one namespace).
    pub targets: Vec<Target>,
    /// How the paged lists are fetched (`--chunk-size`).
    pub paging: Paging,
}

/// Where the lists of one run were read, for the gaps of lists that were forbidden.
struct Settle<'a> {
    namespace: Option<&'a str>,
    server: &'a RequestContext,
}

/// Fetches the snapshot for `query` in one concurrent round trip.
pub async fn load_cluster(
    connection: &Connection,
    query: &LiveQuery,
) -> Result<Loaded, SourceError> {
    check_names(query)?;
    let client = &connection.client;
    let server = &connection.context;
    let scope = query.namespace.as_deref();

    let services_api: Api<Service> = namespaced_or_all(client, scope);
    let slices_api: Api<EndpointSlice> = namespaced_or_all(client, scope);
    let sts_api: Api<StatefulSet> = namespaced_or_all(client, scope);
    // explain's client side: may a Pod reach cluster DNS through its egress policies.
    let policies_api: Api<NetworkPolicy> = namespaced_or_all(client, scope);
    let all = ListParams::default();

    // Requests for the query's own objects.
    let service_targets: Vec<&str> = query
        .targets
        .iter()
        .filter_map(|t| match t {
            Target::Service(name) => Some(name.as_str()),
            Target::StatefulSet(_) => None,
        })
        .collect();
    let sts_targets: Vec<&str> = query
        .targets
        .iter()
        .filter_map(|t| match t {
            Target::StatefulSet(name) => Some(name.as_str()),
            Target::Service(_) => None,
        })
        .collect();
    // A StatefulSet's governing Service is only known once it arrives, so with sts targets the
    // namespace's Services and slices are listed in the same round trip instead.
    let whole_namespace = query.targets.is_empty() || !sts_targets.is_empty();
    // A named target's run is one round trip however large its namespace: its namespace lists
    // are asked for whole, not in pages (each page is one more round trip); `-n`/`-A` alone
    // page as kubectl does.
    let paging = if query.targets.is_empty() {
        query.paging
    } else {
        Paging::Whole
    };
    let target_services = futures::future::join_all(
        service_targets
            .iter()
            .map(|name| services_api.get_opt(name)),
    );
    let target_slices = futures::future::join_all(service_targets.iter().map(|name| {
        let params = ListParams::default().labels(&format!("{SERVICE_NAME_LABEL}={name}"));
        let api = slices_api.clone();
        async move { list_all(&api, &params, query.paging).await }
    }));
    let target_sts =
        futures::future::join_all(sts_targets.iter().map(|name| sts_api.get_opt(name)));
    let namespace_services = optional(whole_namespace, list_all(&services_api, &all, paging));
    let namespace_slices = optional(whole_namespace, list_all(&slices_api, &all, paging));

    // Cluster DNS: the Corefile, and CoreDNS's own addresses for the NS records.
    let dns_configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), DNS_NAMESPACE);
    let dns_services: Api<Service> = Api::namespaced(client.clone(), DNS_NAMESPACE);
    let dns_slices: Api<EndpointSlice> = Api::namespaced(client.clone(), DNS_NAMESPACE);
    let corefiles = futures::future::join_all(
        COREFILE_CONFIGMAPS
            .iter()
            .map(|name| dns_configmaps.get_opt(name)),
    );
    let aks_custom = dns_configmaps.get_opt(AKS_CUSTOM_CONFIGMAP);
    let node_local = dns_configmaps.get_opt(NODE_LOCAL_DNS_CONFIGMAP);
    let kube_dns_service = dns_services.get_opt(DNS_SERVICE);
    let kube_dns_slices_params =
        ListParams::default().labels(&format!("{SERVICE_NAME_LABEL}={DNS_SERVICE}"));
    let kube_dns_slices = list_all(&dns_slices, &kube_dns_slices_params, query.paging);
    let coredns_pods_params =
        ListParams::default().labels(&format!("{}={}", DNS_POD_LABEL.0, DNS_POD_LABEL.1));
    let coredns_pods = list_all_as::<Pod, PodObject>(
        client,
        Some(DNS_NAMESPACE),
        &coredns_pods_params,
        query.paging,
    );
    // Which server and release runs: the Deployment's images when no DNS pod runs (GKE's Cloud
    // DNS scales kube-dns to zero), kube-dns's own ConfigMap, OpenShift's operator Corefile.
    let dns_deployments_api: Api<Deployment> = Api::namespaced(client.clone(), DNS_NAMESPACE);
    let dns_deployments = list_all(&dns_deployments_api, &coredns_pods_params, query.paging);
    let kube_dns_config = dns_configmaps.get_opt(KUBE_DNS_CONFIGMAP);
    let openshift_configmaps: Api<ConfigMap> =
        Api::namespaced(client.clone(), OPENSHIFT_COREFILE_CONFIGMAP.0);
    let openshift_corefile = openshift_configmaps.get_opt(OPENSHIFT_COREFILE_CONFIGMAP.1);

    let (
        target_services,
        target_slices,
        target_sts,
        namespace_services,
        namespace_slices,
        stateful_sets,
        pods,
        namespaces,
        network_policies,
        (corefiles, aks_custom, node_local, kube_dns_service, kube_dns_slices, coredns_pods),
        (dns_deployments, kube_dns_config, openshift_corefile),
    ) = tokio::join!(
        target_services,
        target_slices,
        target_sts,
        namespace_services,
        namespace_slices,
        list_all(&sts_api, &all, paging),
        // Pods are most of a cluster's bytes: decoded straight into what DNS reads of them.
        list_all_as::<Pod, PodObject>(client, scope, &all, paging),
        namespaces_in_scope(client, scope, query.paging),
        list_all(&policies_api, &all, paging),
        async {
            tokio::join!(
                corefiles,
                aks_custom,
                node_local,
                kube_dns_service,
                kube_dns_slices,
                coredns_pods
            )
        },
        async { tokio::join!(dns_deployments, kube_dns_config, openshift_corefile) },
    );

    let fetched = Fetched {
        target_services: service_targets
            .iter()
            .map(|name| name.to_string())
            .zip(target_services)
            .collect(),
        target_slices,
        target_sts: sts_targets
            .iter()
            .map(|name| name.to_string())
            .zip(target_sts)
            .collect(),
        namespace_services,
        namespace_slices,
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
    };
    let namespace = scope.unwrap_or("default");
    match assemble(fetched, scope, server)? {
        Assembly::Loaded(loaded) => Ok(*loaded),
        Assembly::Missing {
            resource: MissingTarget::Service,
            name,
        } => Err(not_found(&services_api, query.paging, "services", &name, namespace).await),
        Assembly::Missing {
            resource: MissingTarget::StatefulSet,
            name,
        } => Err(not_found(
            &sts_api,
            query.paging,
            "statefulsets.apps",
            &name,
            namespace,
        )
        .await),
    }
}

/// What one round of GETs and LISTs returned, before it becomes a snapshot: the one-shot source
/// fills it from its requests, the watch source from its reflector stores, so both settle
/// forbidden lists, missing targets and kube-system's optional objects the same way.
pub(super) struct Fetched {
    /// Each named Service target and its GET.
    pub target_services: Vec<(String, Result<Option<Service>, kube::Error>)>,
    /// The slices labelled for each Service target.
    pub target_slices: Vec<Result<Vec<EndpointSlice>, kube::Error>>,
    /// Each named StatefulSet target and its GET.
    pub target_sts: Vec<(String, Result<Option<StatefulSet>, kube::Error>)>,
    /// The scope's Services, when the whole namespace was wanted.
    pub namespace_services: Option<Result<Vec<Service>, kube::Error>>,
    /// The scope's EndpointSlices, when the whole namespace was wanted.
    pub namespace_slices: Option<Result<Vec<EndpointSlice>, kube::Error>>,
    /// The scope's StatefulSets.
    pub stateful_sets: Result<Vec<StatefulSet>, kube::Error>,
    /// The scope's Pods.
    pub pods: Result<Vec<PodObject>, kube::Error>,
    /// The scope's Namespace objects.
    pub namespaces: Result<Vec<Namespace>, kube::Error>,
    /// The scope's NetworkPolicies.
    pub network_policies: Result<Vec<NetworkPolicy>, kube::Error>,
    /// The Corefile ConfigMaps, in `COREFILE_CONFIGMAPS` order.
    pub corefiles: Vec<Result<Option<ConfigMap>, kube::Error>>,
    /// AKS's coredns-custom ConfigMap.
    pub aks_custom: Result<Option<ConfigMap>, kube::Error>,
    /// NodeLocal DNSCache's ConfigMap.
    pub node_local: Result<Option<ConfigMap>, kube::Error>,
    /// The kube-dns Service.
    pub kube_dns_service: Result<Option<Service>, kube::Error>,
    /// The kube-dns Service's slices.
    pub kube_dns_slices: Result<Vec<EndpointSlice>, kube::Error>,
    /// CoreDNS's own Pods.
    pub coredns_pods: Result<Vec<PodObject>, kube::Error>,
    /// kube-system's cluster DNS Deployments (label `k8s-app=kube-dns`).
    pub dns_deployments: Result<Vec<Deployment>, kube::Error>,
    /// The legacy kube-dns server's ConfigMap.
    pub kube_dns_config: Result<Option<ConfigMap>, kube::Error>,
    /// OpenShift's DNS operator Corefile ConfigMap.
    pub openshift_corefile: Result<Option<ConfigMap>, kube::Error>,
}

/// Which kind of named target is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MissingTarget {
    /// `svc/NAME`.
    Service,
    /// `sts/NAME`.
    StatefulSet,
}

/// A settled round: the snapshot, or the first named target that does not exist (the caller
/// words the not-found error, with near names from whatever it can list).
pub(super) enum Assembly {
    /// Everything needed was read (forbidden lists became gaps).
    Loaded(Box<Loaded>),
    /// A named target does not exist.
    Missing {
        /// Its kind.
        resource: MissingTarget,
        /// Its name.
        name: String,
    },
}

/// Turns what was fetched into the snapshot: a forbidden list becomes a gap, a forbidden or
/// failed target stops the run, kube-system's objects are optional.
pub(super) fn assemble(
    fetched: Fetched,
    scope: Option<&str>,
    server: &RequestContext,
) -> Result<Assembly, SourceError> {
    let Fetched {
        target_services,
        target_slices,
        target_sts,
        namespace_services,
        namespace_slices,
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
    } = fetched;
    let mut snapshot = ClusterSnapshot::default();
    let mut notes = Vec::new();

    // The targets themselves: not found or forbidden stops the run.
    for (name, result) in target_services {
        match result.map_err(|err| classify(err, server))? {
            Some(service) => snapshot.services.push(service),
            None => {
                return Ok(Assembly::Missing {
                    resource: MissingTarget::Service,
                    name,
                });
            }
        }
    }
    for (name, result) in target_sts {
        match result.map_err(|err| classify(err, server))? {
            Some(sts) => snapshot.stateful_sets.push(sts),
            None => {
                return Ok(Assembly::Missing {
                    resource: MissingTarget::StatefulSet,
                    name,
                });
            }
        }
    }
    let context = Settle {
        namespace: scope,
        server,
    };
    let gaps = &mut snapshot.gaps;
    let mut slices = Vec::new();
    for result in target_slices {
        slices.extend(context.list(result, GapResource::EndpointSlices, gaps)?);
    }
    let mut services = Vec::new();
    if let Some(result) = namespace_services {
        services.extend(context.list(result, GapResource::Services, gaps)?);
    }
    if let Some(result) = namespace_slices {
        slices.extend(context.list(result, GapResource::EndpointSlices, gaps)?);
    }
    let stateful_sets = context.list(stateful_sets, GapResource::StatefulSets, gaps)?;
    let pods = context.list(pods, GapResource::Pods, gaps)?;
    match namespaces {
        Ok(found) => {
            snapshot.namespaces.extend(found);
            snapshot.namespaces_complete = true;
        }
        Err(err) if status_code(&err) == Some(403) => snapshot.gaps.push(Gap {
            resource: GapResource::Namespaces,
            namespace: scope.map(str::to_string),
        }),
        Err(err) => return Err(classify(err, server)),
    }
    match network_policies {
        Ok(found) => snapshot.network_policies.extend(found),
        // A cluster without the networking API serves no policy to enforce.
        Err(err) if status_code(&err) == Some(404) => {}
        Err(err) => {
            snapshot.network_policies.extend(context.list(
                Err(err),
                GapResource::NetworkPolicies,
                &mut snapshot.gaps,
            )?);
        }
    }
    join(&mut snapshot.services, services);
    join(&mut snapshot.endpoint_slices, slices);
    join(&mut snapshot.stateful_sets, stateful_sets);
    join(&mut snapshot.pods, pods);

    // Cluster DNS: everything here is optional; one note if kube-system is not readable.
    let mut dns_forbidden = false;
    let mut dns_ok =
        |result: Result<Option<ConfigMap>, kube::Error>| -> Result<Option<ConfigMap>, SourceError> {
            match result {
                Ok(found) => Ok(found),
                Err(err) if status_code(&err) == Some(403) => {
                    dns_forbidden = true;
                    Ok(None)
                }
                Err(err) => Err(classify(err, server)),
            }
        };
    let mut found_corefile = None;
    for (name, result) in COREFILE_CONFIGMAPS.iter().zip(corefiles) {
        if let Some(config_map) = dns_ok(result)?
            && found_corefile.is_none()
            && let Some(text) = config_map.data.as_ref().and_then(|d| d.get(COREFILE_KEY))
        {
            found_corefile = Some(CorefileSource {
                origin: ConfigOrigin::ConfigMap {
                    namespace: DNS_NAMESPACE.to_string(),
                    name: name.to_string(),
                    key: COREFILE_KEY.to_string(),
                },
                text: text.clone(),
            });
        }
    }
    if dns_ok(aks_custom)?.is_some() {
        notes.push(Note::warning(format!(
            "{DNS_NAMESPACE}/{AKS_CUSTOM_CONFIGMAP} exists: its .server and .override files change CoreDNS's configuration and are not reflected"
        )));
    }
    snapshot.node_local_corefile =
        dns_ok(node_local)?.and_then(|config_map| config_map.data?.remove(COREFILE_KEY));
    snapshot.kube_dns_config =
        dns_ok(kube_dns_config)?.map(|config_map| config_map.data.unwrap_or_default());
    // Most clusters have no openshift-dns namespace, and a reader of kube-system need not read
    // it: any failure there only means "not OpenShift", never a note.
    if found_corefile.is_none()
        && let Ok(Some(config_map)) = openshift_corefile
        && let Some(text) = config_map.data.and_then(|mut d| d.remove(COREFILE_KEY))
    {
        found_corefile = Some(CorefileSource {
            origin: ConfigOrigin::ConfigMap {
                namespace: OPENSHIFT_COREFILE_CONFIGMAP.0.to_string(),
                name: OPENSHIFT_COREFILE_CONFIGMAP.1.to_string(),
                key: COREFILE_KEY.to_string(),
            },
            text,
        });
    }
    snapshot.corefile = found_corefile;
    match kube_dns_service {
        Ok(found) => snapshot.services.extend(found),
        Err(err) if status_code(&err) == Some(403) => dns_forbidden = true,
        Err(err) => return Err(classify(err, server)),
    }
    snapshot
        .endpoint_slices
        .extend(optional_part(kube_dns_slices, &mut dns_forbidden, server)?);
    snapshot.dns_pods_listed = coredns_pods.is_ok();
    snapshot
        .pods
        .extend(optional_part(coredns_pods, &mut dns_forbidden, server)?);
    snapshot
        .dns_deployments
        .extend(optional_part(dns_deployments, &mut dns_forbidden, server)?);
    if dns_forbidden {
        notes.push(Note::warning(format!(
            "cannot read CoreDNS's objects in {DNS_NAMESPACE} (forbidden): its Corefile and NS addresses are unknown, so kubeadm's default is assumed"
        )));
    }
    dedup(&mut snapshot);
    Ok(Assembly::Loaded(Box::new(Loaded { snapshot, notes })))
}

/// Every string that goes into a request path must be a name the API server could hold: the
/// CLI checks them earlier for a clear error, this keeps any other caller from building a path
/// out of `kube-system/secrets/x?y=`.
pub(super) fn check_names(query: &LiveQuery) -> Result<(), InvalidName> {
    if let Some(namespace) = &query.namespace {
        validate_name(NameKind::Namespace, namespace)?;
    }
    for target in &query.targets {
        match target {
            Target::Service(name) => validate_name(NameKind::Service, name)?,
            Target::StatefulSet(name) => validate_name(NameKind::StatefulSet, name)?,
        }
    }
    Ok(())
}

/// A list that may be forbidden without stopping the run: forbidden gives no items.
fn optional_part<T>(
    result: Result<Vec<T>, kube::Error>,
    forbidden: &mut bool,
    server: &RequestContext,
) -> Result<Vec<T>, SourceError> {
    match result {
        Ok(items) => Ok(items),
        Err(err) if status_code(&err) == Some(403) => {
            *forbidden = true;
            Ok(Vec::new())
        }
        Err(err) => Err(classify(err, server)),
    }
}

/// The Namespace objects of the scope: one GET for `-n`, the whole list for `-A`. Existence
/// matters because CoreDNS serves nothing in a namespace whose object it does not see.
async fn namespaces_in_scope(
    client: &kube::Client,
    scope: Option<&str>,
    paging: Paging,
) -> Result<Vec<Namespace>, kube::Error> {
    let api: Api<Namespace> = Api::all(client.clone());
    match scope {
        Some(name) => Ok(api.get_opt(name).await?.into_iter().collect()),
        None => list_all(&api, &ListParams::default(), paging).await,
    }
}

/// The `Api` of one namespace, or of all of them (`-A`).
pub(super) fn namespaced_or_all<K>(client: &kube::Client, namespace: Option<&str>) -> Api<K>
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    K::DynamicType: Default,
{
    match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

async fn optional<F: std::future::Future>(wanted: bool, future: F) -> Option<F::Output> {
    if wanted { Some(future.await) } else { None }
}

impl Settle<'_> {
    /// A list's items; a 403 on a resource that is not the target becomes a gap (the engine
    /// turns it into unknown facts and one note), anything else fatal is an error.
    fn list<T>(
        &self,
        result: Result<Vec<T>, kube::Error>,
        resource: GapResource,
        gaps: &mut Vec<Gap>,
    ) -> Result<Vec<T>, SourceError> {
        match result {
            Ok(items) => Ok(items),
            Err(err) if status_code(&err) == Some(403) => {
                let gap = Gap {
                    resource,
                    namespace: self.namespace.map(str::to_string),
                };
                if !gaps.contains(&gap) {
                    gaps.push(gap);
                }
                Ok(Vec::new())
            }
            Err(err) => Err(classify(err, self.server)),
        }
    }
}

/// The kubectl-style not-found error, with near names from a (best-effort) list.
async fn not_found<K>(
    api: &Api<K>,
    paging: Paging,
    resource: &'static str,
    name: &str,
    namespace: &str,
) -> SourceError
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug + Send + 'static,
{
    let names: Vec<String> = list_all(api, &ListParams::default(), paging)
        .await
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.meta().name.clone())
                .collect()
        })
        .unwrap_or_default();
    SourceError::NotFound(NotFound {
        resource,
        name: name.to_string(),
        namespace: namespace.to_string(),
        suggestions: suggest(name, names.iter().map(String::as_str)),
    })
}

/// Appends `more` to `into`, moving the whole list when `into` is empty: a cluster's lists are
/// large, and extending an empty Vec would copy them while both are alive.
fn join<T>(into: &mut Vec<T>, mut more: Vec<T>) {
    if into.is_empty() {
        std::mem::swap(into, &mut more);
    } else {
        into.append(&mut more);
    }
}

/// The same object can arrive twice (a target GET and a namespace LIST, kube-system with -A).
fn dedup(snapshot: &mut ClusterSnapshot) {
    fn by_key<T, M: Metadata>(items: &mut Vec<T>, meta: fn(&T) -> &M) {
        // The keys borrow the objects, so which to keep is decided before any is removed:
        // copying two strings per object into a SipHash set was 1.5% of a cluster-wide run.
        let keep: Vec<bool> = {
            let mut seen = std::collections::HashSet::with_capacity_and_hasher(
                items.len(),
                foldhash::fast::RandomState::default(),
            );
            items
                .iter()
                .map(|item| seen.insert((meta(item).namespace(), meta(item).name())))
                .collect()
        };
        if keep.iter().all(|&kept| kept) {
            return;
        }
        let mut keep = keep.into_iter();
        items.retain(|_| keep.next().unwrap_or(true));
    }
    by_key(&mut snapshot.services, |o| &o.metadata);
    by_key(&mut snapshot.endpoint_slices, |o| &o.metadata);
    by_key(&mut snapshot.stateful_sets, |o| &o.metadata);
    by_key(&mut snapshot.pods, |o| &o.metadata);
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Service;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn service(namespace: &str, name: &str, cluster_ip: &str) -> Service {
        Service {
            metadata: ObjectMeta {
                namespace: Some(namespace.to_string()),
                name: Some(name.to_string()),
                ..ObjectMeta::default()
            },
            spec: Some(k8s_openapi::api::core::v1::ServiceSpec {
                cluster_ip: Some(cluster_ip.to_string()),
                ..Default::default()
            }),
            ..Service::default()
        }
    }

    #[test]
    fn an_object_read_twice_is_kept_once_in_its_first_place() {
        let mut snapshot = ClusterSnapshot {
            services: vec![
                service("a", "web", "10.0.0.1"),
                service("b", "web", "10.0.0.2"),
                service("a", "web", "10.0.0.3"),
                service("a", "db", "10.0.0.4"),
            ],
            ..ClusterSnapshot::default()
        };
        dedup(&mut snapshot);
        let kept: Vec<_> = snapshot
            .services
            .iter()
            .map(|s| {
                let ip = s.spec.as_ref().and_then(|spec| spec.cluster_ip.clone());
                ip.unwrap_or_default()
            })
            .collect();
        assert_eq!(kept, ["10.0.0.1", "10.0.0.2", "10.0.0.4"]);

        let unique = snapshot.services.clone();
        dedup(&mut snapshot);
        assert_eq!(snapshot.services, unique);
    }
}
