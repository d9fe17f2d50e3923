//! Connection flags → `kube::Client`, the way kubectl resolves them: `--kubeconfig`, else the
//! KUBECONFIG path list (merged, first wins, missing files ignored), else `~/.kube/config`, else
//! the in-cluster service account; then `--context`/`--cluster`/`--user` (each must name an entry
//! the kubeconfig has), the timeouts, `--insecure-skip-tls-verify` and our User-Agent. No request
//! is sent here; an exec credential plugin may run.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use kube::{Client, Config};

use super::SourceError;
use super::error::KubeconfigEntry;
use super::list::classify_setup;
use crate::model::{NameKind, validate_name};

/// How long connecting (TCP and the TLS handshake) may take unless `--connect-timeout` says
/// otherwise: client-go's dial timeout, and kube's default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// kubectl's connection flags, plus `--connect-timeout`.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// `--kubeconfig`.
    pub kubeconfig: Option<PathBuf>,
    /// `--context`.
    pub context: Option<String>,
    /// `--cluster`.
    pub cluster: Option<String>,
    /// `--user`.
    pub user: Option<String>,
    /// `-n`: replaces the context's namespace, which is then neither used nor checked.
    pub namespace: Option<String>,
    /// `--request-timeout`: how long to wait for the server to answer each request, or to send
    /// more of its answer. `None` or zero waits forever, as kubectl does.
    pub request_timeout: Option<Duration>,
    /// `--connect-timeout`: how long connecting (TCP and the TLS handshake) may take. `None` or
    /// zero waits forever; a shorter `request_timeout` also bounds it.
    pub connect_timeout: Option<Duration>,
    /// `--insecure-skip-tls-verify`.
    pub insecure_skip_tls_verify: bool,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            kubeconfig: None,
            context: None,
            cluster: None,
            user: None,
            namespace: None,
            request_timeout: None,
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            insecure_skip_tls_verify: false,
        }
    }
}

/// What the error messages about a request need to know: where it went, as whom, and which
/// limits applied.
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    /// The API server URL.
    pub server: String,
    /// The kubeconfig user, if any.
    pub user: Option<String>,
    /// The user's exec credential plugin, if it has one.
    pub exec_command: Option<String>,
    /// `--request-timeout`, when not zero.
    pub request_timeout: Option<Duration>,
    /// The connect timeout in force and the flag that set it, when there is one.
    pub connect_limit: Option<(Duration, &'static str)>,
}

/// A client and what the user needs to know about where it points.
pub struct Connection {
    /// The client.
    pub client: Client,
    /// The API server URL, for messages.
    pub server: String,
    /// `-n`, else the context's namespace, else `default`; checked to be a valid namespace
    /// name, so it can go into a request path.
    pub namespace: String,
    /// For classifying the errors of requests sent with `client`.
    pub context: RequestContext,
    /// Whether the configuration is the in-cluster service account's: the tool runs in a pod.
    pub in_cluster: bool,
}

/// Resolves the configuration and builds a client. No request is sent.
pub async fn connect(options: &ConnectOptions) -> Result<Connection, SourceError> {
    let kube_options = KubeConfigOptions {
        context: options.context.clone(),
        cluster: options.cluster.clone(),
        user: options.user.clone(),
    };
    let (mut config, selected, in_cluster) = match load_kubeconfig(options)? {
        Some((kubeconfig, origin)) => {
            let selected = select(&kubeconfig, &origin, options)?;
            let config = Config::from_custom_kubeconfig(kubeconfig, &kube_options)
                .await
                .map_err(|source| SourceError::Kubeconfig { origin, source })?;
            (config, selected, false)
        }
        None => {
            if std::env::var_os("KUBERNETES_SERVICE_HOST").is_none() {
                return Err(SourceError::NoConfiguration);
            }
            let config = Config::incluster().map_err(|source| SourceError::InCluster { source })?;
            let selected = Selected {
                origin: "the in-cluster service account".to_string(),
                user: None,
            };
            (config, selected, true)
        }
    };
    let namespace = match &options.namespace {
        Some(namespace) => {
            validate_name(NameKind::Namespace, namespace)?;
            namespace.clone()
        }
        None => {
            validate_name(NameKind::Namespace, &config.default_namespace).map_err(|error| {
                SourceError::ContextNamespace {
                    origin: selected.origin.clone(),
                    error,
                }
            })?;
            config.default_namespace.clone()
        }
    };
    // kube's default namespace for `Api::default_namespaced`: never used here, but kept valid.
    config.default_namespace = namespace.clone();

    let (request_timeout, connect_limit) = apply_timeouts(&mut config, options);
    if options.insecure_skip_tls_verify {
        config.accept_invalid_certs = true;
    }
    // The version, OS and architecture are ASCII, so the header value always builds.
    if let Ok(agent) = http::HeaderValue::from_str(&user_agent()) {
        config.headers.push((http::header::USER_AGENT, agent));
    }

    let server = config
        .cluster_url
        .to_string()
        .trim_end_matches('/')
        .to_string();
    let context = RequestContext {
        server: server.clone(),
        user: selected.user,
        exec_command: config
            .auth_info
            .exec
            .as_ref()
            .and_then(|exec| exec.command.clone()),
        request_timeout,
        connect_limit,
    };
    let client = Client::try_from(config).map_err(|err| classify_setup(err, &context))?;
    Ok(Connection {
        client,
        server,
        namespace,
        context,
        in_cluster,
    })
}

/// `kubectl-dnsrecords/VERSION (OS/ARCH)`, with Go's OS and architecture names as kubectl's own
/// User-Agent has them (`linux/amd64`), so audit logs can tell our requests apart.
pub fn user_agent() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    };
    format!(
        "kubectl-dnsrecords/{} ({os}/{arch})",
        env!("CARGO_PKG_VERSION")
    )
}

/// Sets kube's timers from the flags and returns what the error messages need: the request
/// timeout and the connect limit with the flag that set it. Zero means no limit at all: kube's
/// own defaults (30 s to connect, 295 s to write) are replaced, not kept.
fn apply_timeouts(
    config: &mut Config,
    options: &ConnectOptions,
) -> (Option<Duration>, Option<(Duration, &'static str)>) {
    let request_timeout = options.request_timeout.filter(|t| !t.is_zero());
    let connect_limit = connect_limit(options.connect_timeout, request_timeout);
    config.connect_timeout = connect_limit.map(|(limit, _)| limit);
    config.read_timeout = request_timeout;
    config.write_timeout = request_timeout;
    // The read timer then counts from when a request was written, not from when its pooled
    // connection went idle.
    config.reset_reader_on_write = request_timeout.is_some();
    (request_timeout, connect_limit)
}

/// The connect timeout in force: `--connect-timeout`, or `--request-timeout` when it is shorter
/// (a request cannot wait longer than its own limit just because it is still connecting).
fn connect_limit(
    connect: Option<Duration>,
    request: Option<Duration>,
) -> Option<(Duration, &'static str)> {
    let connect = connect
        .filter(|t| !t.is_zero())
        .map(|t| (t, "--connect-timeout"));
    let request = request.map(|t| (t, "--request-timeout"));
    match (connect, request) {
        (Some(c), Some(r)) => Some(if r.0 < c.0 { r } else { c }),
        (c, r) => c.or(r),
    }
}

/// The context the flags and the kubeconfig select, checked before kube resolves it (kube
/// silently ignores a `--user` that names no user and sends the requests without credentials).
struct Selected {
    /// Where the namespace came from, for its error.
    origin: String,
    /// The user name, if any.
    user: Option<String>,
}

fn select(
    kubeconfig: &Kubeconfig,
    origin: &str,
    options: &ConnectOptions,
) -> Result<Selected, SourceError> {
    let unknown = |entry, name: &str, known: Vec<String>| SourceError::UnknownEntry {
        entry,
        name: name.to_string(),
        origin: origin.to_string(),
        known,
    };
    let contexts: Vec<String> = kubeconfig.contexts.iter().map(|c| c.name.clone()).collect();
    let Some(context_name) = options.context.clone().or_else(|| {
        kubeconfig
            .current_context
            .clone()
            .filter(|name| !name.is_empty())
    }) else {
        return Err(SourceError::NoCurrentContext {
            origin: origin.to_string(),
            contexts,
        });
    };
    let Some(context) = kubeconfig
        .contexts
        .iter()
        .find(|c| c.name == context_name)
        .and_then(|c| c.context.as_ref())
    else {
        return Err(unknown(KubeconfigEntry::Context, &context_name, contexts));
    };
    let cluster = options.cluster.as_ref().unwrap_or(&context.cluster);
    if !kubeconfig.clusters.iter().any(|c| &c.name == cluster) {
        let known = kubeconfig.clusters.iter().map(|c| c.name.clone()).collect();
        return Err(unknown(KubeconfigEntry::Cluster, cluster, known));
    }
    // Only a --user flag must exist: a context whose user is missing connects anonymously, as
    // client-go does.
    if let Some(user) = &options.user
        && !kubeconfig.auth_infos.iter().any(|u| &u.name == user)
    {
        let known = kubeconfig
            .auth_infos
            .iter()
            .map(|u| u.name.clone())
            .collect();
        return Err(unknown(KubeconfigEntry::User, user, known));
    }
    Ok(Selected {
        origin: format!("kubeconfig context {context_name:?}"),
        user: options.user.clone().or_else(|| context.user.clone()),
    })
}

/// The kubeconfig to use and a description of where it came from, or `None` for in-cluster.
fn load_kubeconfig(options: &ConnectOptions) -> Result<Option<(Kubeconfig, String)>, SourceError> {
    if let Some(path) = &options.kubeconfig {
        return read(path).map(|k| Some((k, path.display().to_string())));
    }
    if let Some(list) = std::env::var_os("KUBECONFIG") {
        let paths: Vec<PathBuf> = std::env::split_paths(&list)
            .filter(|p| !p.as_os_str().is_empty() && p.exists())
            .collect();
        if !paths.is_empty() {
            // Named as the user wrote the list: `;`-separated on Windows, `:` elsewhere.
            let separator = if cfg!(windows) { ";" } else { ":" };
            let origin = paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(separator);
            let mut merged = Kubeconfig::default();
            for path in &paths {
                merged = merged
                    .merge(read(path)?)
                    .map_err(|source| SourceError::Kubeconfig {
                        origin: origin.clone(),
                        source,
                    })?;
            }
            return Ok(Some((merged, origin)));
        }
    }
    // `home_dir` reads HOME on Unix and the user profile on Windows (where HOME is usually
    // unset), as kubectl finds `~/.kube/config` on both.
    match std::env::home_dir().map(|h| h.join(".kube").join("config")) {
        Some(path) if path.exists() => read(&path).map(|k| Some((k, path.display().to_string()))),
        _ => Ok(None),
    }
}

fn read(path: &Path) -> Result<Kubeconfig, SourceError> {
    let origin = path.display().to_string();
    Kubeconfig::read_from(path).map_err(|source| match source {
        KubeconfigError::ReadConfig(..) => SourceError::KubeconfigRead { origin, source },
        _ => SourceError::Kubeconfig { origin, source },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kubeconfig() -> Kubeconfig {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "prod", "cluster": {"server": "https://10.0.0.1:6443"}}],
            "users": [{"name": "alice", "user": {"token": "t"}}, {"name": "bob", "user": {"token": "u"}}],
            "contexts": [{"name": "work", "context": {"cluster": "prod", "user": "alice"}}],
            "current-context": "work",
        }))
        .expect("a kubeconfig")
    }

    fn select_with(options: ConnectOptions) -> Result<Selected, String> {
        select(&kubeconfig(), "config", &options)
            .map_err(|err| format!("{err} / {}", err.hint().unwrap_or_default()))
    }

    #[test]
    fn flags_must_name_entries_that_exist() {
        let user = select_with(ConnectOptions {
            user: Some("carol".to_string()),
            ..ConnectOptions::default()
        });
        assert_eq!(
            user.err().as_deref(),
            Some(
                r#"user "carol" does not exist in the kubeconfig config / pick one with --user (its users: "alice", "bob")"#
            )
        );
        let context = select_with(ConnectOptions {
            context: Some("home".to_string()),
            ..ConnectOptions::default()
        });
        assert_eq!(
            context.err().as_deref(),
            Some(
                r#"context "home" does not exist in the kubeconfig config / pick one with --context (its contexts: "work")"#
            )
        );
        let cluster = select_with(ConnectOptions {
            cluster: Some("staging".to_string()),
            ..ConnectOptions::default()
        });
        assert_eq!(
            cluster.err().as_deref(),
            Some(
                r#"cluster "staging" does not exist in the kubeconfig config / pick one with --cluster (its clusters: "prod")"#
            )
        );
        let chosen = select_with(ConnectOptions {
            user: Some("bob".to_string()),
            ..ConnectOptions::default()
        })
        .map(|s| (s.origin, s.user));
        assert_eq!(
            chosen,
            Ok((
                r#"kubeconfig context "work""#.to_string(),
                Some("bob".to_string())
            ))
        );
    }

    #[test]
    fn the_shorter_timeout_bounds_connecting() {
        let secs = Duration::from_secs;
        assert_eq!(
            connect_limit(Some(secs(30)), None),
            Some((secs(30), "--connect-timeout"))
        );
        assert_eq!(
            connect_limit(Some(secs(30)), Some(secs(5))),
            Some((secs(5), "--request-timeout"))
        );
        assert_eq!(
            connect_limit(Some(secs(3)), Some(secs(5))),
            Some((secs(3), "--connect-timeout"))
        );
        // Both zero (or absent): no limit at all.
        assert_eq!(connect_limit(Some(Duration::ZERO), None), None);
        assert_eq!(
            connect_limit(Some(Duration::ZERO), Some(secs(5))),
            Some((secs(5), "--request-timeout"))
        );
    }

    #[test]
    fn zero_timeouts_leave_no_timer_at_all() {
        let mut config = Config::new(http::Uri::from_static("https://10.0.0.1:6443"));
        // kube starts with its own limits; zero on both flags must remove every one of them.
        assert!(config.connect_timeout.is_some() && config.write_timeout.is_some());
        let options = ConnectOptions {
            request_timeout: Some(Duration::ZERO),
            connect_timeout: Some(Duration::ZERO),
            ..ConnectOptions::default()
        };
        assert_eq!(apply_timeouts(&mut config, &options), (None, None));
        assert_eq!(
            (
                config.connect_timeout,
                config.read_timeout,
                config.write_timeout
            ),
            (None, None, None)
        );
        // A request timeout of 5 s: reads and writes wait 5 s, connecting too (shorter than 30 s).
        let options = ConnectOptions {
            request_timeout: Some(Duration::from_secs(5)),
            ..ConnectOptions::default()
        };
        apply_timeouts(&mut config, &options);
        let five = Some(Duration::from_secs(5));
        assert_eq!(
            (
                config.connect_timeout,
                config.read_timeout,
                config.write_timeout
            ),
            (five, five, five)
        );
        assert!(config.reset_reader_on_write);
    }

    #[test]
    fn user_agent_names_the_plugin_its_version_and_platform() {
        let agent = user_agent();
        let version = env!("CARGO_PKG_VERSION");
        assert!(
            agent.starts_with(&format!("kubectl-dnsrecords/{version} (")),
            "{agent}"
        );
        assert!(agent.ends_with(')') && agent.contains('/'), "{agent}");
        if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
            assert_eq!(agent, format!("kubectl-dnsrecords/{version} (linux/amd64)"));
        }
    }
}
