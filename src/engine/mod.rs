//! The record engine: (cluster snapshot, DNS configuration) → the records CoreDNS's
//! `kubernetes` plugin serves, the names it answers NXDOMAIN for, and notes. Pure and
//! deterministic; each kind of record has its own file.

mod apex;
mod cluster_ip;
mod endpoint_name;
mod endpoints;
mod external_name;
mod headless;
mod index;
mod pod;
mod ptr;
mod srv;
mod view;

use std::net::IpAddr;

pub use endpoint_name::{dashed_endpoint_address, dashed_pod_address, endpoint_label};
pub use ptr::reverse_name;
pub use srv::weight as srv_weight;
pub use view::SERVICE_NAME_LABEL;

use crate::model::{
    Absent, ClusterSnapshot, DnsConfig, DnsName, Note, ObjectRef, Provenance, RData, Record,
};
use index::Index;
use view::{ClusterView, ServiceKind, ServiceView};

/// Everything the engine computes.
#[derive(Debug, Clone, Default)]
pub struct EngineOutput {
    /// Records of Services, endpoints, PTRs and Pods, sorted and deduplicated.
    pub records: Vec<Record>,
    /// SOA, NS and glue, `ns.dns` and `dns-version` of every zone, sorted and deduplicated.
    pub zone_records: Vec<Record>,
    /// Names that do not exist although an object suggests they would.
    pub absent: Vec<Absent>,
    /// Assumptions and skipped input.
    pub notes: Vec<Note>,
    /// Whether CoreDNS's own addresses were in the input (see `apex`).
    pub nameservers_known: bool,
}

/// What the per-kind functions write into.
#[derive(Default)]
struct Sink {
    records: Vec<Record>,
    absent: Vec<Absent>,
    notes: Vec<Note>,
}

impl Sink {
    fn absent(&mut self, name: DnsName, subject: &ObjectRef, reason: impl Into<String>) {
        self.absent.push(Absent {
            name,
            subject: subject.clone(),
            reason: reason.into(),
        });
    }
}

/// Shared inputs of the per-kind functions.
struct Ctx<'a> {
    config: &'a DnsConfig,
    view: &'a ClusterView,
    index: &'a Index<'a>,
}

/// Computes the full record set for a snapshot under a configuration.
pub fn compute(snapshot: &ClusterSnapshot, config: &DnsConfig) -> EngineOutput {
    let mut sink = Sink::default();
    let view = ClusterView::build(snapshot, config, &mut sink.notes);
    let index = Index::new(&view);
    let ctx = Ctx {
        config,
        view: &view,
        index: &index,
    };
    for zone in config.forward_zones() {
        for service in &view.services {
            service_records(&ctx, service, zone, &mut sink);
        }
        pod::records(&ctx, zone, &mut sink);
    }
    ptr::records(&ctx, &mut sink);
    let (zone_records, nameservers_known) = apex::records(&ctx, snapshot);
    let mut notes = sink.notes;
    notes.sort();
    notes.dedup();
    let mut absent = sink.absent;
    absent.sort();
    absent.dedup();
    EngineOutput {
        records: canonical(sink.records),
        zone_records: canonical(zone_records),
        absent,
        notes,
        nameservers_known,
    }
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
    if !ctx.view.namespace_exposed(ctx.config, &object.namespace) {
        sink.absent(name, object, "the Corefile does not serve this namespace");
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
