//! The one validation boundary: total views of the objects, built once from the Option-heavy API
//! types the way `plugin/kubernetes/object/{service,endpoint,pod}.go` reduce them, whichever source
//! produced them. An object the API server would refuse (a name breaking its kind's DNS rule) is
//! skipped whole with a note, as the API would refuse it; a value only CoreDNS cannot use (one
//! unparseable address) drops just that value. Nothing here panics or aborts the run.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Namespace, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::NetworkPolicy;

use super::HashMap;
use super::network_policy::NetworkPolicyView;
use crate::model::kubernetes::{
    BUILTIN_NAMESPACES, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, TOLERATE_UNREADY_ANNOTATION,
};
use crate::model::{
    Cause, ClusterSnapshot, DnsConfig, DnsName, DnsOption, DnsPolicy, Gap, GapResource, Kind,
    LabelSet, Labels, Metadata, NameKind, NamespaceFilter, Note, ObjectRef, PodDns, PodDnsConfig,
    PodObject, PodObjectSpec, ReadyCondition, find_gap, validate_name,
};

/// The problem with `value` under the API server's rule for `kind`, as a phrase.
fn name_rule(kind: NameKind, value: &str) -> Result<(), String> {
    validate_name(kind, value).map_err(|invalid| invalid.problem.to_string())
}

/// What a Service is, as far as DNS is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceKind {
    /// A virtual IP per family (ClusterIP, NodePort, LoadBalancer).
    ClusterIp(Vec<IpAddr>),
    /// A manifest not yet applied: the API server has not allocated a ClusterIP. `families` is
    /// how many it will get (2 for RequireDualStack or two `ipFamilies`, else 1).
    Unallocated {
        /// Number of ClusterIPs the Service will get.
        families: usize,
    },
    /// `clusterIP: None`.
    Headless,
    /// `type: ExternalName` with its target as written.
    ExternalName(String),
}

/// A port of a Service or an EndpointSlice: name and protocol lower-case, as they appear in
/// `_name._proto` owners.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PortView {
    /// Port name, lower-case; empty for unnamed ports.
    pub name: String,
    /// `tcp`, `udp` or `sctp`.
    pub protocol: String,
    /// The port number.
    pub port: u16,
}

/// A Service as CoreDNS and the findings see it.
#[derive(Debug, Clone)]
pub struct ServiceView {
    /// The object.
    pub object: Arc<ObjectRef>,
    /// What kind of DNS it gets.
    pub kind: ServiceKind,
    /// Its ports; empty for a portless Service (CoreDNS's -1 sentinel).
    pub ports: Vec<PortView>,
    /// `spec.selector`; `None` for a selector-less Service (no controller-made slices).
    pub selector: Option<BTreeMap<String, String>>,
    /// `spec.publishNotReadyAddresses`.
    pub publish_not_ready: bool,
    /// The retired tolerate-unready annotation is set to "true".
    pub tolerate_unready_annotation: bool,
    /// ClusterIPs the object spells otherwise than their canonical text (`fd00:0::a`):
    /// CoreDNS indexes Services by the text, so a reverse question never finds them.
    pub noncanonical_cluster_ips: Vec<IpAddr>,
}

impl ServiceView {
    /// `clusterIP: None`.
    pub fn is_headless(&self) -> bool {
        self.kind == ServiceKind::Headless
    }

    /// Whether the selector picks Pods with `labels`: every key equal. A nil selector picks
    /// nothing (no controller slices); an empty one everything (`labels.Set.AsSelector`).
    pub fn selects(&self, labels: &impl LabelSet) -> bool {
        self.selector
            .as_ref()
            .is_some_and(|sel| labels.has_all(sel))
    }
}

/// One address of a slice endpoint.
#[derive(Debug, Clone)]
pub struct AddressView {
    /// The address as the slice spells it (CoreDNS builds dashed names from this string).
    pub text: Arc<str>,
    /// The parsed address.
    pub ip: IpAddr,
    /// The text is the address's canonical form: CoreDNS looks slices up by the canonical text
    /// of a reverse question, so an address spelled otherwise gets no PTR.
    pub canonical: bool,
}

/// One address of an FQDN slice endpoint that is a name, not an IP: CoreDNS's backend entry
/// for it is a CNAME to that name (`msg.Service.HostType` finds no IP in it).
#[derive(Debug, Clone)]
pub struct NameAddressView {
    /// The address as the slice spells it (the endpoint label is built from this string).
    pub text: Arc<str>,
    /// The name it spells, the CNAME target.
    pub target: DnsName,
}

/// One endpoint of a slice.
#[derive(Debug, Clone)]
pub struct EndpointView {
    /// Its IP addresses (an FQDN slice's addresses that parse as IPs are here too: CoreDNS
    /// serves them as addresses).
    pub addresses: Vec<AddressView>,
    /// The addresses of an FQDN slice that are names.
    pub names: Vec<NameAddressView>,
    /// `conditions.ready`, absent counting as ready (`endpointsliceReady`).
    pub ready: bool,
    /// `conditions.terminating`.
    pub terminating: bool,
    /// `hostname`, if set.
    pub hostname: Option<String>,
    /// `targetRef.name` when shorter than 64 characters (CoreDNS drops longer ones).
    pub target_name: Option<String>,
    /// `targetRef` when it names a Pod.
    pub pod: Option<Arc<ObjectRef>>,
    /// The endpoint's topology `zone`, which the `zonal` option's names select on.
    pub zone: Option<String>,
}

impl EndpointView {
    /// Every address as the slice spells it, IPs first, then names.
    pub fn address_texts(&self) -> impl Iterator<Item = &str> {
        self.addresses
            .iter()
            .map(|a| &*a.text)
            .chain(self.names.iter().map(|n| &*n.text))
    }

    /// Whether it has any address at all.
    pub fn has_addresses(&self) -> bool {
        !self.addresses.is_empty() || !self.names.is_empty()
    }
}

/// An EndpointSlice as CoreDNS sees it.
#[derive(Debug, Clone)]
pub struct SliceView {
    /// The object.
    pub object: Arc<ObjectRef>,
    /// The Service its `kubernetes.io/service-name` label names.
    pub service: Option<String>,
    /// `endpointslice.kubernetes.io/managed-by`.
    pub managed_by: Option<String>,
    /// Its ports; `None` entries are CoreDNS's -1 sentinel (a slice without ports, or a port
    /// without a number).
    pub ports: Vec<Option<PortView>>,
    /// Its endpoints.
    pub endpoints: Vec<EndpointView>,
}

/// A Pod, as CoreDNS's pod watch and the findings see it.
#[derive(Debug, Clone)]
pub struct PodView {
    /// The object.
    pub object: Arc<ObjectRef>,
    /// Its labels.
    pub labels: Labels,
    /// `spec.hostname`, if set.
    pub hostname: Option<String>,
    /// `spec.subdomain`, if set.
    pub subdomain: Option<String>,
    /// The StatefulSet owning it (owner reference).
    pub stateful_set: Option<String>,
    /// The Ready condition is True.
    pub ready: bool,
    /// The Ready condition as reported.
    pub ready_condition: Option<ReadyCondition>,
    /// The Pod has a status at all (offline manifests of unapplied workloads have none).
    pub has_status: bool,
    /// `status.podIP` as written (the primary IP only) and parsed, when valid.
    pub ip: Option<(String, IpAddr)>,
    /// CoreDNS's pod watch keeps it (`labels` match, not terminal, not being deleted, has an IP).
    pub watched: bool,
    /// Its resolver settings: `dnsPolicy`, `dnsConfig`, `hostNetwork`.
    pub dns: PodDns,
}

/// A StatefulSet, for the names its replicas are promised.
#[derive(Debug, Clone)]
pub struct StatefulSetView {
    /// The object.
    pub object: Arc<ObjectRef>,
    /// `spec.serviceName`, if set.
    pub service_name: Option<String>,
    /// `spec.replicas` (default 1).
    pub replicas: u32,
    /// `spec.ordinals.start` (default 0).
    pub ordinal_start: u32,
    /// `podManagementPolicy` is OrderedReady (the default).
    pub ordered_ready: bool,
    /// The pod template's labels.
    pub template_labels: BTreeMap<String, String>,
}

impl StatefulSetView {
    /// The Pod names of its replicas, in ordinal order.
    pub fn pod_names(&self) -> impl Iterator<Item = String> + '_ {
        (self.ordinal_start..self.ordinal_start.saturating_add(self.replicas))
            .map(|i| format!("{}-{i}", self.object.name))
    }
}

/// An object CoreDNS never sees, and why.
#[derive(Debug, Clone)]
pub struct Hidden {
    /// The object.
    pub object: ObjectRef,
    /// Why it is hidden (`filtered-by-labels`, `invalid-object`).
    pub cause: Cause,
}

/// Which namespaces exist, by the source's authority.
#[derive(Debug, Clone, Default)]
pub struct Namespaces {
    /// Labels by namespace name, for `namespace_labels`.
    pub labels: BTreeMap<String, BTreeMap<String, String>>,
    /// Namespace objects decide existence (the API listed them, or the manifests held some).
    pub authoritative: bool,
}

impl Namespaces {
    /// Whether the namespace exists, as far as the input can tell.
    pub fn exists(&self, namespace: &str) -> bool {
        !self.authoritative
            || self.labels.contains_key(namespace)
            || BUILTIN_NAMESPACES.contains(&namespace)
    }
}

/// Every object of the snapshot, validated once.
#[derive(Debug, Clone, Default)]
pub struct ClusterView {
    /// Services CoreDNS watches (matching `labels`), sorted by namespace and name.
    pub services: Vec<ServiceView>,
    /// Slices CoreDNS watches (matching `labels`; none with `noendpoints`), sorted.
    pub slices: Vec<SliceView>,
    /// Every valid Pod, sorted; `watched` says which CoreDNS's pod watch keeps.
    pub pods: Vec<PodView>,
    /// Every valid StatefulSet, sorted.
    pub stateful_sets: Vec<StatefulSetView>,
    /// Services and slices CoreDNS does not see, with the cause.
    pub hidden: Vec<Hidden>,
    /// Services the Corefile's `labels` selector filters out, validated like the rest: their
    /// expected names are facts too (absent, `filtered-by-labels`).
    pub filtered_services: Vec<ServiceView>,
    /// Slices the `labels` selector filters out.
    pub filtered_slices: Vec<SliceView>,
    /// Namespace existence and labels.
    pub namespaces: Namespaces,
    /// NetworkPolicies that restrict egress, for `explain`'s client side.
    pub network_policies: Vec<NetworkPolicyView>,
    /// Namespaces holding at least one EndpointSlice, watched or not: where manifests were
    /// applied (offline input of a workload never applied has none).
    pub namespaces_with_slices: BTreeSet<String>,
    /// The lists the source could not read: what rests on them is unknown, not absent.
    pub gaps: Vec<Gap>,
    /// The source read every namespace's objects (a live list), so every manifest is applied.
    pub namespaces_complete: bool,
    /// CoreDNS's own addresses (`localIPs`), for the NS records and their glue.
    pub coredns_addresses: BTreeSet<IpAddr>,
}

/// The object lists a view is built from, with CoreDNS's own addresses read from them first.
/// From this many Pods on, their views are built on a second thread (see [`super::join::join`]).
const PARALLEL_PODS_FROM: usize = 2_000;

struct Lists<S, E, P, T, N> {
    services: S,
    slices: E,
    pods: P,
    stateful_sets: T,
    network_policies: N,
    coredns_addresses: BTreeSet<IpAddr>,
}

impl ClusterView {
    /// Builds the view, adding a note for everything it had to skip.
    pub fn build(snapshot: &ClusterSnapshot, config: &DnsConfig, notes: &mut Vec<Note>) -> Self {
        let lists = Lists {
            services: snapshot.services.iter(),
            slices: snapshot.endpoint_slices.iter(),
            pods: snapshot.pods.iter(),
            stateful_sets: snapshot.stateful_sets.iter(),
            network_policies: snapshot.network_policies.iter(),
            coredns_addresses: super::apex::coredns_addresses(snapshot),
        };
        Self::build_from(snapshot, lists, config, notes)
    }

    /// [`ClusterView::build`] consuming the snapshot: each object is freed as soon as its view
    /// exists, so a large cluster's objects and their views are never all in memory together.
    pub fn build_owned(
        mut snapshot: ClusterSnapshot,
        config: &DnsConfig,
        notes: &mut Vec<Note>,
    ) -> Self {
        let coredns_addresses = super::apex::coredns_addresses(&snapshot);
        let lists = Lists {
            services: std::mem::take(&mut snapshot.services).into_iter(),
            slices: std::mem::take(&mut snapshot.endpoint_slices).into_iter(),
            pods: std::mem::take(&mut snapshot.pods).into_iter(),
            stateful_sets: std::mem::take(&mut snapshot.stateful_sets).into_iter(),
            network_policies: std::mem::take(&mut snapshot.network_policies).into_iter(),
            coredns_addresses,
        };
        Self::build_from(&snapshot, lists, config, notes)
    }

    /// The one body of both builds. `snapshot` is read for everything but its object lists,
    /// which come in `lists` (borrowed, or taken out of it and consumed).
    fn build_from<Sv, Es, Po, Ss, Np>(
        snapshot: &ClusterSnapshot,
        lists: Lists<
            impl Iterator<Item = Sv>,
            impl Iterator<Item = Es>,
            impl Iterator<Item = Po> + Send,
            impl Iterator<Item = Ss>,
            impl Iterator<Item = Np>,
        >,
        config: &DnsConfig,
        notes: &mut Vec<Note>,
    ) -> Self
    where
        Sv: Borrow<Service>,
        Es: Borrow<EndpointSlice>,
        Po: Borrow<PodObject> + Send,
        Ss: Borrow<StatefulSet>,
        Np: Borrow<NetworkPolicy>,
    {
        let first_note = notes.len();
        let selector_text = config.labels.as_ref().map(ToString::to_string);
        let no_labels = BTreeMap::new();
        let mut view = ClusterView {
            namespaces: Namespaces {
                labels: snapshot
                    .namespaces
                    .iter()
                    .filter_map(namespace_labels)
                    .collect(),
                authoritative: snapshot.namespaces_complete || !snapshot.namespaces.is_empty(),
            },
            gaps: snapshot.gaps.clone(),
            namespaces_complete: snapshot.namespaces_complete,
            coredns_addresses: lists.coredns_addresses,
            ..ClusterView::default()
        };
        let hide = |object: &ObjectRef, view: &mut ClusterView| {
            if let Some(selector) = &selector_text {
                view.hidden.push(Hidden {
                    object: object.clone(),
                    cause: Cause::FilteredByLabels {
                        object: object.clone(),
                        selector: selector.clone(),
                    },
                });
            }
        };
        // Room for every view up front: a vector doubling while the objects are being freed
        // makes glibc consolidate its free lists again and again.
        view.services.reserve(lists.services.size_hint().0);
        view.slices.reserve(lists.slices.size_hint().0);
        view.stateful_sets
            .reserve(lists.stateful_sets.size_hint().0);
        // The Pods' views need nothing of the Services' and slices': on a large cluster they are
        // built (and their objects freed) on a second thread meanwhile, their notes placed
        // where one thread would have written them.
        let pods = lists.pods;
        let worth_a_thread = pods.size_hint().0 >= PARALLEL_PODS_FROM;
        let ((), (pod_views, pod_notes)) = super::join::join(
            worth_a_thread,
            || {
                for service in lists.services {
                    let service = service.borrow();
                    let Some(built) = service_view(service, notes, &mut view.hidden) else {
                        continue;
                    };
                    if seen_through_labels(
                        config,
                        service.metadata.labels.as_ref().unwrap_or(&no_labels),
                    ) {
                        view.services.push(built);
                    } else {
                        hide(&built.object, &mut view);
                        view.filtered_services.push(built);
                    }
                }
                for slice in lists.slices {
                    let slice = slice.borrow();
                    let Some(built) = slice_view(slice, notes, &mut view.hidden) else {
                        continue;
                    };
                    view.namespaces_with_slices
                        .insert(built.object.namespace.clone());
                    if config.noendpoints {
                        continue;
                    }
                    if seen_through_labels(
                        config,
                        slice.metadata.labels.as_ref().unwrap_or(&no_labels),
                    ) {
                        view.slices.push(built);
                    } else {
                        hide(&built.object, &mut view);
                        view.filtered_slices.push(built);
                    }
                }
            },
            || {
                let mut views = Vec::with_capacity(pods.size_hint().0);
                let mut notes = Vec::new();
                for pod in pods {
                    let pod = pod.borrow();
                    if let Some(mut built) = pod_view(pod, &mut notes) {
                        built.watched &= seen_through_labels(config, &pod.metadata.labels);
                        views.push(built);
                    }
                }
                (views, notes)
            },
        );
        view.pods = pod_views;
        notes.extend(pod_notes);
        for sts in lists.stateful_sets {
            if let Some(built) = stateful_set_view(sts.borrow(), notes) {
                view.stateful_sets.push(built);
            }
        }
        for policy in lists.network_policies {
            let policy = policy.borrow();
            let mut hidden = Vec::new();
            if let Some(object) = checked_ref(
                Kind::NetworkPolicy,
                &policy.metadata,
                NameKind::Pod,
                notes,
                &mut hidden,
            ) {
                view.network_policies
                    .push(super::network_policy::view(policy, object));
            }
        }
        share_pod_refs(&mut view);
        view.services.sort_by(|a, b| a.object.cmp(&b.object));
        view.slices.sort_by(|a, b| a.object.cmp(&b.object));
        view.pods.sort_by(|a, b| a.object.cmp(&b.object));
        view.stateful_sets.sort_by(|a, b| a.object.cmp(&b.object));
        view.hidden.sort_by(|a, b| a.object.cmp(&b.object));
        // What is said about an object names where it was read (`file: document N`) offline.
        for note in &mut notes[first_note..] {
            if let Some(origin) = note.subject.as_ref().and_then(|s| snapshot.origins.get(s)) {
                note.message = format!("{origin}: {}", note.message);
            }
        }
        for gap in &snapshot.gaps {
            let consequence = match gap.resource {
                GapResource::Services => {
                    "Service records are missing and names that depend on Services are unknown; StatefulSet checks skipped"
                }
                GapResource::EndpointSlices => {
                    "endpoint names and headless Services are unknown; endpoint checks skipped"
                }
                GapResource::StatefulSets => "StatefulSet peer names and checks skipped",
                GapResource::Pods => "pod records are missing; checks that read Pods skipped",
                GapResource::Namespaces => "every namespace is assumed to exist",
                GapResource::NetworkPolicies => {
                    "whether NetworkPolicies let Pods reach cluster DNS is unknown"
                }
            };
            notes.push(Note::warning(format!(
                "cannot list {} in {} (forbidden): {consequence}",
                gap.resource.as_str(),
                gap.namespace.as_deref().unwrap_or("all namespaces")
            )));
        }
        if !view.namespaces.authoritative
            && !snapshot
                .gaps
                .iter()
                .any(|g| g.resource == GapResource::Namespaces)
        {
            let outside: BTreeSet<&str> = view
                .services
                .iter()
                .map(|s| s.object.namespace.as_str())
                .filter(|ns| !BUILTIN_NAMESPACES.contains(ns))
                .collect();
            if !outside.is_empty() {
                notes.push(Note::info(
                    "the input holds no Namespace objects: every namespace is assumed to exist",
                ));
            }
        }
        view
    }

    /// Whether `resource` could not be read in `namespace`.
    pub fn gap(&self, resource: GapResource, namespace: &str) -> Option<&Gap> {
        find_gap(&self.gaps, resource, namespace)
    }

    /// Whether CoreDNS serves names in `namespace` under `config`.
    pub fn namespace_exposed(&self, config: &DnsConfig, namespace: &str) -> bool {
        self.namespace_hidden_by(config, namespace).is_none()
    }

    /// Why CoreDNS serves nothing in `namespace`, if it does not (`namespace.go
    /// namespaceExposed`: the option lists it, its labels match, and the object exists).
    pub fn namespace_hidden_by(&self, config: &DnsConfig, namespace: &str) -> Option<Cause> {
        if !config.namespaces.is_empty() && !config.namespaces.iter().any(|ns| ns == namespace) {
            return Some(Cause::NamespaceNotServed {
                namespace: namespace.to_string(),
                filter: NamespaceFilter::Namespaces,
            });
        }
        if !self.namespaces.exists(namespace) {
            return Some(Cause::NamespaceMissing {
                namespace: namespace.to_string(),
            });
        }
        if !config.namespace_exposed(namespace, self.namespaces.labels.get(namespace)) {
            return Some(Cause::NamespaceNotServed {
                namespace: namespace.to_string(),
                filter: NamespaceFilter::NamespaceLabels,
            });
        }
        None
    }
}

/// Whether the stanza's `labels` option lets CoreDNS see an object with these labels.
fn seen_through_labels(config: &DnsConfig, labels: &impl LabelSet) -> bool {
    config
        .labels
        .as_ref()
        .is_none_or(|selector| selector.matches(labels))
}

/// Points each endpoint's Pod reference at the Pod view's own, where that Pod was read: the
/// records and facts of both then share one allocation instead of holding two equal ones
/// (100,000 endpoints, 100,000 Pods).
fn share_pod_refs(view: &mut ClusterView) {
    let pods: HashMap<&ObjectRef, &Arc<ObjectRef>> = view
        .pods
        .iter()
        .map(|pod| (&*pod.object, &pod.object))
        .collect();
    let slices = view
        .slices
        .iter_mut()
        .chain(view.filtered_slices.iter_mut());
    for endpoint in slices.flat_map(|slice| slice.endpoints.iter_mut()) {
        if let Some(pod) = endpoint.pod.as_mut()
            && let Some(&shared) = pods.get(&**pod)
        {
            *pod = Arc::clone(shared);
        }
    }
}

fn namespace_labels(namespace: &Namespace) -> Option<(String, BTreeMap<String, String>)> {
    let name = namespace.metadata.name.clone()?;
    Some((name, namespace.metadata.labels.clone().unwrap_or_default()))
}

/// The namespace an object lives in; the sources fill it in, so `default` is only a fallback.
fn namespace_of(meta: &impl Metadata) -> &str {
    meta.namespace().unwrap_or("default")
}

/// The object's reference, or `None` (with a note) when its name or namespace breaks the rule
/// the API server enforces for its kind.
fn checked_ref(
    kind: Kind,
    meta: &impl Metadata,
    name_kind: NameKind,
    notes: &mut Vec<Note>,
    hidden: &mut Vec<Hidden>,
) -> Option<Arc<ObjectRef>> {
    let name = meta.name()?;
    let namespace = namespace_of(meta);
    let object = ObjectRef::new(kind, namespace, name);
    let problem = name_rule(NameKind::Namespace, namespace)
        .map_err(|p| ("metadata.namespace", namespace, p))
        .and_then(|()| name_rule(name_kind, name).map_err(|p| ("metadata.name", name, p)));
    match problem {
        Ok(()) => Some(Arc::new(object)),
        Err((field, value, problem)) => {
            reject(
                object,
                field,
                &format!("\"{value}\" {problem}"),
                notes,
                hidden,
            );
            None
        }
    }
}

/// Skips an object the API server would refuse, with a note and a cause.
fn reject(
    object: ObjectRef,
    field: &str,
    problem: &str,
    notes: &mut Vec<Note>,
    hidden: &mut Vec<Hidden>,
) {
    notes.push(
        Note::warning(format!(
            "{} {}/{}: {field} {problem}; the API server would refuse it, so it is skipped",
            object.kind.as_str(),
            object.namespace,
            object.name
        ))
        .about(&object),
    );
    hidden.push(Hidden {
        object: object.clone(),
        cause: Cause::InvalidObject {
            object,
            field: field.to_string(),
            problem: problem.to_string(),
        },
    });
}

fn service_view(
    service: &Service,
    notes: &mut Vec<Note>,
    hidden: &mut Vec<Hidden>,
) -> Option<ServiceView> {
    let object = checked_ref(
        Kind::Service,
        &service.metadata,
        NameKind::Service,
        notes,
        hidden,
    )?;
    let spec = service.spec.clone().unwrap_or_default();
    let mut noncanonical_cluster_ips = Vec::new();
    let kind = if spec.type_.as_deref() == Some("ExternalName") {
        let target = spec.external_name.clone().unwrap_or_default();
        // ValidateService: externalName is a DNS-1123 subdomain, a trailing dot tolerated.
        if let Err(problem) = name_rule(NameKind::ExternalName, target.trim_end_matches('.')) {
            reject(
                (*object).clone(),
                "spec.externalName",
                &format!("\"{target}\" {problem}"),
                notes,
                hidden,
            );
            return None;
        }
        ServiceKind::ExternalName(target)
    } else {
        // object/service.go: clusterIPs, falling back to [clusterIP].
        let ips: Vec<String> = match spec.cluster_ips.as_ref().filter(|ips| !ips.is_empty()) {
            Some(ips) => ips.clone(),
            None => spec.cluster_ip.iter().cloned().collect(),
        };
        match ips.first().map(String::as_str) {
            Some("None") => ServiceKind::Headless,
            None | Some("") => ServiceKind::Unallocated {
                families: unallocated_families(&spec),
            },
            Some(_) => {
                let mut parsed = Vec::new();
                for text in &ips {
                    match text.parse::<IpAddr>() {
                        Ok(ip) => {
                            if ip.to_string() != *text {
                                noncanonical_cluster_ips.push(ip);
                            }
                            parsed.push(ip)
                        }
                        Err(_) => {
                            reject(
                                (*object).clone(),
                                "spec.clusterIPs",
                                &format!("\"{text}\" is not an IP address"),
                                notes,
                                hidden,
                            );
                            return None;
                        }
                    }
                }
                ServiceKind::ClusterIp(parsed)
            }
        }
    };
    let mut ports = Vec::new();
    for port in spec.ports.iter().flatten() {
        let name = port.name.clone().unwrap_or_default();
        if !name.is_empty()
            && let Err(problem) = name_rule(NameKind::PortName, &name)
        {
            reject(
                (*object).clone(),
                "spec.ports[].name",
                &format!("\"{name}\" {problem}"),
                notes,
                hidden,
            );
            return None;
        }
        match u16::try_from(port.port).ok().filter(|p| *p != 0) {
            Some(number) => ports.push(PortView {
                name: name.to_ascii_lowercase(),
                protocol: protocol(port.protocol.as_deref()),
                port: number,
            }),
            None => notes.push(
                Note::warning(format!(
                    "{object}: port {} is out of range; it is skipped",
                    port.port
                ))
                .about(&object),
            ),
        }
    }
    let tolerate_unready_annotation = service
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(TOLERATE_UNREADY_ANNOTATION))
        .is_some_and(|v| v == "true");
    Some(ServiceView {
        object,
        kind,
        ports,
        selector: spec.selector.clone(),
        publish_not_ready: spec.publish_not_ready_addresses.unwrap_or(false),
        tolerate_unready_annotation,
        noncanonical_cluster_ips,
    })
}

fn unallocated_families(spec: &k8s_openapi::api::core::v1::ServiceSpec) -> usize {
    let listed = spec.ip_families.as_ref().map_or(0, Vec::len);
    let dual = spec.ip_family_policy.as_deref() == Some("RequireDualStack");
    if dual { 2 } else { listed.clamp(1, 2) }
}

/// The API defaults a missing protocol to TCP, for Service and EndpointSlice ports alike.
fn protocol(protocol: Option<&str>) -> String {
    protocol.unwrap_or("TCP").to_ascii_lowercase()
}

fn slice_view(
    slice: &EndpointSlice,
    notes: &mut Vec<Note>,
    hidden: &mut Vec<Hidden>,
) -> Option<SliceView> {
    let object = checked_ref(
        Kind::EndpointSlice,
        &slice.metadata,
        NameKind::EndpointSlice,
        notes,
        hidden,
    )?;
    let namespace = object.namespace.clone();
    let fqdn = slice.address_type == "FQDN";
    if fqdn {
        // ValidateEndpointSlice: every address of an FQDN slice is a fully qualified name.
        for address in slice.endpoints.iter().flat_map(|e| &e.addresses) {
            if let Err(problem) = fully_qualified(address) {
                reject(
                    (*object).clone(),
                    "endpoints[].addresses",
                    &format!("\"{address}\" {problem}"),
                    notes,
                    hidden,
                );
                return None;
            }
        }
        notes.push(Note::info(format!(
            "{object}: an FQDN EndpointSlice: CoreDNS answers A/AAAA questions for its Service (headless) and its endpoint names with a CNAME to each address and what that name resolves to, but no SRV (Services drops name entries from SRV answers) and no PTR"
        )).about(&object));
    }
    let labels = slice.metadata.labels.as_ref();
    let service = labels
        .and_then(|labels| labels.get(SERVICE_NAME_LABEL))
        .filter(|name| !name.is_empty())
        .cloned();
    if service.is_none() {
        notes.push(
            Note::warning(format!(
                "EndpointSlice {}/{}: has no {SERVICE_NAME_LABEL} label, so CoreDNS ties it to no Service",
                object.namespace, object.name
            ))
            .about(&object),
        );
    }
    let managed_by = labels.and_then(|l| l.get(MANAGED_BY_LABEL)).cloned();
    for port in slice.ports.iter().flatten() {
        if let Some(name) = port.name.as_deref().filter(|n| !n.is_empty())
            && let Err(problem) = name_rule(NameKind::PortName, name)
        {
            reject(
                (*object).clone(),
                "ports[].name",
                &format!("\"{name}\" {problem}"),
                notes,
                hidden,
            );
            return None;
        }
    }
    for hostname in slice.endpoints.iter().filter_map(|e| e.hostname.as_deref()) {
        if !hostname.is_empty()
            && let Err(problem) = name_rule(NameKind::Hostname, hostname)
        {
            reject(
                (*object).clone(),
                "endpoints[].hostname",
                &format!("\"{hostname}\" {problem}"),
                notes,
                hidden,
            );
            return None;
        }
    }
    let mut ports: Vec<Option<PortView>> = slice
        .ports
        .iter()
        .flatten()
        .map(|port| {
            let number = port
                .port
                .and_then(|p| u16::try_from(p).ok())
                .filter(|p| *p != 0)?;
            Some(PortView {
                name: port.name.clone().unwrap_or_default().to_ascii_lowercase(),
                protocol: protocol(port.protocol.as_deref()),
                port: number,
            })
        })
        .collect();
    if ports.is_empty() {
        ports.push(None);
    }
    // Sized up front: a vector grown by pushes keeps up to half of its room unused, and these
    // are the views a large cluster has most of.
    let mut endpoints = Vec::with_capacity(slice.endpoints.len());
    for endpoint in &slice.endpoints {
        let mut addresses = Vec::with_capacity(endpoint.addresses.len());
        let mut names = Vec::new();
        for text in &endpoint.addresses {
            match text.parse::<IpAddr>() {
                Ok(ip) => addresses.push(AddressView {
                    text: Arc::from(text.as_str()),
                    ip,
                    // std's IPv4 parser takes only the canonical form (no leading zeros), so
                    // only IPv6 text is formatted again to compare.
                    canonical: ip.is_ipv4() || ip.to_string() == *text,
                }),
                // `msg.Service.HostType`: what is no IP is a name, served as a CNAME.
                Err(_) if fqdn => match DnsName::parse(text) {
                    Ok(target) => names.push(NameAddressView {
                        text: Arc::from(text.as_str()),
                        target,
                    }),
                    Err(err) => notes.push(
                        Note::warning(format!(
                            "{object}: endpoint address \"{text}\" is not a name the tool can hold ({err}); that address is skipped"
                        ))
                        .about(&object),
                    ),
                },
                Err(_) => notes.push(
                    Note::warning(format!(
                        "{object}: endpoint address \"{text}\" is not an IP address; that address is skipped"
                    ))
                    .about(&object),
                ),
            }
        }
        let target = endpoint.target_ref.as_ref();
        let target_name = target
            .and_then(|t| t.name.clone())
            .filter(|name| name.len() < 64);
        let pod = target
            .filter(|t| t.kind.as_deref() == Some("Pod"))
            .and_then(|t| {
                let name = t.name.as_deref()?;
                Some(Arc::new(ObjectRef::new(
                    Kind::Pod,
                    t.namespace.as_deref().unwrap_or(&namespace),
                    name,
                )))
            });
        let conditions = endpoint.conditions.as_ref();
        endpoints.push(EndpointView {
            addresses,
            names,
            ready: conditions.and_then(|c| c.ready).unwrap_or(true),
            terminating: conditions.and_then(|c| c.terminating).unwrap_or(false),
            hostname: endpoint.hostname.clone().filter(|h| !h.is_empty()),
            target_name,
            pod,
            zone: endpoint.zone.clone().filter(|z| !z.is_empty()),
        });
    }
    Some(SliceView {
        object,
        service,
        managed_by,
        ports,
        endpoints,
    })
}

/// `IsFullyQualifiedDomainName`, the rule the API server applies to an FQDN slice's addresses:
/// a DNS-1123 subdomain (a trailing dot tolerated) of at least two labels.
fn fully_qualified(address: &str) -> Result<(), String> {
    let trimmed = address.strip_suffix('.').unwrap_or(address);
    name_rule(NameKind::ExternalName, trimmed)?;
    if !trimmed.contains('.') {
        return Err("should be a domain with at least two segments separated by dots".to_string());
    }
    Ok(())
}

fn pod_view(pod: &PodObject, notes: &mut Vec<Note>) -> Option<PodView> {
    let mut hidden = Vec::new();
    let object = checked_ref(Kind::Pod, &pod.metadata, NameKind::Pod, notes, &mut hidden)?;
    let spec = pod.spec.as_ref();
    let hostname = spec
        .and_then(|s| s.hostname.clone())
        .filter(|h| !h.is_empty());
    let subdomain = spec
        .and_then(|s| s.subdomain.clone())
        .filter(|h| !h.is_empty());
    for (field, kind, value) in [
        ("spec.hostname", NameKind::Hostname, &hostname),
        ("spec.subdomain", NameKind::Subdomain, &subdomain),
    ] {
        if let Some(value) = value
            && let Err(problem) = name_rule(kind, value)
        {
            reject(
                (*object).clone(),
                field,
                &format!("\"{value}\" {problem}"),
                notes,
                &mut hidden,
            );
            return None;
        }
    }
    let status = pod.status.as_ref();
    let ready = status
        .and_then(|s| s.conditions.as_ref())
        .and_then(|conditions| conditions.iter().find(|c| c.type_ == "Ready"));
    let ip_text = status
        .and_then(|s| s.pod_ip.clone())
        .filter(|ip| !ip.is_empty());
    let ip = match ip_text {
        Some(text) => match text.parse::<IpAddr>() {
            Ok(ip) => Some((text, ip)),
            Err(_) => {
                notes.push(
                    Note::warning(format!(
                        "{object}: podIP \"{text}\" is not an IP address; it has no pod record"
                    ))
                    .about(&object),
                );
                None
            }
        },
        None => None,
    };
    // podListFunc's field selector and ToPod: no terminal phases, nothing being deleted.
    let terminal = matches!(
        status.and_then(|s| s.phase.as_deref()),
        Some("Succeeded" | "Failed" | "Unknown")
    );
    let watched = ip.is_some() && !terminal && pod.metadata.deletion_timestamp.is_none();
    Some(PodView {
        object,
        labels: pod.metadata.labels.clone(),
        hostname,
        subdomain,
        stateful_set: pod
            .metadata
            .owner_references
            .iter()
            .find(|owner| owner.kind == "StatefulSet")
            .map(|owner| owner.name.clone()),
        ready: ready.is_some_and(|c| c.status == "True"),
        ready_condition: ready.map(|c| ReadyCondition {
            since: c.last_transition_time.as_ref().map(|t| t.0.to_string()),
            reason: c.reason.clone(),
            message: c.message.clone(),
        }),
        has_status: status.is_some(),
        ip,
        watched,
        dns: pod_dns(spec),
    })
}

/// The resolver settings of a Pod spec, as kubelet reads them.
fn pod_dns(spec: Option<&PodObjectSpec>) -> PodDns {
    let Some(spec) = spec else {
        return PodDns::default();
    };
    let windows = spec.os.as_ref().is_some_and(|os| os.name == "windows")
        || spec
            .node_selector
            .as_ref()
            .and_then(|s| s.get("kubernetes.io/os"))
            .is_some_and(|os| os == "windows");
    let mut images: Vec<String> = spec
        .containers
        .iter()
        .filter_map(|c| c.image.clone())
        .collect();
    // Collected through a filter, the vector keeps room for four images where a Pod mostly has
    // one, and the views hold one list per Pod.
    images.shrink_to_fit();
    PodDns {
        policy: DnsPolicy::parse(spec.dns_policy.as_deref()),
        config: spec.dns_config.as_ref().map(|config| PodDnsConfig {
            nameservers: config.nameservers.clone().unwrap_or_default(),
            searches: config.searches.clone().unwrap_or_default(),
            options: config
                .options
                .iter()
                .flatten()
                .filter_map(|o| {
                    Some(DnsOption {
                        name: o.name.clone()?,
                        value: o.value.clone(),
                    })
                })
                .collect(),
        }),
        host_network: spec.host_network.unwrap_or(false),
        windows,
        images,
    }
}

fn stateful_set_view(sts: &StatefulSet, notes: &mut Vec<Note>) -> Option<StatefulSetView> {
    let mut hidden = Vec::new();
    let object = checked_ref(
        Kind::StatefulSet,
        &sts.metadata,
        NameKind::StatefulSet,
        notes,
        &mut hidden,
    )?;
    let spec = sts.spec.as_ref();
    Some(StatefulSetView {
        object,
        service_name: spec
            .and_then(|s| s.service_name.clone())
            .filter(|name| !name.is_empty()),
        replicas: spec
            .and_then(|s| s.replicas)
            .map_or(1, |r| u32::try_from(r).unwrap_or(0)),
        ordinal_start: spec
            .and_then(|s| s.ordinals.as_ref())
            .and_then(|o| o.start)
            .map_or(0, |s| u32::try_from(s).unwrap_or(0)),
        ordered_ready: spec
            .and_then(|s| s.pod_management_policy.as_deref())
            .is_none_or(|policy| policy == "OrderedReady"),
        template_labels: spec
            .and_then(|s| s.template.metadata.as_ref())
            .and_then(|m| m.labels.clone())
            .unwrap_or_default(),
    })
}
