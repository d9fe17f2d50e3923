//! Findings: what breaks cluster DNS for the objects in scope, each with a stable id, the objects
//! and names involved, and a concrete fix. The ids are a contract; `docs/findings/<id>.md`
//! documents each one (compiled into the binary by `crate::docs`), and `docs/findings.md` is
//! generated from those pages.

use std::fmt;

use super::{DnsName, ObjectRef};

/// Where the finding pages are in the repository, as a browser opens them.
pub const DOCS_BASE_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/findings/");

/// How much a finding matters. Ordered, so `--fail-on warning` is a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is broken.
    Info,
    /// Some names do not resolve as the workload likely expects.
    Warning,
    /// Names the workload needs do not exist.
    Error,
}

impl Severity {
    /// The lower-case word.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kinds of finding. Never renumber or reuse a code; a retired id keeps its documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingId {
    /// A StatefulSet's `serviceName` names no Service, a Service that is not headless, or one
    /// that does not select its pods.
    ServiceNameMismatch,
    /// A StatefulSet (or hostname-setting) pod's endpoint has no hostname, so its per-pod name is
    /// not served.
    MissingHostname,
    /// A Service has no ready endpoint at all.
    EmptyEndpoints,
    /// Some endpoints are excluded from DNS because they are not ready.
    NotReadyEndpoints,
    /// A port without a name gets no `_name._proto` SRV record.
    UnnamedPort,
    /// A Pod is selected by two headless Services and gets a per-pod name under only one.
    SecondHeadlessService,
    /// The cache plugin caches NXDOMAIN for the cluster zone.
    NegativeCache,
    /// An ExternalName is an IP literal or points back into the cluster zone.
    ExternalNameTarget,
    /// Some of a StatefulSet's peer names (`<pod>.<serviceName>`) do not resolve yet.
    PeerNamesAbsent,
    /// An OrderedReady StatefulSet waits for its first pod, which waits for its peers.
    BootstrapDeadlock,
    /// Objects live in a namespace without a Namespace object: CoreDNS serves nothing there.
    NamespaceMissing,
    /// The Corefile's `kubernetes` stanza uses an option the CoreDNS release that runs does not
    /// know: that CoreDNS refuses to start.
    OptionUnknownToRelease,
}

impl FindingId {
    /// Every id, in code order.
    pub const ALL: [FindingId; 12] = [
        FindingId::ServiceNameMismatch,
        FindingId::MissingHostname,
        FindingId::EmptyEndpoints,
        FindingId::NotReadyEndpoints,
        FindingId::UnnamedPort,
        FindingId::SecondHeadlessService,
        FindingId::NegativeCache,
        FindingId::ExternalNameTarget,
        FindingId::PeerNamesAbsent,
        FindingId::BootstrapDeadlock,
        FindingId::NamespaceMissing,
        FindingId::OptionUnknownToRelease,
    ];

    /// The kebab-case id: the contract.
    pub const fn id(self) -> &'static str {
        self.describe().0
    }

    /// The short stable code.
    pub const fn code(self) -> &'static str {
        self.describe().1
    }

    /// One exhaustive table, so id and code can never disagree.
    const fn describe(self) -> (&'static str, &'static str) {
        match self {
            FindingId::ServiceNameMismatch => ("service-name-mismatch", "DNS001"),
            FindingId::MissingHostname => ("missing-hostname", "DNS002"),
            FindingId::EmptyEndpoints => ("empty-endpoints", "DNS003"),
            FindingId::NotReadyEndpoints => ("not-ready-endpoints", "DNS004"),
            FindingId::UnnamedPort => ("unnamed-port", "DNS005"),
            FindingId::SecondHeadlessService => ("second-headless-service", "DNS006"),
            FindingId::NegativeCache => ("negative-cache", "DNS007"),
            FindingId::ExternalNameTarget => ("externalname-target", "DNS008"),
            FindingId::PeerNamesAbsent => ("peer-names-absent", "DNS009"),
            FindingId::BootstrapDeadlock => ("bootstrap-deadlock", "DNS010"),
            FindingId::NamespaceMissing => ("namespace-missing", "DNS011"),
            FindingId::OptionUnknownToRelease => ("option-unknown-to-release", "DNS012"),
        }
    }

    /// Where the id is documented in the repository (`docs/findings.md#<id>`).
    pub fn docs_anchor(self) -> String {
        format!("docs/findings.md#{}", self.id())
    }

    /// The command that prints the id's page from the text compiled into the binary.
    pub fn docs_command(self) -> String {
        format!("kubectl dnsrecords docs {}", self.id())
    }

    /// The https address of the id's page in the repository (Cargo.toml's `repository`).
    pub fn docs_url(self) -> String {
        format!("{DOCS_BASE_URL}{}.md", self.id())
    }
}

impl fmt::Display for FindingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One diagnosis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What kind of problem.
    pub id: FindingId,
    /// How much it matters, for this instance.
    pub severity: Severity,
    /// One sentence naming the objects and names involved.
    pub message: String,
    /// The objects involved, the subject first.
    pub objects: Vec<ObjectRef>,
    /// The names the finding says do not resolve: each is an absent fact, never a served name.
    pub names: Vec<DnsName>,
    /// The concrete change that fixes it: YAML or a command.
    pub hint: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_codes_are_unique_and_documented() {
        let docs = include_str!("../../docs/findings.md");
        let mut codes = std::collections::BTreeSet::new();
        for id in FindingId::ALL {
            assert!(codes.insert(id.code()), "code {} reused", id.code());
            assert!(
                docs.contains(&format!("\n## {}\n", id.id())),
                "docs/findings.md has no section for {}",
                id.id()
            );
            assert!(
                docs.contains(&format!("| {} |", id.code())),
                "{} missing from the table",
                id.code()
            );
        }
    }
}
