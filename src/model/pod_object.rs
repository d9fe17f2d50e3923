//! `PodObject`: a Pod as the snapshot holds it — only the fields the engine, the findings,
//! explain and the DNS server detection read, still exactly as the API spells them (nothing here
//! is validated; `engine/view.rs` is the one place that judges them).
//!
//! Why not `k8s_openapi::api::core::v1::Pod`: its struct is about 1.6 KiB before any field is
//! filled, and each `Container` in it another 2 KiB, so a cluster's 100,000 Pods held that way
//! cost over 400 MiB of mostly empty fields. The API's `ObjectMeta` alone is over 600 bytes, and
//! its label map and owner references another 900 per Pod: `PodMeta` keeps the five fields read.
//! The live source decodes list pages straight into this type (serde skips every other field as it reads); the offline and watch sources, which
//! hold k8s-openapi Pods anyway, convert with `From`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, Pod, PodCondition, PodDNSConfig, PodIP, PodOS, PodSpec, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use serde::Deserialize;

use super::Labels;

/// The node selector key that says a Pod runs on Windows (explain's resolver rules).
const OS_SELECTOR_KEY: &str = "kubernetes.io/os";

/// A Pod: metadata, and the parts of spec and status that DNS depends on.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct PodObject {
    /// What DNS reads of `metadata`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: PodMeta,
    /// What DNS reads of `spec`.
    #[serde(default)]
    pub spec: Option<PodObjectSpec>,
    /// What DNS reads of `status`.
    #[serde(default)]
    pub status: Option<PodObjectStatus>,
}

/// `metadata`: the Pod's name and namespace, the labels selectors read, whether it is being
/// deleted (a deleted Pod has no records), and the owners that tell its StatefulSet.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodMeta {
    /// `metadata.name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `metadata.namespace`.
    #[serde(default)]
    pub namespace: Option<String>,
    /// `metadata.labels`.
    #[serde(default, deserialize_with = "label_map")]
    pub labels: Labels,
    /// `metadata.deletionTimestamp`.
    #[serde(default)]
    pub deletion_timestamp: Option<Time>,
    /// `metadata.ownerReferences`, kind and name of each.
    #[serde(default, deserialize_with = "exact_vec")]
    pub owner_references: Vec<PodOwner>,
}

/// An owner reference's kind and name (a StatefulSet's Pods name it as their controller).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct PodOwner {
    /// `kind`.
    #[serde(default)]
    pub kind: String,
    /// `name`.
    #[serde(default)]
    pub name: String,
}

/// `spec`: the hostname and subdomain of endpoint names, the resolver settings kubelet writes
/// into resolv.conf, and the container images (explain's C library hint, the DNS server's
/// release).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodObjectSpec {
    /// `spec.hostname`.
    #[serde(default)]
    pub hostname: Option<String>,
    /// `spec.subdomain`.
    #[serde(default)]
    pub subdomain: Option<String>,
    /// `spec.hostNetwork`.
    #[serde(default)]
    pub host_network: Option<bool>,
    /// `spec.dnsPolicy`.
    #[serde(default)]
    pub dns_policy: Option<String>,
    /// `spec.dnsConfig`.
    #[serde(default)]
    pub dns_config: Option<PodDNSConfig>,
    /// `spec.os`.
    #[serde(default)]
    pub os: Option<PodOS>,
    /// `spec.nodeSelector`, only its `kubernetes.io/os` key.
    #[serde(default, deserialize_with = "os_selector")]
    pub node_selector: Option<BTreeMap<String, String>>,
    /// `spec.containers`, name and image of each.
    #[serde(default, deserialize_with = "exact_vec")]
    pub containers: Vec<ContainerImage>,
}

/// A container's name and image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ContainerImage {
    /// `name`.
    #[serde(default)]
    pub name: String,
    /// `image`.
    #[serde(default)]
    pub image: Option<String>,
}

/// `status`: whether the Pod runs, its addresses and its conditions.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodObjectStatus {
    /// `status.phase`.
    #[serde(default)]
    pub phase: Option<String>,
    /// `status.podIP`.
    #[serde(default, rename = "podIP")]
    pub pod_ip: Option<String>,
    /// `status.podIPs`.
    #[serde(default, rename = "podIPs", deserialize_with = "exact_option_vec")]
    pub pod_ips: Option<Vec<PodIP>>,
    /// `status.conditions`, only those of type `Ready` (a running Pod has four or five, each
    /// with its own strings, and DNS reads only readiness).
    #[serde(default, deserialize_with = "ready_conditions")]
    pub conditions: Option<Vec<PodCondition>>,
}

impl From<Pod> for PodObject {
    fn from(pod: Pod) -> PodObject {
        PodObject {
            metadata: PodMeta::from(pod.metadata),
            spec: pod.spec.map(|spec| PodObjectSpec {
                hostname: spec.hostname,
                subdomain: spec.subdomain,
                host_network: spec.host_network,
                dns_policy: spec.dns_policy,
                dns_config: spec.dns_config,
                os: spec.os,
                node_selector: spec.node_selector.map(only_os_key),
                containers: spec
                    .containers
                    .into_iter()
                    .map(|c| ContainerImage {
                        name: c.name,
                        image: c.image,
                    })
                    .collect(),
            }),
            status: pod.status.map(|status| PodObjectStatus {
                phase: status.phase,
                pod_ip: status.pod_ip,
                pod_ips: status.pod_ips,
                conditions: status.conditions.map(only_ready),
            }),
        }
    }
}

/// The way back, for the watch source's reflector stores, which must hold the API type: a Pod
/// with only the fields `PodObject` keeps.
impl From<PodObject> for Pod {
    fn from(pod: PodObject) -> Pod {
        Pod {
            metadata: ObjectMeta::from(pod.metadata),
            spec: pod.spec.map(|spec| PodSpec {
                hostname: spec.hostname,
                subdomain: spec.subdomain,
                host_network: spec.host_network,
                dns_policy: spec.dns_policy,
                dns_config: spec.dns_config,
                os: spec.os,
                node_selector: spec.node_selector,
                containers: spec
                    .containers
                    .into_iter()
                    .map(|c| Container {
                        name: c.name,
                        image: c.image,
                        ..Container::default()
                    })
                    .collect(),
                ..PodSpec::default()
            }),
            status: pod.status.map(|status| PodStatus {
                phase: status.phase,
                pod_ip: status.pod_ip,
                pod_ips: status.pod_ips,
                conditions: status.conditions,
                ..PodStatus::default()
            }),
        }
    }
}

impl From<ObjectMeta> for PodMeta {
    fn from(meta: ObjectMeta) -> PodMeta {
        PodMeta {
            name: meta.name,
            namespace: meta.namespace,
            labels: meta.labels.map(Labels::from).unwrap_or_default(),
            deletion_timestamp: meta.deletion_timestamp,
            owner_references: meta
                .owner_references
                .into_iter()
                .flatten()
                .map(|owner| PodOwner {
                    kind: owner.kind,
                    name: owner.name,
                })
                .collect(),
        }
    }
}

/// The way back: an `ObjectMeta` with the fields `PodMeta` keeps (owner references without the
/// API version and uid, which nothing reads).
impl From<PodMeta> for ObjectMeta {
    fn from(meta: PodMeta) -> ObjectMeta {
        let labels = meta.labels.to_map();
        ObjectMeta {
            name: meta.name,
            namespace: meta.namespace,
            labels: (!labels.is_empty()).then_some(labels),
            deletion_timestamp: meta.deletion_timestamp,
            owner_references: (!meta.owner_references.is_empty()).then(|| {
                meta.owner_references
                    .into_iter()
                    .map(|owner| OwnerReference {
                        kind: owner.kind,
                        name: owner.name,
                        ..OwnerReference::default()
                    })
                    .collect()
            }),
            ..ObjectMeta::default()
        }
    }
}

fn only_os_key(mut selector: BTreeMap<String, String>) -> BTreeMap<String, String> {
    selector.retain(|key, _| key == OS_SELECTOR_KEY);
    selector
}

fn null_as_default<'de, D: serde::Deserializer<'de>, T: Deserialize<'de> + Default>(
    deserializer: D,
) -> Result<T, D::Error> {
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

/// A list decoded without spare room: serde grows a vector to room for four items, and a Pod's
/// containers, addresses and owners are mostly one, held for every Pod of the cluster.
fn exact_vec<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Vec<T>, D::Error> {
    exact_option_vec(deserializer).map(Option::unwrap_or_default)
}

fn exact_option_vec<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Vec<T>>, D::Error> {
    Option::<Vec<T>>::deserialize(deserializer).map(|list| {
        list.map(|mut list| {
            list.shrink_to_fit();
            list
        })
    })
}

fn label_map<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Labels, D::Error> {
    // Through the API's map, so that a key given twice keeps its last value as it does there.
    Option::<BTreeMap<String, String>>::deserialize(deserializer)
        .map(|labels| labels.map(Labels::from).unwrap_or_default())
}

/// The condition type kubelet sets when every container passes its readiness probe.
const READY_CONDITION: &str = "Ready";

fn only_ready(mut conditions: Vec<PodCondition>) -> Vec<PodCondition> {
    conditions.retain(|c| c.type_ == READY_CONDITION);
    conditions.shrink_to_fit();
    conditions
}

fn ready_conditions<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<PodCondition>>, D::Error> {
    Option::<Vec<PodCondition>>::deserialize(deserializer).map(|c| c.map(only_ready))
}

fn os_selector<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<BTreeMap<String, String>>, D::Error> {
    Option::<BTreeMap<String, String>>::deserialize(deserializer).map(|s| s.map(only_os_key))
}

#[cfg(test)]
mod tests {
    use super::*;

    const POD: &str = r#"{
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-0", "namespace": "shop", "labels": {"app": "web"},
            "annotations": {"big": "x"}, "managedFields": [{"manager": "kubelet"}],
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web", "uid": "u"}]},
        "spec": {"hostname": "web-0", "subdomain": "web", "dnsPolicy": "ClusterFirst",
            "nodeSelector": {"kubernetes.io/os": "linux", "pool": "a"},
            "containers": [{"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 80}],
                "resources": {"limits": {"cpu": "1"}}}],
            "volumes": [{"name": "v", "emptyDir": {}}]},
        "status": {"phase": "Running", "podIP": "10.0.0.5", "podIPs": [{"ip": "10.0.0.5"}],
            "conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "True"}],
            "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0, "image": "nginx", "imageID": ""}]}
    }"#;

    #[test]
    fn decoding_keeps_what_dns_reads_and_matches_the_conversion_of_a_full_pod() {
        let direct: PodObject = serde_json::from_str(POD).unwrap();
        let full: Pod = serde_json::from_str(POD).unwrap();
        assert_eq!(direct, PodObject::from(full));
        assert_eq!(direct.metadata.name.as_deref(), Some("web-0"));
        assert_eq!(
            direct.metadata.labels.get("app").map(String::as_str),
            Some("web")
        );
        assert_eq!(
            direct.metadata.owner_references,
            [PodOwner {
                kind: "StatefulSet".to_string(),
                name: "web".to_string()
            }]
        );
        let spec = direct.spec.as_ref().unwrap();
        assert_eq!(spec.hostname.as_deref(), Some("web-0"));
        assert_eq!(
            spec.node_selector,
            Some(BTreeMap::from([(
                OS_SELECTOR_KEY.to_string(),
                "linux".to_string()
            )]))
        );
        assert_eq!(
            spec.containers,
            [ContainerImage {
                name: "app".to_string(),
                image: Some("nginx:1.27".to_string())
            }]
        );
        let status = direct.status.as_ref().unwrap();
        assert_eq!(status.pod_ip.as_deref(), Some("10.0.0.5"));
        let kept: Vec<&str> = status
            .conditions
            .iter()
            .flatten()
            .map(|c| c.type_.as_str())
            .collect();
        assert_eq!(kept, ["Ready"]);
    }

    #[test]
    fn a_pod_rebuilt_from_its_object_converts_back_to_the_same_object() {
        let object: PodObject = serde_json::from_str(POD).unwrap();
        let rebuilt = Pod::from(object.clone());
        assert_eq!(rebuilt.spec.as_ref().unwrap().volumes, None);
        assert_eq!(PodObject::from(rebuilt), object);
    }

    #[test]
    fn nulls_and_missing_parts_decode_as_absent() {
        let pod: PodObject = serde_json::from_str(
            r#"{"metadata": {"name": "p"}, "spec": {"containers": null}, "status": null}"#,
        )
        .unwrap();
        assert_eq!(pod.spec.unwrap().containers, []);
        assert_eq!(pod.status, None);
        let bare: PodObject = serde_json::from_str("{}").unwrap();
        assert_eq!(bare, PodObject::default());
    }
}
