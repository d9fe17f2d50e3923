//! The client's side of a name: the resolv.conf kubelet writes for a Pod, and the C library's
//! search walk over CoreDNS's answers (`answer`). Pure: the Pod's spec, kubelet's settings and
//! the node's search domains come in as values.

mod cause;
mod resolv_conf;
mod walk;

use std::net::IpAddr;

pub use cause::ClientCause;
pub use resolv_conf::{
    Kubelet, MAX_SEARCH_CHARS, MAX_SEARCH_DOMAINS, NodeResolver, ResolvConf, resolv_conf,
};
pub use walk::{Library, Outcome, Try, Walk, walk};

use crate::answer::{Answerer, QType, Rcode, reverse_name};
use crate::engine::network_policy;
use crate::model::kubernetes::{DNS_NAMESPACE, DNS_POD_LABEL};
use crate::model::{DnsPolicy, ObjectRef, PodDns};

/// Who asks: a Pod (or a default one) of a namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSpec {
    /// The Pod, when one was named (`--from pod/NAME`).
    pub pod: Option<ObjectRef>,
    /// Its namespace.
    pub namespace: String,
    /// Its resolver settings (the defaults for a default Pod).
    pub dns: PodDns,
}

/// The client as the trace shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// The Pod, or `None` for a default Pod of the namespace.
    pub pod: Option<ObjectRef>,
    /// Its namespace.
    pub namespace: String,
    /// Its `dnsPolicy`.
    pub policy: DnsPolicy,
    /// The resolv.conf kubelet writes for it.
    pub conf: ResolvConf,
    /// The library that walks the search list.
    pub library: Library,
}

/// What the tool knows of the world around the Pod.
#[derive(Debug, Clone)]
pub struct Environment {
    /// kubelet's settings.
    pub kubelet: Kubelet,
    /// The node's resolver.
    pub node: NodeResolver,
    /// Whether the node's search domains were given (`--node-search`).
    pub node_search_given: bool,
    /// The kube-dns ClusterIP `--cluster-dns` is assumed to be, if the input had it.
    pub cluster_dns_known: Option<String>,
}

/// One name explained: the client, every question sent, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// The name as typed (an address is asked as its reverse name).
    pub asked: String,
    /// The types asked for each candidate.
    pub qtypes: Vec<QType>,
    /// The client; `None` when the question goes straight to CoreDNS.
    pub client: Option<Client>,
    /// Every question sent, in order.
    pub tries: Vec<Try>,
    /// How it ended.
    pub outcome: Outcome,
    /// The client's causes: its resolver, kubelet's limits, caching, the C library.
    pub causes: Vec<ClientCause>,
}

impl Trace {
    /// Whether the name resolves.
    pub fn resolves(&self) -> bool {
        matches!(self.outcome, Outcome::Resolved { .. })
    }

    /// The tries of the candidate the outcome names.
    pub fn decisive(&self) -> Vec<&Try> {
        let name = match &self.outcome {
            Outcome::Resolved { name, .. }
            | Outcome::Failed { name, .. }
            | Outcome::NotComputed { name }
            | Outcome::NotSent { name } => name,
        };
        self.tries.iter().filter(|t| &t.name == name).collect()
    }
}

/// The question types getaddrinfo sends: A when the cluster has IPv4 Services, AAAA when it has
/// IPv6 ones (both for dual-stack), A when it cannot tell.
pub fn address_types(answerer: &Answerer) -> Vec<QType> {
    let (v4, v6) = answerer.address_families();
    match (v4, v6) {
        (true, true) => vec![QType::A, QType::Aaaa],
        (false, true) => vec![QType::Aaaa],
        _ => vec![QType::A],
    }
}

/// Explains `asked` (a name, absolute with a trailing dot, or an IP address) for `client`, or
/// asked straight of CoreDNS without one. `qtypes` empty means the default: PTR for an address,
/// else [`address_types`].
pub fn explain(
    answerer: &Answerer,
    environment: &Environment,
    asked: &str,
    qtypes: &[QType],
    client: Option<&ClientSpec>,
) -> Trace {
    let address = asked.parse::<IpAddr>().ok();
    let name = match address {
        Some(ip) => reverse_name(ip).to_string(),
        None => asked.to_string(),
    };
    let qtypes: Vec<QType> = match (qtypes, address) {
        ([], Some(_)) => vec![QType::Ptr],
        ([], None) => address_types(answerer),
        (given, _) => given.to_vec(),
    };
    let ask_coredns = |q: &crate::answer::Question| Some(answerer.answer(q));
    let Some(spec) = client else {
        let direct = ResolvConf {
            search: Vec::new(),
            nameservers: Vec::new(),
            options: Vec::new(),
            cluster_dns: true,
            causes: Vec::new(),
        };
        let absolute = format!("{}.", name.trim_end_matches('.'));
        let walked = walk(&absolute, &qtypes, &direct, Library::Glibc, &ask_coredns);
        return Trace {
            asked: asked.to_string(),
            qtypes,
            client: None,
            tries: walked.tries,
            outcome: walked.outcome,
            causes: Vec::new(),
        };
    };
    let conf = resolv_conf(
        &spec.namespace,
        &spec.dns,
        &environment.kubelet,
        &environment.node,
    );
    let mut causes = Vec::new();
    let cluster = match spec.dns.policy {
        DnsPolicy::ClusterFirstWithHostNet => true,
        DnsPolicy::ClusterFirst => !spec.dns.host_network,
        DnsPolicy::Default | DnsPolicy::None => false,
    };
    // The first nameserver answers: a second one is asked only when the first does not reply.
    let first_is_cluster = conf
        .nameservers
        .first()
        .is_some_and(|s| environment.kubelet.cluster_dns.contains(s));
    if spec.dns.policy == DnsPolicy::None {
        if !first_is_cluster {
            causes.push(ClientCause::NotClusterDns {
                nameservers: conf.nameservers.clone(),
            });
        }
    } else if !cluster {
        causes.push(ClientCause::NodeResolver {
            pod: spec.pod.clone(),
            policy: spec.dns.policy,
            host_network: spec.dns.host_network,
        });
    }
    if cluster || first_is_cluster {
        causes.push(ClientCause::ClusterDnsAssumed {
            address: environment.cluster_dns_known.clone(),
        });
    }
    if spec.dns.policy != DnsPolicy::None && !environment.node_search_given {
        causes.push(ClientCause::NodeSearchUnknown);
    }
    causes.extend(conf.causes.iter().cloned());
    // A question that never reaches a DNS pod gets no answer at all: the walk times out.
    let egress = dns_egress(answerer, spec);
    let reaches_dns = egress.udp;
    if !egress.policies.is_empty() {
        if !egress.udp {
            causes.push(ClientCause::DnsEgressBlocked {
                policies: egress.policies.clone(),
                tcp: egress.tcp,
            });
        } else if !egress.tcp {
            causes.push(ClientCause::DnsTcpBlocked {
                policies: egress.policies.clone(),
            });
        }
    }
    let ask =
        |q: &crate::answer::Question| (first_is_cluster && reaches_dns).then(|| answerer.answer(q));
    let library = if spec.dns.windows {
        Library::Windows
    } else {
        Library::Glibc
    };
    let walked = walk(&name, &qtypes, &conf, library, &ask);
    if let Some(image) = spec
        .dns
        .images
        .iter()
        .find(|i| i.contains("alpine") || i.contains("musl"))
    {
        let musl = walk(&name, &qtypes, &conf, Library::Musl, &ask);
        if musl.outcome != walked.outcome || musl.tries.len() != walked.tries.len() {
            causes.push(ClientCause::Musl {
                image: image.clone(),
                differs: summary(&musl),
            });
        }
    }
    if library == Library::Windows {
        causes.push(ClientCause::Windows {
            differs: summary(&walked),
        });
    }
    if matches!(walked.outcome, Outcome::Failed { .. })
        && let Some(seconds) = negative_cache(answerer)
    {
        causes.push(ClientCause::NegativeCache { seconds });
    }
    // NodeLocal DNSCache sits on every node in front of CoreDNS with its own cache: a miss seen
    // there before the name appeared is served from it for up to its denial TTL.
    if let Some(node_local) = &answerer.config().node_local {
        causes.push(ClientCause::NodeLocalCache {
            addresses: node_local.addresses.clone(),
            denial_ttl: node_local.denial_ttl,
            failed: matches!(walked.outcome, Outcome::Failed { .. }),
        });
    }
    Trace {
        asked: asked.to_string(),
        qtypes,
        client: Some(Client {
            pod: spec.pod.clone(),
            namespace: spec.namespace.clone(),
            policy: spec.dns.policy,
            conf,
            library,
        }),
        tries: walked.tries,
        outcome: walked.outcome,
        causes,
    }
}

/// What the NetworkPolicies selecting the client let through to the cluster DNS pods (the
/// `k8s-app=kube-dns` pods of kube-system; standard ones are assumed when the input has none).
fn dns_egress(answerer: &Answerer, spec: &ClientSpec) -> network_policy::DnsEgress {
    let view = &answerer.output().view;
    let labels = spec
        .pod
        .as_ref()
        .and_then(|pod| view.pods.iter().find(|p| *p.object == *pod))
        .map(|p| p.labels.to_map())
        .unwrap_or_default();
    let namespace_labels =
        |ns: &str| network_policy::namespace_labels(ns, view.namespaces.labels.get(ns));
    let (label, value) = DNS_POD_LABEL;
    let mut dns_pods: Vec<network_policy::DnsPod> = view
        .pods
        .iter()
        .filter(|p| {
            p.object.namespace == DNS_NAMESPACE && p.labels.get(label).is_some_and(|v| v == value)
        })
        .map(|p| network_policy::DnsPod {
            labels: p.labels.to_map(),
            namespace_labels: namespace_labels(DNS_NAMESPACE),
            ip: p.ip.as_ref().map(|(_, ip)| *ip),
        })
        .collect();
    if dns_pods.is_empty() {
        dns_pods.push(network_policy::DnsPod::assumed());
    }
    network_policy::dns_egress(
        &view.network_policies,
        &spec.namespace,
        &labels,
        namespace_labels,
        &dns_pods,
    )
}

/// "tries a, b; resolves at b" — one line for a walk of another library.
fn summary(walk: &Walk) -> String {
    let mut names: Vec<&str> = Vec::new();
    for t in &walk.tries {
        if names.last() != Some(&t.name.as_str()) {
            names.push(&t.name);
        }
    }
    let end = match &walk.outcome {
        Outcome::Resolved { name, .. } => format!("resolves at {name}"),
        Outcome::Failed {
            name,
            rcode: Rcode::NoError,
        } => format!("fails with NODATA at {name}"),
        Outcome::Failed { name, rcode } => format!("fails with {rcode} at {name}"),
        Outcome::NotComputed { name } => format!("{name} is answered elsewhere"),
        Outcome::NotSent { name } => format!("{name} cannot be sent"),
    };
    format!("tries {}; {end}", names.join(", "))
}

/// The cache plugin's denial TTL for the cluster zone, unless it does not cache denials there.
fn negative_cache(answerer: &Answerer) -> Option<u32> {
    let config = answerer.config();
    let cache = config.cache.as_ref()?;
    let zone = config.primary_zone()?;
    let covered = cache.zones.is_empty() || cache.zones.iter().any(|z| zone.is_within(z));
    let disabled = cache.denial_disabled.iter().any(|z| zone.is_within(z));
    (covered && !disabled && cache.denial_ttl > 0).then_some(cache.denial_ttl)
}

#[cfg(test)]
mod tests;
