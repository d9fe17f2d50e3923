//! Causes on the client's side: what the Pod's resolver does before and between questions.

use std::fmt;

use crate::model::{DnsPolicy, ObjectRef};

/// Why the client side changes what a name resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientCause {
    /// The Pod's resolver is the node's, not cluster DNS: no cluster names resolve.
    NodeResolver {
        /// The Pod, when one was named.
        pod: Option<ObjectRef>,
        /// Its policy.
        policy: DnsPolicy,
        /// It uses the host network.
        host_network: bool,
    },
    /// `dnsPolicy: None` with nameservers that are not cluster DNS.
    NotClusterDns {
        /// The nameservers.
        nameservers: Vec<String>,
    },
    /// The node's search domains are not in the API; without `--node-search` none are assumed.
    NodeSearchUnknown,
    /// kubelet's `--cluster-dns` is taken to be the kube-dns Service's ClusterIP, or is unknown.
    ClusterDnsAssumed {
        /// The address assumed, if the kube-dns Service was in the input.
        address: Option<String>,
    },
    /// kubelet cut the search line to its limits (32 domains, 2048 characters, 253 each).
    SearchTruncated {
        /// The domains dropped.
        dropped: Vec<String>,
    },
    /// kubelet keeps at most three nameservers.
    NameserversTruncated {
        /// The nameservers dropped.
        dropped: Vec<String>,
    },
    /// A candidate longer than DNS allows: the resolver sends nothing, and glibc ends the search.
    CandidateTooLong {
        /// The candidate.
        name: String,
        /// Why it cannot be sent.
        problem: String,
    },
    /// The `cache` plugin may keep a negative answer for a while after the name appears.
    NegativeCache {
        /// Its denial TTL (seconds).
        seconds: u32,
    },
    /// The image suggests musl (Alpine), whose search walk differs from glibc's.
    Musl {
        /// The image.
        image: String,
        /// What musl does differently for this name.
        differs: String,
    },
    /// A Windows Pod: the Windows DNS client appends only the first search suffix.
    Windows {
        /// What it tries.
        differs: String,
    },
    /// NetworkPolicies select the Pod for egress and none lets its questions reach a cluster
    /// DNS pod on 53/UDP: every lookup times out.
    DnsEgressBlocked {
        /// The Egress policies that select the Pod.
        policies: Vec<ObjectRef>,
        /// 53/TCP is allowed (it does not help: resolvers ask over UDP first).
        tcp: bool,
    },
    /// NodeLocal DNSCache answers the node's pods first, from its own cache.
    NodeLocalCache {
        /// The addresses it listens on.
        addresses: Vec<String>,
        /// How long it keeps a negative answer for the cluster zone (0: not at all).
        denial_ttl: u32,
        /// The name does not resolve now (so a cached miss may outlive the fix).
        failed: bool,
    },
    /// 53/UDP gets through but 53/TCP does not: answers too large for UDP (truncated: many SRV
    /// records, long names) fail.
    DnsTcpBlocked {
        /// The Egress policies that select the Pod.
        policies: Vec<ObjectRef>,
    },
}

impl ClientCause {
    /// The stable kebab-case code.
    pub fn code(&self) -> &'static str {
        match self {
            ClientCause::NodeResolver { .. } => "node-resolver",
            ClientCause::NotClusterDns { .. } => "not-cluster-dns",
            ClientCause::NodeSearchUnknown => "node-search-unknown",
            ClientCause::ClusterDnsAssumed { .. } => "cluster-dns-assumed",
            ClientCause::SearchTruncated { .. } => "search-truncated",
            ClientCause::NameserversTruncated { .. } => "nameservers-truncated",
            ClientCause::CandidateTooLong { .. } => "candidate-too-long",
            ClientCause::NegativeCache { .. } => "negative-cache",
            ClientCause::Musl { .. } => "musl",
            ClientCause::Windows { .. } => "windows",
            ClientCause::DnsEgressBlocked { .. } => "dns-egress-blocked",
            ClientCause::DnsTcpBlocked { .. } => "dns-tcp-blocked",
            ClientCause::NodeLocalCache { .. } => "node-local-cache",
        }
    }

    /// The objects it is about.
    pub fn objects(&self) -> Vec<ObjectRef> {
        match self {
            ClientCause::NodeResolver { pod, .. } => pod.iter().cloned().collect(),
            ClientCause::DnsEgressBlocked { policies, .. }
            | ClientCause::DnsTcpBlocked { policies } => policies.clone(),
            _ => Vec::new(),
        }
    }

    /// Whether it can make a name fail (as opposed to context worth knowing).
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            ClientCause::NodeResolver { .. }
                | ClientCause::NotClusterDns { .. }
                | ClientCause::SearchTruncated { .. }
                | ClientCause::CandidateTooLong { .. }
                | ClientCause::DnsEgressBlocked { .. }
        )
    }

    /// The change that helps, when there is one.
    pub fn fix(&self) -> Option<String> {
        let fix = match self {
            ClientCause::NodeResolver {
                host_network: true,
                ..
            } => "set `dnsPolicy: ClusterFirstWithHostNet` on the host-network Pod".to_string(),
            ClientCause::NodeResolver { .. } => {
                "set `dnsPolicy: ClusterFirst` (the default) to use cluster DNS".to_string()
            }
            ClientCause::NotClusterDns { .. } => {
                "list the cluster DNS address in dnsConfig.nameservers".to_string()
            }
            ClientCause::NodeSearchUnknown => {
                "pass the node's search domains with --node-search if the name relies on them"
                    .to_string()
            }
            ClientCause::SearchTruncated { .. } => {
                "shorten dnsConfig.searches or the node's search line".to_string()
            }
            ClientCause::CandidateTooLong { .. } => {
                "ask the absolute name (a trailing dot), or shorten it".to_string()
            }
            ClientCause::NegativeCache { .. } => {
                "wait out the denial TTL, or `disable denial` for the cluster zone in the cache plugin"
                    .to_string()
            }
            ClientCause::Musl { .. } => {
                "ask the fully qualified name with a trailing dot: every C library resolves it the same way"
                    .to_string()
            }
            ClientCause::Windows { .. } => {
                "ask the fully qualified name (<service>.<namespace>.svc.<zone>)".to_string()
            }
            ClientCause::DnsEgressBlocked { .. } | ClientCause::DnsTcpBlocked { .. } => {
                "add an egress rule to a policy that selects the pod: `to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]`, `ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]`".to_string()
            }
            ClientCause::NodeLocalCache {
                denial_ttl, failed, ..
            } if *failed && *denial_ttl > 0 => format!(
                "after fixing the cause, wait up to {denial_ttl}s for NodeLocal DNSCache to forget the miss, or lower `denial` in the cache block of the node-local-dns ConfigMap"
            ),
            ClientCause::ClusterDnsAssumed { .. }
            | ClientCause::NameserversTruncated { .. }
            | ClientCause::NodeLocalCache { .. } => {
                return None;
            }
        };
        Some(fix)
    }
}

impl fmt::Display for ClientCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientCause::NodeResolver {
                pod,
                policy,
                host_network,
            } => {
                let who = pod
                    .as_ref()
                    .map_or_else(|| "the pod".to_string(), |p| format!("pod {}", p.name));
                if *host_network && *policy == DnsPolicy::ClusterFirst {
                    write!(
                        f,
                        "{who} uses hostNetwork with dnsPolicy ClusterFirst, so kubelet gives it the node's resolv.conf: cluster names do not resolve there (not computed)"
                    )
                } else {
                    write!(
                        f,
                        "{who} has dnsPolicy {}: it asks the node's resolvers, not cluster DNS (not computed)",
                        policy.as_str()
                    )
                }
            }
            ClientCause::NotClusterDns { nameservers } => write!(
                f,
                "dnsConfig.nameservers ({}) are not cluster DNS: their answers are not computed",
                nameservers.join(" ")
            ),
            ClientCause::NodeSearchUnknown => f.write_str(
                "the node's own search domains are not in the Kubernetes API; none are assumed (--node-search supplies them)",
            ),
            ClientCause::ClusterDnsAssumed { address } => match address {
                Some(address) => write!(
                    f,
                    "kubelet's --cluster-dns is taken to be the kube-dns Service's ClusterIP {address}"
                ),
                None => f.write_str(
                    "kubelet's --cluster-dns is unknown (no kube-system/kube-dns Service in the input): cluster DNS is assumed",
                ),
            },
            ClientCause::SearchTruncated { dropped } => write!(
                f,
                "kubelet drops search domains beyond its limits (32 domains, 2048 characters, 253 per domain): {}",
                dropped.join(" ")
            ),
            ClientCause::NameserversTruncated { dropped } => write!(
                f,
                "kubelet keeps only three nameservers, dropping {}",
                dropped.join(" ")
            ),
            ClientCause::CandidateTooLong { name, problem } => write!(
                f,
                "{name} cannot be sent ({problem}): glibc sends nothing and ends the search there"
            ),
            ClientCause::NegativeCache { seconds } => write!(
                f,
                "the cache plugin keeps a negative answer for up to {seconds}s: a name created since may still fail for that long"
            ),
            ClientCause::Musl { image, differs } => {
                write!(f, "image {image} suggests musl (Alpine), whose walk differs: {differs}")
            }
            ClientCause::Windows { differs } => write!(
                f,
                "a Windows Pod's DNS client appends only the first search suffix: {differs}"
            ),
            ClientCause::DnsEgressBlocked { policies, tcp } => write!(
                f,
                "NetworkPolicy {} selects the pod for egress and no rule lets it reach the cluster DNS pods on 53/UDP{}: every lookup times out",
                names(policies),
                if *tcp { " (53/TCP is allowed, but resolvers ask over UDP first)" } else { " or 53/TCP" }
            ),
            ClientCause::NodeLocalCache {
                addresses,
                denial_ttl,
                ..
            } => {
                write!(
                    f,
                    "NodeLocal DNSCache (kube-system/node-local-dns) answers on {} before CoreDNS",
                    if addresses.is_empty() {
                        "each node".to_string()
                    } else {
                        addresses.join(" ")
                    }
                )?;
                if *denial_ttl > 0 {
                    write!(
                        f,
                        " and keeps a negative answer for up to {denial_ttl}s: a name that appeared since may still fail for that long"
                    )
                } else {
                    f.write_str(" and caches no negative answer for the cluster zone")
                }
            }
            ClientCause::DnsTcpBlocked { policies } => write!(
                f,
                "NetworkPolicy {} lets the pod reach cluster DNS on 53/UDP but not on 53/TCP: answers too large for UDP (truncated) fail",
                names(policies)
            ),
        }
    }
}

/// `a, b`: the names of the policies.
fn names(policies: &[ObjectRef]) -> String {
    policies
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
