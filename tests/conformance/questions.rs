//! Questions: every `tests/questions/*.yaml` holds objects, a Corefile and a list of DNS
//! questions with CoreDNS's exact response (rcode, answer, additional, cause codes), each citing
//! the CoreDNS function it follows. And the consistency of answers with the record list: for
//! every case of `tests/cases`, each record is in the answer to its own question, and each
//! absent name is NXDOMAIN or NODATA with exactly its fact's causes.

use std::collections::BTreeSet;
use std::path::Path;

use dnsrecords::answer::{Answer, Answerer, Handoff, QType, Question, Rcode};
use dnsrecords::engine;
use dnsrecords::model::{ClusterDns, FactState, RecordType};

use super::{Error, Failure, base_objects, dns, normalize, snapshot, with_base};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionFile {
    description: String,
    reference: String,
    #[serde(default)]
    corefile: Option<String>,
    #[serde(default)]
    cluster_dns: Option<String>,
    objects: Vec<serde_json::Value>,
    questions: Vec<Expected>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    /// `<name> <TYPE>`, the name as a client sends it.
    ask: String,
    /// The CoreDNS file and function the expectation follows.
    cites: String,
    /// NOERROR, NXDOMAIN, REFUSED or SERVFAIL; omitted when another plugin or block answers.
    #[serde(default)]
    rcode: Option<String>,
    /// The answer section, master-file lines (case-sensitive).
    #[serde(default)]
    answer: Vec<String>,
    /// The additional section.
    #[serde(default)]
    additional: Vec<String>,
    /// The authority section, when given.
    #[serde(default)]
    authority: Option<Vec<String>>,
    /// The cause codes, when given (exactly these, any order).
    #[serde(default)]
    causes: Option<Vec<String>>,
    /// `next-plugin <name>`, `other-server-block <zone>` or `upstream <target>`.
    #[serde(default)]
    handoff: Option<String>,
}

/// The objects (plus the kube-dns base objects unless `cluster_dns: none`) and configuration.
fn load(
    objects: &[serde_json::Value],
    corefile_text: Option<&str>,
    cluster_dns: Option<&str>,
) -> Result<(engine::EngineOutput, ClusterDns), Error> {
    load_env(objects, corefile_text, cluster_dns, &Default::default())
}

/// `load` with environment values for the Corefile: the engine's output of every stanza, as the
/// record list is computed, and the stanzas the answers are routed among.
fn load_env(
    objects: &[serde_json::Value],
    corefile_text: Option<&str>,
    cluster_dns: Option<&str>,
    env: &std::collections::BTreeMap<String, String>,
) -> Result<(engine::EngineOutput, ClusterDns), Error> {
    let mut all = objects.to_vec();
    all.extend(base_objects(with_base(cluster_dns)?)?);
    let snapshot = snapshot(&all)?;
    let (dns, _) = dns(corefile_text, &snapshot, env)?;
    let dns = dns.with_a_stanza().into_owned();
    let output = engine::compute_all_prepared(engine::prepare_all(&snapshot, &dns), &dns);
    Ok((output, dns))
}

fn lines(records: &[dnsrecords::answer::AnswerRecord]) -> Vec<String> {
    let mut lines: Vec<String> = records.iter().map(|r| normalize(&r.to_string())).collect();
    lines.sort();
    lines
}

fn sorted(expected: &[String]) -> Vec<String> {
    let mut lines: Vec<String> = expected.iter().map(|l| normalize(l)).collect();
    lines.sort();
    lines
}

fn handoff_text(answer: &Answer) -> Option<String> {
    answer.handoff.as_ref().map(|h| match h {
        Handoff::NextPlugin(plugin) => format!("next-plugin {plugin}"),
        Handoff::OtherServerBlock(zone) => format!("other-server-block {zone}"),
        Handoff::Upstream(target) => format!("upstream {target}"),
    })
}

pub fn run(path: &Path) -> datatest_stable::Result<()> {
    check_questions(path).map_err(|err| Failure(err.to_string()).into())
}

fn check_questions(path: &Path) -> Result<(), Error> {
    let text = std::fs::read_to_string(path)?;
    let file: QuestionFile = serde_saphyr::from_str(&text)?;
    if file.description.trim().is_empty() || file.reference.trim().is_empty() {
        return Err("a question file needs a description and a reference".into());
    }
    let (output, dns) = load(
        &file.objects,
        file.corefile.as_deref(),
        file.cluster_dns.as_deref(),
    )?;
    // Every stanza's answers: a question goes to the block that receives it.
    let primary = dns.primary_or_kubeadm();
    let answerer = Answerer::for_corefile(&output, &primary, &dns.stanzas);
    let mut problems = String::new();
    for expected in &file.questions {
        if expected.cites.trim().is_empty() {
            problems.push_str(&format!("{}: cites nothing\n", expected.ask));
            continue;
        }
        let (name, qtype) = expected
            .ask
            .rsplit_once(' ')
            .ok_or_else(|| format!("{:?} is not `<name> <TYPE>`", expected.ask))?;
        let qtype = QType::parse(qtype).ok_or_else(|| format!("unknown type in {name}"))?;
        let question = Question::new(name, qtype)?;
        let answer = answerer.answer(&question);
        let mut wrong = Vec::new();
        let rcode = answer.computed().then(|| answer.rcode.to_string());
        if rcode != expected.rcode {
            wrong.push(format!(
                "rcode {} (expected {})",
                rcode.as_deref().unwrap_or("none"),
                expected.rcode.as_deref().unwrap_or("none")
            ));
        }
        if handoff_text(&answer) != expected.handoff {
            wrong.push(format!(
                "handoff {:?} (expected {:?})",
                handoff_text(&answer),
                expected.handoff
            ));
        }
        for (section, actual, wanted) in [
            ("answer", lines(&answer.answer), sorted(&expected.answer)),
            (
                "additional",
                lines(&answer.additional),
                sorted(&expected.additional),
            ),
        ] {
            if actual != wanted {
                wrong.push(format!(
                    "{section}:\n      got      {}\n      expected {}",
                    actual.join("\n               "),
                    wanted.join("\n               ")
                ));
            }
        }
        if let Some(authority) = &expected.authority
            && lines(&answer.authority) != sorted(authority)
        {
            wrong.push(format!("authority: got {:?}", lines(&answer.authority)));
        }
        if let Some(codes) = &expected.causes {
            let actual: BTreeSet<&str> = answer.causes.iter().map(|c| c.code()).collect();
            let wanted: BTreeSet<&str> = codes.iter().map(String::as_str).collect();
            if actual != wanted {
                let messages: Vec<String> = answer
                    .causes
                    .iter()
                    .map(|c| format!("{}: {c}", c.code()))
                    .collect();
                wrong.push(format!(
                    "causes {actual:?} (expected {wanted:?}): {}",
                    messages.join("; ")
                ));
            }
        }
        if !wrong.is_empty() {
            problems.push_str(&format!(
                "  {} [{}]\n    {}\n",
                expected.ask,
                expected.cites.trim(),
                wrong.join("\n    ")
            ));
        }
    }
    if !problems.is_empty() {
        return Err(format!("answers differ ({}):\n{problems}", file.description.trim()).into());
    }
    Ok(())
}

/// The parts of a case the consistency check needs.
#[derive(serde::Deserialize)]
struct CaseInput {
    #[serde(default)]
    corefile: Option<String>,
    #[serde(default)]
    cluster_dns: Option<String>,
    objects: Vec<serde_json::Value>,
    /// A case about a Corefile CoreDNS refuses has no records to ask about.
    #[serde(default)]
    corefile_error: Option<String>,
    /// Environment values for the Corefile's references.
    #[serde(default)]
    corefile_env: std::collections::BTreeMap<String, String>,
}

pub fn consistent(path: &Path) -> datatest_stable::Result<()> {
    check_consistent(path).map_err(|err| Failure(err.to_string()).into())
}

/// Every record of the record list is in the answer to its own question; every absent fact is
/// NXDOMAIN or NODATA with exactly its causes.
fn check_consistent(path: &Path) -> Result<(), Error> {
    let text = std::fs::read_to_string(path)?;
    let case: CaseInput = serde_saphyr::from_str(&text)?;
    if case.corefile_error.is_some() {
        return Ok(());
    }
    let (output, dns) = load_env(
        &case.objects,
        case.corefile.as_deref(),
        case.cluster_dns.as_deref(),
        &case.corefile_env,
    )?;
    // Every stanza's answers: a question goes to the block that receives it.
    let primary = dns.primary_or_kubeadm();
    let answerer = Answerer::for_corefile(&output, &primary, &dns.stanzas);
    let mut problems = String::new();
    // NS glue is additional data: its owner answers for itself only as a Service name (then the
    // record list has it too), and not at all under a reverse zone or a namespace not served.
    let glue = |record: &dnsrecords::model::Record| {
        record.source == dnsrecords::model::Provenance::Zone
            && matches!(record.rtype(), RecordType::A | RecordType::Aaaa)
            && record.owner.labels().take(2).collect::<Vec<_>>() != ["ns", "dns"]
    };
    for record in output.records.iter().chain(&output.zone_records) {
        if glue(record) {
            continue;
        }
        let question = Question::new(record.owner.as_str(), QType::of(record.rtype()))?;
        let answer = answerer.answer(&question);
        let line = record.to_string();
        let in_answer = |answer: &Answer| answer.answer.iter().any(|a| a.to_string() == line);
        // `plugin.CNAME` answers with the first backend entry only: an FQDN slice's other
        // CNAMEs are in the answer to an address question (`plugin.A`/`AAAA` add every one).
        let cname_in_address_answer = record.rtype() == RecordType::Cname
            && [QType::A, QType::Aaaa].into_iter().any(|qtype| {
                Question::new(record.owner.as_str(), qtype)
                    .is_ok_and(|q| in_answer(&answerer.answer(&q)))
            });
        if !in_answer(&answer) && !cname_in_address_answer {
            problems.push_str(&format!(
                "  {line} is not in the answer to its question ({} {}: {})\n",
                answer.rcode,
                answer.answer.len(),
                answer
                    .causes
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
    }
    for fact in output.facts.iter().filter(|f| f.state == FactState::Absent) {
        let question = Question::new(fact.name.as_str(), QType::of(fact.rtype))?;
        let answer = answerer.answer(&question);
        // A name error the plugin passes on (`fallthrough`) is the plugin's NXDOMAIN: whatever
        // the next plugin (or SERVFAIL without one) makes of it, the record list agrees.
        let negative = answer.answer.is_empty()
            && (answer.fallthrough
                || (matches!(answer.rcode, Rcode::NxDomain | Rcode::NoError) && answer.computed()));
        let causes: Vec<_> = answer.causes.iter().filter_map(|c| c.cause()).collect();
        let wanted: Vec<_> = fact.causes.iter().collect();
        if !negative || causes != wanted {
            problems.push_str(&format!(
                "  absent {} got {} with {:?}, expected the fact's {:?}\n",
                fact.name,
                answer.rcode,
                causes.iter().map(|c| c.code()).collect::<Vec<_>>(),
                wanted.iter().map(|c| c.code()).collect::<Vec<_>>()
            ));
        }
    }
    if !problems.is_empty() {
        return Err(format!("answers disagree with the record list:\n{problems}").into());
    }
    Ok(())
}
