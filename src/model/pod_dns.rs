//! What a Pod's spec says about its resolver: `dnsPolicy`, `dnsConfig` and `hostNetwork`, the
//! inputs kubelet turns into the Pod's resolv.conf (`pkg/kubelet/network/dns/dns.go GetPodDNS`).

/// `spec.dnsPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum DnsPolicy {
    /// Cluster DNS, the namespace's search path and ndots 5 (the default) — the node's resolver
    /// instead when the Pod uses the host network.
    #[default]
    ClusterFirst,
    /// Cluster DNS even with `hostNetwork: true`.
    ClusterFirstWithHostNet,
    /// The node's resolv.conf.
    Default,
    /// Only what `dnsConfig` says.
    None,
}

impl DnsPolicy {
    /// The policy `spec.dnsPolicy` names; a missing or unknown value is ClusterFirst, as the API
    /// defaults it and kubelet falls back to it.
    pub fn parse(text: Option<&str>) -> Self {
        match text {
            Some("ClusterFirstWithHostNet") => DnsPolicy::ClusterFirstWithHostNet,
            Some("Default") => DnsPolicy::Default,
            Some("None") => DnsPolicy::None,
            _ => DnsPolicy::ClusterFirst,
        }
    }

    /// The value as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            DnsPolicy::ClusterFirst => "ClusterFirst",
            DnsPolicy::ClusterFirstWithHostNet => "ClusterFirstWithHostNet",
            DnsPolicy::Default => "Default",
            DnsPolicy::None => "None",
        }
    }
}

/// One `dnsConfig.options` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsOption {
    /// `name` (`ndots`, `single-request-reopen`).
    pub name: String,
    /// `value`, if any.
    pub value: Option<String>,
}

/// `spec.dnsConfig`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodDnsConfig {
    /// `nameservers`.
    pub nameservers: Vec<String>,
    /// `searches`.
    pub searches: Vec<String>,
    /// `options`.
    pub options: Vec<DnsOption>,
}

/// Everything of a Pod that decides its resolver.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodDns {
    /// `spec.dnsPolicy`.
    pub policy: DnsPolicy,
    /// `spec.dnsConfig`.
    pub config: Option<PodDnsConfig>,
    /// `spec.hostNetwork`.
    pub host_network: bool,
    /// The Pod runs on Windows (`spec.os.name` or a `kubernetes.io/os` node selector).
    pub windows: bool,
    /// Its containers' images, as hints of the C library resolving names (Alpine's musl).
    pub images: Vec<String>,
}
