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
    /// The line the server block starts on (0 when no Corefile was read).
    pub line: usize,
    /// Whether the block listens for plain DNS where the cluster's questions arrive (port 53,
    /// or the `kubernetes` block's own port when no block listens on 53): a block that does
    /// not receives none of them.
    pub on_port_53: bool,
}

impl ServerBlockConfig {
    /// Whether a question for `name` reaches this block (`core/dnsserver/server.go ServeDNS`):
    /// the longest zone holding it, among every block on the port, is one of this block's.
    pub fn receives(&self, name: &DnsName) -> bool {
        // No block read (a configuration built without a Corefile, line 0): nothing routes
        // elsewhere.
        if self.line == 0 {
            return true;
        }
        if !self.on_port_53 {
            return false;
        }
        let longest = |zones: &[DnsName]| {
            zones
                .iter()
                .filter(|z| name.is_within(z))
                .map(DnsName::label_count)
                .max()
        };
        match (longest(&self.zones), longest(&self.other_zones)) {
            (Some(own), Some(other)) => own >= other,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
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
    /// `multicluster`: zones (of the stanza's own) that serve multi-cluster Services.
    pub multicluster: Vec<DnsName>,
    /// `zonal`: the stanza also answers zone-scoped endpoint names.
    pub zonal: bool,
    /// The server block around the plugin.
    pub server: ServerBlockConfig,
    /// Where this configuration came from.
    pub origin: ConfigOrigin,
    /// `--coredns-version`: the release whose rules the records follow, above the one the
    /// cluster's DNS images name (`None`: detect it, else the newest release's rules).
    #[serde(skip)]
    pub coredns_version: Option<CoreDnsVersion>,
    /// The options the stanza's block writes, in order, with their lines: whether the release
    /// that runs knows each one is a finding.
    #[serde(skip)]
    pub options: Vec<StanzaOption>,
}

/// One option line of a `kubernetes` stanza.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StanzaOption {
    /// The option's name (`zonal`, `ttl`).
    pub name: String,
    /// Its line in the Corefile.
    pub line: usize,
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
            multicluster: Vec::new(),
            zonal: false,
            server: ServerBlockConfig {
                zones: vec![DnsName::root()],
                other_zones: Vec::new(),
                next_plugin: Some("forward".to_string()),
                before: Vec::new(),
                line: 1,
                on_port_53: true,
            },
            origin: ConfigOrigin::Default,
            coredns_version: None,
            // The lines of kubeadm's Corefile (`corefile/kubeadm.Corefile`).
            options: [("pods", 8), ("fallthrough", 9), ("ttl", 10)]
                .into_iter()
                .map(|(name, line)| StanzaOption {
                    name: name.to_string(),
                    line,
                })
                .collect(),
        }
    }

    /// The forward zones (those outside `in-addr.arpa.` and `ip6.arpa.`), in stanza order:
    /// `Records` answers no name below the reverse tree but PTRs (`dnsutil.IsReverse(qname)`).
    pub fn forward_zones(&self) -> impl Iterator<Item = &DnsName> {
        self.zones.iter().filter(|zone| !is_reverse_zone(zone))
    }

    /// The reverse zones, in stanza order.
    pub fn reverse_zones(&self) -> impl Iterator<Item = &DnsName> {
        self.zones.iter().filter(|zone| is_reverse_zone(zone))
    }

    /// The first forward zone: where the records' names (and the facts about them) live.
    pub fn primary_zone(&self) -> Option<&DnsName> {
        self.forward_zones().next()
    }

    /// The zone PTR targets are built in (`setup.go ParseStanza primaryZoneIndex`,
    /// `kubernetes.go primaryZone`): the first zone `dnsutil.IsReverse` does not count as
    /// reverse — and a bare `in-addr.arpa.` or `ip6.arpa.` is not, so listed first it holds
    /// the targets, which then name nothing the plugin answers.
    pub fn ptr_target_zone(&self) -> Option<&DnsName> {
        self.zones.iter().find(|zone| !is_below_reverse_tree(zone))
    }

    /// The stanza's zone a question for `name` is answered in: the longest that holds it
    /// (`plugin.Zones.Matches`).
    pub fn zone_for(&self, name: &DnsName) -> Option<&DnsName> {
        self.zones
            .iter()
            .filter(|zone| name.is_within(zone))
            .max_by_key(|zone| zone.label_count())
    }

    /// The most specific reverse zone of the stanza that holds `name`, if any (and no longer
    /// forward zone of the stanza takes the question first).
    pub fn reverse_zone_for(&self, name: &DnsName) -> Option<&DnsName> {
        self.zone_for(name).filter(|zone| is_reverse_zone(zone))
    }

    /// Whether a question for `name` reaches this stanza and is answered in `zone`: its block
    /// receives it, and `zone` is the stanza's longest zone holding it.
    pub fn answers_in(&self, name: &DnsName, zone: &DnsName) -> bool {
        self.server.receives(name) && self.zone_for(name) == Some(zone)
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

/// `dnsutil.IsReverse`: names strictly below `in-addr.arpa.` or `ip6.arpa.` (its suffix test
/// includes the leading dot, so the two bare zones are not reverse to it).
pub fn is_below_reverse_tree(zone: &DnsName) -> bool {
    is_reverse_zone(zone) && zone.label_count() > 2
}

/// The whole Corefile as CoreDNS runs it: every `kubernetes` stanza of every server block,
/// each with its own options and its block's routing. The engine runs per stanza; the record
/// set is the union, each name answered by the block its question reaches.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClusterDns {
    /// Every stanza in Corefile order.
    pub stanzas: Vec<DnsConfig>,
    /// Which of `stanzas` is the primary one: the first whose block receives questions on
    /// port 53 for one of its zones (else the first).
    pub primary: usize,
}

impl ClusterDns {
    /// A configuration of one stanza.
    pub fn single(config: DnsConfig) -> Self {
        ClusterDns {
            stanzas: vec![config],
            primary: 0,
        }
    }

    /// The primary stanza, which the record view's facts, findings and explanations read.
    pub fn primary(&self) -> Option<&DnsConfig> {
        self.stanzas.get(self.primary)
    }

    /// This configuration, or kubeadm's default stanza when it has none: a configuration built
    /// by hand (or a Corefile without a `kubernetes` stanza) is read as kubeadm's everywhere.
    pub fn with_a_stanza(&self) -> std::borrow::Cow<'_, ClusterDns> {
        if self.primary().is_some() {
            std::borrow::Cow::Borrowed(self)
        } else {
            std::borrow::Cow::Owned(ClusterDns::single(DnsConfig::kubeadm_default()))
        }
    }

    /// The primary stanza, kubeadm's default when there is none (see [`Self::with_a_stanza`]).
    pub fn primary_or_kubeadm(&self) -> DnsConfig {
        self.primary()
            .cloned()
            .unwrap_or_else(DnsConfig::kubeadm_default)
    }
}

/// True for names at or below `in-addr.arpa.` or `ip6.arpa.`.
pub fn is_reverse_zone(zone: &DnsName) -> bool {
    // The tree of the record order: 1 under in-addr.arpa., 2 under ip6.arpa.
    super::name_tree(zone) != 0
}
