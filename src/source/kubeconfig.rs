//! Connection flags → `kube::Client`, the way kubectl resolves them: `--kubeconfig`, else the
//! KUBECONFIG path list (merged, first wins, missing files ignored), else `~/.kube/config`, else
//! the in-cluster service account; then `--context`/`--cluster`/`--user`, `--request-timeout` and
//! `--insecure-skip-tls-verify`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

use super::SourceError;

/// kubectl's connection flags.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// `--kubeconfig`.
    pub kubeconfig: Option<PathBuf>,
    /// `--context`.
    pub context: Option<String>,
    /// `--cluster`.
    pub cluster: Option<String>,
    /// `--user`.
    pub user: Option<String>,
    /// `--request-timeout`; `None` or zero waits forever, as kubectl does.
    pub request_timeout: Option<Duration>,
    /// `--insecure-skip-tls-verify`.
    pub insecure_skip_tls_verify: bool,
}

/// A client and what the user needs to know about where it points.
pub struct Connection {
    /// The client.
    pub client: Client,
    /// The API server URL, for messages.
    pub server: String,
    /// The context's namespace, else `default`.
    pub namespace: String,
}

/// Resolves the configuration and builds a client. No request is sent.
pub async fn connect(options: &ConnectOptions) -> Result<Connection, SourceError> {
    let kube_options = KubeConfigOptions {
        context: options.context.clone(),
        cluster: options.cluster.clone(),
        user: options.user.clone(),
    };
    let mut config = match load_kubeconfig(options)? {
        Some((kubeconfig, origin)) => Config::from_custom_kubeconfig(kubeconfig, &kube_options)
            .await
            .map_err(|err| SourceError::Kubeconfig {
                origin,
                message: err.to_string(),
            })?,
        None => {
            if std::env::var_os("KUBERNETES_SERVICE_HOST").is_none() {
                return Err(SourceError::NoConfiguration);
            }
            Config::incluster().map_err(|err| SourceError::Kubeconfig {
                origin: "in-cluster configuration".to_string(),
                message: err.to_string(),
            })?
        }
    };
    if let Some(timeout) = options.request_timeout.filter(|t| !t.is_zero()) {
        config.connect_timeout = Some(timeout);
        config.read_timeout = Some(timeout);
        config.write_timeout = Some(timeout);
        config.reset_reader_on_write = true;
    }
    if options.insecure_skip_tls_verify {
        config.accept_invalid_certs = true;
    }
    let server = config
        .cluster_url
        .to_string()
        .trim_end_matches('/')
        .to_string();
    let namespace = config.default_namespace.clone();
    let client = Client::try_from(config).map_err(|err| SourceError::Tls {
        server: server.clone(),
        message: err.to_string(),
    })?;
    Ok(Connection {
        client,
        server,
        namespace,
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
            let origin = paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(":");
            let mut merged = Kubeconfig::default();
            for path in &paths {
                merged = merged
                    .merge(read(path)?)
                    .map_err(|err| SourceError::Kubeconfig {
                        origin: origin.clone(),
                        message: err.to_string(),
                    })?;
            }
            return Ok(Some((merged, origin)));
        }
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    match home.map(|h| h.join(".kube").join("config")) {
        Some(path) if path.exists() => read(&path).map(|k| Some((k, path.display().to_string()))),
        _ => Ok(None),
    }
}

fn read(path: &Path) -> Result<Kubeconfig, SourceError> {
    Kubeconfig::read_from(path).map_err(|err| SourceError::Kubeconfig {
        origin: path.display().to_string(),
        message: one_line(&err.to_string()),
    })
}

fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(message)
        .to_string()
}

/// Parses kubectl's `--request-timeout` values: a bare number of seconds, or a number with
/// `ms`, `s`, `m` or `h` (`0` means no timeout).
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("invalid duration {text:?}: use e.g. 10s, 500ms or 1m"))?;
    let seconds = match unit {
        "" | "s" => value,
        "ms" => value / 1000.0,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        _ => {
            return Err(format!(
                "invalid duration {text:?}: use e.g. 10s, 500ms or 1m"
            ));
        }
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("invalid duration {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_timeout("5").unwrap(), Duration::from_secs(5));
        assert_eq!(parse_timeout("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_timeout("1m").unwrap(), Duration::from_secs(60));
        assert!(parse_timeout("soon").is_err());
        assert!(parse_timeout("5d").is_err());
    }
}
