//! Why an answer is what it is: the engine's causes for the objects (the very values its facts
//! carry), and the causes that belong to the question itself — its zone, its shape, its type.

use std::fmt;
use std::net::IpAddr;

use crate::model::{Cause, DnsName, ObjectRef, RecordType};

/// One reason of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// An object-level cause, as the engine decided it.
    Object(Cause),
    /// A cause that belongs to the question.
    Question(QuestionCause),
}

/// Causes of the question: where it is routed, its shape, its type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QuestionCause {
    /// No zone of any server block holds the name: `core/dnsserver` answers REFUSED.
    OutsideServerZones {
        /// The zones CoreDNS listens for on this port.
        zones: Vec<DnsName>,
    },
    /// Another server block's zone is a longer match and takes the question.
    OtherServerBlock {
        /// That zone.
        zone: DnsName,
    },
    /// The name is in the server block but outside the plugin's zones: the next plugin answers
    /// (SERVFAIL from `plugin.NextOrFailure` when there is none).
    OutsidePluginZones {
        /// The plugin's zones.
        zones: Vec<DnsName>,
        /// The plugin that answers instead.
        next: Option<String>,
    },
    /// `fallthrough` hands a name error on to the next plugin.
    Fallthrough {
        /// The plugin that answers instead.
        next: Option<String>,
    },
    /// A label where `svc` or `pod` must be (`parse.go`: `errInvalidRequest`).
    NotSvcOrPod {
        /// The label found there.
        label: String,
    },
    /// More labels than `<port>.<proto>.<svc>.<ns>.svc` holds.
    TooManyLabels,
    /// A name in a reverse zone that is not a complete address, or a question of another type
    /// than PTR there (`Records` answers nothing in reverse zones).
    NotAReverseAddress,
    /// No Service of that name in the namespace (nor a hidden one).
    NoSuchService {
        /// The Service asked for.
        service: ObjectRef,
    },
    /// The Service has no ready endpoint with that name.
    NoSuchEndpoint {
        /// The Service.
        service: ObjectRef,
        /// The endpoint label asked for.
        endpoint: String,
    },
    /// The Service has no port with that name and protocol (with a ready endpoint, if headless).
    NoSuchPort {
        /// The Service.
        service: ObjectRef,
        /// The port name asked for.
        port: String,
        /// The protocol asked for.
        protocol: String,
    },
    /// ExternalName Services have no endpoint or port names (`findServices` skips them).
    ExternalNameHasNoSubnames {
        /// The Service.
        service: ObjectRef,
    },
    /// `pods disabled` (the default): no `pod.<zone>` names at all.
    PodsDisabled,
    /// The pod label does not turn back into an IP address (`findPods`: `net.ParseIP`).
    PodLabelNotAnAddress {
        /// The label.
        label: String,
    },
    /// `pods verified`: no Pod CoreDNS watches in the namespace has that IP.
    NoPodWithAddress {
        /// The namespace.
        namespace: String,
        /// The address.
        address: IpAddr,
    },
    /// `pods insecure` answered from the name alone: no known Pod has the address.
    InsecurePodAnswer {
        /// The address.
        address: IpAddr,
    },
    /// No Service ClusterIP and no ready endpoint has the address.
    NoPtr {
        /// The address.
        address: IpAddr,
    },
    /// The name exists but holds no record of the type asked for (NODATA).
    NoData {
        /// The type asked for.
        asked: String,
        /// The types the name does have, if any.
        present: Vec<RecordType>,
    },
    /// A type the plugin serves only at one name (TXT at `dns-version`, SOA and NS at the apex).
    TypeOnlyAt {
        /// The type.
        asked: String,
        /// Where it is served.
        name: DnsName,
    },
    /// TXT is answered only at `dns-version`; elsewhere a name without backend entries — the apex
    /// and empty non-terminals included — is NXDOMAIN (`kubernetes.go Services`, TXT branch).
    TxtNameError,
    /// An ExternalName's in-zone target does not resolve, so CoreDNS drops the CNAME as well.
    CnameTargetUnresolved {
        /// The target.
        target: DnsName,
    },
    /// A CNAME chain that loops or is longer than CoreDNS follows (10).
    CnameLoop {
        /// The target where the chain stops.
        target: DnsName,
    },
    /// The CNAME's target lies outside the zone: CoreDNS asks itself again (`upstream.Lookup`).
    CnameUpstream {
        /// The target.
        target: DnsName,
    },
    /// CoreDNS's own Pod addresses are not in the input: the NS glue and `ns.dns` addresses are
    /// unknown.
    NameserversUnknown,
    /// Names that do resolve and were probably meant.
    DidYouMean {
        /// The names.
        names: Vec<DnsName>,
    },
}

impl QuestionCause {
    /// The stable kebab-case code.
    pub fn code(&self) -> &'static str {
        match self {
            QuestionCause::OutsideServerZones { .. } => "outside-server-zones",
            QuestionCause::OtherServerBlock { .. } => "other-server-block",
            QuestionCause::OutsidePluginZones { .. } => "outside-kubernetes-zones",
            QuestionCause::Fallthrough { .. } => "fallthrough",
            QuestionCause::NotSvcOrPod { .. } => "not-svc-or-pod",
            QuestionCause::TooManyLabels => "too-many-labels",
            QuestionCause::NotAReverseAddress => "not-a-reverse-address",
            QuestionCause::NoSuchService { .. } => "no-such-service",
            QuestionCause::NoSuchEndpoint { .. } => "no-such-endpoint",
            QuestionCause::NoSuchPort { .. } => "no-such-port",
            QuestionCause::ExternalNameHasNoSubnames { .. } => "externalname-has-no-subnames",
            QuestionCause::PodsDisabled => "pods-disabled",
            QuestionCause::PodLabelNotAnAddress { .. } => "pod-label-not-an-address",
            QuestionCause::NoPodWithAddress { .. } => "no-pod-with-address",
            QuestionCause::InsecurePodAnswer { .. } => "insecure-pod-answer",
            QuestionCause::NoPtr { .. } => "no-ptr",
            QuestionCause::NoData { .. } => "nodata",
            QuestionCause::TypeOnlyAt { .. } => "type-only-at",
            QuestionCause::TxtNameError => "txt-name-error",
            QuestionCause::CnameTargetUnresolved { .. } => "cname-target-unresolved",
            QuestionCause::CnameLoop { .. } => "cname-loop",
            QuestionCause::CnameUpstream { .. } => "cname-upstream",
            QuestionCause::NameserversUnknown => "nameservers-unknown",
            QuestionCause::DidYouMean { .. } => "did-you-mean",
        }
    }

    /// The objects the cause is about.
    pub fn objects(&self) -> Vec<ObjectRef> {
        match self {
            QuestionCause::NoSuchService { service }
            | QuestionCause::NoSuchEndpoint { service, .. }
            | QuestionCause::NoSuchPort { service, .. }
            | QuestionCause::ExternalNameHasNoSubnames { service } => vec![service.clone()],
            _ => Vec::new(),
        }
    }

    /// The change that would make the name resolve, when there is one.
    pub fn fix(&self) -> Option<String> {
        let fix = match self {
            QuestionCause::OutsideServerZones { .. } => {
                "ask for a name in a zone the Corefile serves, or add a server block for it"
                    .to_string()
            }
            QuestionCause::NoSuchService { service } => format!(
                "check the name (`kubectl -n {} get services`); a short name finds only the asking Pod's namespace, so write <service>.<namespace> for another",
                service.namespace
            ),
            QuestionCause::NoSuchEndpoint { service, .. } => format!(
                "list the endpoint names: `kubectl dnsrecords -n {} svc/{}`",
                service.namespace, service.name
            ),
            QuestionCause::NoSuchPort { service, .. } => format!(
                "name the port in the Service's spec.ports (`kubectl -n {} get service {} -o yaml`)",
                service.namespace, service.name
            ),
            QuestionCause::PodsDisabled => {
                "add `pods insecure` or `pods verified` to the Corefile's kubernetes stanza"
                    .to_string()
            }
            QuestionCause::PodLabelNotAnAddress { .. } => {
                "write the address with dashes: 10-244-1-5 for 10.244.1.5, fd00--1 for fd00::1"
                    .to_string()
            }
            QuestionCause::CnameTargetUnresolved { target } => {
                format!("make {target} resolve, or point externalName elsewhere")
            }
            _ => return None,
        };
        Some(fix)
    }
}

impl fmt::Display for QuestionCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let zones = |zones: &[DnsName]| {
            zones
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        };
        let next = |next: &Option<String>| match next {
            Some(plugin) => format!("answered by the next plugin ({plugin}), not computed"),
            None => {
                "no plugin follows kubernetes in the chain, so CoreDNS answers SERVFAIL".to_string()
            }
        };
        match self {
            QuestionCause::OutsideServerZones { zones: list } => write!(
                f,
                "outside every zone CoreDNS serves on this port ({}): REFUSED",
                zones(list)
            ),
            QuestionCause::OtherServerBlock { zone } => write!(
                f,
                "the server block for {zone} answers it, not the kubernetes plugin: not computed"
            ),
            QuestionCause::OutsidePluginZones { zones: list, next: n } => write!(
                f,
                "outside the kubernetes plugin's zones ({}): {}",
                zones(list),
                next(n)
            ),
            QuestionCause::Fallthrough { next: n } => {
                write!(f, "`fallthrough` hands the NXDOMAIN on: {}", next(n))
            }
            QuestionCause::NotSvcOrPod { label } => write!(
                f,
                "{label:?} stands where the plugin expects svc or pod: not a Kubernetes name"
            ),
            QuestionCause::TooManyLabels => f.write_str(
                "more labels than <port>.<proto>.<service>.<namespace>.svc: not a Kubernetes name",
            ),
            QuestionCause::NotAReverseAddress => f.write_str(
                "in a reverse zone the plugin answers only PTR questions for complete addresses",
            ),
            QuestionCause::NoSuchService { service } => write!(
                f,
                "no Service {} in namespace {}",
                service.name, service.namespace
            ),
            QuestionCause::NoSuchEndpoint { service, endpoint } => write!(
                f,
                "Service {} has no ready endpoint named {endpoint:?}",
                service.name
            ),
            QuestionCause::NoSuchPort {
                service,
                port,
                protocol,
            } => write!(
                f,
                "Service {} has no port named {port:?} with protocol {protocol}",
                service.name
            ),
            QuestionCause::ExternalNameHasNoSubnames { service } => write!(
                f,
                "Service {} is an ExternalName Service: it has no endpoint or port names",
                service.name
            ),
            QuestionCause::PodsDisabled => {
                f.write_str("the kubernetes stanza serves no pod names (`pods disabled`)")
            }
            QuestionCause::PodLabelNotAnAddress { label } => {
                write!(f, "{label:?} does not turn back into an IP address")
            }
            QuestionCause::NoPodWithAddress { namespace, address } => write!(
                f,
                "`pods verified`: no Pod in namespace {namespace} has the address {address}"
            ),
            QuestionCause::InsecurePodAnswer { address } => write!(
                f,
                "`pods insecure` answers {address} from the name alone: no known Pod has it"
            ),
            QuestionCause::NoPtr { address } => write!(
                f,
                "no Service ClusterIP and no ready endpoint has the address {address}"
            ),
            QuestionCause::NoData { asked, present } => {
                if present.is_empty() {
                    write!(f, "the name exists but has no records of its own: no {asked}")
                } else {
                    let types: Vec<&str> = present.iter().map(|t| t.as_str()).collect();
                    write!(
                        f,
                        "the name has {} records but no {asked}",
                        types.join(", ")
                    )
                }
            }
            QuestionCause::TypeOnlyAt { asked, name } => {
                write!(f, "the plugin serves {asked} only at {name}")
            }
            QuestionCause::TxtNameError => f.write_str(
                "TXT is served only at dns-version; a name without backend entries (the apex and empty non-terminals included) is NXDOMAIN for TXT",
            ),
            QuestionCause::CnameTargetUnresolved { target } => write!(
                f,
                "the ExternalName target {target} does not resolve in the zone, so CoreDNS drops the CNAME too"
            ),
            QuestionCause::CnameLoop { target } => write!(
                f,
                "the CNAME chain loops or exceeds 10 links at {target}"
            ),
            QuestionCause::CnameUpstream { target } => write!(
                f,
                "{target} is outside the zone: CoreDNS resolves it through its own plugin chain (upstream)"
            ),
            QuestionCause::NameserversUnknown => f.write_str(
                "CoreDNS's own Pod addresses are not in the input: the name server addresses are unknown",
            ),
            QuestionCause::DidYouMean { names } => {
                let names: Vec<String> = names.iter().map(ToString::to_string).collect();
                write!(f, "did you mean {}?", names.join(", "))
            }
        }
    }
}

impl Reason {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Object(cause) => cause.code(),
            Reason::Question(cause) => cause.code(),
        }
    }

    /// The objects it is about.
    pub fn objects(&self) -> Vec<ObjectRef> {
        match self {
            Reason::Object(cause) => cause.objects(),
            Reason::Question(cause) => cause.objects(),
        }
    }

    /// The fix, when there is one.
    pub fn fix(&self) -> Option<String> {
        match self {
            Reason::Object(cause) => cause.fix(),
            Reason::Question(cause) => cause.fix(),
        }
    }

    /// The engine's cause, if this is one.
    pub fn cause(&self) -> Option<&Cause> {
        match self {
            Reason::Object(cause) => Some(cause),
            Reason::Question(_) => None,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Object(cause) => cause.fmt(f),
            Reason::Question(cause) => cause.fmt(f),
        }
    }
}
