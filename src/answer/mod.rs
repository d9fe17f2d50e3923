//! One DNS question → CoreDNS's answer: the rcode, the answer, authority and additional sections
//! and the reasons, computed from the engine's records, zone records and facts — never from the
//! objects again — so that an answer, the record list and the findings cannot disagree.
//!
//! The routing follows `core/dnsserver/server.go ServeDNS` (REFUSED outside every zone of the
//! port) and `plugin/kubernetes/handler.go ServeDNS` (the type switch, NXDOMAIN vs NODATA through
//! the fake A look-up, `fallthrough`); each type's look-up follows `plugin/backend_lookup.go`.

mod backend;
mod name;
mod reason;
mod shape;

use std::collections::HashMap;
use std::fmt;

pub use crate::engine::reverse_name;
pub use name::{NameError, QName};
pub use reason::{QuestionCause, Reason};

use crate::engine::{EngineOutput, Index, SliceView};
use crate::model::{DnsConfig, DnsName, Fact, ObjectRef, Provenance, RData, Record, RecordType};
use backend::Backend;

/// The question types `explain` asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QType {
    /// IPv4 address.
    A,
    /// IPv6 address.
    Aaaa,
    /// Service location.
    Srv,
    /// Reverse pointer.
    Ptr,
    /// Alias.
    Cname,
    /// Text.
    Txt,
    /// Name server.
    Ns,
    /// Start of authority.
    Soa,
    /// Any type: the plugin has no case for it and answers through the fake A look-up.
    Any,
}

impl QType {
    /// The mnemonic.
    pub fn as_str(self) -> &'static str {
        match self {
            QType::A => "A",
            QType::Aaaa => "AAAA",
            QType::Srv => "SRV",
            QType::Ptr => "PTR",
            QType::Cname => "CNAME",
            QType::Txt => "TXT",
            QType::Ns => "NS",
            QType::Soa => "SOA",
            QType::Any => "ANY",
        }
    }

    /// Parses a mnemonic, any case.
    pub fn parse(text: &str) -> Option<Self> {
        [
            QType::A,
            QType::Aaaa,
            QType::Srv,
            QType::Ptr,
            QType::Cname,
            QType::Txt,
            QType::Ns,
            QType::Soa,
            QType::Any,
        ]
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(text))
    }

    /// The record type a question of this type is answered with (none for ANY).
    pub fn record_type(self) -> Option<RecordType> {
        Some(match self {
            QType::A => RecordType::A,
            QType::Aaaa => RecordType::Aaaa,
            QType::Srv => RecordType::Srv,
            QType::Ptr => RecordType::Ptr,
            QType::Cname => RecordType::Cname,
            QType::Txt => RecordType::Txt,
            QType::Ns => RecordType::Ns,
            QType::Soa => RecordType::Soa,
            QType::Any => return None,
        })
    }

    /// The question type that asks for `rtype`.
    pub fn of(rtype: RecordType) -> Self {
        match rtype {
            RecordType::A => QType::A,
            RecordType::Aaaa => QType::Aaaa,
            RecordType::Srv => QType::Srv,
            RecordType::Ptr => QType::Ptr,
            RecordType::Cname => QType::Cname,
            RecordType::Txt => QType::Txt,
            RecordType::Ns => QType::Ns,
            RecordType::Soa => QType::Soa,
        }
    }
}

impl fmt::Display for QType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One question: an absolute name, as asked, and a type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Question {
    /// The name.
    pub name: QName,
    /// The type.
    pub qtype: QType,
}

impl Question {
    /// A question for `name` (made absolute) of type `qtype`.
    pub fn new(name: &str, qtype: QType) -> Result<Self, NameError> {
        Ok(Question {
            name: QName::parse(name)?,
            qtype,
        })
    }
}

/// The response codes CoreDNS gives for the questions modelled here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rcode {
    /// NOERROR: an answer, or NODATA when the answer section is empty.
    NoError,
    /// NXDOMAIN: the name does not exist.
    NxDomain,
    /// REFUSED: no zone of the server holds the name.
    Refused,
    /// SERVFAIL: no plugin left to answer.
    ServFail,
}

impl Rcode {
    /// The mnemonic as `dig` prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Rcode::NoError => "NOERROR",
            Rcode::NxDomain => "NXDOMAIN",
            Rcode::Refused => "REFUSED",
            Rcode::ServFail => "SERVFAIL",
        }
    }
}

impl fmt::Display for Rcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One record of a response, written as CoreDNS writes it (owner and zone in the question's case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRecord {
    /// Owner name.
    pub owner: String,
    /// TTL.
    pub ttl: u32,
    /// Type.
    pub rtype: RecordType,
    /// RDATA in presentation form.
    pub data: String,
    /// The objects behind it.
    pub source: Provenance,
}

impl fmt::Display for AnswerRecord {
    /// `owner TTL IN TYPE RDATA`, as in a master file.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} IN {} {}",
            self.owner, self.ttl, self.rtype, self.data
        )
    }
}

/// Who answers a question (or part of it) that the kubernetes plugin does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handoff {
    /// The next plugin of the server block (`forward`, `file`, …).
    NextPlugin(String),
    /// Another server block whose zone is a longer match.
    OtherServerBlock(DnsName),
    /// The CNAME target's records come from CoreDNS's own plugin chain asked again.
    Upstream(DnsName),
}

impl fmt::Display for Handoff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Handoff::NextPlugin(plugin) => {
                write!(f, "answered by the next plugin ({plugin}), not computed")
            }
            Handoff::OtherServerBlock(zone) => {
                write!(f, "answered by the server block for {zone}, not computed")
            }
            Handoff::Upstream(target) => {
                write!(f, "{target} answered by upstream, not computed")
            }
        }
    }
}

/// One step of the chain a name is checked along (zone, namespace, Service, endpoint), for the
/// cause tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Whether this step holds.
    pub passed: bool,
    /// What it is about: "namespace streaming", "Service kafka-headless (headless)".
    pub subject: String,
}

/// CoreDNS's response to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The question.
    pub question: Question,
    /// The response code; meaningless when `handoff` names another plugin or server block.
    pub rcode: Rcode,
    /// The answer section.
    pub answer: Vec<AnswerRecord>,
    /// The authority section (the zone's SOA for NXDOMAIN and NODATA).
    pub authority: Vec<AnswerRecord>,
    /// The additional section (SRV targets' addresses, NS glue).
    pub additional: Vec<AnswerRecord>,
    /// Why: the engine's causes for a missing name (the same values its fact carries), then the
    /// question's own.
    pub causes: Vec<Reason>,
    /// The question leaves the kubernetes plugin (another plugin, block or upstream answers).
    pub fallthrough: bool,
    /// Who answers what this answer does not compute.
    pub handoff: Option<Handoff>,
    /// The chain the name was checked along.
    pub checks: Vec<Check>,
}

impl Answer {
    /// Whether the response is the tool's to compute (not another plugin's or server block's).
    pub fn computed(&self) -> bool {
        !matches!(
            self.handoff,
            Some(Handoff::NextPlugin(_) | Handoff::OtherServerBlock(_))
        )
    }

    /// NOERROR with records: the name resolves for this type.
    pub fn resolves(&self) -> bool {
        self.computed() && self.rcode == Rcode::NoError && !self.answer.is_empty()
    }

    /// NOERROR without records.
    pub fn is_nodata(&self) -> bool {
        self.computed() && self.rcode == Rcode::NoError && self.answer.is_empty()
    }
}

/// Answers questions from one engine output: under one stanza, or under a whole Corefile, where
/// each question is answered by the stanza whose server block receives it.
pub struct Answerer<'a> {
    output: &'a EngineOutput,
    /// The stanza this answerer computes with.
    config: &'a DnsConfig,
    /// Every stanza of the Corefile, in Corefile order, for questions the current one's server
    /// block hands to another block.
    stanzas: &'a [DnsConfig],
    /// The stanza the engine's facts are decided under: another stanza's missing names carry
    /// the question's own reasons.
    primary: &'a DnsConfig,
    tables: std::rc::Rc<Tables<'a>>,
}

/// The look-ups of one engine output, whatever the stanza asked under.
struct Tables<'a> {
    index: Index<'a>,
    by_owner: HashMap<&'a DnsName, Vec<&'a Record>>,
    /// Owners of the record list proper (not the zone's glue): names that resolve on their own.
    served: std::collections::HashSet<&'a DnsName>,
    facts: HashMap<&'a DnsName, &'a Fact>,
    slices: HashMap<&'a ObjectRef, &'a SliceView>,
}

impl<'a> Tables<'a> {
    fn new(output: &'a EngineOutput) -> Self {
        let mut by_owner: HashMap<&DnsName, Vec<&Record>> = HashMap::new();
        for record in output.records.iter().chain(&output.zone_records) {
            by_owner.entry(&record.owner).or_default().push(record);
        }
        Tables {
            index: Index::new(&output.view),
            by_owner,
            served: output.records.iter().map(|r| &r.owner).collect(),
            facts: output.facts.iter().map(|f| (&f.name, f)).collect(),
            slices: output
                .view
                .slices
                .iter()
                .map(|s| (s.object.as_ref(), s))
                .collect(),
        }
    }
}

/// How a question was routed to the plugin.
struct Routed {
    /// The plugin zone that holds the name.
    zone: DnsName,
    /// That zone as the question wrote it.
    asked_zone: String,
}

/// The most links of a CNAME chain CoreDNS follows (`maxCnameChainLength`).
const MAX_CNAME_CHAIN: usize = 10;

impl<'a> Answerer<'a> {
    /// Indexes the engine's output once; answering is then a few hash look-ups per question.
    pub fn new(output: &'a EngineOutput, config: &'a DnsConfig) -> Self {
        Answerer {
            output,
            config,
            stanzas: std::slice::from_ref(config),
            primary: config,
            tables: std::rc::Rc::new(Tables::new(output)),
        }
    }

    /// Answers under every stanza of a Corefile from the output of all of them
    /// (`engine::compute_all_prepared`): a question goes to the stanza whose server block
    /// receives it, `primary` (the stanza the facts are decided under) first.
    pub fn for_corefile(
        output: &'a EngineOutput,
        primary: &'a DnsConfig,
        stanzas: &'a [DnsConfig],
    ) -> Self {
        let mut answerer = Answerer::new(output, primary);
        answerer.stanzas = stanzas;
        answerer
    }

    /// The answerer for `name`'s stanza when it is not this one: `core/dnsserver/server.go
    /// ServeDNS` hands a question to the block with the longest zone holding it, so a name
    /// another block of the port takes is answered by that block's `kubernetes` stanza.
    fn for_name(&self, name: &QName) -> Option<Answerer<'a>> {
        // One stanza: nothing to route to (and no name to parse per question).
        if self.stanzas.len() < 2 {
            return None;
        }
        let name = name.dns_name()?;
        if self.config.server.receives(&name) {
            return None;
        }
        // This stanza does not receive the name, so the one found is another.
        let stanza = (self.stanzas.iter()).find(|other| other.server.receives(&name))?;
        Some(Answerer {
            output: self.output,
            config: stanza,
            stanzas: self.stanzas,
            primary: self.primary,
            tables: self.tables.clone(),
        })
    }

    /// The engine's output the answers are read from (explain's client side reads its views).
    pub fn output(&self) -> &'a EngineOutput {
        self.output
    }

    /// The configuration answers are computed under.
    pub fn config(&self) -> &DnsConfig {
        self.config
    }

    /// Whether the cluster's Services have IPv4 and IPv6 ClusterIPs: what a client's
    /// getaddrinfo asks for (A, AAAA or both).
    pub fn address_families(&self) -> (bool, bool) {
        let ips = self
            .output
            .view
            .services
            .iter()
            .flat_map(|s| match &s.kind {
                crate::engine::ServiceKind::ClusterIp(ips) => ips.as_slice(),
                _ => &[],
            });
        ips.fold((false, false), |(v4, v6), ip| {
            (v4 || ip.is_ipv4(), v6 || ip.is_ipv6())
        })
    }

    /// CoreDNS's response to `question`.
    pub fn answer(&self, question: &Question) -> Answer {
        self.answer_routed(question, &mut Vec::new())
    }

    /// The answer of the stanza whose server block receives the question.
    fn answer_routed(&self, question: &Question, chain: &mut Vec<DnsName>) -> Answer {
        match self.for_name(&question.name) {
            Some(stanza) => stanza.answer_chained(question, chain),
            None => self.answer_chained(question, chain),
        }
    }

    fn answer_chained(&self, question: &Question, chain: &mut Vec<DnsName>) -> Answer {
        let mut answer = Answer {
            question: question.clone(),
            rcode: Rcode::NoError,
            answer: Vec::new(),
            authority: Vec::new(),
            additional: Vec::new(),
            causes: Vec::new(),
            fallthrough: false,
            handoff: None,
            checks: Vec::new(),
        };
        let routed = match self.route(&question.name, &mut answer) {
            Some(routed) => routed,
            None => return answer,
        };
        answer.checks.push(Check {
            passed: true,
            subject: format!("zone {} (kubernetes plugin)", routed.zone),
        });
        let outcome = self.look_up(question, &routed, chain, &mut answer);
        match outcome {
            Err(reasons) => {
                answer
                    .causes
                    .extend(self.with_fact(&question.name, &routed, reasons));
                if self.falls_through(&question.name) {
                    self.hand_on(
                        &mut answer,
                        QuestionCause::Fallthrough {
                            next: self.config.server.next_plugin.clone(),
                        },
                    );
                } else {
                    answer.rcode = Rcode::NxDomain;
                    answer.authority = self.soa(&routed);
                }
            }
            Ok(()) if answer.answer.is_empty() => {
                answer.rcode = Rcode::NoError;
                answer.authority = self.soa(&routed);
            }
            Ok(()) => answer.rcode = Rcode::NoError,
        }
        answer
    }

    /// The fact the engine decided for `name`, a forward name looked up in the primary zone:
    /// facts are built there, and every forward zone serves the same names.
    fn fact_of(&self, routed: &Routed, name: &DnsName) -> Option<&'a Fact> {
        if !std::ptr::eq(self.config, self.primary) {
            return None;
        }
        let primary = self.config.primary_zone()?;
        // Reverse names are the same whatever zone of the stanza holds them.
        if &routed.zone == primary || crate::model::is_reverse_zone(&routed.zone) {
            return self.tables.facts.get(name).copied();
        }
        let below = name.label_count().checked_sub(routed.zone.label_count())?;
        let labels: Vec<&str> = name.labels().take(below).collect();
        let translated = primary.prepend_all(&labels).ok()?;
        self.tables.facts.get(&translated).copied()
    }

    /// A name error's reasons: when the engine has a fact for the name, exactly the fact's
    /// causes (the record list says the same), then the question's "did you mean".
    fn with_fact(&self, name: &QName, routed: &Routed, reasons: Vec<Reason>) -> Vec<Reason> {
        let fact = name
            .dns_name()
            .and_then(|n| self.fact_of(routed, &n))
            .filter(|f| f.state != crate::model::FactState::Served);
        let Some(fact) = fact else {
            return reasons;
        };
        let mut causes: Vec<Reason> = fact.causes.iter().cloned().map(Reason::Object).collect();
        // "Did you mean" only where the object the name needs does not exist: for a name that
        // waits on readiness or a subdomain, the fact says what to fix.
        let missing = fact.causes.iter().any(|c| {
            matches!(
                c,
                crate::model::Cause::ServiceMissing { .. }
                    | crate::model::Cause::NamespaceMissing { .. }
            )
        });
        if missing {
            causes.extend(
                reasons
                    .into_iter()
                    .filter(|r| matches!(r, Reason::Question(QuestionCause::DidYouMean { .. }))),
            );
        }
        causes
    }

    /// `core/dnsserver`: the longest zone of any block on the port; then the plugin's own zones.
    fn route(&self, name: &QName, answer: &mut Answer) -> Option<Routed> {
        let server = &self.config.server;
        let longest = |zones: &'a [DnsName]| {
            zones
                .iter()
                .filter(|z| name.is_within(z))
                .max_by_key(|z| z.label_count())
        };
        let own = longest(&server.zones);
        let other = longest(&server.other_zones);
        match (own, other) {
            (None, None) => {
                let mut zones = server.zones.clone();
                zones.extend(server.other_zones.iter().cloned());
                answer.rcode = Rcode::Refused;
                answer
                    .causes
                    .push(Reason::Question(QuestionCause::OutsideServerZones {
                        zones,
                    }));
                return None;
            }
            (own, Some(other)) if own.is_none_or(|own| other.label_count() > own.label_count()) => {
                answer.fallthrough = true;
                answer.handoff = Some(Handoff::OtherServerBlock(other.clone()));
                answer
                    .causes
                    .push(Reason::Question(QuestionCause::OtherServerBlock {
                        zone: other.clone(),
                    }));
                return None;
            }
            _ => {}
        }
        let Some(zone) = longest(&self.config.zones) else {
            self.hand_on(
                answer,
                QuestionCause::OutsidePluginZones {
                    zones: self.config.zones.clone(),
                    next: server.next_plugin.clone(),
                },
            );
            return None;
        };
        Some(Routed {
            zone: zone.clone(),
            asked_zone: name.asked_zone(zone),
        })
    }

    /// The question leaves the plugin: the next plugin answers, or SERVFAIL when none is left.
    fn hand_on(&self, answer: &mut Answer, cause: QuestionCause) {
        answer.fallthrough = true;
        match &self.config.server.next_plugin {
            Some(plugin) => answer.handoff = Some(Handoff::NextPlugin(plugin.clone())),
            None => answer.rcode = Rcode::ServFail,
        }
        answer.causes.push(Reason::Question(cause));
    }

    /// `fall.F.Through`: the option without zones covers every zone.
    fn falls_through(&self, name: &QName) -> bool {
        match &self.config.fallthrough {
            None => false,
            Some(zones) if zones.is_empty() => true,
            Some(zones) => zones.iter().any(|z| name.is_within(z)),
        }
    }

    /// The zone's SOA for the authority section (`BackendError`), in the question's case.
    fn soa(&self, routed: &Routed) -> Vec<AnswerRecord> {
        self.records_at(&routed.zone)
            .filter(|r| r.rtype() == RecordType::Soa)
            .map(|r| self.present(r, routed.asked_zone.clone(), routed))
            .collect()
    }

    /// The records the engine has at `owner`.
    fn records_at(&self, owner: &DnsName) -> impl Iterator<Item = &'a Record> + '_ {
        self.tables
            .by_owner
            .get(owner)
            .into_iter()
            .flatten()
            .copied()
    }

    /// A record written at `owner` with every name the plugin builds from the zone in the
    /// question's case (SRV and NS targets, SOA names; PTR and CNAME targets are not built from
    /// it).
    fn present(&self, record: &Record, owner: String, routed: &Routed) -> AnswerRecord {
        let case = |name: &DnsName| name::in_asked_case(name, &routed.zone, &routed.asked_zone);
        let data = match &record.data {
            RData::Srv {
                priority,
                weight,
                port,
                target,
            } => format!("{priority} {weight} {port} {}", case(target)),
            RData::Ns(target) => case(target),
            RData::Soa(soa) => format!(
                "{} {} {} {} {} {} {}",
                case(&soa.mname),
                case(&soa.rname),
                soa.serial,
                soa.refresh,
                soa.retry,
                soa.expire,
                soa.minimum
            ),
            other => other.to_string(),
        };
        AnswerRecord {
            owner,
            ttl: record.ttl,
            rtype: record.rtype(),
            data,
            source: record.source.clone(),
        }
    }

    /// `handler.go`'s type switch.
    fn look_up(
        &self,
        question: &Question,
        routed: &Routed,
        chain: &mut Vec<DnsName>,
        answer: &mut Answer,
    ) -> Result<(), Vec<Reason>> {
        let name = &question.name;
        let owner = name.asked().to_string();
        let apex = name.lower() == routed.zone.as_str();
        match question.qtype {
            QType::A | QType::Aaaa => {
                self.addresses(question, routed, chain, answer)?;
            }
            QType::Srv => {
                let backend = self.services(name, routed, answer)?;
                answer.causes.extend(backend.notes.clone());
                for srv in &backend.srv {
                    answer.answer.push(AnswerRecord {
                        owner: owner.clone(),
                        ttl: srv.ttl,
                        rtype: RecordType::Srv,
                        data: format!(
                            "0 {} {} {}",
                            srv.weight,
                            srv.port,
                            name::in_asked_case(&srv.target, &routed.zone, &routed.asked_zone)
                        ),
                        source: srv.source.clone(),
                    });
                }
                for extra in &backend.srv_extra {
                    answer.additional.push(self.address_record(
                        name::in_asked_case(&extra.owner, &routed.zone, &routed.asked_zone),
                        extra,
                    ));
                }
                self.no_data(&backend, question, answer);
            }
            QType::Cname => {
                let backend = self.services(name, routed, answer)?;
                answer.causes.extend(backend.notes.clone());
                if let Some(cname) = self.first_cname(&backend) {
                    answer
                        .answer
                        .push(self.present(cname.record, owner, routed));
                }
                self.no_data(&backend, question, answer);
            }
            QType::Ptr => {
                let backend = self.reverse(name, routed, answer)?;
                for record in &backend.ptr {
                    answer
                        .answer
                        .push(self.present(record, owner.clone(), routed));
                }
                self.no_data(&backend, question, answer);
            }
            QType::Txt => {
                let version = name.labels_below(&routed.zone) == ["dns-version"];
                let records: Vec<&Record> = name
                    .dns_name()
                    .filter(|_| version)
                    .map(|n| {
                        self.records_at(&n)
                            .filter(|r| r.rtype() == RecordType::Txt)
                            .collect()
                    })
                    .unwrap_or_default();
                if records.is_empty() {
                    let backend = self.records(name, routed, answer)?;
                    if !backend.entries {
                        return Err(vec![Reason::Question(QuestionCause::TxtNameError)]);
                    }
                    answer
                        .causes
                        .push(Reason::Question(QuestionCause::TypeOnlyAt {
                            asked: "TXT".to_string(),
                            name: self.zone_child(routed, "dns-version"),
                        }));
                }
                for record in records {
                    answer
                        .answer
                        .push(self.present(record, owner.clone(), routed));
                }
            }
            QType::Soa if apex => {
                for record in self.records_at(&routed.zone) {
                    if record.rtype() == RecordType::Soa {
                        answer
                            .answer
                            .push(self.present(record, owner.clone(), routed));
                    }
                }
            }
            // Only the apex has an SOA; anywhere else the plugin answers NODATA without even
            // looking the name up, so a name that does not exist is NODATA for SOA.
            QType::Soa => answer
                .causes
                .push(Reason::Question(QuestionCause::TypeOnlyAt {
                    asked: "SOA".to_string(),
                    name: routed.zone.clone(),
                })),
            QType::Ns if apex => self.name_servers(routed, owner, answer),
            QType::Ns | QType::Any => {
                // The fake A look-up tells NXDOMAIN from NODATA.
                let backend = self.services(name, routed, answer)?;
                answer.causes.extend(backend.notes.clone());
                if question.qtype == QType::Ns {
                    answer
                        .causes
                        .push(Reason::Question(QuestionCause::TypeOnlyAt {
                            asked: "NS".to_string(),
                            name: routed.zone.clone(),
                        }));
                } else {
                    self.no_data(&backend, question, answer);
                }
            }
        }
        Ok(())
    }

    /// `<label>.<zone>`, or the zone when the label cannot be one.
    fn zone_child(&self, routed: &Routed, label: &str) -> DnsName {
        routed
            .zone
            .prepend(label)
            .unwrap_or_else(|_| routed.zone.clone())
    }

    /// A NODATA reason naming the types the name does have.
    fn no_data(&self, backend: &Backend, question: &Question, answer: &mut Answer) {
        if answer.answer.is_empty() {
            answer.causes.push(Reason::Question(QuestionCause::NoData {
                asked: question.qtype.as_str().to_string(),
                present: backend.present_types(),
            }));
        }
    }

    /// NS at the apex: the zone's NS records and their glue in the additional section.
    fn name_servers(&self, routed: &Routed, owner: String, answer: &mut Answer) {
        if !self.output.nameservers_known {
            answer
                .causes
                .push(Reason::Question(QuestionCause::NameserversUnknown));
        }
        for record in self.records_at(&routed.zone) {
            let RData::Ns(target) = &record.data else {
                continue;
            };
            answer
                .answer
                .push(self.present(record, owner.clone(), routed));
            for glue in self.records_at(target) {
                if matches!(glue.rtype(), RecordType::A | RecordType::Aaaa)
                    && glue.source == Provenance::Zone
                {
                    let glue_owner = name::in_asked_case(target, &routed.zone, &routed.asked_zone);
                    answer
                        .additional
                        .push(self.present(glue, glue_owner, routed));
                }
            }
        }
    }

    /// `plugin.A` / `plugin.AAAA`: addresses of the family, CNAMEs chased in the zone and
    /// through CoreDNS itself outside it.
    fn addresses(
        &self,
        question: &Question,
        routed: &Routed,
        chain: &mut Vec<DnsName>,
        answer: &mut Answer,
    ) -> Result<(), Vec<Reason>> {
        let name = &question.name;
        let backend = self.services(name, routed, answer)?;
        answer.causes.extend(backend.notes.clone());
        let family = question.qtype.record_type();
        let mut seen = std::collections::BTreeSet::new();
        for address in &backend.addresses {
            if Some(address.rtype()) == family && seen.insert(address.ip) {
                answer
                    .answer
                    .push(self.address_record(name.asked().to_string(), address));
            }
        }
        // An FQDN slice gives one CNAME per name address, each chased on its own.
        for cname in &backend.cnames {
            self.chase(question, routed, cname, chain, answer);
        }
        self.no_data(&backend, question, answer);
        Ok(())
    }

    /// Follows a CNAME (an ExternalName's, an FQDN slice address's) the way `plugin.A` does.
    fn chase(
        &self,
        question: &Question,
        routed: &Routed,
        cname: &backend::Cname<'a>,
        chain: &mut Vec<DnsName>,
        answer: &mut Answer,
    ) {
        let target = &cname.target;
        let here = question.name.dns_name();
        // "x CNAME x" or a target below the name itself is a loop CoreDNS skips; so is a chain
        // that revisits a name or grows past ten links.
        let loops = here.as_ref().is_some_and(|h| target.is_within(h))
            || chain.contains(target)
            || chain.len() > MAX_CNAME_CHAIN;
        if loops {
            answer
                .causes
                .push(Reason::Question(QuestionCause::CnameLoop {
                    target: target.clone(),
                }));
            return;
        }
        let record = self.present(cname.record, question.name.asked().to_string(), routed);
        let Ok(next) = Question::new(target.as_str(), question.qtype) else {
            return;
        };
        chain.push(target.clone());
        if target.is_within(&routed.zone) {
            let inner = self.answer_chained(&next, chain);
            if inner.rcode == Rcode::NoError && !inner.answer.is_empty() && inner.computed() {
                answer.answer.push(record);
                answer.answer.extend(inner.answer);
                answer.handoff = answer.handoff.clone().or(inner.handoff);
            } else {
                answer
                    .causes
                    .push(Reason::Question(QuestionCause::CnameTargetUnresolved {
                        target: target.clone(),
                    }));
                answer.causes.extend(inner.causes);
            }
        } else {
            // Outside the zone CoreDNS asks itself again (`upstream.Lookup`) and adds the CNAME
            // whatever comes back, from whichever block receives the target.
            let inner = self.answer_routed(&next, chain);
            answer.answer.push(record);
            answer
                .causes
                .push(Reason::Question(QuestionCause::CnameUpstream {
                    target: target.clone(),
                }));
            if inner.computed() {
                answer.answer.extend(inner.answer);
            } else {
                answer.fallthrough = true;
                answer.handoff = Some(Handoff::Upstream(target.clone()));
            }
        }
    }

    fn address_record(&self, owner: String, address: &backend::Address) -> AnswerRecord {
        AnswerRecord {
            owner,
            ttl: address.ttl,
            rtype: address.rtype(),
            data: address.ip.to_string(),
            source: address.source.clone(),
        }
    }
}

#[cfg(test)]
mod tests;
