//! The expected side of a verification: what the report says the server answers to one question,
//! and which questions the report implies.
//!
//! Everything expected is read through [`expected`], one function over the report's records and
//! facts, so that a module computing CoreDNS's whole answer (additional section, wildcards) can
//! take its place without touching the transport or the diff. Pure: no I/O.

use std::collections::BTreeSet;

use crate::model::{
    DnsName, Expected, FactState, Question, RData, Rcode, Record, RecordType, Report, name_sort_key,
};

/// The questions the report implies, sorted and without duplicates: every (name, type) of its
/// records — the zone-level records too (SOA, NS and glue, `dns-version`) when the report covers
/// the whole cluster — and every absent fact's (name, type).
pub fn questions(report: &Report) -> Vec<Question> {
    let zone_records = zone_records_in_scope(report);
    let mut questions: BTreeSet<Question> = report
        .records
        .iter()
        .chain(zone_records)
        .map(|record| Question {
            name: record.owner.clone(),
            rtype: record.rtype(),
        })
        .collect();
    questions.extend(
        report
            .facts
            .iter()
            .filter(|fact| fact.state == FactState::Absent)
            .map(|fact| Question {
                name: fact.name.clone(),
                // Facts say A for "A/AAAA": the question asked is A.
                rtype: fact.rtype,
            }),
    );
    questions.into_iter().collect()
}

/// What the server should answer to `name`/`rtype`: NOERROR with the report's records of that
/// type; NODATA (NOERROR, no records) when the name holds other types or names below it (an
/// empty non-terminal); NXDOMAIN otherwise.
pub fn expected(report: &Report, name: &DnsName, rtype: RecordType) -> Expected {
    let at_name: Vec<&Record> = owned_by(&report.records, name)
        .chain(zone_records_in_scope(report).filter(|r| &r.owner == name))
        .collect();
    let of_type: Vec<&Record> = at_name
        .iter()
        .copied()
        .filter(|r| r.rtype() == rtype)
        .collect();
    let records: BTreeSet<String> = of_type.iter().map(|r| presentation(&r.data)).collect();
    let ttl = of_type.iter().map(|r| r.ttl).max();
    let exists = !at_name.is_empty() || has_names_below(report, name);
    Expected {
        rcode: if exists {
            Rcode::NOERROR
        } else {
            Rcode::NXDOMAIN
        },
        records,
        ttl,
    }
}

/// RDATA as the diff compares it: presentation form, lower-case (names compare without case;
/// no other RDATA of ours holds letters whose case matters).
pub fn presentation(data: &RData) -> String {
    match data {
        // TXT strings are data, not names: their case is kept.
        RData::Txt(_) => data.to_string(),
        _ => data.to_string().to_ascii_lowercase(),
    }
}

/// Zone-level records belong to the questions only when the report covers the whole cluster,
/// as they belong to the table only then.
fn zone_records_in_scope(report: &Report) -> impl Iterator<Item = &Record> {
    let in_scope = report.scope.whole_cluster();
    report.zone_records.iter().filter(move |_| in_scope)
}

/// The records owned by `name`: `records` is in canonical order (`Record::sort_key`), so they are
/// one run found by binary search.
fn owned_by<'a>(records: &'a [Record], name: &DnsName) -> impl Iterator<Item = &'a Record> {
    let key = name_sort_key(name);
    let start = records.partition_point(|r| name_sort_key(&r.owner) < key);
    records[start..]
        .iter()
        .take_while(move |r| &r.owner == name)
}

/// Whether a record is owned by a name strictly below `name`. In canonical order a name's
/// descendants follow it directly, so the first record at or after `name` decides.
fn has_names_below(report: &Report, name: &DnsName) -> bool {
    let key = name_sort_key(name);
    let start = report
        .records
        .partition_point(|r| name_sort_key(&r.owner) <= key);
    let below = |r: &Record| r.owner != *name && r.owner.is_within(name);
    report.records.get(start).is_some_and(below) || zone_records_in_scope(report).any(below)
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;
    use crate::model::{Cause, DnsConfig, Expectation, Fact, Kind, ObjectRef, Provenance, Scope};

    fn name(text: &str) -> DnsName {
        DnsName::parse(text).expect("valid name")
    }

    fn record(owner: &str, data: RData) -> Record {
        Record {
            owner: name(owner),
            ttl: 30,
            data,
            source: Provenance::Service(ObjectRef::new(Kind::Service, "ns", "svc").into()),
        }
    }

    fn report(mut records: Vec<Record>, facts: Vec<Fact>) -> Report {
        records.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        Report {
            config: DnsConfig::kubeadm_default(),
            records,
            zone_records: Vec::new(),
            facts,
            absent: Vec::new(),
            predicted: Vec::new(),
            unknown: Vec::new(),
            findings: Vec::new(),
            notes: Vec::new(),
            scope: Scope::default(),
            nameservers_known: true,
            dns_server: crate::model::DnsServer::unknown(),
        }
    }

    fn sample() -> Report {
        let absent = Fact {
            name: name("web-1.web.ns.svc.cluster.local."),
            rtype: RecordType::A,
            state: FactState::Absent,
            causes: vec![Cause::NoEndpointsOption],
            expectation: Expectation::StatefulSetPeer,
            objects: vec![ObjectRef::new(Kind::StatefulSet, "ns", "web")],
        };
        report(
            vec![
                record(
                    "web.ns.svc.cluster.local.",
                    RData::A(Ipv4Addr::new(10, 0, 0, 2)),
                ),
                record(
                    "web.ns.svc.cluster.local.",
                    RData::A(Ipv4Addr::new(10, 0, 0, 1)),
                ),
                record(
                    "_http._tcp.web.ns.svc.cluster.local.",
                    RData::Srv {
                        priority: 0,
                        weight: 100,
                        port: 80,
                        target: name("web.ns.svc.cluster.local."),
                    },
                ),
                record(
                    "1.0.0.10.in-addr.arpa.",
                    RData::Ptr(name("web.ns.svc.cluster.local.")),
                ),
            ],
            vec![absent],
        )
    }

    #[test]
    fn records_of_the_type_are_expected_with_noerror() {
        let report = sample();
        let expected = expected(&report, &name("web.ns.svc.cluster.local."), RecordType::A);
        assert_eq!(expected.rcode, Rcode::NOERROR);
        assert_eq!(
            expected.records.into_iter().collect::<Vec<_>>(),
            ["10.0.0.1", "10.0.0.2"]
        );
        assert_eq!(expected.ttl, Some(30));
    }

    #[test]
    fn other_types_and_names_below_mean_nodata_else_nxdomain() {
        let report = sample();
        let nodata = expected(
            &report,
            &name("web.ns.svc.cluster.local."),
            RecordType::Aaaa,
        );
        assert_eq!((nodata.rcode, nodata.records.len()), (Rcode::NOERROR, 0));
        // `_tcp.web…` holds no record but `_http._tcp.web…` is below it: an empty non-terminal.
        let empty_non_terminal = expected(
            &report,
            &name("_tcp.web.ns.svc.cluster.local."),
            RecordType::Srv,
        );
        assert_eq!(empty_non_terminal.rcode, Rcode::NOERROR);
        let absent = expected(
            &report,
            &name("web-1.web.ns.svc.cluster.local."),
            RecordType::A,
        );
        assert_eq!((absent.rcode, absent.ttl), (Rcode::NXDOMAIN, None));
    }

    #[test]
    fn questions_cover_every_name_and_type_and_absent_facts_once() {
        let questions: Vec<String> = questions(&sample())
            .into_iter()
            .map(|q| format!("{} {}", q.name, q.rtype))
            .collect();
        assert_eq!(
            questions,
            [
                "1.0.0.10.in-addr.arpa. PTR",
                "web.ns.svc.cluster.local. A",
                "_http._tcp.web.ns.svc.cluster.local. SRV",
                "web-1.web.ns.svc.cluster.local. A",
            ]
        );
    }
}
