//! The expected side of a verification: which questions the report implies, and what CoreDNS
//! answers to each as `answer/` computes it — the one place the tool says what CoreDNS answers,
//! for the record view, `explain` and `--verify` alike. Pure: no I/O.

use std::collections::BTreeSet;

use crate::answer::{Answer, Rcode as AnswerRcode};
use crate::model::{DnsName, Expected, FactState, Question, Rcode, Record, RecordType, Report};

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

/// What CoreDNS answers to `name`/`rtype` as `answer/` computes it (explain's expected side): the
/// response code, and the answer section's records at the name — those of another type (a CNAME
/// where A was asked) prefixed with their type, as the wire side spells them.
pub fn from_answer(answer: &Answer, name: &DnsName, rtype: RecordType) -> Expected {
    let mut records = BTreeSet::new();
    let mut ttl: Option<u32> = None;
    let at_name = |owner: &str| {
        let owner = owner.to_ascii_lowercase();
        owner == name.as_str() || format!("{owner}.") == name.as_str()
    };
    for record in answer.answer.iter().filter(|r| at_name(&r.owner)) {
        // TXT strings are data whose case is kept; every other RDATA compares without case.
        let data = if record.rtype == RecordType::Txt {
            record.data.clone()
        } else {
            record.data.to_ascii_lowercase()
        };
        if record.rtype == rtype {
            ttl = Some(ttl.map_or(record.ttl, |t| t.max(record.ttl)));
            records.insert(data);
        } else {
            records.insert(format!("{} {data}", record.rtype));
        }
    }
    let rcode = match answer.rcode {
        AnswerRcode::NoError => Rcode::NOERROR,
        AnswerRcode::ServFail => Rcode(2),
        AnswerRcode::NxDomain => Rcode::NXDOMAIN,
        AnswerRcode::Refused => Rcode(5),
    };
    Expected {
        rcode,
        records,
        ttl,
    }
}

/// Zone-level records belong to the questions only when the report covers the whole cluster,
/// as they belong to the table only then.
fn zone_records_in_scope(report: &Report) -> impl Iterator<Item = &Record> {
    let in_scope = report.scope.whole_cluster();
    report.zone_records.iter().filter(move |_| in_scope)
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;
    use crate::answer::{AnswerRecord, QType, Question as AnswerQuestion};
    use crate::model::{
        Cause, DnsConfig, Expectation, Fact, FactState, Kind, ObjectRef, Provenance, RData, Record,
        Scope,
    };

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
            objects: vec![ObjectRef::new(Kind::StatefulSet, "ns", "web").into()],
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

    fn answer(qname: &str, qtype: QType, rcode: AnswerRcode, records: Vec<AnswerRecord>) -> Answer {
        Answer {
            question: AnswerQuestion::new(qname, qtype).expect("question"),
            rcode,
            answer: records,
            authority: Vec::new(),
            additional: Vec::new(),
            causes: Vec::new(),
            fallthrough: false,
            handoff: None,
            checks: Vec::new(),
        }
    }

    fn answer_record(owner: &str, ttl: u32, rtype: RecordType, data: &str) -> AnswerRecord {
        AnswerRecord {
            owner: owner.to_string(),
            ttl,
            rtype,
            data: data.to_string(),
            source: Provenance::Zone,
        }
    }

    #[test]
    fn the_answer_section_at_the_name_with_the_largest_ttl() {
        // CoreDNS writes owners in the question's case; a CNAME chain's target records are the
        // target's, not the name's: only the name's own records are compared.
        let asked = "Ext.NS.svc.cluster.local.";
        let computed = answer(
            asked,
            QType::A,
            AnswerRcode::NoError,
            vec![
                answer_record(asked, 30, RecordType::Cname, "Backend.Example.com."),
                answer_record("backend.example.com.", 300, RecordType::A, "192.0.2.1"),
            ],
        );
        let expected = from_answer(&computed, &name("ext.ns.svc.cluster.local."), RecordType::A);
        assert_eq!(expected.rcode, Rcode::NOERROR);
        assert_eq!(
            expected.records.into_iter().collect::<Vec<_>>(),
            ["CNAME backend.example.com."]
        );
        assert_eq!(expected.ttl, None);

        let web = "web.ns.svc.cluster.local.";
        let computed = answer(
            web,
            QType::A,
            AnswerRcode::NoError,
            vec![
                answer_record(web, 5, RecordType::A, "10.0.0.2"),
                answer_record(web, 30, RecordType::A, "10.0.0.1"),
            ],
        );
        let expected = from_answer(&computed, &name(web), RecordType::A);
        assert_eq!(
            expected.records.into_iter().collect::<Vec<_>>(),
            ["10.0.0.1", "10.0.0.2"]
        );
        assert_eq!(expected.ttl, Some(30));
    }

    #[test]
    fn rcodes_carry_over_and_txt_keeps_its_case() {
        let gone = "gone.ns.svc.cluster.local.";
        for (rcode, number) in [
            (AnswerRcode::NxDomain, 3),
            (AnswerRcode::ServFail, 2),
            (AnswerRcode::Refused, 5),
            (AnswerRcode::NoError, 0),
        ] {
            let expected = from_answer(
                &answer(gone, QType::A, rcode, Vec::new()),
                &name(gone),
                RecordType::A,
            );
            assert_eq!((expected.rcode, expected.records.len()), (Rcode(number), 0));
        }
        let version = "dns-version.cluster.local.";
        let txt = answer(
            version,
            QType::Txt,
            AnswerRcode::NoError,
            vec![answer_record(
                version,
                30,
                RecordType::Txt,
                "\"1.1.0-Beta\"",
            )],
        );
        let expected = from_answer(&txt, &name(version), RecordType::Txt);
        assert_eq!(
            expected.records.into_iter().collect::<Vec<_>>(),
            ["\"1.1.0-Beta\""]
        );
    }
}
