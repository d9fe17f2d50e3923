//! Command-line flags, named and behaving as kubectl's wherever kubectl has the same flag.

use std::path::PathBuf;

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
  kubectl dnsrecords -f examples/redis-statefulset.yaml -n cache svc/redis-headless";

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

    /// Serve this cluster domain instead of the Corefile's forward zones.
    #[arg(long, value_name = "DOMAIN", global = true)]
    pub cluster_domain: Option<String>,

    /// The namespace scope for this request.
    #[arg(short = 'n', long, value_name = "NAMESPACE", global = true)]
    pub namespace: Option<String>,

    /// List records for Services across all namespaces.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,

    /// Label selector on Services (e.g. -l app=redis,tier!=cache).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table, global = true)]
    pub output: OutputFormat,

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

    /// How long to wait for each server answer (e.g. 1s, 2m); 0 waits forever.
    #[arg(long, value_name = "DURATION", default_value = "0", global = true)]
    pub request_timeout: String,

    /// Don't check the server's certificate. Insecure: use only against test clusters.
    #[arg(long, global = true)]
    pub insecure_skip_tls_verify: bool,
}
