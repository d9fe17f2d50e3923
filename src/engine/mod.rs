//! The record engine: (cluster snapshot, DNS configuration) → the records CoreDNS's
//! `kubernetes` plugin serves, the names it answers NXDOMAIN for, and notes. Pure and
//! deterministic; each kind of record has its own file.

mod apex;
mod cluster_ip;
mod dns_server;
mod endpoint_name;
mod endpoints;
mod external_name;
mod facts;
mod headless;
mod index;
pub mod network_policy;
mod pod;
mod ptr;
mod srv;
mod view;

use std::net::IpAddr;

pub use crate::model::kubernetes::SERVICE_NAME_LABEL;
pub use endpoint_name::{dashed_endpoint_address, dashed_pod_address, endpoint_label};
pub use headless::empty_service_cause;
pub use index::Index;
pub use ptr::reverse_name;
pub use srv::weight as srv_weight;
pub use view::{
    AddressView, ClusterView, EndpointView, Hidden, NameAddressView, PodView, PortView,
    ServiceKind, ServiceView, SliceView, StatefulSetView,
};

use std::sync::Arc;

use crate::model::{
    Cause, ClusterDns, ClusterSnapshot, CoreDnsRules, DnsConfig, DnsName, DnsServer, Fact, Note,
    ObjectRef, Provenance, RData, Record,
};

/// Everything the engine computes: the validated view, the records, and the facts read from
/// both — every reader downstream (findings, renderers, explain) takes these and nothing else.
#[derive(Debug, Clone, Default)]
pub struct EngineOutput {
    /// The validated objects.
    pub view: ClusterView,
    /// Records of Services, endpoints, PTRs and Pods, sorted and deduplicated.
    pub records: Vec<Record>,
    /// SOA, NS and glue, `ns.dns` and `dns-version` of every zone, sorted and deduplicated.
    pub zone_records: Vec<Record>,
    /// Every expected name in the primary zone, served or not, with its causes; sorted by name.
    pub facts: Vec<Fact>,
    /// Assumptions and skipped input.
    pub notes: Vec<Note>,
    /// Whether CoreDNS's own addresses were in the input (see `apex`).
    pub nameservers_known: bool,
    /// Which DNS server and release the records follow.
    pub dns_server: DnsServer,
}

/// A name the record functions decided not to serve, and why.
#[derive(Debug, Clone)]
struct Denied {
    name: DnsName,
    subject: Arc<ObjectRef>,
    cause: Cause,
}

/// What the per-kind functions write into.
#[derive(Default)]
struct Sink {
    records: Vec<Record>,
    denied: Vec<Denied>,
    notes: Vec<Note>,
}

impl Sink {
    fn absent(&mut self, name: DnsName, subject: &Arc<ObjectRef>, cause: Cause) {
        self.denied.push(Denied {
            name,
            subject: subject.clone(),
            cause,
        });
    }
}

/// Shared inputs of the per-kind functions.
struct Ctx<'a> {
    config: &'a DnsConfig,
    /// The record rules of the release that runs (the newest when unknown).
    rules: CoreDnsRules,
    view: &'a ClusterView,
    index: &'a Index<'a>,
}

/// Computes the full record set for a snapshot under a configuration.
pub fn compute(snapshot: &ClusterSnapshot, config: &DnsConfig) -> EngineOutput {
    let mut sink = Sink::default();
    let dns_server = dns_server::detect(snapshot, config.coredns_version, &mut sink.notes);
    let view = ClusterView::build(snapshot, config, &mut sink.notes);
    let index = Index::new(&view);
    let ctx = Ctx {
        config,
        rules: dns_server.rules,
        view: &view,
        index: &index,
    };
    for zone in config.forward_zones() {
        let first = sink.records.len();
        // A multicluster zone answers Services from ServiceImports (`findMultiClusterServices`),
        // which the tool does not read; its pod names are answered as in any zone.
        if config.multicluster.contains(zone) {
            sink.notes.push(Note::info(format!(
                "{zone} is a multicluster zone: CoreDNS answers its Service names from ServiceImports (multicluster.x-k8s.io), which the tool does not read; none are listed"
            )));
        } else {
            for service in &view.services {
                service_records(&ctx, service, zone, &mut sink);
            }
        }
        pod::records(&ctx, zone, &mut sink);
        // A name another block takes, or a longer zone of the stanza answers, is not answered
        // in this zone (`core/dnsserver` routing, `plugin.Zones.Matches`).
        retain_from(&mut sink.records, first, |r| {
            config.answers_in(&r.owner, zone)
        });
    }
    let first = sink.records.len();
    ptr::records(&ctx, &mut sink);
    retain_from(&mut sink.records, first, |r| {
        config.server.receives(&r.owner) && config.reverse_zone_for(&r.owner).is_some()
    });
    let (mut zone_records, nameservers_known) = apex::records(&ctx, snapshot);
    zone_records
        .retain(|r| config.server.receives(&r.owner) && config.zone_for(&r.owner).is_some());
    let records = canonical(sink.records);
    let facts = facts::decide(&ctx, snapshot, &records, &sink.denied);
    let mut notes = sink.notes;
    notes.sort();
    notes.dedup();
    EngineOutput {
        view,
        records,
        zone_records: canonical(zone_records),
        facts,
        notes,
        nameservers_known,
        dns_server,
    }
}

/// Keeps, of `records[first..]`, those `keep` accepts.
fn retain_from(records: &mut Vec<Record>, first: usize, keep: impl Fn(&Record) -> bool) {
    let tail: Vec<Record> = records.drain(first..).filter(|r| keep(r)).collect();
    records.extend(tail);
}

/// The record set of a whole Corefile: the engine runs per stanza, each keeping the names its
/// block receives (`compute` drops the rest), and the records are the union. The view, facts
/// and findings' inputs are the primary stanza's.
pub fn compute_all(snapshot: &ClusterSnapshot, dns: &ClusterDns) -> EngineOutput {
    let Some(primary) = dns.primary() else {
        return EngineOutput::default();
    };
    let mut output = compute(snapshot, primary);
    let mut records = std::mem::take(&mut output.records);
    let mut zone_records = std::mem::take(&mut output.zone_records);
    for (index, stanza) in dns.stanzas.iter().enumerate() {
        if index == dns.primary {
            continue;
        }
        let other = compute(snapshot, stanza);
        records.extend(other.records);
        zone_records.extend(other.zone_records);
        output.notes.extend(other.notes);
    }
    output.records = canonical(records);
    output.zone_records = canonical(zone_records);
    output.notes.sort();
    output.notes.dedup();
    output
}

fn service_records(ctx: &Ctx, service: &ServiceView, zone: &DnsName, sink: &mut Sink) {
    let object = &service.object;
    let name = match service_name(zone, object) {
        Ok(name) => name,
        Err(err) => {
            sink.notes.push(
                Note::warning(format!(
                    "{object}: cannot form a DNS name ({err}); the Service is skipped"
                ))
                .about(object),
            );
            return;
        }
    };
    if let Some(cause) = ctx.view.namespace_hidden_by(ctx.config, &object.namespace) {
        sink.absent(name, object, cause);
        return;
    }
    match &service.kind {
        ServiceKind::ExternalName(target) => {
            external_name::records(ctx, service, target, &name, sink)
        }
        ServiceKind::Headless => headless::records(ctx, service, &name, sink),
        ServiceKind::ClusterIp(ips) => cluster_ip::records(ctx, service, ips, &name, sink),
        ServiceKind::Unallocated { families } => {
            sink.notes.push(Note::info(format!(
                "{object}: no clusterIP allocated yet (an unapplied manifest); its A/AAAA and PTR records appear once the API server assigns one"
            )).about(object));
            cluster_ip::records(ctx, service, &vec![None::<IpAddr>; *families], &name, sink);
        }
    }
}

/// `<service>.<namespace>.svc.<zone>`.
fn service_name(zone: &DnsName, object: &ObjectRef) -> Result<DnsName, crate::model::NameError> {
    zone.prepend_all(&[&object.name, &object.namespace, "svc"])
}

/// An A or AAAA record for `ip`.
fn address_record(owner: &DnsName, ip: IpAddr, ttl: u32, source: Provenance) -> Record {
    let data = match ip {
        IpAddr::V4(v4) => RData::A(v4),
        IpAddr::V6(v6) => RData::Aaaa(v6),
    };
    Record {
        owner: owner.clone(),
        ttl,
        data,
        source,
    }
}

/// Sorts into the output order and drops records a client could not tell apart (same owner,
/// type and data), keeping the first provenance. Keys are computed once and an index is sorted
/// rather than the records themselves: on 100,000 endpoints moving records dominated the run.
fn canonical(records: Vec<Record>) -> Vec<Record> {
    let keys: Vec<_> = records.iter().map(Record::sort_key_owned).collect();
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_unstable_by(|&a, &b| {
        keys[a]
            .cmp(&keys[b])
            .then_with(|| records[a].data.cmp(&records[b].data))
            .then_with(|| records[a].source.cmp(&records[b].source))
    });
    let mut slots: Vec<Option<Record>> = records.into_iter().map(Some).collect();
    let mut sorted: Vec<Record> = Vec::with_capacity(slots.len());
    for index in order {
        let Some(record) = slots[index].take() else {
            continue;
        };
        let duplicate = sorted
            .last()
            .is_some_and(|last| last.owner == record.owner && last.data == record.data);
        if !duplicate {
            sorted.push(record);
        }
    }
    sorted
}
