//! `kubectl dnsrecords explain NAME`: reads the cluster (or `-f` files), computes the engine's
//! output once, and explains one name — the resolv.conf of the Pod asking, every candidate of
//! its search walk with CoreDNS's answer, and the causes of each miss; with `--verify`, what the
//! live server answers to the same questions beside it. Exit 0 when the name resolves (and the
//! server agrees), 1 when it does not.

use std::io::Write;

use clap::{Args, Subcommand};

use super::args::{Cli, OutputFormat};
use super::{CliError, Exit, color};
use crate::analyze::SelectionError;
use crate::answer::{Answerer, QType};
use crate::engine::{self, ServiceKind};
use crate::model::kubernetes::{DNS_NAMESPACE, DNS_SERVICE};
use crate::model::{DnsName, Expected, Kind, NotFound, ObjectRef, PodDns, Question, suggest};
use crate::render::{self, Format, RenderOptions};
use crate::resolver::{self, ClientSpec, Environment, Kubelet, NodeResolver};
use crate::source::{self, Loaded};
use crate::verify;

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Why a name does or does not resolve, asked the way a Pod asks
    ///
    /// Prints the Pod's resolv.conf as kubelet writes it, every candidate of the search walk
    /// with CoreDNS's answer, and the cause of each miss. Exits 0 when the name resolves, 1 when
    /// it does not.
    Explain(ExplainArgs),
    /// A finding's page: what it means, why it breaks DNS, an example and the fix
    ///
    /// Printed from the text compiled into the binary; without an ID, every id with its code,
    /// severity and title. -o json or yaml prints the pages' Markdown as a document.
    Docs(super::docs::DocsArgs),
}

/// `explain`'s own flags; `-n`, `-f`, `--corefile`, `-o` and the connection flags are shared.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The name: short (redis-0.redis), partly qualified, absolute (a trailing dot: asked as
    /// is), or an IP address (a PTR question).
    #[arg(value_name = "NAME")]
    pub name: String,

    /// The type asked: A, AAAA, SRV, PTR, CNAME, TXT, NS, SOA or ANY (default A, plus AAAA in a
    /// cluster with IPv6 Services; PTR for an address).
    #[arg(long = "type", value_name = "TYPE", value_parser = parse_type)]
    pub qtype: Option<QType>,

    /// The Pod that asks (pod/NAME, in -n's namespace); without it a default Pod of the
    /// namespace (dnsPolicy ClusterFirst) asks.
    #[arg(long, value_name = "pod/NAME")]
    pub from: Option<String>,

    /// The node's own search domains (kubelet appends them for ClusterFirst; the API does not
    /// show them), comma-separated.
    #[arg(long, value_name = "DOMAIN,...", value_delimiter = ',')]
    pub node_search: Vec<String>,

    /// Watch (implies --watch) until the name resolves, then exit 0: a readiness gate for an
    /// init container or a CI step. With --watch-timeout, exit 1 if it has not resolved by then.
    #[arg(long)]
    pub until_resolves: bool,
}

fn parse_type(text: &str) -> Result<QType, String> {
    QType::parse(text).ok_or_else(|| {
        format!("{text:?} is not one of A, AAAA, SRV, PTR, CNAME, TXT, NS, SOA, ANY")
    })
}

/// Runs `explain`.
pub fn run(cli: &Cli, args: &ExplainArgs, out: &mut dyn Write) -> Result<Exit, CliError> {
    super::shape::refuse_record_options(cli, "explain")?;
    let shape = super::shape::shape(cli)?;
    let format = match cli.output.format {
        OutputFormat::Table | OutputFormat::Wide => Format::Table,
        OutputFormat::Json => Format::Json,
        OutputFormat::Yaml => Format::Yaml,
        OutputFormat::Zone => return Err(CliError::ExplainFormat),
    };
    let pod_name = args.from.as_deref().map(pod_of).transpose()?;
    if cli.watch || args.until_resolves {
        return super::watch::explain(cli, args, pod_name, out);
    }
    if cli.watch_timeout.is_some() {
        return Err(CliError::WatchTimeoutWithoutWatch);
    }
    super::check_verify_flags(cli)?;
    // One runtime for the live source and `--verify`: the client lives on the runtime that built it.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    let (namespace, Loaded { snapshot, .. }, connection) = if cli.filenames.is_empty() {
        let (namespace, loaded, connection) = load_live(cli, &runtime)?;
        (namespace, loaded, Some(connection))
    } else {
        let (namespace, loaded) = super::load_manifests(cli)?;
        (namespace, loaded, None)
    };
    let trace = trace(cli, args, &namespace, &snapshot, pod_name.as_deref())?;
    let options = RenderOptions {
        palette: color::decide(cli.color),
        headers: !cli.no_headers,
    };
    let verification = if cli.verify {
        let questions = verify_questions(&trace);
        Some(super::run_verification(
            cli,
            questions,
            &snapshot,
            connection.as_ref(),
            &runtime,
        )?)
    } else {
        None
    };
    match &shape {
        // The shapes read the explain document; custom columns have a row per try.
        Some(shape) => {
            let document = render::explain_value(&trace).map_err(CliError::Io)?;
            render::render_document(&document, &["tries"], shape, options.headers, out)
        }
        None => {
            render::render_explain_verified(&trace, verification.as_ref(), format, options, out)
        }
    }
    .map_err(CliError::Io)?;
    out.flush().map_err(CliError::Io)?;
    let differs = verification
        .as_ref()
        .is_some_and(|v| v.differences().next().is_some());
    Ok(if !trace.resolves() {
        Exit::Unresolved
    } else if differs {
        Exit::Findings
    } else {
        Exit::Success
    })
}

/// Explains `args.name` against one snapshot: the record view's engine output, the asking Pod's
/// resolver, the search walk. `explain -w` calls it once per snapshot.
pub(crate) fn trace(
    cli: &Cli,
    args: &ExplainArgs,
    namespace: &str,
    snapshot: &crate::model::ClusterSnapshot,
    pod_name: Option<&str>,
) -> Result<resolver::Trace, CliError> {
    let (dns, _) = super::cluster_dns(cli, snapshot)?;
    // A Corefile without a stanza is read as kubeadm's, as the record list reads it.
    let dns = dns.with_a_stanza();
    let config = dns.primary_or_kubeadm();
    // The same engine output the record list and the findings are computed from: every
    // stanza's records, each question answered by the stanza whose server block receives it.
    let output = engine::compute_all_prepared(engine::prepare_all(snapshot, &dns), &dns);
    let answerer = Answerer::for_corefile(&output, &config, &dns.stanzas);

    let absolute = args.name.ends_with('.') || args.name.parse::<std::net::IpAddr>().is_ok();
    let client = match pod_name {
        Some(name) => {
            let pod = output
                .view
                .pods
                .iter()
                .find(|p| p.object.namespace == namespace && p.object.name == name)
                .ok_or_else(|| {
                    let names = output
                        .view
                        .pods
                        .iter()
                        .filter(|p| p.object.namespace == namespace)
                        .map(|p| p.object.name.as_str());
                    CliError::Selection(SelectionError::NotFound(NotFound {
                        resource: "pods",
                        name: name.to_string(),
                        namespace: namespace.to_string(),
                        suggestions: suggest(name, names),
                    }))
                })?;
            Some(ClientSpec {
                pod: Some((*pod.object).clone()),
                namespace: namespace.to_string(),
                dns: pod.dns.clone(),
            })
        }
        // A name asked as is of no Pod in particular goes straight to CoreDNS.
        None if absolute && cli.namespace.is_none() => None,
        None => Some(ClientSpec {
            pod: None,
            namespace: namespace.to_string(),
            dns: PodDns::default(),
        }),
    };
    let cluster_dns: Vec<String> = output
        .view
        .services
        .iter()
        .find(|s| *s.object == ObjectRef::new(Kind::Service, DNS_NAMESPACE, DNS_SERVICE))
        .and_then(|s| match &s.kind {
            ServiceKind::ClusterIp(ips) => Some(ips.iter().map(ToString::to_string).collect()),
            _ => None,
        })
        .unwrap_or_default();
    let environment = Environment {
        kubelet: Kubelet {
            cluster_domain: config.primary_zone().cloned().unwrap_or_else(|| {
                DnsName::parse("cluster.local.").unwrap_or_else(|_| DnsName::root())
            }),
            cluster_dns: if cluster_dns.is_empty() {
                vec![UNKNOWN_CLUSTER_DNS.to_string()]
            } else {
                cluster_dns.clone()
            },
        },
        node: NodeResolver {
            search: args.node_search.clone(),
            nameservers: Vec::new(),
            options: Vec::new(),
        },
        node_search_given: !args.node_search.is_empty(),
        cluster_dns_known: cluster_dns.first().cloned(),
    };
    let qtypes: Vec<QType> = args.qtype.into_iter().collect();
    let trace = resolver::explain(
        &answerer,
        &environment,
        &args.name,
        &qtypes,
        client.as_ref(),
    );
    Ok(trace)
}

/// `--verify` for explain: every question the walk sends to cluster DNS whose answer the tool
/// computes, each expected to be answered as `answer/` answered it in the trace.
fn verify_questions(trace: &resolver::Trace) -> Vec<(Question, Expected)> {
    let mut questions: Vec<(Question, Expected)> = Vec::new();
    for attempt in &trace.tries {
        let Some(answer) = attempt.answer.as_ref().filter(|a| a.computed()) else {
            continue;
        };
        let (Some(rtype), Ok(name)) = (attempt.qtype.record_type(), DnsName::parse(&attempt.name))
        else {
            continue;
        };
        let question = Question { name, rtype };
        if questions.iter().any(|(asked, _)| *asked == question) {
            continue;
        }
        let expected = verify::from_answer(answer, &question.name, rtype);
        questions.push((question, expected));
    }
    questions
}

/// What stands for kubelet's `--cluster-dns` when the input has no kube-dns Service.
const UNKNOWN_CLUSTER_DNS: &str = "<cluster-dns>";

/// `pod/NAME` (also `pods/NAME`, or a bare NAME) → NAME.
fn pod_of(text: &str) -> Result<String, CliError> {
    let name = match text.split_once('/') {
        Some(("pod" | "pods" | "po", name)) => name,
        Some(_) => return Err(CliError::FromNotAPod(text.to_string())),
        None => text,
    };
    if name.is_empty() {
        return Err(CliError::FromNotAPod(text.to_string()));
    }
    Ok(name.to_string())
}

/// Reads every namespace: the name may point anywhere, and "did you mean" looks everywhere.
fn load_live(
    cli: &Cli,
    runtime: &tokio::runtime::Runtime,
) -> Result<(String, Loaded, source::Connection), CliError> {
    let options = super::connect_options(cli);
    runtime.block_on(async {
        let connection = source::connect(&options).await?;
        let namespace = cli
            .namespace
            .clone()
            .unwrap_or_else(|| connection.namespace.clone());
        let query = source::LiveQuery {
            namespace: None,
            targets: Vec::new(),
            paging: source::Paging::chunks(cli.chunk_size),
        };
        let loaded = source::load_cluster(&connection, &query).await?;
        Ok((namespace, loaded, connection))
    })
}
