//! The command: flags → source → Corefile → `analyze` → renderer, and the exit code.

// The command reads argv-derived paths, the environment and the terminal: the purity lints do not apply.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

mod args;
mod color;
mod complete;
mod docs;
mod error;
mod exit;
mod explain;
mod shape;
mod watch;

pub use args::{Cli, ColorChoice, FailOn, Output, OutputFormat, ShapeSpec, parse_output};
pub use complete::complete;
pub use error::CliError;
pub use exit::Exit;
pub use explain::{Command, ExplainArgs};

use std::io::{IsTerminal, Write};

use crate::analyze::SelectionError;
use crate::corefile;
use crate::model::Severity;
use crate::model::{
    ConfigOrigin, DnsName, LabelSelector, NameKind, Note, Selection, Verification, is_reverse_zone,
    validate_name,
};
use crate::render::{self, Format, RenderOptions};
use crate::source::{self, Loaded};
use crate::verify::{self, VerifyError, VerifyOptions};

/// Runs one invocation, writing the output to `out`.
pub fn run(cli: &Cli, out: &mut dyn Write) -> Result<Exit, CliError> {
    match &cli.command {
        Some(Command::Explain(args)) => return explain::run(cli, args, out),
        Some(Command::Docs(args)) => return docs::run(cli, args, out),
        None => {}
    }
    let palette = color::decide(cli.color);
    // Everything typed is checked before a file is read or a connection made: a name the API
    // server would refuse never reaches a request path, and a usage error is not hidden behind
    // a kubeconfig or network one.
    let shape = shape::shape(cli)?;
    let sort_by = shape::record_options(cli)?;
    if cli.all_namespaces && !cli.targets.is_empty() {
        return Err(CliError::Selection(SelectionError::TargetsNeedOneNamespace));
    }
    let targets = cli
        .targets
        .iter()
        .map(|t| source::parse_target(t))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(namespace) = &cli.namespace {
        validate_name(NameKind::Namespace, namespace)?;
    }
    check_verify_flags(cli)?;
    let selector = cli
        .selector
        .as_deref()
        .map(LabelSelector::parse)
        .transpose()?;
    if cli.watch {
        return watch::records(cli, targets, selector, out);
    }
    if cli.watch_timeout.is_some() {
        return Err(CliError::WatchTimeoutWithoutWatch);
    }
    // One runtime for the live source and the verification: the client's connection pool
    // lives on the runtime that built it.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    let (
        namespace,
        Loaded {
            snapshot,
            notes: source_notes,
        },
        connection,
    ) = if cli.filenames.is_empty() {
        // --verify reads the whole namespace even for a target: what CoreDNS answers to a name
        // depends on more than the target (the PTR of an endpoint address names it under every
        // Service whose endpoints hold it). The report is still scoped to the target.
        let fetch: &[crate::model::Target] = if cli.verify { &[] } else { &targets };
        let (namespace, loaded, connection) = load_live(cli, fetch, &runtime)?;
        (namespace, loaded, Some(connection))
    } else {
        let (namespace, loaded) = load_manifests(cli)?;
        (namespace, loaded, None)
    };
    let (dns, config_notes) = cluster_dns(cli, &snapshot)?;
    let selection = Selection {
        namespaces: if cli.all_namespaces {
            None
        } else {
            Some(vec![namespace])
        },
        targets,
        selector,
    };
    let labels = (shape.is_none() && !cli.label_columns.is_empty())
        .then(|| label_columns(&cli.label_columns, &snapshot));
    // Only --verify reads the objects after the analysis: without it they are handed to the
    // analysis, which frees them once validated, so a large cluster's peak is its view and
    // records, never those plus the objects they came from.
    let (mut report, kept) = if cli.verify {
        let (report, output) = crate::analyze_dns_keeping_output(&snapshot, &dns, &selection)?;
        (report, Some((snapshot, output)))
    } else {
        (crate::analyze_dns_owned(snapshot, &dns, &selection)?, None)
    };
    let mut notes = config_notes;
    notes.extend(source_notes);
    notes.append(&mut report.notes);
    report.notes = notes;
    if let Some(path) = &sort_by {
        render::sort_records(&mut report, path).map_err(CliError::Io)?;
    }
    let format = match cli.output.format {
        OutputFormat::Table => Format::Table,
        OutputFormat::Wide => Format::Wide,
        OutputFormat::Json => Format::Json,
        OutputFormat::Yaml => Format::Yaml,
        OutputFormat::Zone => Format::Zone,
    };
    let options = RenderOptions {
        palette,
        headers: !cli.no_headers,
    };
    let verification = match &kept {
        Some((snapshot, output)) => Some(verify_report(
            cli,
            &report,
            output,
            &dns,
            snapshot,
            connection.as_ref(),
            &runtime,
        )?),
        None => None,
    };
    // Nothing reads the objects or the engine's output from here on: their memory is given
    // back before the output is written (custom-columns and jsonpath build a whole document of
    // the report).
    drop(kept);
    match (&shape, &labels) {
        (Some(shape), _) => {
            render::render_report(&report, verification.as_ref(), shape, options.headers, out)
        }
        (None, Some(labels)) => {
            let wide = format == Format::Wide;
            render::render_table(&report, verification.as_ref(), wide, options, labels, out)
        }
        (None, None) => {
            render::render_verified(&report, verification.as_ref(), format, options, out)
        }
    }
    .map_err(CliError::Io)?;
    out.flush().map_err(CliError::Io)?;
    let threshold = match cli.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    let failing =
        threshold.is_some_and(|level| report.findings.iter().any(|f| f.severity >= level));
    let differs = verification
        .as_ref()
        .is_some_and(|v| v.differences().next().is_some());
    // The process exits right after this: freeing the report one allocation at a time (millions
    // of names, records and facts in a cluster-wide run, 6% of `-A -o json` at 100,000 Pods)
    // would only delay the exit, and the operating system takes the memory back whole.
    std::mem::forget(report);
    Ok(if failing || differs {
        Exit::Findings
    } else {
        Exit::Success
    })
}

/// `-L`: the labels of every Service and Pod of the input, for the columns.
fn label_columns(
    keys: &[String],
    snapshot: &crate::model::ClusterSnapshot,
) -> render::LabelColumns {
    use crate::model::{Kind, ObjectRef};
    let mut labels = std::collections::BTreeMap::new();
    let services = snapshot.services.iter().map(|s| {
        let meta = &s.metadata;
        let labels = meta.labels.clone().unwrap_or_default();
        (
            Kind::Service,
            meta.namespace.as_ref(),
            meta.name.as_ref(),
            labels,
        )
    });
    let pods = snapshot.pods.iter().map(|p| {
        let meta = &p.metadata;
        (
            Kind::Pod,
            meta.namespace.as_ref(),
            meta.name.as_ref(),
            meta.labels.to_map(),
        )
    });
    for (kind, namespace, name, object_labels) in services.chain(pods) {
        let (Some(namespace), Some(name)) = (namespace, name) else {
            continue;
        };
        labels.insert(ObjectRef::new(kind, namespace, name), object_labels);
    }
    render::LabelColumns {
        keys: keys.iter().map(|key| key.trim().to_string()).collect(),
        labels,
    }
}

/// The `--verify` flags that can be checked before anything is read: offline needs
/// `--dns-server`, and `--dns-pod` goes into a request path.
pub(crate) fn check_verify_flags(cli: &Cli) -> Result<(), CliError> {
    if cli.verify && !cli.filenames.is_empty() && cli.dns_server.is_none() {
        return Err(CliError::Verify(VerifyError::NeedsServer));
    }
    if let Some(pod) = &cli.dns_pod {
        validate_name(NameKind::Pod, pod)?;
    }
    Ok(())
}

/// Asks the cluster's DNS (or `--dns-server`) the report's questions (`--verify`).
fn verify_report(
    cli: &Cli,
    report: &crate::model::Report,
    output: &crate::engine::EngineOutput,
    dns: &crate::model::ClusterDns,
    snapshot: &crate::model::ClusterSnapshot,
    connection: Option<&source::Connection>,
    runtime: &tokio::runtime::Runtime,
) -> Result<Verification, CliError> {
    // The expected answers come from answer/, over the engine output the report was narrowed
    // from, each question under the stanza whose server block receives it (the report's
    // configuration is the primary stanza's).
    let answerer = crate::answer::Answerer::for_corefile(output, &report.config, &dns.stanzas);
    let questions = verify::report_questions(report, &answerer);
    run_verification(cli, questions, snapshot, connection, runtime)
}

/// Asks `questions` along the route the flags and the snapshot choose, with a progress bar for
/// a long run on a terminal: for the record view and `explain` alike.
pub(crate) fn run_verification(
    cli: &Cli,
    questions: Vec<(crate::model::Question, crate::model::Expected)>,
    snapshot: &crate::model::ClusterSnapshot,
    connection: Option<&source::Connection>,
    runtime: &tokio::runtime::Runtime,
) -> Result<Verification, CliError> {
    let origin = match connection {
        None => verify::Origin::Files,
        Some(connection) if connection.in_cluster => verify::Origin::InCluster,
        Some(_) => verify::Origin::Workstation,
    };
    let route = verify::choose_route(
        cli.dns_server.as_deref(),
        cli.dns_pod.as_deref(),
        origin,
        snapshot,
    )?;
    let options = VerifyOptions {
        tcp: cli.tcp,
        timeout: cli.dns_timeout,
        concurrency: verify::CONCURRENCY,
    };
    let count = questions.len();
    let bar = show_progress(std::io::stderr().is_terminal(), count).then(|| {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(count as u64),
            indicatif::ProgressDrawTarget::stderr(),
        );
        bar.set_style(
            indicatif::ProgressStyle::with_template("verifying {bar:30} {pos}/{len} questions")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let tick = || {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let verification = runtime.block_on(verify::verify_expected(
        questions, &route, connection, &options, &tick,
    ));
    // The bar goes before the output (or the error) is written.
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(verification?)
}

/// Questions from which a verification is long enough for a progress bar.
const PROGRESS_FROM: usize = 500;

/// A progress bar only on a terminal (never when stderr is piped or captured, as in tests and
/// scripts) and only for a long run.
fn show_progress(stderr_is_terminal: bool, questions: usize) -> bool {
    stderr_is_terminal && questions > PROGRESS_FROM
}

/// The first connection flag given, for the error that says -f cannot be combined with it.
fn connection_flag(cli: &Cli) -> Option<&'static str> {
    [
        (cli.kubeconfig.is_some(), "--kubeconfig"),
        (cli.context.is_some(), "--context"),
        (cli.cluster.is_some(), "--cluster"),
        (cli.user.is_some(), "--user"),
        (cli.insecure_skip_tls_verify, "--insecure-skip-tls-verify"),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag))
}

/// Reads the live cluster: the namespace is `-n`, else the context's, else `default`.
fn load_live(
    cli: &Cli,
    targets: &[crate::model::Target],
    runtime: &tokio::runtime::Runtime,
) -> Result<(String, Loaded, source::Connection), CliError> {
    let options = connect_options(cli);
    runtime.block_on(async {
        let connection = source::connect(&options).await?;
        // `-n` when given, else the context's: connect has checked whichever it is.
        let namespace = connection.namespace.clone();
        let query = source::LiveQuery {
            namespace: (!cli.all_namespaces).then(|| namespace.clone()),
            targets: targets.to_vec(),
            paging: source::Paging::chunks(cli.chunk_size),
        };
        let loaded = source::load_cluster(&connection, &query).await?;
        Ok((namespace, loaded, connection))
    })
}

/// The DNS configuration, every stanza: `--corefile`, else the snapshot's CoreDNS ConfigMap,
/// else kubeadm's default; `--corefile-env` for its environment references; then
/// `--cluster-domain` and NodeLocal DNSCache on the primary stanza.
fn cluster_dns(
    cli: &Cli,
    snapshot: &crate::model::ClusterSnapshot,
) -> Result<(crate::model::ClusterDns, Vec<Note>), CliError> {
    let source = match &cli.corefile {
        Some(path) => Some(crate::model::CorefileSource {
            origin: ConfigOrigin::File {
                path: path.display().to_string(),
            },
            text: std::fs::read_to_string(path).map_err(|source| CliError::CorefileRead {
                path: path.display().to_string(),
                source,
            })?,
        }),
        None => snapshot.corefile.clone(),
    };
    let env: std::collections::BTreeMap<String, String> =
        cli.corefile_env.iter().cloned().collect();
    let (mut dns, mut notes) = match source {
        Some(source) => {
            let parsed = corefile::parse_with_env(&source.text, source.origin.clone(), &env)
                .map_err(|error| CliError::Corefile {
                    origin: source.origin,
                    error,
                })?;
            (parsed.dns, parsed.notes)
        }
        None => (
            crate::model::ClusterDns::single(corefile::kubeadm_default()),
            vec![Note::info(
                "no Corefile in the input: assuming kubeadm's default (zone cluster.local, reverse zones in-addr.arpa and ip6.arpa, pods insecure, ttl 30)",
            )],
        ),
    };
    // The release is the server's, so every stanza follows its rules.
    for stanza in &mut dns.stanzas {
        stanza.coredns_version = cli.coredns_version;
    }
    let primary = dns.primary;
    let Some(config) = dns.stanzas.get_mut(primary) else {
        return Ok((dns, notes));
    };
    if let (Some(text), Some(zone)) = (&snapshot.node_local_corefile, config.primary_zone()) {
        config.node_local = corefile::node_local_cache(text, zone);
    }
    if let Some(domain) = &cli.cluster_domain {
        let zone = DnsName::parse(domain)
            .ok()
            .filter(|z| !z.is_root())
            .ok_or_else(|| CliError::ClusterDomain(domain.clone()))?;
        let reverse: Vec<DnsName> = config
            .zones
            .iter()
            .filter(|z| is_reverse_zone(z))
            .cloned()
            .collect();
        config.zones = std::iter::once(zone.clone()).chain(reverse).collect();
        // The override stands for the cluster's real domain: its block receives it.
        if !config.server.receives(&zone) {
            config.server.zones.push(zone.clone());
        }
        notes.push(Note::info(format!(
            "--cluster-domain: serving {zone} instead of the Corefile's forward zones"
        )));
    }
    Ok((dns, notes))
}

/// How to reach the API server, from the connection flags: one place for the record view and
/// `explain`.
pub(crate) fn connect_options(cli: &Cli) -> source::ConnectOptions {
    source::ConnectOptions {
        kubeconfig: cli.kubeconfig.clone(),
        context: cli.context.clone(),
        cluster: cli.cluster.clone(),
        user: cli.user.clone(),
        namespace: cli.namespace.clone(),
        request_timeout: Some(cli.request_timeout),
        connect_timeout: Some(cli.connect_timeout),
        insecure_skip_tls_verify: cli.insecure_skip_tls_verify,
    }
}

/// `-f`: the manifests, in `-n`'s namespace (else `default`), refused beside connection flags.
pub(crate) fn load_manifests(cli: &Cli) -> Result<(String, source::Loaded), CliError> {
    if let Some(flag) = connection_flag(cli) {
        return Err(CliError::FilesAndCluster(flag));
    }
    let namespace = cli
        .namespace
        .clone()
        .unwrap_or_else(|| "default".to_string());
    let loaded = source::load_files(&cli.filenames, &namespace)?;
    Ok((namespace, loaded))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_progress_bar_only_on_a_terminal_and_for_long_runs() {
        assert!(show_progress(true, 10_000));
        assert!(show_progress(true, PROGRESS_FROM + 1));
        assert!(!show_progress(true, PROGRESS_FROM));
        assert!(!show_progress(false, 10_000));
    }
}
