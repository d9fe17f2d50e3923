//! Shell completion through kubectl (1.26+): kubectl runs `kubectl_complete-dnsrecords ARGS…`
//! (shipped beside the binary, it calls `kubectl-dnsrecords __complete ARGS…`) and reads Cobra's
//! protocol back — one candidate per line, then `:<directive>`. Candidates come from `-f` files
//! when given, else from the live cluster; a failure to reach it completes nothing rather than
//! printing an error into the user's shell.

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Namespace, Pod, Service};
use kube::api::{Api, ListParams};
use kube::config::Kubeconfig;

use crate::model::Metadata;
use crate::render::escape;
use crate::source::{self, ConnectOptions};

/// Cobra's directive: don't fall back to file names.
const NO_FILE_COMP: u8 = 4;
/// Cobra's directive: don't add a space after the candidate (`svc/`).
const NO_SPACE: u8 = 2;
/// Cobra's directive: default behaviour (file names allowed).
const DEFAULT: u8 = 0;

/// A flag of the command or one of its subcommands, as clap knows it (the list `--help`
/// prints): a hand-kept list fell behind every new flag.
struct Flag {
    /// `--long` or `-s`.
    spelling: String,
    /// Whether the next word is its value.
    takes_value: bool,
}

fn flags() -> Vec<Flag> {
    let mut command = <super::Cli as clap::CommandFactory>::command();
    command.build();
    let mut flags = Vec::new();
    let commands = std::iter::once(&command).chain(command.get_subcommands());
    for arg in commands.flat_map(clap::Command::get_arguments) {
        if arg.is_positional() || arg.is_hide_set() {
            continue;
        }
        let takes_value = arg.get_action().takes_values();
        let spellings = (arg.get_long().map(|long| format!("--{long}")).into_iter())
            .chain(arg.get_short().map(|short| format!("-{short}")));
        flags.extend(spellings.map(|spelling| Flag {
            spelling,
            takes_value,
        }));
    }
    flags.sort_by(|a, b| a.spelling.cmp(&b.spelling));
    flags.dedup_by(|a, b| a.spelling == b.spelling);
    flags
}

/// What the words typed so far say about the connection and the input.
#[derive(Default)]
struct Typed {
    /// The `explain` subcommand was typed.
    explain: bool,
    /// The `docs` subcommand was typed.
    docs: bool,
    /// A positional word (a target) was typed.
    positional: bool,
    namespace: Option<String>,
    files: Vec<PathBuf>,
    connect: ConnectOptions,
}

fn parse_typed(words: &[String], flags: &[Flag]) -> Typed {
    let mut typed = Typed::default();
    let mut iter = words.iter();
    while let Some(word) = iter.next() {
        let (flag, inline) = match word.split_once('=') {
            Some((flag, value)) if word.starts_with("--") => (flag, Some(value.to_string())),
            _ => (word.as_str(), None),
        };
        let mut value = || inline.clone().or_else(|| iter.next().cloned());
        match flag {
            "-n" | "--namespace" => typed.namespace = value(),
            "-f" | "--filename" => typed.files.extend(value().map(PathBuf::from)),
            "--kubeconfig" => typed.connect.kubeconfig = value().map(PathBuf::from),
            "--context" => typed.connect.context = value(),
            "--cluster" => typed.connect.cluster = value(),
            "--user" => typed.connect.user = value(),
            // A flag whose value is the next word: that word is no positional.
            flag if flags.iter().any(|f| f.takes_value && f.spelling == flag) => {
                let _ = value();
            }
            "explain" if !typed.positional => typed.explain = true,
            "docs" if !typed.positional => typed.docs = true,
            other if !other.starts_with('-') => typed.positional = true,
            _ => {}
        }
    }
    typed
}

/// Completes the last of `words` (the word being typed; empty after a space).
pub fn complete(words: &[String], out: &mut dyn Write) -> io::Result<()> {
    let (current, before) = match words.split_last() {
        Some((current, before)) => (current.as_str(), before),
        None => ("", &[][..]),
    };
    let flags = flags();
    let typed = parse_typed(before, &flags);
    let previous = before.last().map(String::as_str);
    let (candidates, directive): (Vec<String>, u8) = match previous {
        Some("-o" | "--output") if current.contains('=') => (Vec::new(), DEFAULT),
        Some("-o" | "--output") => (
            words_of(&[
                "table",
                "wide",
                "json",
                "yaml",
                "zone",
                "jsonpath=",
                "jsonpath-file=",
                "custom-columns=",
                "custom-columns-file=",
            ]),
            NO_FILE_COMP,
        ),
        Some("--sort-by") => (
            words_of(&[
                ".name",
                ".type",
                ".ttl",
                ".data",
                ".source.kind",
                ".source.pod",
            ]),
            NO_FILE_COMP,
        ),
        Some("-L" | "--label-columns") => (Vec::new(), NO_FILE_COMP),
        Some("--color") => (words_of(&["auto", "always", "never"]), NO_FILE_COMP),
        Some("--fail-on") => (words_of(&["error", "warning", "never"]), NO_FILE_COMP),
        Some("--type") => (
            words_of(&[
                "A", "AAAA", "SRV", "PTR", "CNAME", "TXT", "NS", "SOA", "ANY",
            ]),
            NO_FILE_COMP,
        ),
        Some("--from") => (
            pod_names(&typed)
                .into_iter()
                .map(|n| format!("pod/{n}"))
                .collect(),
            NO_FILE_COMP,
        ),
        Some("--node-search") => (Vec::new(), NO_FILE_COMP),
        Some("-f" | "--filename" | "--kubeconfig" | "--corefile") => (Vec::new(), DEFAULT),
        Some("-n" | "--namespace") => (namespaces(&typed), NO_FILE_COMP),
        Some("--context" | "--cluster" | "--user") => (
            kubeconfig_names(&typed, previous.unwrap_or_default()),
            NO_FILE_COMP,
        ),
        _ if current.starts_with('-') => (
            flags.into_iter().map(|flag| flag.spelling).collect(),
            NO_FILE_COMP,
        ),
        _ => match current.split_once('/') {
            Some((resource, _)) => {
                let names = match resource {
                    "svc" | "service" | "services" => service_names(&typed),
                    "sts" | "statefulset" | "statefulsets" | "statefulset.apps"
                    | "statefulsets.apps" => stateful_set_names(&typed),
                    _ => Vec::new(),
                };
                (
                    names
                        .into_iter()
                        .map(|n| format!("{resource}/{n}"))
                        .collect(),
                    NO_FILE_COMP,
                )
            }
            // After `explain` comes the name to explain: nothing to offer from the objects.
            None if typed.explain => (Vec::new(), NO_FILE_COMP),
            // After `docs` comes one finding id, and nothing after it.
            None if typed.docs && !typed.positional => (
                crate::model::FindingId::ALL
                    .iter()
                    .map(|id| id.id().to_string())
                    .collect(),
                NO_FILE_COMP,
            ),
            None if typed.docs => (Vec::new(), NO_FILE_COMP),
            None => {
                let mut candidates = words_of(&["svc/", "sts/"]);
                if !typed.positional {
                    candidates.push("explain".to_string());
                    candidates.push("docs".to_string());
                }
                candidates.extend(service_names(&typed));
                (candidates, NO_FILE_COMP | NO_SPACE)
            }
        },
    };
    // A name that needs escaping is left out rather than escaped: the shell inserts a candidate
    // as typed, so an escaped spelling would name another object, and a raw one could end its line
    // early (a newline followed by `:4` is a forged directive) or write to the terminal.
    for candidate in candidates
        .iter()
        .filter(|c| c.starts_with(current) && escape::is_plain(c))
    {
        writeln!(out, "{candidate}")?;
    }
    writeln!(out, ":{directive}")
}

fn words_of(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

fn kubeconfig_names(typed: &Typed, flag: &str) -> Vec<String> {
    let config = match &typed.connect.kubeconfig {
        Some(path) => Kubeconfig::read_from(path).ok(),
        None => Kubeconfig::read().ok(),
    };
    let Some(config) = config else {
        return Vec::new();
    };
    match flag {
        "--context" => config.contexts.into_iter().map(|c| c.name).collect(),
        "--cluster" => config.clusters.into_iter().map(|c| c.name).collect(),
        _ => config.auth_infos.into_iter().map(|u| u.name).collect(),
    }
}

/// Names of one kind, from `-f` files or the live cluster (namespace from `-n` or the context).
fn names_of(
    typed: &Typed,
    offline: impl Fn(&crate::model::ClusterSnapshot, &str) -> Vec<String>,
    live: Live,
) -> Vec<String> {
    if !typed.files.is_empty() {
        let namespace = typed
            .namespace
            .clone()
            .unwrap_or_else(|| "default".to_string());
        return source::load_files(&typed.files, &namespace)
            .map(|loaded| offline(&loaded.snapshot, &namespace))
            .unwrap_or_default();
    }
    let mut options = typed.connect.clone();
    options.request_timeout = Some(Duration::from_secs(5));
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return Vec::new();
    };
    runtime.block_on(async {
        let Ok(connection) = source::connect(&options).await else {
            return Vec::new();
        };
        let namespace = typed
            .namespace
            .clone()
            .unwrap_or(connection.namespace.clone());
        let client = connection.client.clone();
        match live {
            Live::Services => list_names(Api::<Service>::namespaced(client, &namespace)).await,
            Live::StatefulSets => {
                list_names(Api::<StatefulSet>::namespaced(client, &namespace)).await
            }
            Live::Namespaces => list_names(Api::<Namespace>::all(client)).await,
            Live::Pods => list_names(Api::<Pod>::namespaced(client, &namespace)).await,
        }
    })
}

/// The names of one list; nothing when it fails (completion never prints errors).
async fn list_names<K>(api: Api<K>) -> Vec<String>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    api.list(&ListParams::default())
        .await
        .map(|list| {
            list.items
                .iter()
                .filter_map(|item| item.meta().name.clone())
                .collect()
        })
        .unwrap_or_default()
}

enum Live {
    Services,
    StatefulSets,
    Namespaces,
    Pods,
}

fn in_namespace(meta: &impl Metadata, namespace: &str) -> Option<String> {
    (meta.namespace().unwrap_or("default") == namespace).then(|| meta.name().map(str::to_string))?
}

fn service_names(typed: &Typed) -> Vec<String> {
    names_of(
        typed,
        |snapshot, ns| {
            snapshot
                .services
                .iter()
                .filter_map(|s| in_namespace(&s.metadata, ns))
                .collect()
        },
        Live::Services,
    )
}

fn stateful_set_names(typed: &Typed) -> Vec<String> {
    names_of(
        typed,
        |snapshot, ns| {
            snapshot
                .stateful_sets
                .iter()
                .filter_map(|s| in_namespace(&s.metadata, ns))
                .collect()
        },
        Live::StatefulSets,
    )
}

fn pod_names(typed: &Typed) -> Vec<String> {
    names_of(
        typed,
        |snapshot, ns| {
            snapshot
                .pods
                .iter()
                .filter_map(|p| in_namespace(&p.metadata, ns))
                .collect()
        },
        Live::Pods,
    )
}

fn namespaces(typed: &Typed) -> Vec<String> {
    names_of(
        typed,
        |snapshot, _| {
            let mut names: Vec<String> = snapshot
                .services
                .iter()
                .filter_map(|s| s.metadata.namespace.clone())
                .chain(
                    snapshot
                        .pods
                        .iter()
                        .filter_map(|p| p.metadata.namespace.clone()),
                )
                .collect();
            names.sort();
            names.dedup();
            names
        },
        Live::Namespaces,
    )
}
