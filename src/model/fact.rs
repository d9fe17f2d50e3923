//! Facts: every name a user could expect for the objects — served or not — with the typed causes
//! that decide it. The engine decides each fact once; findings, the record list's "not served"
//! lines, and later explain/verify/watch only read them, so they can never disagree.

use std::fmt;
use std::sync::Arc;

use super::{CoreDnsVersion, DnsName, FindingId, ObjectRef, RecordType};

/// Whether CoreDNS answers a name with data of its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FactState {
    /// CoreDNS answers it with at least one record of the type.
    Served,
    /// CoreDNS answers NXDOMAIN or NODATA.
    Absent,
    /// The objects needed to decide could not be read (RBAC, not fetched).
    Unknown,
}

impl FactState {
    /// The lower-case word.
    pub fn as_str(self) -> &'static str {
        match self {
            FactState::Served => "served",
            FactState::Absent => "absent",
            FactState::Unknown => "unknown",
        }
    }
}

/// Which Corefile option hides a namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NamespaceFilter {
    /// `namespaces NS…` does not list it.
    Namespaces,
    /// `namespace_labels SEL` does not match its labels.
    NamespaceLabels,
}

/// Why a name is absent or unknown (or, for a served name, what is worth knowing about it).
/// Each variant has a stable code (`code()`), a message naming the objects, and a fix.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Cause {
    /// The endpoint's `conditions.ready` is false: CoreDNS leaves it out of every answer.
    EndpointNotReady {
        /// The endpoint's Pod, if the slice names one.
        pod: Option<ObjectRef>,
        /// The address the slice lists.
        address: String,
        /// The endpoint is terminating (`conditions.terminating`).
        terminating: bool,
        /// The Pod's Ready condition, when the Pod is known: (since, reason).
        ready_condition: Option<ReadyCondition>,
    },
    /// A StatefulSet ordinal whose Pod does not exist.
    PodNotCreated {
        /// The Pod name the ordinal gets.
        pod: ObjectRef,
        /// Under `OrderedReady`, the lower ordinal the controller waits on (not Ready or missing).
        waiting_on: Option<String>,
    },
    /// The Pod exists but is not Ready and no EndpointSlice lists it yet.
    PodNotReady {
        /// The Pod.
        pod: ObjectRef,
        /// Its Ready condition.
        ready_condition: Option<ReadyCondition>,
    },
    /// The Pod is Ready but no EndpointSlice of the Service lists it (the controller has not
    /// caught up, or the Service does not select it).
    PodNotInSlices {
        /// The Pod.
        pod: ObjectRef,
        /// The Service.
        service: ObjectRef,
    },
    /// The Pod's `spec.subdomain` is not the Service's name, so the controller sets no hostname.
    SubdomainMismatch {
        /// The Pod.
        pod: ObjectRef,
        /// Its subdomain, if any.
        subdomain: Option<String>,
        /// The Service whose name it would need.
        service: String,
    },
    /// The Pod sets no `spec.hostname`, so its endpoint has no hostname.
    NoHostname {
        /// The Pod.
        pod: ObjectRef,
    },
    /// The endpoint sits in a slice the EndpointSlice controller does not manage, which sets no
    /// hostname (and `endpoint_pod_names` is off).
    SliceSetsNoHostname {
        /// The slice.
        slice: ObjectRef,
        /// Its `endpointslice.kubernetes.io/managed-by`, if any.
        managed_by: Option<String>,
    },
    /// The Corefile does not serve the namespace.
    NamespaceNotServed {
        /// The namespace.
        namespace: String,
        /// Which option hides it.
        filter: NamespaceFilter,
    },
    /// No Namespace object exists for it: CoreDNS serves nothing in it.
    NamespaceMissing {
        /// The namespace.
        namespace: String,
    },
    /// The Corefile's `labels` selector filters the object out of CoreDNS's watch.
    FilteredByLabels {
        /// The object.
        object: ObjectRef,
        /// The selector.
        selector: String,
    },
    /// A Service without a selector and without any EndpointSlice labelled for it.
    NoSelectorNoSlices {
        /// The Service.
        service: ObjectRef,
    },
    /// A slice that looks meant for the Service lacks the `kubernetes.io/service-name` label.
    SliceWithoutServiceLabel {
        /// The slice.
        slice: ObjectRef,
    },
    /// The Service's selector matches no Pod.
    SelectorMatchesNoPod {
        /// The Service.
        service: ObjectRef,
        /// The selector, `a=b,c=d`.
        selector: String,
    },
    /// No EndpointSlice exists for a Service that has a selector.
    NoEndpointSlices {
        /// The Service.
        service: ObjectRef,
    },
    /// A headless Service whose slices hold no ready address.
    NoReadyEndpoints {
        /// The Service.
        service: ObjectRef,
    },
    /// The object was skipped: a field the API server would refuse or CoreDNS cannot use.
    InvalidObject {
        /// The object.
        object: ObjectRef,
        /// The field.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// `ignore empty_service` and no ready endpoint.
    IgnoreEmptyService {
        /// The Service.
        service: ObjectRef,
    },
    /// `noendpoints`: CoreDNS does not watch EndpointSlices at all.
    NoEndpointsOption,
    /// A StatefulSet's `serviceName` names no Service.
    ServiceMissing {
        /// The Service it names.
        service: ObjectRef,
    },
    /// A StatefulSet's `serviceName` names an ExternalName Service.
    ServiceIsExternalName {
        /// The Service.
        service: ObjectRef,
    },
    /// A StatefulSet's governing Service does not select its Pods.
    SelectorMismatch {
        /// The Service.
        service: ObjectRef,
        /// Its selector, or `None` for none.
        selector: Option<String>,
        /// The pod template's labels.
        labels: String,
    },
    /// An ExternalName CoreDNS cannot serve (an IP, not a name, or the Service's own name).
    ExternalNameUnusable {
        /// The Service.
        service: ObjectRef,
        /// The externalName as written.
        target: String,
        /// Why.
        problem: String,
    },
    /// The objects that decide the name could not be listed.
    ListForbidden {
        /// The resource, plural (`endpointslices`).
        resource: String,
        /// The namespace, or `None` for all.
        namespace: Option<String>,
    },
    /// Offline manifests never applied: the name appears once the Pods run and are Ready.
    NotApplied {
        /// The StatefulSet.
        stateful_set: ObjectRef,
    },
    /// Served because the Service sets `publishNotReadyAddresses`, although the Pod is not Ready.
    PublishedNotReady {
        /// The Pod.
        pod: Option<ObjectRef>,
    },
    /// The CoreDNS release that runs does not serve this name (a rule that changed between
    /// releases; see `model::RULE_CHANGES`).
    CoreDnsRelease {
        /// The release.
        version: CoreDnsVersion,
        /// What that release does differently.
        rule: &'static str,
    },
}

/// A Pod's `Ready` condition as the API reports it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReadyCondition {
    /// `lastTransitionTime` (RFC 3339), as written.
    pub since: Option<String>,
    /// `reason` (e.g. `ContainersNotReady`).
    pub reason: Option<String>,
    /// `message`.
    pub message: Option<String>,
}

impl ReadyCondition {
    fn describe(&self) -> String {
        let mut text = String::new();
        if let Some(since) = &self.since {
            text.push_str(&format!(" since {since}"));
        }
        match (&self.reason, &self.message) {
            (Some(reason), Some(message)) => text.push_str(&format!(" ({reason}: {message})")),
            (Some(reason), None) => text.push_str(&format!(" ({reason})")),
            (None, Some(message)) => text.push_str(&format!(" ({message})")),
            (None, None) => {}
        }
        text
    }
}

impl Cause {
    /// The stable kebab-case code: a contract of the JSON output.
    pub fn code(&self) -> &'static str {
        match self {
            Cause::EndpointNotReady { .. } => "endpoint-not-ready",
            Cause::PodNotCreated { .. } => "pod-not-created",
            Cause::PodNotReady { .. } => "pod-not-ready",
            Cause::PodNotInSlices { .. } => "pod-not-in-slices",
            Cause::SubdomainMismatch { .. } => "subdomain-mismatch",
            Cause::NoHostname { .. } => "no-hostname",
            Cause::SliceSetsNoHostname { .. } => "slice-sets-no-hostname",
            Cause::NamespaceNotServed { .. } => "namespace-not-served",
            Cause::NamespaceMissing { .. } => "namespace-missing",
            Cause::FilteredByLabels { .. } => "filtered-by-labels",
            Cause::NoSelectorNoSlices { .. } => "no-selector-no-slices",
            Cause::SliceWithoutServiceLabel { .. } => "slice-without-service-label",
            Cause::SelectorMatchesNoPod { .. } => "selector-matches-no-pod",
            Cause::NoEndpointSlices { .. } => "no-endpoint-slices",
            Cause::NoReadyEndpoints { .. } => "no-ready-endpoints",
            Cause::InvalidObject { .. } => "invalid-object",
            Cause::IgnoreEmptyService { .. } => "ignore-empty-service",
            Cause::NoEndpointsOption => "noendpoints",
            Cause::ServiceMissing { .. } => "service-missing",
            Cause::ServiceIsExternalName { .. } => "service-is-externalname",
            Cause::SelectorMismatch { .. } => "selector-mismatch",
            Cause::ExternalNameUnusable { .. } => "externalname-unusable",
            Cause::ListForbidden { .. } => "list-forbidden",
            Cause::NotApplied { .. } => "not-applied",
            Cause::PublishedNotReady { .. } => "published-not-ready",
            Cause::CoreDnsRelease { .. } => "coredns-release",
        }
    }

    /// The finding whose page explains this cause (`kubectl dnsrecords docs <id>`), when one
    /// does; `None` for causes no finding reports (a label filter, a forbidden list).
    pub fn finding(&self) -> Option<FindingId> {
        Some(match self {
            Cause::EndpointNotReady { .. } => FindingId::NotReadyEndpoints,
            Cause::PodNotCreated { .. }
            | Cause::PodNotReady { .. }
            | Cause::PodNotInSlices { .. } => FindingId::PeerNamesAbsent,
            Cause::SubdomainMismatch { .. }
            | Cause::NoHostname { .. }
            | Cause::SliceSetsNoHostname { .. } => FindingId::MissingHostname,
            Cause::NamespaceMissing { .. } => FindingId::NamespaceMissing,
            Cause::NoSelectorNoSlices { .. }
            | Cause::SliceWithoutServiceLabel { .. }
            | Cause::SelectorMatchesNoPod { .. }
            | Cause::NoEndpointSlices { .. }
            | Cause::NoReadyEndpoints { .. }
            | Cause::IgnoreEmptyService { .. } => FindingId::EmptyEndpoints,
            Cause::ServiceMissing { .. }
            | Cause::ServiceIsExternalName { .. }
            | Cause::SelectorMismatch { .. } => FindingId::ServiceNameMismatch,
            Cause::ExternalNameUnusable { .. } => FindingId::ExternalNameTarget,
            Cause::NamespaceNotServed { .. }
            | Cause::FilteredByLabels { .. }
            | Cause::InvalidObject { .. }
            | Cause::NoEndpointsOption
            | Cause::ListForbidden { .. }
            | Cause::NotApplied { .. }
            | Cause::CoreDnsRelease { .. }
            | Cause::PublishedNotReady { .. } => return None,
        })
    }

    /// The objects the cause is about, most specific first.
    pub fn objects(&self) -> Vec<ObjectRef> {
        match self {
            Cause::EndpointNotReady { pod, .. } | Cause::PublishedNotReady { pod } => {
                pod.iter().cloned().collect()
            }
            Cause::PodNotCreated { pod, .. }
            | Cause::PodNotReady { pod, .. }
            | Cause::SubdomainMismatch { pod, .. }
            | Cause::NoHostname { pod } => vec![pod.clone()],
            Cause::PodNotInSlices { pod, service } => vec![pod.clone(), service.clone()],
            Cause::SliceSetsNoHostname { slice, .. }
            | Cause::SliceWithoutServiceLabel { slice } => vec![slice.clone()],
            Cause::FilteredByLabels { object, .. } | Cause::InvalidObject { object, .. } => {
                vec![object.clone()]
            }
            Cause::NoSelectorNoSlices { service }
            | Cause::SelectorMatchesNoPod { service, .. }
            | Cause::NoEndpointSlices { service }
            | Cause::NoReadyEndpoints { service }
            | Cause::IgnoreEmptyService { service }
            | Cause::ServiceMissing { service }
            | Cause::ServiceIsExternalName { service }
            | Cause::SelectorMismatch { service, .. }
            | Cause::ExternalNameUnusable { service, .. } => vec![service.clone()],
            Cause::NotApplied { stateful_set } => vec![stateful_set.clone()],
            Cause::NamespaceNotServed { .. }
            | Cause::NamespaceMissing { .. }
            | Cause::NoEndpointsOption
            | Cause::CoreDnsRelease { .. }
            | Cause::ListForbidden { .. } => Vec::new(),
        }
    }

    /// The concrete change that would make the name resolve, when there is one.
    pub fn fix(&self) -> Option<String> {
        let fix = match self {
            Cause::EndpointNotReady {
                pod: Some(pod),
                terminating: false,
                ..
            }
            | Cause::PodNotReady { pod, .. } => format!(
                "find out why it is not Ready: `kubectl -n {} describe pod {}`; peers that must resolve each other before they are Ready need `publishNotReadyAddresses: true` on the Service",
                pod.namespace, pod.name
            ),
            Cause::EndpointNotReady { .. } | Cause::PublishedNotReady { .. } => return None,
            Cause::CoreDnsRelease { version, .. } => format!(
                "upgrade CoreDNS past {version} (the rule changed again in a later release), or set a hostname on the endpoint"
            ),
            Cause::PodNotCreated {
                pod,
                waiting_on: Some(previous),
            } => format!(
                "the StatefulSet creates {} only after {previous} is Ready (podManagementPolicy OrderedReady); make {previous} Ready, or use `podManagementPolicy: Parallel` for peers that must find each other first",
                pod.name
            ),
            Cause::PodNotCreated { pod, .. } => format!(
                "check the StatefulSet's events: `kubectl -n {} describe statefulset`",
                pod.namespace
            ),
            Cause::PodNotInSlices { service, .. } => format!(
                "check the Service's selector and the EndpointSlice controller: `kubectl -n {} get endpointslices -l kubernetes.io/service-name={}`",
                service.namespace, service.name
            ),
            Cause::SubdomainMismatch { service, .. } => format!(
                "set `spec.subdomain: {service}` in the pod template (for a StatefulSet `spec.serviceName: {service}`, which is immutable: recreate it with `kubectl delete statefulset --cascade=orphan`), then recreate the pods"
            ),
            Cause::NoHostname { .. } => {
                "set `spec.hostname` and `spec.subdomain: <service>` in the pod template".to_string()
            }
            Cause::SliceSetsNoHostname { .. } => {
                "set `hostname:` on each endpoint of the hand-made slice, or give the Service a selector so the controller manages its slices".to_string()
            }
            Cause::NamespaceNotServed { namespace, filter } => match filter {
                NamespaceFilter::Namespaces => format!(
                    "add {namespace} to the `namespaces` option of the Corefile's kubernetes stanza"
                ),
                NamespaceFilter::NamespaceLabels => format!(
                    "label namespace {namespace} to match the Corefile's `namespace_labels` selector"
                ),
            },
            Cause::NamespaceMissing { namespace } => {
                format!("create it: `kubectl create namespace {namespace}`")
            }
            Cause::FilteredByLabels { selector, .. } => {
                format!("label the object to match the Corefile's `labels {selector}`")
            }
            Cause::NoSelectorNoSlices { service } => format!(
                "add a selector matching its pods, or create an EndpointSlice labelled kubernetes.io/service-name: {}",
                service.name
            ),
            Cause::SliceWithoutServiceLabel { slice } => format!(
                "label it: `kubectl -n {} label endpointslice {} kubernetes.io/service-name=<service>`",
                slice.namespace, slice.name
            ),
            Cause::SelectorMatchesNoPod { .. } => {
                "make the Service's selector and the pod template's labels agree (`kubectl get pods --show-labels`)".to_string()
            }
            Cause::NoEndpointSlices { service } => format!(
                "check the EndpointSlice controller's events: `kubectl -n {} get events --field-selector involvedObject.name={}`",
                service.namespace, service.name
            ),
            Cause::NoReadyEndpoints { service } => format!(
                "check the pods behind it: `kubectl -n {} get endpointslices -l kubernetes.io/service-name={} -o wide`",
                service.namespace, service.name
            ),
            Cause::InvalidObject { field, .. } => format!("fix {field}"),
            Cause::IgnoreEmptyService { .. } => {
                "make an endpoint Ready, or drop `ignore empty_service` from the Corefile".to_string()
            }
            Cause::NoEndpointsOption => {
                "drop `noendpoints` from the Corefile's kubernetes stanza".to_string()
            }
            Cause::ServiceMissing { service } => format!(
                "create the headless Service {} in namespace {} (`clusterIP: None`, selecting the pods)",
                service.name, service.namespace
            ),
            Cause::ServiceIsExternalName { service } | Cause::SelectorMismatch { service, .. } => {
                format!(
                    "make Service {} headless and select the StatefulSet's pods",
                    service.name
                )
            }
            Cause::ExternalNameUnusable { .. } => {
                "point externalName at a host name, or use a selector-less Service with an EndpointSlice for an address".to_string()
            }
            Cause::ListForbidden {
                resource,
                namespace,
            } => format!(
                "ask for list access to {resource}{} (see deploy/rbac.yaml)",
                namespace
                    .as_ref()
                    .map_or(String::new(), |ns| format!(" in {ns}"))
            ),
            Cause::NotApplied { .. } => return None,
        };
        Some(fix)
    }
}

impl fmt::Display for Cause {
    /// One phrase, naming the objects: "pod redis-2 not Ready since …".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::EndpointNotReady {
                pod,
                address,
                terminating,
                ready_condition,
            } => {
                let who = pod.as_ref().map_or_else(
                    || format!("endpoint {address}"),
                    |p| format!("pod {}", p.name),
                );
                let state = if *terminating {
                    "terminating"
                } else {
                    "not Ready"
                };
                let condition = ready_condition
                    .as_ref()
                    .map(ReadyCondition::describe)
                    .unwrap_or_default();
                write!(f, "{who} {state}{condition}")
            }
            Cause::PodNotCreated { pod, waiting_on } => match waiting_on {
                Some(previous) => write!(
                    f,
                    "pod {} not created: OrderedReady waits for {previous} to be Ready",
                    pod.name
                ),
                None => write!(f, "pod {} does not exist", pod.name),
            },
            Cause::PodNotReady {
                pod,
                ready_condition,
            } => write!(
                f,
                "pod {} not Ready{}",
                pod.name,
                ready_condition
                    .as_ref()
                    .map(ReadyCondition::describe)
                    .unwrap_or_default()
            ),
            Cause::PodNotInSlices { pod, service } => write!(
                f,
                "pod {} is Ready but no EndpointSlice of Service {} lists it",
                pod.name, service.name
            ),
            Cause::SubdomainMismatch {
                pod,
                subdomain,
                service,
            } => match subdomain {
                Some(sub) => write!(
                    f,
                    "pod {}'s spec.subdomain is \"{sub}\", not \"{service}\"",
                    pod.name
                ),
                None => write!(
                    f,
                    "pod {} sets no spec.subdomain (it must be \"{service}\")",
                    pod.name
                ),
            },
            Cause::NoHostname { pod } => write!(f, "pod {} sets no spec.hostname", pod.name),
            Cause::SliceSetsNoHostname { slice, managed_by } => write!(
                f,
                "EndpointSlice {} is managed by {}, not the EndpointSlice controller, and sets no hostname",
                slice.name,
                managed_by.as_deref().unwrap_or("nobody (hand-made)")
            ),
            Cause::NamespaceNotServed { namespace, filter } => write!(
                f,
                "the Corefile does not serve namespace {namespace} ({})",
                match filter {
                    NamespaceFilter::Namespaces => "not in `namespaces`",
                    NamespaceFilter::NamespaceLabels =>
                        "its labels do not match `namespace_labels`",
                }
            ),
            Cause::NamespaceMissing { namespace } => {
                write!(f, "namespace {namespace} does not exist")
            }
            Cause::FilteredByLabels { object, selector } => write!(
                f,
                "{object} does not match the Corefile's `labels {selector}`"
            ),
            Cause::NoSelectorNoSlices { service } => write!(
                f,
                "Service {} has no selector and no EndpointSlice",
                service.name
            ),
            Cause::SliceWithoutServiceLabel { slice } => write!(
                f,
                "EndpointSlice {} has no kubernetes.io/service-name label",
                slice.name
            ),
            Cause::SelectorMatchesNoPod { service, selector } => write!(
                f,
                "Service {}'s selector {selector} matches no Pod",
                service.name
            ),
            Cause::NoEndpointSlices { service } => {
                write!(f, "no EndpointSlice exists for Service {}", service.name)
            }
            Cause::NoReadyEndpoints { service } => {
                write!(f, "headless Service {} has no ready endpoint", service.name)
            }
            Cause::InvalidObject {
                object,
                field,
                problem,
            } => write!(f, "{object} skipped: {field} {problem}"),
            Cause::IgnoreEmptyService { service } => write!(
                f,
                "Service {} has no ready endpoint and the Corefile says `ignore empty_service`",
                service.name
            ),
            Cause::NoEndpointsOption => f.write_str("the Corefile says `noendpoints`"),
            Cause::ServiceMissing { service } => write!(
                f,
                "Service {} does not exist in namespace {}",
                service.name, service.namespace
            ),
            Cause::ServiceIsExternalName { service } => {
                write!(f, "Service {} is an ExternalName Service", service.name)
            }
            Cause::SelectorMismatch {
                service,
                selector,
                labels,
            } => match selector {
                Some(selector) => write!(
                    f,
                    "Service {}'s selector {selector} does not select the pods (labels {labels})",
                    service.name
                ),
                None => write!(
                    f,
                    "Service {} has no selector, so no EndpointSlice lists the pods",
                    service.name
                ),
            },
            Cause::ExternalNameUnusable {
                target, problem, ..
            } => write!(f, "externalName \"{target}\" {problem}"),
            Cause::ListForbidden {
                resource,
                namespace,
            } => write!(
                f,
                "cannot list {resource} in {} (forbidden)",
                namespace.as_deref().unwrap_or("all namespaces")
            ),
            Cause::NotApplied { stateful_set } => write!(
                f,
                "StatefulSet {} not applied yet: the name appears once its pod is Ready",
                stateful_set.name
            ),
            Cause::PublishedNotReady { pod } => match pod {
                Some(pod) => write!(
                    f,
                    "pod {} is not Ready, served because of publishNotReadyAddresses",
                    pod.name
                ),
                None => f.write_str("not Ready, served because of publishNotReadyAddresses"),
            },
            Cause::CoreDnsRelease { version, rule } => {
                write!(f, "CoreDNS {version} serves {rule}")
            }
        }
    }
}

/// What a name is expected for: the object a user would look it up for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expectation {
    /// The reverse name of a ClusterIP or an endpoint address, inside a reverse zone the
    /// Corefile lists.
    Ptr,
    /// `<svc>.<ns>.svc.<zone>`.
    Service,
    /// `_<port>._<proto>.<svc>…` of a named port.
    PortSrv,
    /// `<endpoint>.<svc>…` of one endpoint (hostname, pod name or dashed IP).
    Endpoint,
    /// `<hostname>.<svc>…` a Pod's hostname + subdomain (or StatefulSet membership) promises.
    PodHostname,
    /// `<sts>-<ordinal>.<serviceName>…` of one StatefulSet replica.
    StatefulSetPeer,
}

/// One expected name and whether CoreDNS serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// The name.
    pub name: DnsName,
    /// The type a client asks for it (A stands for A/AAAA).
    pub rtype: RecordType,
    /// Served, absent or unknown.
    pub state: FactState,
    /// Why (absent/unknown), or what is worth knowing (served); decided once, in the engine.
    pub causes: Vec<Cause>,
    /// What kind of name it is.
    pub expectation: Expectation,
    /// The objects it belongs to, the subject first (a Service, StatefulSet or Pod); shared
    /// with the view and the records' provenance, not copied per name.
    pub objects: Vec<Arc<ObjectRef>>,
}

impl Fact {
    /// The object the name belongs to.
    pub fn subject(&self) -> Option<&ObjectRef> {
        self.objects.first().map(AsRef::as_ref)
    }
}

#[cfg(test)]
mod tests {
    /// Every code `Cause::code` can return has a row in the output schema's table: the codes are a
    /// contract of the JSON output, so each needs its documentation.
    #[test]
    fn every_cause_code_is_documented() {
        let source = include_str!("fact.rs");
        let docs = include_str!("../../docs/output-schema.md");
        let body = source
            .split("pub fn code(&self)")
            .nth(1)
            .and_then(|rest| rest.split("pub fn objects(&self)").next())
            .expect("code() in fact.rs");
        let codes: Vec<&str> = body
            .split("=> \"")
            .skip(1)
            .filter_map(|part| part.split('"').next())
            .collect();
        assert!(codes.len() >= 20, "found only {} codes", codes.len());
        for code in codes {
            assert!(
                docs.contains(&format!("| `{code}` |")),
                "docs/output-schema.md has no row for cause code {code}"
            );
        }
    }
}
