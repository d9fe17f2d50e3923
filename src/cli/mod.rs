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

use std::io::Write;

use crate::analyze::SelectionError;
use crate::corefile;
use crate::model::Severity;
use crate::model::{
    ConfigOrigin, DnsConfig, DnsName, LabelSelector, NameKind, Note, Selection, Verification,
    is_reverse_zone, validate_name,
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
    let selector = cli
        .selector
        .as_deref()
        .map(LabelSelector::parse)
        .transpose()?;
    if cli.watch {
        return watch::records(cli, targets, selector, out);
    }
    let (
        namespace,
        Loaded {
            snapshot,
            notes: source_notes,
        },
    ) = if cli.filenames.is_empty() {
        load_live(cli, &targets)?
    } else {
        load_manifests(cli)?
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
    let mut report = crate::analyze_dns(&snapshot, &dns, &selection)?;
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
    let verification = if cli.verify {
        Some(verify_report(cli, &report)?)
    } else {
        None
    };
    match &shape {
        Some(shape) => {
            render::render_report(&report, verification.as_ref(), shape, options.headers, out)
        }
        None if !cli.label_columns.is_empty() => {
            let labels = label_columns(&cli.label_columns, &snapshot);
            let wide = format == Format::Wide;
            render::render_table(&report, verification.as_ref(), wide, options, &labels, out)
        }
        None => render::render_verified(&report, verification.as_ref(), format, options, out),
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
    let metadata = snapshot
        .services
        .iter()
        .map(|s| (Kind::Service, &s.metadata))
        .chain(snapshot.pods.iter().map(|p| (Kind::Pod, &p.metadata)));
    for (kind, meta) in metadata {
        let (Some(namespace), Some(name)) = (&meta.namespace, &meta.name) else {
            continue;
        };
        labels.insert(
            ObjectRef::new(kind, namespace, name),
            meta.labels.clone().unwrap_or_default(),
        );
    }
    render::LabelColumns {
        keys: keys.iter().map(|key| key.trim().to_string()).collect(),
        labels,
    }
}

/// Asks `--dns-server` the report's questions (`--verify`).
fn verify_report(cli: &Cli, report: &crate::model::Report) -> Result<Verification, CliError> {
    let Some(server) = cli.dns_server.clone() else {
        // clap requires --dns-server with --verify; the port-forward transport is not built yet.
        return Err(CliError::Verify(VerifyError::InvalidServer(String::new())));
    };
    let options = VerifyOptions {
        server,
        tcp: cli.tcp,
        timeout: cli.dns_timeout,
        concurrency: verify::CONCURRENCY,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    Ok(runtime.block_on(verify::verify(report, &options))?)
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
fn load_live(cli: &Cli, targets: &[crate::model::Target]) -> Result<(String, Loaded), CliError> {
    let options = connect_options(cli);
    // One thread is plenty: every request is in flight at once and the CPU work is the engine's.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    runtime.block_on(async {
        let connection = source::connect(&options).await?;
        // `-n` when given, else the context's: connect has checked whichever it is.
        let namespace = connection.namespace.clone();
        let query = source::LiveQuery {
            namespace: (!cli.all_namespaces).then(|| namespace.clone()),
            targets: targets.to_vec(),
        };
        let loaded = source::load_cluster(&connection, &query).await?;
        Ok((namespace, loaded))
    })
}

/// The primary stanza of the DNS configuration (see `cluster_dns`).
fn dns_config(
    cli: &Cli,
    snapshot: &crate::model::ClusterSnapshot,
) -> Result<(DnsConfig, Vec<Note>), CliError> {
    let (dns, notes) = cluster_dns(cli, snapshot)?;
    let config = dns
        .primary()
        .cloned()
        .unwrap_or_else(corefile::kubeadm_default);
    Ok((config, notes))
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
