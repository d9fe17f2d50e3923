//! Which DNS server the cluster runs, which release of it, and the record rules that release
//! follows. CoreDNS's `kubernetes` plugin changed what it serves between releases; the engine
//! asks [`CoreDnsRules`] instead of assuming the newest behaviour everywhere.

use std::fmt;

/// A CoreDNS release, `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CoreDnsVersion {
    /// Major.
    pub major: u32,
    /// Minor.
    pub minor: u32,
    /// Patch.
    pub patch: u32,
}

/// Why a version text is not a CoreDNS release.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a CoreDNS version (expected e.g. 1.11.3 or v1.12.1)")]
pub struct VersionError {
    /// The text as given.
    pub text: String,
}

impl CoreDnsVersion {
    /// A version from its parts.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        CoreDnsVersion {
            major,
            minor,
            patch,
        }
    }

    /// `1.11.3`, `v1.11.3`, and the suffixed tags distributions build (`v1.11.1-eksbuild.4`,
    /// `1.12.0-build20240101`): the leading `major.minor.patch` decides.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let error = || VersionError {
            text: text.to_string(),
        };
        let digits = text.strip_prefix('v').unwrap_or(text);
        let core = digits.split(['-', '+', '_']).next().unwrap_or_default();
        let mut parts = core.split('.');
        let mut number = || -> Result<u32, VersionError> {
            let part = parts.next().ok_or_else(error)?;
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) || part.len() > 6 {
                return Err(error());
            }
            part.parse().map_err(|_| error())
        };
        let version = CoreDnsVersion::new(number()?, number()?, number()?);
        if parts.next().is_some() {
            return Err(error());
        }
        Ok(version)
    }
}

impl fmt::Display for CoreDnsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The record rules of one CoreDNS release that differ from the newest one's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoreDnsRules {
    /// The release, or `None` when it is unknown and the newest rules apply.
    pub version: Option<CoreDnsVersion>,
    /// 1.11.4 to 1.12.0 answer an endpoint's PTR only when the endpoint sets a hostname, and
    /// build the target from that hostname alone (`reverse.go serviceRecordForIP`, #6898,
    /// reverted by #7194 in 1.12.1).
    pub ptr_requires_hostname: bool,
    /// From 1.12.3 an IPv6 endpoint label that would end in `-` gets a `0` appended
    /// (`kubernetes.go endpointHostname`, #7431); before, `fd00::` was `fd00--`.
    pub ipv6_label_trailing_zero: bool,
}

/// Where the rules changed, newest last: the release and what changed, for notes and docs.
pub const RULE_CHANGES: &[(CoreDnsVersion, &str)] = &[
    (
        CoreDnsVersion::new(1, 11, 4),
        "endpoint PTR records only for endpoints with a hostname",
    ),
    (
        CoreDnsVersion::new(1, 12, 1),
        "endpoint PTR records for every ready endpoint again (1.11.4's change reverted)",
    ),
    (
        CoreDnsVersion::new(1, 12, 3),
        "an IPv6 endpoint label ending in '-' gets a '0' appended",
    ),
];

/// The first release whose `kubernetes` plugin knows each option (`plugin/kubernetes/setup.go
/// ParseStanza`): an older one refuses to start with `unknown property '<option>'`. Collected from
/// setup.go at every tag and the commit that added each `case`:
/// - `endpoint_pod_names` 1.0.0 (#1190, 3527be6c0); `noendpoints` 1.0.6 (#1536, 9719a47c1);
///   `ignore` 1.1.3 (#1813, 003e104fc); `kubeconfig` 1.2.3 (#2053, fe5c73104);
///   `namespace_labels` 1.5.0 (#2707, a3dd8cdf8);
/// - `multicluster` 1.12.2 (#7266, 5c71bd0b8); `startup_timeout` 1.12.3 (#7068, ab74d3acf);
/// - `apiserver_qps`, `apiserver_burst`, `apiserver_max_inflight` 1.14.0 (the API server rate
///   limits, #7771, 388cbc518);
/// - `zonal` 1.14.7 (#8388, c2ca1b2c2).
///
/// `endpoint`, `tls`, `namespaces`, `labels`, `pods`, `fallthrough` and `ttl` are in every
/// release from 0.9.9 on and are not listed. (`transfer` went the other way: 1.8.0 removed it,
/// and the tool, reading the newest setup.go, refuses it for every release.)
pub const OPTION_RELEASES: &[(&str, CoreDnsVersion)] = &[
    ("endpoint_pod_names", CoreDnsVersion::new(1, 0, 0)),
    ("noendpoints", CoreDnsVersion::new(1, 0, 6)),
    ("ignore", CoreDnsVersion::new(1, 1, 3)),
    ("kubeconfig", CoreDnsVersion::new(1, 2, 3)),
    ("namespace_labels", CoreDnsVersion::new(1, 5, 0)),
    ("multicluster", CoreDnsVersion::new(1, 12, 2)),
    ("startup_timeout", CoreDnsVersion::new(1, 12, 3)),
    ("apiserver_qps", CoreDnsVersion::new(1, 14, 0)),
    ("apiserver_burst", CoreDnsVersion::new(1, 14, 0)),
    ("apiserver_max_inflight", CoreDnsVersion::new(1, 14, 0)),
    ("zonal", CoreDnsVersion::new(1, 14, 7)),
];

/// The first release that knows the `kubernetes` option `name`, when it is newer than 0.9.9.
pub fn option_first_release(name: &str) -> Option<CoreDnsVersion> {
    OPTION_RELEASES
        .iter()
        .find(|(option, _)| *option == name)
        .map(|(_, version)| *version)
}

/// The oldest release whose records the tool models. Releases before 1.8.0 read the Endpoints
/// API, which the tool does not fetch, and 1.8.0 to 1.8.3 served not-ready EndpointSlice
/// endpoints and counted a missing `ready` as not ready (fixed by #4580 and #4632 in 1.8.4).
pub const OLDEST_MODELLED: CoreDnsVersion = CoreDnsVersion::new(1, 8, 4);

impl CoreDnsRules {
    /// The newest release's rules, assumed when the version is unknown.
    pub const NEWEST: CoreDnsRules = CoreDnsRules {
        version: None,
        ptr_requires_hostname: false,
        ipv6_label_trailing_zero: true,
    };

    /// The rules `version` follows.
    pub fn for_version(version: Option<CoreDnsVersion>) -> Self {
        let Some(v) = version else {
            return CoreDnsRules::NEWEST;
        };
        let at_least = |major, minor, patch| v >= CoreDnsVersion::new(major, minor, patch);
        CoreDnsRules {
            version: Some(v),
            ptr_requires_hostname: at_least(1, 11, 4) && !at_least(1, 12, 1),
            ipv6_label_trailing_zero: at_least(1, 12, 3),
        }
    }
}

impl Default for CoreDnsRules {
    fn default() -> Self {
        CoreDnsRules::NEWEST
    }
}

/// What answers the cluster's DNS questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsServerKind {
    /// CoreDNS pods (`k8s-app=kube-dns`) in kube-system, or OpenShift's DNS operator.
    CoreDns,
    /// The legacy kube-dns (GKE's default before Cloud DNS): kubedns + dnsmasq, no Corefile.
    KubeDns,
    /// kube-system was read and holds no cluster DNS pods: a managed service (GKE's Cloud DNS)
    /// or none at all.
    NoneFound,
    /// The DNS pods could not be read (forbidden), or the input is offline manifests that do
    /// not include them.
    Unknown,
}

/// The distribution whose layout the DNS objects follow, when the objects tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distribution {
    /// RKE2 (its Helm chart's `rke2-coredns-rke2-coredns` ConfigMap).
    Rke2,
    /// k3s (Rancher's mirrored CoreDNS image, the plain `coredns` ConfigMap).
    K3s,
    /// Amazon EKS (the `eks/coredns` image).
    Eks,
    /// Azure AKS (the `coredns-custom` ConfigMap or Microsoft's image).
    Aks,
    /// OpenShift (the DNS operator's `openshift-dns/dns-default` ConfigMap).
    OpenShift,
    /// Google GKE (kube-dns images).
    Gke,
}

impl Distribution {
    /// The name users know.
    pub fn as_str(self) -> &'static str {
        match self {
            Distribution::Rke2 => "RKE2",
            Distribution::K3s => "k3s",
            Distribution::Eks => "EKS",
            Distribution::Aks => "AKS",
            Distribution::OpenShift => "OpenShift",
            Distribution::Gke => "GKE",
        }
    }
}

/// Where the version came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionSource {
    /// `--coredns-version`.
    Flag,
    /// The image of a DNS pod, as written (e.g. `registry.k8s.io/coredns/coredns:v1.11.3`).
    Image(String),
}

/// The cluster's DNS server as the snapshot shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsServer {
    /// What runs.
    pub kind: DnsServerKind,
    /// The CoreDNS release, when known.
    pub version: Option<CoreDnsVersion>,
    /// Where the version came from.
    pub version_source: Option<VersionSource>,
    /// The images of the DNS pods, as written, deduplicated (the first is the one read).
    pub images: Vec<String>,
    /// How many DNS pods were seen.
    pub pods: usize,
    /// The distribution, when the objects tell.
    pub distribution: Option<Distribution>,
    /// The rules the records follow.
    pub rules: CoreDnsRules,
}

impl Default for DnsServer {
    fn default() -> Self {
        DnsServer::unknown()
    }
}

impl DnsServerKind {
    /// The stable name in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            DnsServerKind::CoreDns => "coredns",
            DnsServerKind::KubeDns => "kube-dns",
            DnsServerKind::NoneFound => "none",
            DnsServerKind::Unknown => "unknown",
        }
    }
}

impl DnsServer {
    /// Whether anything is known: a server was seen, or a release was given.
    pub fn is_known(&self) -> bool {
        self.kind != DnsServerKind::Unknown || self.version.is_some()
    }

    /// Nothing known: offline input without DNS objects and no `--coredns-version`.
    pub fn unknown() -> Self {
        DnsServer {
            kind: DnsServerKind::Unknown,
            version: None,
            version_source: None,
            images: Vec::new(),
            pods: 0,
            distribution: None,
            rules: CoreDnsRules::NEWEST,
        }
    }

    /// Where the records follow rules other than the newest release's, one phrase each; the
    /// table and the zone header say them (JSON always carries the server).
    pub fn differing_rules(&self) -> Vec<&'static str> {
        let mut rules = Vec::new();
        if self.rules.ptr_requires_hostname {
            rules.push("an endpoint's PTR only when the endpoint sets a hostname");
        }
        if !self.rules.ipv6_label_trailing_zero {
            rules.push("an IPv6 endpoint label ending in '-' keeps it (no '0' appended)");
        }
        rules
    }

    /// The note the table and the zone header print when the rules differ from the newest.
    pub fn rules_note(&self) -> Option<String> {
        let rules = self.differing_rules();
        if rules.is_empty() {
            return None;
        }
        Some(format!(
            "{}; it differs from the newest release: {}",
            self.summary(),
            rules.join("; ")
        ))
    }

    /// One line for the report: what runs and which rules the records follow.
    pub fn summary(&self) -> String {
        let rules = match self.version {
            Some(v) => format!("records follow CoreDNS {v}'s rules"),
            None => "records follow the newest CoreDNS's rules".to_string(),
        };
        let distribution = self
            .distribution
            .map(|d| format!(" ({})", d.as_str()))
            .unwrap_or_default();
        let server = match (&self.kind, self.version) {
            (DnsServerKind::CoreDns, Some(v)) => format!("CoreDNS {v}{distribution}"),
            (DnsServerKind::CoreDns, None) => {
                format!("CoreDNS, version unknown{distribution}")
            }
            (DnsServerKind::KubeDns, _) => format!("kube-dns{distribution}"),
            (DnsServerKind::NoneFound, _) => "no cluster DNS pods found".to_string(),
            (DnsServerKind::Unknown, _) => "unknown".to_string(),
        };
        format!("cluster DNS: {server}; {rules}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_from_tags_distributions_build() {
        for (text, want) in [
            ("1.11.3", (1, 11, 3)),
            ("v1.12.1", (1, 12, 1)),
            ("v1.11.1-eksbuild.4", (1, 11, 1)),
            ("1.10.1-build20230101", (1, 10, 1)),
            ("v1.9.4_hotfix", (1, 9, 4)),
        ] {
            let v = CoreDnsVersion::parse(text).expect(text);
            assert_eq!((v.major, v.minor, v.patch), want, "{text}");
        }
        for bad in [
            "", "latest", "1.11", "1.11.3.4", "v", "1.a.3", "sha256", "1..3",
        ] {
            assert!(CoreDnsVersion::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn rules_change_at_the_releases_that_changed_them() {
        let rules = |text: &str| CoreDnsRules::for_version(CoreDnsVersion::parse(text).ok());
        assert!(!rules("1.11.3").ptr_requires_hostname);
        assert!(rules("1.11.4").ptr_requires_hostname);
        assert!(rules("1.12.0").ptr_requires_hostname);
        assert!(!rules("1.12.1").ptr_requires_hostname);
        assert!(!rules("1.12.2").ipv6_label_trailing_zero);
        assert!(rules("1.12.3").ipv6_label_trailing_zero);
        assert_eq!(CoreDnsRules::for_version(None), CoreDnsRules::NEWEST);
        let newest = RULE_CHANGES.last().map(|(v, _)| *v);
        let at_newest = CoreDnsRules::for_version(newest);
        assert_eq!(
            CoreDnsRules {
                version: None,
                ..at_newest
            },
            CoreDnsRules::NEWEST
        );
    }
}

#[cfg(test)]
mod option_release_tests {
    use super::*;

    #[test]
    fn options_first_releases() {
        assert_eq!(
            option_first_release("zonal"),
            Some(CoreDnsVersion::new(1, 14, 7))
        );
        assert_eq!(
            option_first_release("multicluster"),
            Some(CoreDnsVersion::new(1, 12, 2))
        );
        assert_eq!(option_first_release("ttl"), None);
        // Newest last, so the table reads as a history.
        assert!(OPTION_RELEASES.windows(2).all(|w| w[0].1 <= w[1].1));
    }
}
