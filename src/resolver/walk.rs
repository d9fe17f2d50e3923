//! The search-list walk of the C library (glibc's `__res_context_search`, musl's
//! `name_from_dns_search`): which candidate names are asked, in which order, and which answers
//! end the walk. getaddrinfo asks A and AAAA together and counts an answer to either as success.

use super::cause::ClientCause;
use super::resolv_conf::ResolvConf;
use crate::answer::{Answer, QType, Question, Rcode};

/// Which resolver library walks the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Library {
    /// glibc: names with at least ndots dots are tried as is first, then the search list
    /// anyway; NXDOMAIN, NODATA and SERVFAIL go on to the next candidate.
    Glibc,
    /// musl: names with at least ndots dots are tried only as is; NODATA and SERVFAIL end the walk.
    Musl,
    /// The Windows DNS client: the first search suffix only, then the name as is.
    Windows,
}

/// One question sent, and what came back; `answer` is `None` when nothing could be sent (a name
/// too long) or the nameserver is not cluster DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Try {
    /// The candidate name, absolute.
    pub name: String,
    /// The type asked.
    pub qtype: QType,
    /// CoreDNS's answer, when cluster DNS was asked.
    pub answer: Option<Answer>,
    /// Why no answer was computed.
    pub skipped: Option<ClientCause>,
}

/// How a walk ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The candidate whose answer ended the walk with records.
    Resolved {
        /// The candidate.
        name: String,
        /// An earlier candidate whose answer the tool cannot compute (another plugin or the
        /// node's resolver): if it has records, the walk ends there instead.
        unless: Option<String>,
    },
    /// No candidate answered; the error the library reports, and the candidate it comes from.
    Failed {
        /// The candidate.
        name: String,
        /// NXDOMAIN, SERVFAIL, REFUSED — or NOERROR for NODATA.
        rcode: Rcode,
    },
    /// No computed candidate answered, and one the tool cannot compute may have.
    NotComputed {
        /// The first such candidate.
        name: String,
    },
    /// No candidate could even be sent (every one too long for DNS).
    NotSent {
        /// The name as asked.
        name: String,
    },
}

/// What one candidate did to the walk.
enum Step {
    Resolved,
    Continue { nodata: bool, servfail: bool },
    Stop,
    Unknown,
}

/// The walk's tries and outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walk {
    /// Every question sent, in order.
    pub tries: Vec<Try>,
    /// How it ended.
    pub outcome: Outcome,
}

/// The state of one walk.
struct Walker<'w> {
    qtypes: &'w [QType],
    ask: &'w dyn Fn(&Question) -> Option<Answer>,
    tries: Vec<Try>,
    /// The last computed error.
    last: Option<(String, Rcode)>,
    /// The first candidate with NODATA, and with SERVFAIL.
    nodata: Option<String>,
    servfail: Option<String>,
    /// The first candidate whose answer is not computed.
    unknown: Option<String>,
}

impl Walker<'_> {
    /// Asks one candidate; `Some(outcome)` when it ends the walk.
    fn candidate(&mut self, name: String, library: Library) -> Result<Step, Outcome> {
        let step = ask_candidate(&mut self.tries, &name, self.qtypes, self.ask);
        if let Some(answer) = self.tries.last().and_then(|t| t.answer.as_ref())
            && answer.computed()
        {
            self.last = Some((name.clone(), answer.rcode));
        }
        match step {
            Step::Resolved => Err(Outcome::Resolved {
                name,
                unless: self.unknown.clone(),
            }),
            // Another plugin or the node answers it: go on as if it failed, and say so.
            Step::Unknown => {
                self.unknown.get_or_insert(name);
                Ok(Step::Unknown)
            }
            Step::Continue { nodata, servfail } => {
                // musl ends at the first NODATA or SERVFAIL (name_from_dns returns non-zero).
                if library == Library::Musl && (nodata || servfail) {
                    return Err(self.failed());
                }
                if nodata {
                    self.nodata.get_or_insert(name.clone());
                }
                if servfail {
                    self.servfail.get_or_insert(name);
                }
                Ok(Step::Continue { nodata, servfail })
            }
            Step::Stop if library == Library::Musl => Err(self.failed()),
            Step::Stop => Ok(Step::Stop),
        }
    }

    /// The outcome when nothing answered.
    fn failed(&self) -> Outcome {
        if let Some(name) = &self.unknown {
            return Outcome::NotComputed { name: name.clone() };
        }
        match (&self.last, self.tries.last()) {
            (Some((name, rcode)), _) => Outcome::Failed {
                name: name.clone(),
                rcode: *rcode,
            },
            (None, last) => Outcome::NotSent {
                name: last.map(|t| t.name.clone()).unwrap_or_default(),
            },
        }
    }
}

/// Walks `name` (as the user typed it) through `conf`'s search list, asking `qtypes` for each
/// candidate through `ask` (`None` when the question does not reach cluster DNS).
pub fn walk(
    name: &str,
    qtypes: &[QType],
    conf: &ResolvConf,
    library: Library,
    ask: &dyn Fn(&Question) -> Option<Answer>,
) -> Walk {
    let mut walker = Walker {
        qtypes,
        ask,
        tries: Vec::new(),
        last: None,
        nodata: None,
        servfail: None,
        unknown: None,
    };
    let outcome = run(&mut walker, name, conf, library);
    Walk {
        tries: walker.tries,
        outcome,
    }
}

fn run(walker: &mut Walker, name: &str, conf: &ResolvConf, library: Library) -> Outcome {
    let trailing = name.ends_with('.');
    let bare = name.trim_end_matches('.');
    let dots = bare.matches('.').count();
    let as_is = format!("{bare}.");
    let mut saved: Option<(String, Rcode)> = None;
    let mut tried_as_is = false;
    let mut root_on_list = false;
    // As is first: an absolute name (exactly one try), or enough dots (glibc goes on to the
    // search list when that fails; musl does not search at all).
    if trailing || dots >= conf.ndots() {
        if let Err(outcome) = walker.candidate(as_is.clone(), library) {
            return outcome;
        }
        if trailing || library == Library::Musl {
            return walker.failed();
        }
        saved = walker.last.clone().filter(|(n, _)| *n == as_is);
        tried_as_is = true;
    }
    let search: Vec<&String> = match library {
        Library::Windows => conf.search.iter().take(1).collect(),
        Library::Glibc | Library::Musl => conf.search.iter().collect(),
    };
    for domain in search {
        let domain = domain.trim_end_matches('.');
        let candidate = if domain.is_empty() {
            root_on_list = true;
            as_is.clone()
        } else {
            format!("{bare}.{domain}.")
        };
        match walker.candidate(candidate, library) {
            Err(outcome) => return outcome,
            // REFUSED or a name that cannot be sent stops the search; the name is still
            // asked as is below.
            Ok(Step::Stop) => break,
            Ok(_) => {}
        }
    }
    // The name as is, unless it was asked already, the root was on the list, or
    // `no-tld-query` forbids asking a single label.
    let tld_forbidden = dots == 0 && conf.no_tld_query();
    if !tried_as_is
        && !root_on_list
        && !tld_forbidden
        && let Err(outcome) = walker.candidate(as_is, library)
    {
        return outcome;
    }
    if walker.unknown.is_some() {
        return walker.failed();
    }
    // glibc reports the as-is error when it asked that first, else NODATA if any candidate
    // had it, else SERVFAIL if any had that, else the last error.
    match (saved, &walker.nodata, &walker.servfail) {
        (Some((name, rcode)), _, _) => Outcome::Failed { name, rcode },
        (None, Some(name), _) => Outcome::Failed {
            name: name.clone(),
            rcode: Rcode::NoError,
        },
        (None, None, Some(name)) => Outcome::Failed {
            name: name.clone(),
            rcode: Rcode::ServFail,
        },
        (None, None, None) => walker.failed(),
    }
}

/// Asks every type for one candidate and decides what it does to the walk.
fn ask_candidate(
    tries: &mut Vec<Try>,
    candidate: &str,
    qtypes: &[QType],
    ask: &dyn Fn(&Question) -> Option<Answer>,
) -> Step {
    let mut answers = Vec::new();
    for &qtype in qtypes {
        match Question::new(candidate, qtype) {
            Ok(question) => {
                let answer = ask(&question);
                tries.push(Try {
                    name: candidate.to_string(),
                    qtype,
                    answer: answer.clone(),
                    skipped: None,
                });
                answers.push(answer);
            }
            Err(error) => {
                tries.push(Try {
                    name: candidate.to_string(),
                    qtype,
                    answer: None,
                    skipped: Some(ClientCause::CandidateTooLong {
                        name: candidate.to_string(),
                        problem: error.to_string(),
                    }),
                });
                // dn_comp fails: NO_RECOVERY, which ends glibc's search.
                return Step::Stop;
            }
        }
    }
    if answers.iter().flatten().any(Answer::resolves) {
        return Step::Resolved;
    }
    if answers
        .iter()
        .any(|a| a.as_ref().is_none_or(|a| !a.computed()))
    {
        return Step::Unknown;
    }
    let rcodes: Vec<Rcode> = answers.iter().flatten().map(|a| a.rcode).collect();
    if rcodes.contains(&Rcode::Refused) {
        return Step::Stop;
    }
    Step::Continue {
        nodata: rcodes.contains(&Rcode::NoError),
        servfail: rcodes.contains(&Rcode::ServFail),
    }
}
