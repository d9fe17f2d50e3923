//! Which DNS server the snapshot shows, and so which release's record rules apply: the images
//! of kube-system's DNS pods (label `k8s-app=kube-dns`), else of its DNS Deployments, the
//! ConfigMaps that only one server or distribution has, and `--coredns-version` above all.

use k8s_openapi::api::apps::v1::Deployment;

use crate::model::kubernetes::{
    COREFILE_CONFIGMAPS, DNS_NAMESPACE, DNS_POD_LABEL, OPENSHIFT_COREFILE_CONFIGMAP,
};
use crate::model::{
    ClusterSnapshot, ConfigOrigin, ContainerImage, CoreDnsRules, CoreDnsVersion, Distribution,
    DnsServer, DnsServerKind, LabelSet, Note, OLDEST_MODELLED, PodObject, VersionSource,
};

/// What the snapshot shows of cluster DNS, with `version` (from `--coredns-version`) deciding
/// the rules when given; notes say what the records then mean.
pub fn detect(
    snapshot: &ClusterSnapshot,
    version: Option<CoreDnsVersion>,
    notes: &mut Vec<Note>,
) -> DnsServer {
    let mut pods: Vec<&PodObject> = snapshot.pods.iter().filter(|p| is_dns_pod(p)).collect();
    pods.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    let mut deployments: Vec<&Deployment> = snapshot
        .dns_deployments
        .iter()
        .filter(|d| {
            d.metadata.namespace.as_deref() == Some(DNS_NAMESPACE)
                && labelled_dns(d.metadata.labels.as_ref())
        })
        .collect();
    deployments.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));

    // Running pods say what answers now; a Deployment only what it would run.
    let pod_containers: Vec<ContainerImage> = pods
        .iter()
        .filter_map(|p| p.spec.as_ref())
        .flat_map(|spec| spec.containers.iter().cloned())
        .collect();
    let deployment_containers: Vec<ContainerImage> = deployments
        .iter()
        .filter_map(|d| d.spec.as_ref()?.template.spec.as_ref())
        .flat_map(|spec| &spec.containers)
        .map(|c| ContainerImage {
            name: c.name.clone(),
            image: c.image.clone(),
        })
        .collect();
    let containers = if pod_containers.is_empty() {
        &deployment_containers
    } else {
        &pod_containers
    };
    let mut images: Vec<String> = Vec::new();
    for image in containers.iter().filter_map(|c| c.image.clone()) {
        if !images.contains(&image) {
            images.push(image);
        }
    }
    let coredns_images: Vec<&String> = containers
        .iter()
        .filter(|c| server_of(c) == Some(DnsServerKind::CoreDns))
        .filter_map(|c| c.image.as_ref())
        .collect();
    let kube_dns_seen = containers
        .iter()
        .any(|c| server_of(c) == Some(DnsServerKind::KubeDns));
    let openshift = matches!(
        snapshot.corefile.as_ref().map(|c| &c.origin),
        Some(ConfigOrigin::ConfigMap { namespace, name, .. })
            if (namespace.as_str(), name.as_str()) == OPENSHIFT_COREFILE_CONFIGMAP
    );
    let scaled_to_zero = pods.is_empty()
        && !deployments.is_empty()
        && deployments
            .iter()
            .all(|d| d.spec.as_ref().and_then(|s| s.replicas) == Some(0));

    let kind = if scaled_to_zero {
        DnsServerKind::NoneFound
    } else if !coredns_images.is_empty() || openshift {
        DnsServerKind::CoreDns
    } else if kube_dns_seen || (snapshot.kube_dns_config.is_some() && snapshot.corefile.is_none()) {
        DnsServerKind::KubeDns
    } else if !containers.is_empty() {
        // DNS pods whose images name neither server: a custom build, most likely CoreDNS.
        DnsServerKind::CoreDns
    } else if snapshot.dns_pods_listed {
        DnsServerKind::NoneFound
    } else {
        DnsServerKind::Unknown
    };

    let image_versions: Vec<(&String, Option<CoreDnsVersion>)> = coredns_images
        .iter()
        .map(|image| {
            (
                *image,
                image_tag(image).and_then(|t| CoreDnsVersion::parse(t).ok()),
            )
        })
        .collect();
    let (version, version_source) = match version {
        Some(v) => (Some(v), Some(VersionSource::Flag)),
        None if kind == DnsServerKind::CoreDns => {
            match image_versions.iter().find_map(|(i, v)| v.map(|v| (i, v))) {
                Some((image, v)) => (Some(v), Some(VersionSource::Image((*image).clone()))),
                None => (None, None),
            }
        }
        None => (None, None),
    };
    let distribution = distribution(snapshot, &images, kind.clone(), openshift);
    let server = DnsServer {
        kind,
        version,
        version_source,
        pods: pods.len(),
        distribution,
        images,
        rules: CoreDnsRules::for_version(version),
    };
    explain(&server, &image_versions, scaled_to_zero, snapshot, notes);
    server
}

/// What the records mean for this server, in notes.
fn explain(
    server: &DnsServer,
    image_versions: &[(&String, Option<CoreDnsVersion>)],
    scaled_to_zero: bool,
    snapshot: &ClusterSnapshot,
    notes: &mut Vec<Note>,
) {
    match server.kind {
        DnsServerKind::CoreDns => {
            if server.version_source.is_none()
                && let Some((image, _)) = image_versions.first()
            {
                notes.push(Note::info(format!(
                    "CoreDNS image {image:?} names no release: the newest release's rules apply (--coredns-version chooses)"
                )));
            } else if server.version_source.is_none() {
                notes.push(Note::info(
                    "CoreDNS's release is unknown: the newest release's rules apply (--coredns-version chooses)"
                        .to_string(),
                ));
            }
            let mut distinct: Vec<CoreDnsVersion> =
                image_versions.iter().filter_map(|(_, v)| *v).collect();
            distinct.sort();
            distinct.dedup();
            if distinct.len() > 1 && server.version_source != Some(VersionSource::Flag) {
                let list: Vec<String> = distinct.iter().map(ToString::to_string).collect();
                notes.push(Note::warning(format!(
                    "CoreDNS pods run different releases ({}), as during a rollout: answers can differ by pod; the records follow the first pod's",
                    list.join(", ")
                )));
            }
        }
        DnsServerKind::KubeDns => {
            let stub_domains = snapshot
                .kube_dns_config
                .as_ref()
                .and_then(|data| data.get("stubDomains"))
                .map(|text| {
                    format!(
                        " Its stubDomains ({}) are forwarded elsewhere.",
                        text.trim()
                    )
                })
                .unwrap_or_default();
            notes.push(Note::warning(format!(
                "cluster DNS is kube-dns, not CoreDNS: it has no Corefile, so the records are what the Kubernetes DNS specification gives under kubeadm's defaults, which kube-dns also follows; CoreDNS options do not apply (--verify shows what it really answers).{stub_domains}"
            )));
        }
        DnsServerKind::NoneFound => {
            let why = if scaled_to_zero {
                "kube-system's DNS Deployment is scaled to zero (GKE's Cloud DNS does this when it takes over)"
            } else {
                "no pod in kube-system carries k8s-app=kube-dns"
            };
            notes.push(Note::warning(format!(
                "no in-cluster DNS server: {why}. Names resolve through a managed service (such as GKE's Cloud DNS) or not at all; the records are what the Kubernetes DNS specification predicts, not what a server was seen to serve (--verify --dns-server asks the real one)"
            )));
        }
        DnsServerKind::Unknown => {}
    }
    if let Some(v) = server.version
        && v < OLDEST_MODELLED
    {
        notes.push(Note::warning(format!(
            "CoreDNS {v} predates {OLDEST_MODELLED}, the oldest release the tool models: it read the Endpoints API (before 1.8.0) or served not-ready EndpointSlice endpoints (1.8.0 to 1.8.3), so records that depend on endpoints may differ"
        )));
    }
}

/// Which distribution's layout the objects follow, when one tells.
fn distribution(
    snapshot: &ClusterSnapshot,
    images: &[String],
    kind: DnsServerKind,
    openshift: bool,
) -> Option<Distribution> {
    if openshift {
        return Some(Distribution::OpenShift);
    }
    let corefile_name = match snapshot.corefile.as_ref().map(|c| &c.origin) {
        Some(ConfigOrigin::ConfigMap { name, .. }) => Some(name.as_str()),
        _ => None,
    };
    if corefile_name == Some(COREFILE_CONFIGMAPS[1]) {
        return Some(Distribution::Rke2);
    }
    let any_image = |needle: &str| images.iter().any(|i| i.contains(needle));
    if any_image("hardened-coredns") {
        return Some(Distribution::Rke2);
    }
    if any_image("rancher/mirrored-coredns") {
        return Some(Distribution::K3s);
    }
    if any_image("eks/coredns") || any_image("eksbuild") {
        return Some(Distribution::Eks);
    }
    if any_image("mcr.microsoft.com/oss/kubernetes/coredns") {
        return Some(Distribution::Aks);
    }
    if kind == DnsServerKind::KubeDns || any_image("gke.gcr.io") {
        return Some(Distribution::Gke);
    }
    None
}

fn labelled_dns(labels: Option<&impl LabelSet>) -> bool {
    labels
        .and_then(|l| l.label(DNS_POD_LABEL.0))
        .is_some_and(|v| v == DNS_POD_LABEL.1)
}

/// A cluster DNS pod that still answers: kube-system, `k8s-app=kube-dns`, not being deleted.
pub(super) fn is_dns_pod(pod: &PodObject) -> bool {
    pod.metadata.namespace.as_deref() == Some(DNS_NAMESPACE)
        && labelled_dns(Some(&pod.metadata.labels))
        && pod.metadata.deletion_timestamp.is_none()
}

/// Which server a container is, by its image's repository name or its own name.
fn server_of(container: &ContainerImage) -> Option<DnsServerKind> {
    let repository = container
        .image
        .as_deref()
        .map(image_repository)
        .unwrap_or_default();
    let last = repository.rsplit('/').next().unwrap_or_default();
    if last.contains("coredns") || container.name == "coredns" {
        Some(DnsServerKind::CoreDns)
    } else if last.contains("kube-dns") || container.name == "kubedns" {
        Some(DnsServerKind::KubeDns)
    } else {
        None
    }
}

/// `registry:5000/coredns/coredns:v1.11.3@sha256:…` → `registry:5000/coredns/coredns`.
fn image_repository(image: &str) -> &str {
    let without_digest = image.split('@').next().unwrap_or_default();
    let slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    match without_digest[slash..].find(':') {
        Some(colon) => &without_digest[..slash + colon],
        None => without_digest,
    }
}

/// The tag of an image reference, if it has one (`…/coredns:v1.11.3@sha256:…` → `v1.11.3`).
fn image_tag(image: &str) -> Option<&str> {
    let without_digest = image.split('@').next().unwrap_or_default();
    let slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let last = &without_digest[slash..];
    last.split_once(':').map(|(_, tag)| tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references_split_into_repository_and_tag() {
        for (image, repository, tag) in [
            (
                "registry.k8s.io/coredns/coredns:v1.11.3",
                "registry.k8s.io/coredns/coredns",
                Some("v1.11.3"),
            ),
            (
                "localhost:5000/coredns:1.12.1@sha256:abc",
                "localhost:5000/coredns",
                Some("1.12.1"),
            ),
            ("coredns@sha256:abc", "coredns", None),
            ("localhost:5000/coredns", "localhost:5000/coredns", None),
        ] {
            assert_eq!(image_repository(image), repository, "{image}");
            assert_eq!(image_tag(image), tag, "{image}");
        }
    }
}
