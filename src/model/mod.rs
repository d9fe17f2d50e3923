//! The vocabulary every layer shares: names, records, where a record came from, the cluster
//! snapshot, the DNS configuration and the report. No behaviour beyond construction and ordering.

mod dns_config;
mod dns_name;
mod dns_server;
mod fact;
mod finding;
pub mod kubernetes;
mod label_selector;
mod labels;
mod metadata;
mod not_found;
mod object_name;
mod pod_dns;
mod pod_object;
mod provenance;
mod record;
mod report;
mod selection;
mod snapshot;
mod suggest;
mod verification;

pub use dns_config::{
    CacheConfig, ClusterDns, ConfigOrigin, DnsConfig, NodeLocalCache, PodsMode, ReverseZone,
    ServerBlockConfig, StanzaOption, is_below_reverse_tree, is_reverse_zone,
};
pub use dns_name::{DnsName, NameError};
pub use dns_server::{
    CoreDnsRules, CoreDnsVersion, Distribution, DnsServer, DnsServerKind, OLDEST_MODELLED,
    OPTION_RELEASES, RULE_CHANGES, VersionError, VersionSource, option_first_release,
};
pub use fact::{Cause, Expectation, Fact, FactState, NamespaceFilter, ReadyCondition};
pub use finding::{DOCS_BASE_URL, Finding, FindingId, Severity};
pub use label_selector::{LabelSelector, SelectorError, format_labels};
pub use labels::{LabelSet, Labels};
pub use metadata::Metadata;
pub use not_found::NotFound;
pub use object_name::{InvalidName, NameKind, NameProblem, validate_name};
pub use pod_dns::{DnsOption, DnsPolicy, PodDns, PodDnsConfig};
pub use pod_object::{
    ContainerImage, PodMeta, PodObject, PodObjectSpec, PodObjectStatus, PodOwner,
};
pub use provenance::{Kind, ObjectRef, Provenance};
pub use record::{RData, Record, RecordType, Soa, name_sort_key, name_tree};
pub use report::{Absent, Note, NoteLevel, Report, Scope};
pub use selection::{Selection, Target};
pub use snapshot::{ClusterSnapshot, CorefileSource, Gap, GapResource, find_gap};
pub use suggest::suggest;
pub use verification::{
    Expected, Outcome, Question, Rcode, Served, Status, Transport, Verification, Via,
};
