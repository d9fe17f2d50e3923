//! Command-line flags, named and behaving as kubectl's wherever kubectl has the same flag.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

/// Output formats of `-o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Table of records (default).
    Table,
    /// Table with the object behind each record.
    Wide,
    /// JSON document (schema dnsrecords/v1).
    Json,
    /// YAML document (schema dnsrecords/v1).
    Yaml,
    /// Zone file sections, loadable by standard DNS servers.
    Zone,
}

/// `-o`: a format, or one of kubectl's user-shaped outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The format; `Json` for the shapes, which are computed from the JSON document.
    pub format: OutputFormat,
    /// `jsonpath=…`, `custom-columns=…` and their `-file=` forms, as typed.
    pub shape: Option<ShapeSpec>,
}

/// kubectl's user-shaped outputs, as given on the command line (files are read by the command).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShapeSpec {
    /// `jsonpath=TEMPLATE`.
    JsonPath(String),
    /// `jsonpath-file=FILE`.
    JsonPathFile(PathBuf),
    /// `custom-columns=HEADER:PATH,…`.
    CustomColumns(String),
    /// `custom-columns-file=FILE`.
    CustomColumnsFile(PathBuf),
}

impl Output {
    /// A plain format.
    pub const fn format(format: OutputFormat) -> Self {
        Output {
            format,
            shape: None,
        }
    }
}

/// Parses `-o` as kubectl does: a format name, or `jsonpath=`, `jsonpath-file=`,
/// `custom-columns=`, `custom-columns-file=` with their argument.
pub fn parse_output(text: &str) -> Result<Output, String> {
    const FORMATS: &str = "table, wide, json, yaml, zone, jsonpath=TEMPLATE, jsonpath-file=FILE, custom-columns=SPEC, custom-columns-file=FILE";
    let shaped = |shape: ShapeSpec| Output {
        format: OutputFormat::Json,
        shape: Some(shape),
    };
    if let Some((kind, argument)) = text.split_once('=') {
        if argument.is_empty() {
            return Err(format!("-o {kind}= needs its argument after the ="));
        }
        return match kind {
            "jsonpath" => Ok(shaped(ShapeSpec::JsonPath(argument.to_string()))),
            "jsonpath-file" => Ok(shaped(ShapeSpec::JsonPathFile(argument.into()))),
            "custom-columns" => Ok(shaped(ShapeSpec::CustomColumns(argument.to_string()))),
            "custom-columns-file" => Ok(shaped(ShapeSpec::CustomColumnsFile(argument.into()))),
            _ => Err(format!(
                "{kind:?} takes no argument; -o is one of {FORMATS}"
            )),
        };
    }
    match text {
        "jsonpath" | "jsonpath-file" | "custom-columns" | "custom-columns-file" => Err(format!(
            "-o {text} needs its argument: -o {text}=…, e.g. -o jsonpath='{{.records[*].name}}'"
        )),
        _ => OutputFormat::from_str(text, false)
            .map(Output::format)
            .map_err(|_| format!("{text:?} is not an output format; use one of {FORMATS}")),
    }
}

/// The finding severity at which the exit code becomes 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Exit 1 when an error finding exists.
    Error,
    /// Exit 1 when a warning or error finding exists.
    Warning,
    /// Exit 0 whatever the findings.
    Never,
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

const EXAMPLES: &str = "\
Examples:
  # Records CoreDNS serves for a headless Service, its pods and their PTRs
  kubectl dnsrecords svc/redis-headless -n cache

  # A StatefulSet's governing Service and its pods' names
  kubectl dnsrecords sts/kafka -n streaming

  # Every record in the cluster as zone files
  kubectl dnsrecords -A -o zone

  # Offline, from manifests (no cluster needed)
  kubectl dnsrecords -f examples/redis-statefulset.yaml -n cache svc/redis-headless

  # One field per line, kubectl-style
  kubectl dnsrecords -n cache sts/redis -o jsonpath='{range .records[*]}{.name}{\"\\n\"}{end}'

  # What a finding means and how to fix it
  kubectl dnsrecords docs missing-hostname

What is read from the cluster (GET and LIST only, WATCH with --watch, a pods/portforward with\n--verify from outside the cluster; never Secrets):
  svc/NAME   the Service and its EndpointSlices, the namespace's StatefulSets, Pods and
             NetworkPolicies, each list whole, and its Namespace object: one round trip
             however large the namespace
  sts/NAME   the StatefulSet, the namespace's Services, EndpointSlices, StatefulSets, Pods and
             NetworkPolicies, each list whole: one round trip
  -n NS      the namespace's Services, EndpointSlices, StatefulSets, Pods and NetworkPolicies,
             in pages of 500 (--chunk-size) as kubectl lists, and its Namespace object
  -A         the same in every namespace, and the Namespace list
  every run  kube-system's CoreDNS and NodeLocal ConfigMaps, the kube-dns Service, its
             EndpointSlices, the DNS Pods and Deployments
  Pods are decoded into only the fields DNS reads (labels, owner, hostname, subdomain, DNS
  settings, images, phase, IPs, readiness).";

/// Print exactly the DNS records CoreDNS serves for Services and Pods, and why a name does not
/// resolve.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl-dnsrecords",
    bin_name = "kubectl dnsrecords",
    version,
    about = "Print exactly the DNS records cluster DNS (CoreDNS) serves for Services and Pods.",
    disable_help_subcommand = true,
    after_help = EXAMPLES
)]
pub struct Cli {
    /// What to show: svc/NAME (also service/, services/), sts/NAME (also statefulset/), or a
    /// bare Service NAME; none means every Service in the namespace.
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,

    /// A subcommand (`explain`) instead of the record list.
    #[command(subcommand)]
    pub command: Option<super::explain::Command>,

    /// Read objects from manifest files instead of a cluster: a file, a directory (recursive),
    /// or - for stdin. Repeatable.
    #[arg(short = 'f', long = "filename", value_name = "PATH", global = true)]
    pub filenames: Vec<PathBuf>,

    /// Read the Corefile from FILE instead of the kube-system/coredns ConfigMap.
    #[arg(long, value_name = "FILE", global = true)]
    pub corefile: Option<PathBuf>,

    /// The value an environment variable has in the CoreDNS container, for the Corefile's
    /// `{$NAME}` and `{%NAME%}` references (repeatable); unknown ones read as unset.
    #[arg(long = "corefile-env", value_name = "NAME=VALUE", global = true, value_parser = parse_env_pair)]
    pub corefile_env: Vec<(String, String)>,

    /// Serve this cluster domain instead of the Corefile's forward zones.
    #[arg(long, value_name = "DOMAIN", global = true)]
    pub cluster_domain: Option<String>,

    /// Follow this CoreDNS release's record rules (e.g. 1.11.4) instead of the release the
    /// cluster's DNS image names; without either, the newest release's rules apply.
    #[arg(long, value_name = "VERSION", global = true, value_parser = parse_coredns_version)]
    pub coredns_version: Option<crate::model::CoreDnsVersion>,

    /// The namespace scope for this request.
    #[arg(short = 'n', long, value_name = "NAMESPACE", global = true)]
    pub namespace: Option<String>,

    /// List records for Services across all namespaces.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,

    /// Label selector on Services (e.g. -l app=redis,tier!=cache).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Output format: table, wide, json, yaml, zone, jsonpath=TEMPLATE, jsonpath-file=FILE,
    /// custom-columns=HEADER:PATH,... or custom-columns-file=FILE (kubectl's syntax, over the
    /// JSON document).
    #[arg(short = 'o', long, value_name = "FORMAT", default_value = "table", value_parser = parse_output, global = true)]
    pub output: Output,

    /// Sort the records by this JSONPath on each record's JSON form (e.g. .name, .ttl,
    /// '{.source.pod}'), as kubectl's --sort-by sorts items.
    #[arg(long, value_name = "JSONPATH")]
    pub sort_by: Option<String>,

    /// Show these labels of the object behind each record (its Pod, else its Service) as
    /// columns of the table: comma-separated or repeated.
    #[arg(
        short = 'L',
        long = "label-columns",
        value_name = "LABEL,...",
        value_delimiter = ','
    )]
    pub label_columns: Vec<String>,

    /// Colour the output: auto, always or never. NO_COLOR is honoured in auto.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// Exit with 1 when a finding at or above this severity exists.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// Don't print the table's header row.
    #[arg(long, global = true)]
    pub no_headers: bool,

    /// Path to the kubeconfig file to use.
    #[arg(long, value_name = "PATH", global = true)]
    pub kubeconfig: Option<PathBuf>,

    /// The name of the kubeconfig context to use.
    #[arg(long, value_name = "NAME", global = true)]
    pub context: Option<String>,

    /// The name of the kubeconfig cluster to use.
    #[arg(long, value_name = "NAME", global = true)]
    pub cluster: Option<String>,

    /// The name of the kubeconfig user to use.
    #[arg(long, value_name = "NAME", global = true)]
    pub user: Option<String>,

    /// How long to wait for the server's answer to each request (e.g. 30s, 1m, 2h; a bare
    /// number is seconds); 0 waits forever.
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = parse_duration, global = true)]
    pub request_timeout: Duration,

    /// How long connecting to the server (TCP and TLS handshake) may take; 0 waits forever. A
    /// shorter --request-timeout bounds it too.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration, global = true)]
    pub connect_timeout: Duration,

    /// List in pages of this many objects, as kubectl does; 0 asks for each list in one
    /// response. A large cluster's lists are a chain of pages: larger ones mean fewer round
    /// trips, each answer larger. Named targets read their namespace whole either way.
    #[arg(long, value_name = "N", default_value_t = crate::source::PAGE_SIZE, global = true)]
    pub chunk_size: u32,

    /// Don't check the server's certificate. Insecure: use only against test clusters.
    #[arg(long, global = true)]
    pub insecure_skip_tls_verify: bool,

    /// Keep watching and show each change as it happens: the table redrawn in place on a
    /// terminal, JSON Lines (one event per line) when the output is not a terminal or with
    /// -o json. Ctrl-C ends it.
    #[arg(short = 'w', long, global = true)]
    pub watch: bool,

    /// With --watch: stop after DURATION (e.g. 30s, 5m) and exit 0; `explain --until-resolves`
    /// exits 1 instead when the name has not resolved by then.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, global = true)]
    pub watch_timeout: Option<Duration>,

    /// Ask the cluster's DNS every question the records imply and show where its answers
    /// differ; exit 1 when they do. From a workstation: one ready CoreDNS pod through the API
    /// server's port-forward (needs create on pods/portforward in kube-system); in a pod: the
    /// kube-dns ClusterIP; or the server of --dns-server.
    #[arg(long, global = true)]
    pub verify: bool,

    /// The DNS server --verify asks instead: HOST[:PORT], port 53 by default (e.g. a manual
    /// `kubectl port-forward`, with --tcp, or NodeLocal DNSCache's 169.254.20.10). Needed with -f.
    #[arg(long, value_name = "HOST[:PORT]", requires = "verify", global = true)]
    pub dns_server: Option<String>,

    /// The CoreDNS pod in kube-system --verify asks through the port-forward, instead of the first
    /// ready one of the kube-dns EndpointSlices.
    #[arg(
        long,
        value_name = "NAME",
        requires = "verify",
        conflicts_with = "dns_server",
        global = true
    )]
    pub dns_pod: Option<String>,

    /// Ask over TCP only (kubectl port-forward carries TCP only); UDP otherwise, with TCP for
    /// truncated answers.
    #[arg(long, requires = "verify", global = true)]
    pub tcp: bool,

    /// How long --verify waits for each answer before its one retry.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration, requires = "verify", global = true)]
    pub dns_timeout: Duration,
}

/// Parses a duration as kubectl's `--request-timeout` does: a bare whole number is seconds,
/// anything else is Go's duration syntax — numbers (decimals allowed) each with a unit `h`, `m`,
/// `s`, `ms`, `us` (or `µs`) or `ns`, e.g. `30s`, `1m`, `1h30m`, `1.5s`. Negative values are
/// refused.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid = || {
        format!(
            "invalid duration {text:?}: use a whole number of seconds, or numbers with a unit (h, m, s, ms, us, ns), e.g. 30s, 1m, 2h30m"
        )
    };
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().map(Duration::from_secs).map_err(|_| invalid());
    }
    let mut rest = text.strip_prefix('+').unwrap_or(text);
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_end);
        let unit_end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_end);
        let seconds_per_unit = match unit {
            "ns" => 1e-9,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(invalid()),
        };
        // `str::parse::<f64>` would also take "inf" or "1e3"; only digits and one dot get here.
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return Err(invalid());
        }
        let value: f64 = number.parse().map_err(|_| invalid())?;
        let part = Duration::try_from_secs_f64(value * seconds_per_unit).map_err(|_| invalid())?;
        total = total.checked_add(part).ok_or_else(invalid)?;
        rest = next;
    }
    Ok(total)
}

fn parse_coredns_version(text: &str) -> Result<crate::model::CoreDnsVersion, String> {
    crate::model::CoreDnsVersion::parse(text).map_err(|err| err.to_string())
}

/// `NAME=VALUE` for `--corefile-env`.
fn parse_env_pair(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
        _ => Err(format!("expected NAME=VALUE, got {text:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_as_kubectl_parses_them() {
        let ok = |text: &str| parse_duration(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok("0"), Duration::ZERO);
        assert_eq!(ok("30"), Duration::from_secs(30));
        assert_eq!(ok("30s"), Duration::from_secs(30));
        assert_eq!(ok("1m"), Duration::from_secs(60));
        assert_eq!(ok("2h"), Duration::from_secs(7200));
        assert_eq!(ok("1h30m"), Duration::from_secs(5400));
        assert_eq!(ok("500ms"), Duration::from_millis(500));
        assert_eq!(ok("1.5s"), Duration::from_millis(1500));
        assert_eq!(ok("0s"), Duration::ZERO);
        assert_eq!(ok("+10s"), Duration::from_secs(10));
        assert_eq!(ok("10\u{b5}s"), Duration::from_micros(10));
        assert_eq!(ok("7ns"), Duration::from_nanos(7));
    }

    #[test]
    fn output_takes_formats_and_kubectl_shapes() {
        let ok = |text: &str| parse_output(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok("wide"), Output::format(OutputFormat::Wide));
        assert_eq!(
            ok("jsonpath={.records[*].name}").shape,
            Some(ShapeSpec::JsonPath("{.records[*].name}".to_string()))
        );
        assert_eq!(
            ok("custom-columns=NAME:.name,A=B:.x").shape,
            Some(ShapeSpec::CustomColumns("NAME:.name,A=B:.x".to_string()))
        );
        assert_eq!(
            ok("custom-columns-file=cols.txt").shape,
            Some(ShapeSpec::CustomColumnsFile("cols.txt".into()))
        );
        assert_eq!(ok("jsonpath-file=t.txt").format, OutputFormat::Json);
        for bad in ["jsonpath", "jsonpath=", "wide=x", "xml", "Table"] {
            assert!(parse_output(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn other_text_is_refused_with_the_syntax() {
        for text in [
            "", "soon", "5d", "-1s", "1.5", "s", ".s", "1..5s", "1e3s", "inf",
        ] {
            let err = parse_duration(text).expect_err(text);
            assert!(
                err.starts_with(&format!("invalid duration {text:?}: use a whole number")),
                "{err}"
            );
        }
    }
}
