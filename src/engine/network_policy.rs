//! NetworkPolicies, as far as DNS is concerned: may a Pod send its questions to the cluster DNS
//! pods on port 53, over UDP and over TCP? Read from the Kubernetes NetworkPolicy semantics
//! (networking/v1 `NetworkPolicySpec`): a Pod no Egress policy selects may send anywhere; once
//! one selects it, only what some rule of some selecting policy allows gets out. Rules are
//! matched against the DNS *pods* (policies apply after the Service's address is translated), so
//! an `ipBlock` holding the kube-dns ClusterIP alone does not let DNS through.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::model::kubernetes::{DNS_NAMESPACE, DNS_POD_LABEL};
use crate::model::{Kind, LabelSelector, ObjectRef};

/// The label the API server puts on every Namespace (Kubernetes 1.21+).
const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// A peer of an egress rule.
#[derive(Debug, Clone)]
pub struct PeerView {
    /// `podSelector` (in the policy's namespace unless `namespaceSelector` is set too).
    pub pods: Option<LabelSelector>,
    /// `namespaceSelector`.
    pub namespaces: Option<LabelSelector>,
    /// `ipBlock`: the CIDR and its exceptions, parsed.
    pub ip_block: Option<(IpNet, Vec<IpNet>)>,
}

/// A CIDR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    address: IpAddr,
    prefix: u8,
}

impl IpNet {
    fn parse(text: &str) -> Option<Self> {
        let (address, prefix) = text.split_once('/')?;
        let address: IpAddr = address.parse().ok()?;
        let prefix: u8 = prefix.parse().ok()?;
        let bits = if address.is_ipv4() { 32 } else { 128 };
        (prefix <= bits).then_some(IpNet { address, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.address, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// A port of an egress rule: protocol and number or name (`None` = every port).
#[derive(Debug, Clone)]
pub struct PortRule {
    /// `TCP`, `UDP` or `SCTP` (default TCP).
    pub protocol: String,
    /// The port: a number with its `endPort`, or a name.
    pub port: Option<PortMatch>,
}

/// How a rule names a port.
#[derive(Debug, Clone)]
pub enum PortMatch {
    /// `port` (to `endPort`).
    Range(i32, i32),
    /// A named container port.
    Named(String),
}

/// One egress rule: `None` lists mean "every destination" / "every port".
#[derive(Debug, Clone)]
pub struct EgressRule {
    /// `to`; `None` or empty: any destination.
    pub to: Option<Vec<PeerView>>,
    /// `ports`; `None` or empty: any port.
    pub ports: Option<Vec<PortRule>>,
}

/// A NetworkPolicy that restricts egress.
#[derive(Debug, Clone)]
pub struct NetworkPolicyView {
    /// The object.
    pub object: Arc<ObjectRef>,
    /// `podSelector`: the Pods of its namespace it applies to.
    pub pods: LabelSelector,
    /// Its egress rules, when `policyTypes` includes Egress; `None` when it leaves egress alone.
    pub egress: Option<Vec<EgressRule>>,
}

/// Reduces an API NetworkPolicy.
pub fn view(policy: &NetworkPolicy, object: Arc<ObjectRef>) -> NetworkPolicyView {
    let spec = policy.spec.clone().unwrap_or_default();
    // policyTypes defaults to Ingress, plus Egress when the policy has an egress section.
    let restricts_egress = match &spec.policy_types {
        Some(types) => types.iter().any(|t| t == "Egress"),
        None => spec.egress.is_some(),
    };
    let egress = restricts_egress.then(|| {
        spec.egress
            .iter()
            .flatten()
            .map(|rule| EgressRule {
                to: rule
                    .to
                    .as_ref()
                    .filter(|to| !to.is_empty())
                    .map(|to| to.iter().map(peer).collect()),
                ports: rule
                    .ports
                    .as_ref()
                    .filter(|ports| !ports.is_empty())
                    .map(|ports| ports.iter().map(port).collect()),
            })
            .collect()
    });
    NetworkPolicyView {
        object,
        pods: LabelSelector::from_api(&spec.pod_selector.unwrap_or_default()),
        egress,
    }
}

fn peer(peer: &NetworkPolicyPeer) -> PeerView {
    PeerView {
        pods: peer.pod_selector.as_ref().map(LabelSelector::from_api),
        namespaces: peer
            .namespace_selector
            .as_ref()
            .map(LabelSelector::from_api),
        ip_block: peer.ip_block.as_ref().and_then(|block| {
            Some((
                IpNet::parse(&block.cidr)?,
                block
                    .except
                    .iter()
                    .flatten()
                    .filter_map(|e| IpNet::parse(e))
                    .collect(),
            ))
        }),
    }
}

fn port(port: &NetworkPolicyPort) -> PortRule {
    PortRule {
        protocol: port.protocol.clone().unwrap_or_else(|| "TCP".to_string()),
        port: port.port.as_ref().map(|p| match p {
            IntOrString::Int(n) => PortMatch::Range(*n, port.end_port.unwrap_or(*n)),
            IntOrString::String(name) => PortMatch::Named(name.clone()),
        }),
    }
}

/// A cluster DNS pod a question can reach: its labels, namespace labels and address.
#[derive(Debug, Clone)]
pub struct DnsPod {
    /// The pod's labels.
    pub labels: BTreeMap<String, String>,
    /// Its namespace's labels (with `kubernetes.io/metadata.name`).
    pub namespace_labels: BTreeMap<String, String>,
    /// Its address, when known.
    pub ip: Option<IpAddr>,
}

impl DnsPod {
    /// The DNS pod the input does not show: CoreDNS's standard labels in kube-system.
    pub fn assumed() -> Self {
        DnsPod {
            labels: BTreeMap::from([(DNS_POD_LABEL.0.to_string(), DNS_POD_LABEL.1.to_string())]),
            namespace_labels: BTreeMap::from([(
                NAMESPACE_NAME_LABEL.to_string(),
                DNS_NAMESPACE.to_string(),
            )]),
            ip: None,
        }
    }
}

/// A namespace's labels as the API server keeps them: its own plus `kubernetes.io/metadata.name`.
pub fn namespace_labels(
    namespace: &str,
    labels: Option<&BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let mut labels = labels.cloned().unwrap_or_default();
    labels
        .entry(NAMESPACE_NAME_LABEL.to_string())
        .or_insert_with(|| namespace.to_string());
    labels
}

/// What the policies selecting a Pod let through to cluster DNS on port 53.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsEgress {
    /// The Egress policies that select the Pod (empty: nothing restricts it).
    pub policies: Vec<ObjectRef>,
    /// Questions over UDP reach a DNS pod.
    pub udp: bool,
    /// Questions over TCP (truncated answers, large SRV sets) reach a DNS pod.
    pub tcp: bool,
}

/// Whether a Pod of `namespace` with `labels` may reach one of `dns_pods` on 53/UDP and 53/TCP.
pub fn dns_egress(
    policies: &[NetworkPolicyView],
    namespace: &str,
    labels: &BTreeMap<String, String>,
    namespace_labels_of: impl Fn(&str) -> BTreeMap<String, String>,
    dns_pods: &[DnsPod],
) -> DnsEgress {
    let selecting: Vec<&NetworkPolicyView> = policies
        .iter()
        .filter(|p| p.object.namespace == namespace && p.egress.is_some() && p.pods.matches(labels))
        .collect();
    if selecting.is_empty() {
        return DnsEgress {
            policies: Vec::new(),
            udp: true,
            tcp: true,
        };
    }
    let own_namespace = namespace_labels_of(namespace);
    let allows = |protocol: &str| {
        selecting.iter().any(|policy| {
            policy.egress.iter().flatten().any(|rule| {
                port_allows(rule, protocol)
                    && dns_pods
                        .iter()
                        .any(|pod| peer_allows(rule, pod, &own_namespace))
            })
        })
    };
    DnsEgress {
        policies: selecting.iter().map(|p| (*p.object).clone()).collect(),
        udp: allows("UDP"),
        tcp: allows("TCP"),
    }
}

fn port_allows(rule: &EgressRule, protocol: &str) -> bool {
    let Some(ports) = &rule.ports else {
        return true;
    };
    ports.iter().any(|p| {
        p.protocol.eq_ignore_ascii_case(protocol)
            && match &p.port {
                None => true,
                Some(PortMatch::Range(from, to)) => (*from..=*to).contains(&53),
                // CoreDNS's manifests name its container ports `dns` (UDP) and `dns-tcp` (TCP);
                // the Pods' container ports are not in the input, so those names stand for 53.
                Some(PortMatch::Named(name)) => {
                    (name == "dns" && protocol == "UDP") || (name == "dns-tcp" && protocol == "TCP")
                }
            }
    })
}

fn peer_allows(rule: &EgressRule, pod: &DnsPod, own_namespace: &BTreeMap<String, String>) -> bool {
    let Some(peers) = &rule.to else {
        return true;
    };
    peers.iter().any(|peer| {
        if let Some((cidr, except)) = &peer.ip_block {
            return pod
                .ip
                .is_some_and(|ip| cidr.contains(ip) && !except.iter().any(|e| e.contains(ip)));
        }
        // A podSelector alone means the policy's own namespace.
        let namespace_ok = match &peer.namespaces {
            Some(selector) => selector.matches(&pod.namespace_labels),
            None => {
                own_namespace.get(NAMESPACE_NAME_LABEL)
                    == pod.namespace_labels.get(NAMESPACE_NAME_LABEL)
            }
        };
        let pod_ok = peer
            .pods
            .as_ref()
            .is_none_or(|selector| selector.matches(&pod.labels));
        namespace_ok && pod_ok
    })
}

/// The reference of a policy, for the view.
pub fn object_ref(namespace: &str, name: &str) -> Arc<ObjectRef> {
    Arc::new(ObjectRef::new(Kind::NetworkPolicy, namespace, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(yaml: &str) -> NetworkPolicyView {
        let policy: NetworkPolicy = serde_saphyr::from_str(yaml).expect("policy yaml");
        view(&policy, object_ref("app", "p"))
    }

    fn egress(policies: &[NetworkPolicyView], dns: &[DnsPod]) -> DnsEgress {
        let labels = BTreeMap::from([("app".to_string(), "web".to_string())]);
        dns_egress(
            policies,
            "app",
            &labels,
            |ns| namespace_labels(ns, None),
            dns,
        )
    }

    #[test]
    fn no_egress_policy_lets_everything_through() {
        let ingress_only = policy(
            "metadata: {name: p, namespace: app}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n",
        );
        let result = egress(&[ingress_only], &[DnsPod::assumed()]);
        assert!(result.udp && result.tcp && result.policies.is_empty());
    }

    #[test]
    fn deny_all_egress_blocks_dns() {
        let deny = policy(
            "metadata: {name: p, namespace: app}\nspec: {podSelector: {}, policyTypes: [Egress]}\n",
        );
        let result = egress(&[deny], &[DnsPod::assumed()]);
        assert!(!result.udp && !result.tcp);
        assert_eq!(result.policies.len(), 1);
    }

    #[test]
    fn the_usual_dns_rule_allows_udp_and_tcp_53_to_kube_dns() {
        let allow = policy(
            "metadata: {name: p, namespace: app}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}\n      podSelector: {matchLabels: {k8s-app: kube-dns}}\n    ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]\n",
        );
        let result = egress(&[allow], &[DnsPod::assumed()]);
        assert!(result.udp && result.tcp);
    }

    #[test]
    fn udp_only_and_wrong_namespace_and_cluster_ip_blocks() {
        let udp_only = policy(
            "metadata: {name: p, namespace: app}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{ports: [{protocol: UDP, port: 53}]}]\n",
        );
        let result = egress(&[udp_only], &[DnsPod::assumed()]);
        assert!(result.udp && !result.tcp);
        // A podSelector alone selects in the policy's own namespace, not kube-system.
        let same_namespace = policy(
            "metadata: {name: p, namespace: app}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{to: [{podSelector: {matchLabels: {k8s-app: kube-dns}}}]}]\n",
        );
        assert!(!egress(&[same_namespace], &[DnsPod::assumed()]).udp);
        // The Service's ClusterIP in an ipBlock does not cover the DNS pods behind it.
        let cluster_ip = policy(
            "metadata: {name: p, namespace: app}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: 10.96.0.10/32}}]}]\n",
        );
        let mut pod = DnsPod::assumed();
        pod.ip = "10.244.0.2".parse().ok();
        assert!(!egress(&[cluster_ip], std::slice::from_ref(&pod)).udp);
        let pod_cidr = policy(
            "metadata: {name: p, namespace: app}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: 10.244.0.0/16}}]}]\n",
        );
        assert!(egress(&[pod_cidr], &[pod]).udp);
    }
}
