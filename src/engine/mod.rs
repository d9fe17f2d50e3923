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
mod hash;
mod headless;
mod index;
mod join;
pub mod network_policy;
mod pod;
mod ptr;
mod sort;
mod srv;
mod view;

use std::net::IpAddr;

pub use crate::model::kubernetes::SERVICE_NAME_LABEL;
pub use endpoint_name::{dashed_endpoint_address, dashed_pod_address, endpoint_label};
pub(crate) use hash::{HashMap, HashSet};
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
    ObjectRef, Provenance, RData, Record, name_tree,
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
    /// Moves everything `other` holds after what this one holds.
    fn append(&mut self, mut other: Sink) {
        if self.records.is_empty() {
            // The first zone's records are most of them: taken whole, not copied.
            std::mem::swap(&mut self.records, &mut other.records);
        } else {
            self.records.append(&mut other.records);
        }
        self.denied.append(&mut other.denied);
        self.notes.append(&mut other.notes);
    }

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

/// What the engine reads of a snapshot under one stanza, taken before any record is computed:
/// the validated view (with what could not be read) and which DNS server runs. Nothing after
/// this reads the objects, so a caller that owns the snapshot can free it here.
#[derive(Debug)]
pub struct Prepared {
    view: ClusterView,
    dns_server: DnsServer,
    notes: Vec<Note>,
}

/// Validates the snapshot's objects for `config` (see [`Prepared`]).
pub fn prepare(snapshot: &ClusterSnapshot, config: &DnsConfig) -> Prepared {
    let mut notes = Vec::new();
    let dns_server = dns_server::detect(snapshot, config.coredns_version, &mut notes);
    let view = ClusterView::build(snapshot, config, &mut notes);
    Prepared {
        view,
        dns_server,
        notes,
    }
}

/// [`prepare`] consuming the snapshot: its objects are freed one by one as the view is built.
pub fn prepare_owned(snapshot: ClusterSnapshot, config: &DnsConfig) -> Prepared {
    let mut notes = Vec::new();
    let dns_server = dns_server::detect(&snapshot, config.coredns_version, &mut notes);
    let view = ClusterView::build_owned(snapshot, config, &mut notes);
    Prepared {
        view,
        dns_server,
        notes,
    }
}

/// Computes the full record set for a snapshot under a configuration.
pub fn compute(snapshot: &ClusterSnapshot, config: &DnsConfig) -> EngineOutput {
    compute_prepared(prepare(snapshot, config), config)
}

/// Computes the records, facts and notes of a prepared view under the configuration it was
/// prepared for.
pub fn compute_prepared(prepared: Prepared, config: &DnsConfig) -> EngineOutput {
    compute_prepared_then(prepared, config, Vec::new(), |_, _| ()).0
}

/// [`compute_prepared`], with the records of `others` (the other stanzas) merged in, then
/// `then` run over the output and the index its records were computed with, so that a reader
/// of both (the findings) does not index the view a second time.
fn compute_prepared_then<R>(
    prepared: Prepared,
    config: &DnsConfig,
    others: Vec<EngineOutput>,
    then: impl FnOnce(&EngineOutput, &Index) -> R,
) -> (EngineOutput, R) {
    let Prepared {
        view,
        dns_server,
        notes,
    } = prepared;
    let mut sink = Sink {
        notes,
        ..Sink::default()
    };
    // The view goes where it ends up first: the index borrows it there, and lives until `then`.
    let mut output = EngineOutput {
        view,
        dns_server,
        ..EngineOutput::default()
    };
    let view = &output.view;
    let index = Index::new(view);
    let ctx = Ctx {
        config,
        rules: output.dns_server.rules,
        view,
        index: &index,
    };
    // The Services' records and the Pods' and PTRs' read the view and index only, never each
    // other's: on a large cluster they are computed on two threads, then placed in the order one
    // thread writes them (per zone the Services', then the Pods'; the PTRs last).
    let zones: Vec<&DnsName> = config.forward_zones().collect();
    let worth_a_thread = view.services.len() + view.pods.len() >= PARALLEL_RECORDS_FROM;
    let (service_sinks, (pod_sinks, ptr_sink)) = join::join(
        worth_a_thread,
        || {
            let of_zone = |zone: &DnsName| {
                let mut sink = Sink::default();
                // A multicluster zone answers Services from ServiceImports
                // (`findMultiClusterServices`), which the tool does not read; its pod names are
                // answered as in any zone.
                if config.multicluster.contains(zone) {
                    sink.notes.push(Note::info(format!(
                        "{zone} is a multicluster zone: CoreDNS answers its Service names from ServiceImports (multicluster.x-k8s.io), which the tool does not read; none are listed"
                    )));
                } else {
                    for service in &view.services {
                        service_records(&ctx, service, zone, &mut sink);
                    }
                }
                sink
            };
            zones.iter().map(|zone| of_zone(zone)).collect::<Vec<_>>()
        },
        || {
            let pods = zones.iter().map(|zone| {
                let mut sink = Sink::default();
                pod::records(&ctx, zone, &mut sink);
                sink
            });
            let pods = pods.collect::<Vec<_>>();
            let mut ptrs = Sink::default();
            ptr::records(&ctx, &mut ptrs);
            (pods, ptrs)
        },
    );
    for ((zone, services), pods) in zones.iter().zip(service_sinks).zip(pod_sinks) {
        let first = sink.records.len();
        sink.append(services);
        sink.append(pods);
        // A name another block takes, or a longer zone of the stanza answers, is not answered
        // in this zone (`core/dnsserver` routing, `plugin.Zones.Matches`).
        retain_from(&mut sink.records, first, |r| {
            config.answers_in(&r.owner, zone)
        });
    }
    let first = sink.records.len();
    sink.append(ptr_sink);
    retain_from(&mut sink.records, first, |r| {
        config.server.receives(&r.owner) && config.reverse_zone_for(&r.owner).is_some()
    });
    let (mut zone_records, nameservers_known) = apex::records(&ctx);
    zone_records
        .retain(|r| config.server.receives(&r.owner) && config.zone_for(&r.owner).is_some());
    let mut records = canonical(sink.records);
    output.facts = facts::decide(&ctx, &records, &sink.denied);
    let mut notes = sink.notes;
    output.nameservers_known = nameservers_known;
    let mut zone_records = canonical(zone_records);
    // One stanza's records are canonical already: sorting them again cost a fifth of the run.
    if !others.is_empty() {
        for other in others {
            records.extend(other.records);
            zone_records.extend(other.zone_records);
            notes.extend(other.notes);
        }
        records = canonical(records);
        zone_records = canonical(zone_records);
    }
    output.records = records;
    output.zone_records = zone_records;
    notes.sort();
    notes.dedup();
    output.notes = notes;
    let then = then(&output, &index);
    drop(index);
    (output, then)
}

/// From this many Services and Pods on, their records are computed on two threads (see
/// [`join::join`]).
const PARALLEL_RECORDS_FROM: usize = 2_000;

/// Keeps, of `records[first..]`, those `keep` accepts, in place (the records before `first`
/// stay as they are).
fn retain_from(records: &mut Vec<Record>, first: usize, keep: impl Fn(&Record) -> bool) {
    let mut position = 0;
    records.retain(|r| {
        position += 1;
        position <= first || keep(r)
    });
}

/// A whole Corefile's input to the engine: the primary stanza prepared, every other stanza's
/// records computed already (they need the objects, and only their records are kept).
#[derive(Debug)]
pub struct PreparedAll {
    primary: Option<Prepared>,
    others: Vec<EngineOutput>,
}

/// Prepares every stanza of `dns` (see [`PreparedAll`]).
pub fn prepare_all(snapshot: &ClusterSnapshot, dns: &ClusterDns) -> PreparedAll {
    PreparedAll {
        others: other_stanzas(snapshot, dns),
        primary: dns.primary().map(|primary| prepare(snapshot, primary)),
    }
}

/// [`prepare_all`] consuming the snapshot: the other stanzas are computed first, then the
/// primary one's view is built from the objects as they are freed.
pub fn prepare_all_owned(snapshot: ClusterSnapshot, dns: &ClusterDns) -> PreparedAll {
    PreparedAll {
        others: other_stanzas(&snapshot, dns),
        primary: dns
            .primary()
            .map(|primary| prepare_owned(snapshot, primary)),
    }
}

/// The output of every stanza but the primary one.
fn other_stanzas(snapshot: &ClusterSnapshot, dns: &ClusterDns) -> Vec<EngineOutput> {
    (dns.stanzas.iter().enumerate())
        .filter(|(index, _)| *index != dns.primary)
        .map(|(_, stanza)| compute(snapshot, stanza))
        .collect()
}

/// The record set of a whole Corefile, from its stanzas prepared by [`prepare_all`] or
/// [`prepare_all_owned`]: the engine runs per stanza, each keeping the names its block receives
/// (`compute` drops the rest), and the records are the union. The view, facts and findings'
/// inputs are the primary stanza's.
pub fn compute_all_prepared(prepared: PreparedAll, dns: &ClusterDns) -> EngineOutput {
    compute_all_prepared_then(prepared, dns, |_, _| ()).0
}

/// [`compute_all_prepared`], then `then` over the output and the primary stanza's index of its
/// view (see [`compute_prepared_then`]).
pub fn compute_all_prepared_then<R>(
    prepared: PreparedAll,
    dns: &ClusterDns,
    then: impl FnOnce(&EngineOutput, &Index) -> R,
) -> (EngineOutput, R) {
    let (Some(primary), Some(config)) = (prepared.primary, dns.primary()) else {
        let output = EngineOutput::default();
        let then = then(&output, &Index::new(&output.view));
        return (output, then);
    };
    compute_prepared_then(primary, config, prepared.others, then)
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
/// type and data), keeping the first provenance. Keys are computed once, all in one buffer, and
/// an index is sorted rather than the records themselves: on 100,000 endpoints moving records,
/// allocating a key per record and comparing SRV targets label by label dominated the run.
fn canonical(mut records: Vec<Record>) -> Vec<Record> {
    let key = sort::ByteKey {
        push: push_sort_key,
        len: sort_key_len,
    };
    sort::by_byte_key(&mut records, key, |a, b| {
        a.data.cmp(&b.data).then_with(|| a.source.cmp(&b.source))
    });
    records.dedup_by(|later, earlier| later.owner == earlier.owner && later.data == earlier.data);
    records
}

/// Appends bytes whose order is `Record::sort_key`'s, data included where it has a byte form:
/// the tree, the owner's order key, 0x00 (below the first byte of any further label, so a
/// parent still sorts first), the type, then the data. Two keys are equal only for records of
/// equal owner and type whose data is equal or has no byte form (SOA, TXT), which the caller
/// then compares as values.
fn push_sort_key(record: &Record, key: &mut Vec<u8>) {
    key.push(name_tree(&record.owner));
    record.owner.push_order_key(key);
    key.push(0x00);
    key.push(record.rtype() as u8);
    match &record.data {
        RData::A(ip) => key.extend_from_slice(&ip.octets()),
        RData::Aaaa(ip) => key.extend_from_slice(&ip.octets()),
        RData::Ns(name) | RData::Cname(name) | RData::Ptr(name) => name.push_order_key(key),
        RData::Srv {
            priority,
            weight,
            port,
            target,
        } => {
            key.extend_from_slice(&priority.to_be_bytes());
            key.extend_from_slice(&weight.to_be_bytes());
            key.extend_from_slice(&port.to_be_bytes());
            target.push_order_key(key);
        }
        RData::Soa(_) | RData::Txt(_) => {}
    }
}

/// The length of the key [`push_sort_key`] appends.
fn sort_key_len(record: &Record) -> usize {
    let data = match &record.data {
        RData::A(_) => 4,
        RData::Aaaa(_) => 16,
        RData::Ns(name) | RData::Cname(name) | RData::Ptr(name) => name.order_key_len(),
        RData::Srv { target, .. } => 6 + target.order_key_len(),
        RData::Soa(_) | RData::Txt(_) => 0,
    };
    // The tree, the owner, 0x00, the type, the data.
    1 + record.owner.order_key_len() + 2 + data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Soa};

    fn record(owner: &str, data: RData, source: &str) -> Record {
        Record {
            owner: DnsName::parse(owner).unwrap(),
            ttl: 5,
            data,
            source: Provenance::Service(Arc::new(ObjectRef::new(Kind::Service, "ns", source))),
        }
    }

    fn name(text: &str) -> DnsName {
        DnsName::parse(text).unwrap()
    }

    #[test]
    fn canonical_order_is_the_sort_key_order_with_duplicates_dropped() {
        let srv = |priority, weight, port, target: &str| RData::Srv {
            priority,
            weight,
            port,
            target: name(target),
        };
        let soa = |serial| {
            RData::Soa(Box::new(Soa {
                mname: name("ns.dns.cluster.local."),
                rname: name("hostmaster.cluster.local."),
                serial,
                refresh: 7200,
                retry: 1800,
                expire: 86400,
                minimum: 5,
            }))
        };
        let records = vec![
            record(
                "b.ns.svc.cluster.local.",
                RData::A([10, 0, 0, 2].into()),
                "b",
            ),
            record(
                "a.ns.svc.cluster.local.",
                RData::A([10, 0, 0, 9].into()),
                "a",
            ),
            record(
                "a.ns.svc.cluster.local.",
                RData::A([10, 0, 0, 10].into()),
                "a",
            ),
            record(
                "a.ns.svc.cluster.local.",
                RData::A([10, 0, 0, 9].into()),
                "z",
            ),
            record(
                "a.ns.svc.cluster.local.",
                RData::Aaaa("fd00::1".parse().unwrap()),
                "a",
            ),
            record(
                "_http._tcp.a.ns.svc.cluster.local.",
                srv(0, 50, 80, "x.a.ns.svc.cluster.local."),
                "a",
            ),
            record(
                "_http._tcp.a.ns.svc.cluster.local.",
                srv(0, 50, 80, "10-0-0-9.a.ns.svc.cluster.local."),
                "a",
            ),
            record(
                "_http._tcp.a.ns.svc.cluster.local.",
                srv(0, 50, 80, "a.ns.svc.cluster.local."),
                "a",
            ),
            record(
                "_http._tcp.a.ns.svc.cluster.local.",
                srv(0, 49, 443, "b.ns.svc.cluster.local."),
                "a",
            ),
            record(
                "_http._tcp.a.ns.svc.cluster.local.",
                srv(0, 50, 79, "b.ns.svc.cluster.local."),
                "a",
            ),
            record(
                "9.0.0.10.in-addr.arpa.",
                RData::Ptr(name("a.ns.svc.cluster.local.")),
                "a",
            ),
            record(
                "10.0.0.10.in-addr.arpa.",
                RData::Ptr(name("a.ns.svc.cluster.local.")),
                "a",
            ),
            record(
                "10.0.0.10.in-addr.arpa.",
                RData::Ptr(name("b.a.ns.svc.cluster.local.")),
                "a",
            ),
            record(
                "10.0.0.10.in-addr.arpa.",
                RData::Ptr(name("a.ns.svc.cluster.local.")),
                "b",
            ),
            record(
                "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.",
                RData::Ptr(name("a.ns.svc.cluster.local.")),
                "a",
            ),
            record("cluster.local.", soa(2), "a"),
            record("cluster.local.", soa(1), "b"),
            record("cluster.local.", soa(1), "a"),
            record("cluster.local.", RData::Txt(vec!["b".into()]), "a"),
            record("cluster.local.", RData::Txt(vec!["a".into()]), "a"),
            record(
                "ns.svc.cluster.local.",
                RData::Cname(name("x.example.")),
                "a",
            ),
            record(
                "a.ns.svc.cluster.local.",
                RData::Cname(name("x.example.")),
                "a",
            ),
        ];
        for record in &records {
            let mut key = Vec::new();
            push_sort_key(record, &mut key);
            assert_eq!(sort_key_len(record), key.len(), "{record:?}");
        }
        let mut expected = records.clone();
        expected.sort_by(|a, b| {
            a.sort_key()
                .cmp(&b.sort_key())
                .then_with(|| a.source.cmp(&b.source))
        });
        expected
            .dedup_by(|later, earlier| later.owner == earlier.owner && later.data == earlier.data);
        assert_eq!(expected.len(), records.len() - 3);
        assert_eq!(canonical(records), expected);
    }
}
