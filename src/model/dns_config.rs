//! What the Corefile's `kubernetes` and `cache` plugins tell the record engine.

use std::fmt;

use super::{CoreDnsVersion, DnsName};

use super::LabelSelector;

/// The `pods` option (`plugin/kubernetes/setup.go`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PodsMode {
    /// No pod records (CoreDNS's default).
    Disabled,
    /// Any IP-shaped name answers, whether a Pod has that IP or not (kubeadm's choice).
    Insecure,
    /// Only names of Pods CoreDNS watches answer.
    Verified,
}

impl PodsMode {
    /// The option's value as the Corefile spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            PodsMode::Disabled => "disabled",
            PodsMode::Insecure => "insecure",
            PodsMode::Verified => "verified",
        }
    }
}

/// A reverse zone of the stanza (`in-addr.arpa.`, `96.10.in-addr.arpa.`, `ip6.arpa.`).
pub type ReverseZone = DnsName;

/// The `cache` plugin in the server block that serves the cluster zone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CacheConfig {
    /// Upper bound on how long a positive answer is cached (seconds).
    pub success_ttl: u32,
    /// Upper bound on how long a negative answer (NXDOMAIN/NODATA) is cached (seconds).
    pub denial_ttl: u32,
    /// Zones the cache applies to; empty means every zone of the server block.
    pub zones: Vec<DnsName>,
    /// Zones for which `disable success` turns positive caching off.
    pub success_disabled: Vec<DnsName>,
    /// Zones for which `disable denial` turns negative caching off.
    pub denial_disabled: Vec<DnsName>,
}

/// Where the DNS configuration came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ConfigOrigin {
    /// A ConfigMap key (`kube-system/coredns`, key `Corefile`).
    ConfigMap {
        /// ConfigMap namespace.
        namespace: String,
        /// ConfigMap name.
        name: String,
        /// The data key that held the Corefile.
        key: String,
    },
    /// A file named by `--corefile`.
    File {
        /// The path as given.
        path: String,
    },
    /// No Corefile was found: kubeadm's default stanza is assumed.
    Default,
}

impl fmt::Display for ConfigOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigOrigin::ConfigMap {
                namespace,
                name,
                key,
            } => write!(f, "configmap/{namespace}/{name} ({key})"),
            ConfigOrigin::File { path } => write!(f, "file {path}"),
            ConfigOrigin::Default => f.write_str("kubeadm default (no Corefile found)"),
        }
    }
}

/// What the server block around the `kubernetes` plugin does with a question the plugin does
/// not own: `core/dnsserver/server.go ServeDNS` picks the block whose zone is the longest match
/// (REFUSED when none is), and the plugin hands a question on to the next plugin of the chain
/// (`plugin.NextOrFailure`: SERVFAIL when there is none), in CoreDNS's fixed `plugin.cfg` order.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct ServerBlockConfig {
    /// The zones of the server block holding the `kubernetes` plugin (`.` for `.:53`).
    pub zones: Vec<DnsName>,
    /// The zones of the other server blocks on the same port: a longer match takes the question.
    pub other_zones: Vec<DnsName>,
    /// The first plugin after `kubernetes` in chain order that answers questions (`forward`).
    pub next_plugin: Option<String>,
    /// Plugins of the block that run before `kubernetes` and may answer or rewrite a question
    /// first (`hosts`, `rewrite`, `template`, `autopath`, …): their answers are not computed.
    pub before: Vec<String>,
}

/// NodeLocal DNSCache (the `node-local-dns` DaemonSet): a cache on every node in front of
/// CoreDNS, read from its ConfigMap's Corefile.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NodeLocalCache {
    /// The addresses it listens on (`bind`), e.g. 169.254.20.10 and the kube-dns ClusterIP.
    pub addresses: Vec<String>,
    /// How long it may keep a negative answer for the cluster zone (`cache … denial N TTL`), in
    /// seconds; 0 when it does not cache denials there.
    pub denial_ttl: u32,
}

/// The settings of the `kubernetes` plugin that decide which records exist.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DnsConfig {
    /// The stanza's zones in order, forward and reverse.
    pub zones: Vec<DnsName>,
    /// TTL of every record but `dns-version` (0–3600, default 5).
    pub ttl: u32,
    /// The `pods` mode.
    pub pods: PodsMode,
    /// `endpoint_pod_names`: endpoint names fall back to the Pod's name before the dashed IP.
    pub endpoint_pod_names: bool,
    /// `ignore empty_service`: ClusterIP Services without ready endpoints are not served.
    pub ignore_empty_service: bool,
    /// `noendpoints`: EndpointSlices are not watched at all.
    pub noendpoints: bool,
    /// `namespaces`: only these namespaces are served (empty: all).
    pub namespaces: Vec<String>,
    /// `namespace_labels`: only namespaces matching this selector are served.
    pub namespace_labels: Option<LabelSelector>,
    /// `labels`: only Services, EndpointSlices and Pods matching this selector are watched.
    pub labels: Option<LabelSelector>,
    /// `fallthrough`: `None` without the option; zones it names (empty: every zone).
    pub fallthrough: Option<Vec<DnsName>>,
    /// The `cache` plugin of the same server block, if any.
    pub cache: Option<CacheConfig>,
    /// NodeLocal DNSCache in front of CoreDNS, when the input shows it.
    pub node_local: Option<NodeLocalCache>,
    /// The server block around the plugin.
    pub server: ServerBlockConfig,
    /// Where this configuration came from.
    pub origin: ConfigOrigin,
    /// `--coredns-version`: the release whose rules the records follow, above the one the
    /// cluster's DNS images name (`None`: detect it, else the newest release's rules).
    #[serde(skip)]
    pub coredns_version: Option<CoreDnsVersion>,
}

impl DnsConfig {
    /// kubeadm's default stanza: `kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure;
    /// fallthrough in-addr.arpa ip6.arpa; ttl 30 }` with `cache 30` in front.
    pub fn kubeadm_default() -> Self {
        let zone = |text: &str| DnsName::parse(text).unwrap_or_else(|_| DnsName::root());
        DnsConfig {
            zones: vec![
                zone("cluster.local."),
                zone("in-addr.arpa."),
                zone("ip6.arpa."),
            ],
            ttl: 30,
            pods: PodsMode::Insecure,
            endpoint_pod_names: false,
            ignore_empty_service: false,
            noendpoints: false,
            namespaces: Vec::new(),
            namespace_labels: None,
            labels: None,
            fallthrough: Some(vec![zone("in-addr.arpa."), zone("ip6.arpa.")]),
            cache: Some(CacheConfig {
                success_ttl: 30,
                denial_ttl: 30,
                zones: Vec::new(),
                success_disabled: vec![zone("cluster.local.")],
                denial_disabled: vec![zone("cluster.local.")],
            }),
            node_local: None,
            server: ServerBlockConfig {
                zones: vec![DnsName::root()],
                other_zones: Vec::new(),
                next_plugin: Some("forward".to_string()),
                before: Vec::new(),
            },
            origin: ConfigOrigin::Default,
            coredns_version: None,
        }
    }

    /// The forward zones (those outside `in-addr.arpa.` and `ip6.arpa.`), in stanza order.
    pub fn forward_zones(&self) -> impl Iterator<Item = &DnsName> {
        self.zones.iter().filter(|zone| !is_reverse_zone(zone))
    }

    /// The reverse zones, in stanza order.
    pub fn reverse_zones(&self) -> impl Iterator<Item = &DnsName> {
        self.zones.iter().filter(|zone| is_reverse_zone(zone))
    }

    /// The zone PTR targets are built in: the stanza's first forward zone (`primaryZone`).
    pub fn primary_zone(&self) -> Option<&DnsName> {
        self.forward_zones().next()
    }

    /// The most specific reverse zone of the stanza that holds `name`, if any.
    pub fn reverse_zone_for(&self, name: &DnsName) -> Option<&DnsName> {
        self.reverse_zones()
            .filter(|zone| name.is_within(zone))
            .max_by_key(|zone| zone.label_count())
    }

    /// Whether CoreDNS serves names in `namespace` (`namespace.go namespaceExposed`), given the
    /// namespace's labels when the snapshot has its Namespace object.
    pub fn namespace_exposed(
        &self,
        namespace: &str,
        labels: Option<&std::collections::BTreeMap<String, String>>,
    ) -> bool {
        if !self.namespaces.is_empty() && !self.namespaces.iter().any(|ns| ns == namespace) {
            return false;
        }
        match &self.namespace_labels {
            None => true,
            Some(selector) => labels.is_some_and(|labels| selector.matches(labels)),
        }
    }
}

/// True for names at or below `in-addr.arpa.` or `ip6.arpa.` (`dnsutil.IsReverse`).
pub fn is_reverse_zone(zone: &DnsName) -> bool {
    let mut labels = zone.labels().rev();
    matches!(
        (labels.next(), labels.next()),
        (Some("arpa"), Some("in-addr" | "ip6"))
    )
}
