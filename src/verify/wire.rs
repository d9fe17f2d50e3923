//! The DNS wire format, by hickory-proto: one query out, one answer in, turned into the
//! presentation strings the diff compares. No I/O.

use std::collections::BTreeSet;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query};
use hickory_proto::rr::{Name, RData as WireData, RecordType as WireType};

use crate::model::{RData, Rcode, RecordType, Served};

/// The UDP payload size advertised (EDNS0): the DNS flag day 2020 value, which avoids IP
/// fragmentation; a larger answer comes back truncated and is asked again over TCP.
pub const UDP_PAYLOAD: u16 = 1232;

/// Why an answer cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// The question's name is not a name hickory accepts.
    #[error("cannot encode the question for {name}")]
    Encode {
        /// The name.
        name: String,
        /// Why.
        #[source]
        source: hickory_proto::ProtoError,
    },
    /// The answer does not decode.
    #[error("malformed answer")]
    Decode(#[source] hickory_proto::serialize::binary::DecodeError),
    /// The answer is not for our question (another id, name or type).
    #[error("answer for another question")]
    Mismatch,
}

/// A decoded answer.
#[derive(Debug)]
pub struct Answer {
    /// The response, as the diff reads it.
    pub served: Served,
    /// The TC bit: the server had more to say than fit in the UDP payload.
    pub truncated: bool,
}

/// The query for `name`/`rtype` with message id `id`.
pub fn encode_query(id: u16, name: &str, rtype: RecordType) -> Result<Vec<u8>, WireError> {
    let encode = |source| WireError::Encode {
        name: name.to_string(),
        source,
    };
    let wire_name = Name::from_ascii(name).map_err(encode)?;
    let mut message = Message::new(id, MessageType::Query, OpCode::Query);
    // Recursion desired, as a stub resolver asks: caches in between (NodeLocal DNSCache) forward
    // only then; an authoritative server answers its zones either way.
    message.metadata.recursion_desired = true;
    message.add_query(Query::query(wire_name, wire_type(rtype)));
    let mut edns = Edns::new();
    edns.set_max_payload(UDP_PAYLOAD);
    message.set_edns(edns);
    message.to_vec().map_err(encode)
}

/// Decodes the answer to the query `id` for `name`/`rtype`.
pub fn decode_answer(
    bytes: &[u8],
    id: u16,
    name: &str,
    rtype: RecordType,
) -> Result<Answer, WireError> {
    let message = Message::from_vec(bytes).map_err(WireError::Decode)?;
    let asked = wire_type(rtype);
    let ours = message.metadata.id == id
        && message.metadata.message_type == MessageType::Response
        && message
            .queries
            .first()
            .is_some_and(|q| q.query_type() == asked && same_name(q.name(), name));
    if !ours {
        return Err(WireError::Mismatch);
    }
    let mut records = BTreeSet::new();
    let mut ttl: Option<u32> = None;
    for record in message.answers.iter().filter(|r| same_name(&r.name, name)) {
        let data = presentation(&record.data);
        if record.record_type() == asked {
            ttl = Some(ttl.map_or(record.ttl, |t| t.max(record.ttl)));
            records.insert(data);
        } else {
            records.insert(format!("{} {data}", record.record_type()));
        }
    }
    // hickory merges the EDNS extended bits into the response code on decoding.
    let rcode = u16::from(message.metadata.response_code);
    Ok(Answer {
        served: Served {
            rcode: Some(Rcode(rcode)),
            records,
            ttl,
            failure: None,
        },
        truncated: message.metadata.truncation,
    })
}

fn wire_type(rtype: RecordType) -> WireType {
    match rtype {
        RecordType::Soa => WireType::SOA,
        RecordType::Ns => WireType::NS,
        RecordType::A => WireType::A,
        RecordType::Aaaa => WireType::AAAA,
        RecordType::Cname => WireType::CNAME,
        RecordType::Srv => WireType::SRV,
        RecordType::Ptr => WireType::PTR,
        RecordType::Txt => WireType::TXT,
    }
}

fn same_name(wire: &Name, name: &str) -> bool {
    name_text(wire) == name.to_ascii_lowercase()
}

/// A name as the report prints names: lower-case, absolute.
fn name_text(name: &Name) -> String {
    let mut text = name.to_ascii().to_ascii_lowercase();
    if !text.ends_with('.') {
        text.push('.');
    }
    text
}

/// RDATA in the report's presentation form (see `RData`'s Display), so both sides of the diff
/// are spelled alike; types the report never holds use hickory's presentation.
fn presentation(data: &WireData) -> String {
    match data {
        WireData::A(a) => a.0.to_string(),
        WireData::AAAA(aaaa) => aaaa.0.to_string(),
        WireData::CNAME(name) => name_text(&name.0),
        WireData::NS(name) => name_text(&name.0),
        WireData::PTR(name) => name_text(&name.0),
        WireData::SRV(srv) => format!(
            "{} {} {} {}",
            srv.priority,
            srv.weight,
            srv.port,
            name_text(&srv.target)
        ),
        WireData::SOA(soa) => format!(
            "{} {} {} {} {} {} {}",
            name_text(&soa.mname),
            name_text(&soa.rname),
            soa.serial,
            soa.refresh,
            soa.retry,
            soa.expire,
            soa.minimum
        ),
        // The report's TXT presentation: the strings, quoted and escaped the same way.
        WireData::TXT(txt) => RData::Txt(
            txt.txt_data
                .iter()
                .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
                .collect(),
        )
        .to_string(),
        other => other.to_string().to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use hickory_proto::rr::Record;
    use hickory_proto::rr::rdata::{A, SRV, TXT};

    use super::*;

    fn answer_to(query: &[u8], records: Vec<Record>, rcode: u16) -> Vec<u8> {
        let question = Message::from_vec(query).expect("our query decodes");
        let mut response = Message::response(question.metadata.id, OpCode::Query);
        response.metadata.response_code = rcode.into();
        response.add_queries(question.queries.iter().cloned());
        for record in records {
            response.add_answer(record);
        }
        response.to_vec().expect("encode")
    }

    fn owner() -> Name {
        Name::from_ascii("Web.NS.svc.cluster.local.").expect("name")
    }

    #[test]
    fn an_answer_becomes_presentation_strings_with_the_largest_ttl() {
        let name = "web.ns.svc.cluster.local.";
        let query = encode_query(7, name, RecordType::Srv).expect("encode");
        let target = Name::from_ascii("A.web.ns.svc.cluster.local.").expect("name");
        let records = vec![
            Record::from_rdata(
                owner(),
                30,
                WireData::SRV(SRV::new(0, 50, 80, target.clone())),
            ),
            Record::from_rdata(owner(), 12, WireData::SRV(SRV::new(0, 50, 81, target))),
        ];
        let answer = decode_answer(&answer_to(&query, records, 0), 7, name, RecordType::Srv)
            .expect("decode");
        assert_eq!(answer.served.rcode, Some(Rcode::NOERROR));
        assert_eq!(answer.served.ttl, Some(30));
        assert_eq!(
            answer.served.records.into_iter().collect::<Vec<_>>(),
            [
                "0 50 80 a.web.ns.svc.cluster.local.",
                "0 50 81 a.web.ns.svc.cluster.local."
            ]
        );
        assert!(!answer.truncated);
    }

    #[test]
    fn txt_and_other_types_at_the_name() {
        let name = "web.ns.svc.cluster.local.";
        let query = encode_query(9, name, RecordType::Txt).expect("encode");
        let records = vec![
            Record::from_rdata(
                owner(),
                30,
                WireData::TXT(TXT::new(vec!["1.1.0".to_string()])),
            ),
            Record::from_rdata(owner(), 30, WireData::A(A(Ipv4Addr::new(10, 0, 0, 1)))),
        ];
        let answer = decode_answer(&answer_to(&query, records, 0), 9, name, RecordType::Txt)
            .expect("decode");
        assert_eq!(
            answer.served.records.into_iter().collect::<Vec<_>>(),
            ["\"1.1.0\"", "A 10.0.0.1"]
        );
    }

    #[test]
    fn rcodes_and_foreign_answers() {
        let name = "gone.ns.svc.cluster.local.";
        let query = encode_query(3, name, RecordType::A).expect("encode");
        let nx = decode_answer(&answer_to(&query, Vec::new(), 3), 3, name, RecordType::A)
            .expect("decode");
        assert_eq!(nx.served.rcode, Some(Rcode::NXDOMAIN));
        assert!(matches!(
            decode_answer(&answer_to(&query, Vec::new(), 0), 4, name, RecordType::A),
            Err(WireError::Mismatch)
        ));
        assert!(matches!(
            decode_answer(&answer_to(&query, Vec::new(), 0), 3, name, RecordType::Aaaa),
            Err(WireError::Mismatch)
        ));
        assert!(matches!(
            decode_answer(b"\x00\x03", 3, name, RecordType::A),
            Err(WireError::Decode(_))
        ));
    }
}
