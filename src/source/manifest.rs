//! Manifest text → objects: multi-document YAML, JSON, `kind: List` and typed lists
//! (`ServiceList`) exactly as `kubectl get -o yaml|json` prints them. Kinds the tool does not
//! read are skipped quietly; an object it reads but cannot use is skipped with a note that names
//! the file and document. Pure: text in, snapshot entries and notes out.

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::SourceError;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::model::{
    ClusterSnapshot, ConfigOrigin, CorefileSource, Kind, Note, ObjectRef, PodObject,
};

use crate::model::kubernetes::{
    COREFILE_KEY, COREFILE_LOCATIONS, DNS_NAMESPACE, KUBE_DNS_CONFIGMAP, NODE_LOCAL_DNS_CONFIGMAP,
};

/// Where one object came from, for notes.
struct Origin<'a> {
    path: &'a str,
    document: usize,
}

impl Origin<'_> {
    /// Records where an object was read, so that what the engine says about it names the file.
    fn remember(&self, kind: Kind, meta: &ObjectMeta, snapshot: &mut ClusterSnapshot) {
        if let Some(name) = meta.name.as_deref() {
            let namespace = meta.namespace.as_deref().unwrap_or_default();
            snapshot.origins.insert(
                ObjectRef::new(kind, namespace, name),
                format!("{}: document {}", self.path, self.document),
            );
        }
    }

    fn note(&self, what: &str, why: String) -> Note {
        Note::warning(format!(
            "{}: document {}: {what}: {why}",
            self.path, self.document
        ))
    }
}

/// Parses `text` (from `path`, `-` for standard input) into `snapshot`. Objects without a
/// namespace land in `default_namespace`, as `kubectl apply` would place them. Returns how many
/// documents held an object.
pub fn parse_manifest(
    text: &str,
    path: &str,
    default_namespace: &str,
    snapshot: &mut ClusterSnapshot,
    notes: &mut Vec<Note>,
) -> Result<usize, SourceError> {
    let mut objects = 0;
    for (index, document) in split_documents(text).into_iter().enumerate() {
        let origin = Origin {
            path,
            document: index + 1,
        };
        let value = parse_document(document).map_err(|message| SourceError::Syntax {
            path: path.to_string(),
            document: origin.document,
            message,
        })?;
        if value.is_null() {
            continue;
        }
        if !value.is_object() {
            return Err(SourceError::Syntax {
                path: path.to_string(),
                document: origin.document,
                message: "expected a Kubernetes object (a mapping with apiVersion and kind)"
                    .to_string(),
            });
        }
        objects += 1;
        add_object(value, None, &origin, default_namespace, snapshot, notes);
    }
    Ok(objects)
}

/// Splits a YAML stream at `---` document markers. JSON input is one document.
fn split_documents(text: &str) -> Vec<&str> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return vec![text];
    }
    let mut documents = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == "---" || bare.starts_with("--- ") || bare.starts_with("---\t") {
            documents.push(&text[start..offset]);
            // Content after the marker on the same line belongs to the next document.
            start = offset + 3;
        }
        offset += line.len();
    }
    documents.push(&text[start..]);
    // A stream that starts with `---` has nothing before it: not a document.
    if documents.first().is_some_and(|d| d.trim().is_empty()) && documents.len() > 1 {
        documents.remove(0);
    }
    documents
}

fn parse_document(document: &str) -> Result<Value, String> {
    if document.trim().is_empty() {
        return Ok(Value::Null);
    }
    let trimmed = document.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return serde_json::from_str(document).map_err(|err| err.to_string());
    }
    serde_saphyr::from_str_with_options::<Value>(document, parse_options(document.len()))
        .map_err(|err| one_line(&err.to_string()))
}

/// serde-saphyr's default budget stops at 250,000 nodes per document, which a `kind: List` of a
/// large cluster (`kubectl get svc,endpointslices -A -o yaml`) exceeds. Node and event counts
/// cannot outgrow the text itself, so the caps scale with it; the alias limits that guard
/// against expansion bombs stay as they are.
fn parse_options(len: usize) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = budget.max_nodes.max(len.saturating_mul(2));
    budget.max_events = budget.max_events.max(len.saturating_mul(4));
    budget.max_total_scalar_bytes = budget.max_total_scalar_bytes.max(len);
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

/// The parser's message without its source snippet: the first non-empty line.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("invalid YAML")
        .to_string()
}

/// Adds one object (or each item of a list) to the snapshot.
fn add_object(
    mut value: Value,
    inherited: Option<(&str, &str)>,
    origin: &Origin,
    default_namespace: &str,
    snapshot: &mut ClusterSnapshot,
    notes: &mut Vec<Note>,
) {
    let api_version = value
        .get("apiVersion")
        .and_then(Value::as_str)
        .or(inherited.map(|(api, _)| api))
        .unwrap_or_default()
        .to_string();
    let kind = value
        .get("kind")
        .and_then(Value::as_str)
        .or(inherited.map(|(_, kind)| kind))
        .unwrap_or_default()
        .to_string();
    if kind == "List" || (kind.ends_with("List") && value.get("items").is_some()) {
        let item_kind = kind.strip_suffix("List").filter(|k| !k.is_empty());
        let items = match value.get_mut("items").map(Value::take) {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        for item in items {
            let inherited = item_kind.map(|k| (api_version.as_str(), k));
            add_object(item, inherited, origin, default_namespace, snapshot, notes);
        }
        return;
    }
    // Fill in the namespace as `kubectl apply -n` would, before typing the object.
    if let Some(metadata) = value.get_mut("metadata").and_then(Value::as_object_mut)
        && metadata
            .get("namespace")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        && kind != "Namespace"
    {
        metadata.insert(
            "namespace".to_string(),
            Value::String(default_namespace.to_string()),
        );
    }
    match (api_version.as_str(), kind.as_str()) {
        ("v1", "Service") => {
            if let Some(service) = typed::<Service>(value, "Service", origin, notes) {
                origin.remember(Kind::Service, &service.metadata, snapshot);
                snapshot.services.push(service);
            }
        }
        ("discovery.k8s.io/v1", "EndpointSlice") => {
            if let Some(slice) = typed::<EndpointSlice>(value, "EndpointSlice", origin, notes) {
                origin.remember(Kind::EndpointSlice, &slice.metadata, snapshot);
                snapshot.endpoint_slices.push(slice);
            }
        }
        ("apps/v1", "StatefulSet") => {
            if let Some(sts) = typed::<StatefulSet>(value, "StatefulSet", origin, notes) {
                origin.remember(Kind::StatefulSet, &sts.metadata, snapshot);
                snapshot.stateful_sets.push(sts);
            }
        }
        ("v1", "Pod") => {
            if let Some(pod) = typed::<Pod>(value, "Pod", origin, notes) {
                origin.remember(Kind::Pod, &pod.metadata, snapshot);
                snapshot.pods.push(PodObject::from(pod));
            }
        }
        ("networking.k8s.io/v1", "NetworkPolicy") => {
            if let Some(policy) = typed::<NetworkPolicy>(value, "NetworkPolicy", origin, notes) {
                snapshot.network_policies.push(policy);
            }
        }
        ("v1", "Namespace") => {
            if let Some(namespace) = typed::<Namespace>(value, "Namespace", origin, notes) {
                snapshot.namespaces.push(namespace);
            }
        }
        ("v1", "ConfigMap") => {
            if let Some(config_map) = typed::<ConfigMap>(value, "ConfigMap", origin, notes) {
                add_corefile(&config_map, snapshot);
            }
        }
        // Only cluster DNS's own Deployment matters (which server and release runs); the engine
        // decides which Deployments those are, as it does for every other object.
        ("apps/v1", "Deployment") => {
            if let Some(deployment) = typed::<Deployment>(value, "Deployment", origin, notes) {
                snapshot.dns_deployments.push(deployment);
            }
        }
        // A manifest bundle holds Secrets, CRDs…: none of them changes DNS records.
        _ => {}
    }
}

fn typed<T: DeserializeOwned>(
    value: Value,
    kind: &str,
    origin: &Origin,
    notes: &mut Vec<Note>,
) -> Option<T> {
    let name = value
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .map(str::to_string);
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        notes.push(origin.note(kind, "has no metadata.name; it is skipped".to_string()));
        return None;
    };
    match serde_json::from_value::<T>(value) {
        Ok(object) => Some(object),
        Err(err) => {
            notes.push(origin.note(&format!("{kind} {name}"), format!("{err}; it is skipped")));
            None
        }
    }
}

/// Keeps the ConfigMaps cluster DNS reads (the Corefile wherever a distribution keeps it,
/// NodeLocal DNSCache's, kube-dns's); other ConfigMaps are not DNS configuration.
fn add_corefile(config_map: &ConfigMap, snapshot: &mut ClusterSnapshot) {
    let meta = &config_map.metadata;
    let (Some(namespace), Some(name)) = (meta.namespace.as_deref(), meta.name.as_deref()) else {
        return;
    };
    let corefile_text = || config_map.data.as_ref().and_then(|d| d.get(COREFILE_KEY));
    if namespace == DNS_NAMESPACE && name == NODE_LOCAL_DNS_CONFIGMAP {
        snapshot.node_local_corefile = corefile_text().cloned();
        return;
    }
    if namespace == DNS_NAMESPACE && name == KUBE_DNS_CONFIGMAP {
        snapshot.kube_dns_config = Some(config_map.data.clone().unwrap_or_default());
        return;
    }
    let Some(rank) = COREFILE_LOCATIONS
        .iter()
        .position(|&(ns, n)| ns == namespace && n == name)
    else {
        return;
    };
    // The most preferred location wins, whatever order the files list them in.
    let better = snapshot.corefile.as_ref().is_none_or(|existing| {
        let existing_rank = match &existing.origin {
            ConfigOrigin::ConfigMap {
                namespace, name, ..
            } => COREFILE_LOCATIONS
                .iter()
                .position(|&(ns, n)| ns == namespace && n == name),
            _ => None,
        };
        existing_rank.is_none_or(|r| rank <= r)
    });
    if let Some(text) = corefile_text()
        && better
    {
        snapshot.corefile = Some(CorefileSource {
            origin: ConfigOrigin::ConfigMap {
                namespace: namespace.to_string(),
                name: name.to_string(),
                key: COREFILE_KEY.to_string(),
            },
            text: text.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (ClusterSnapshot, Vec<Note>, Result<usize, SourceError>) {
        let mut snapshot = ClusterSnapshot::default();
        let mut notes = Vec::new();
        let result = parse_manifest(text, "in.yaml", "team", &mut snapshot, &mut notes);
        (snapshot, notes, result)
    }

    #[test]
    fn multi_document_yaml_with_other_kinds() {
        let (snapshot, notes, result) = parse(
            "---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {clusterIP: 10.0.0.1}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n---\n",
        );
        assert_eq!(result.unwrap(), 2);
        assert!(notes.is_empty());
        assert_eq!(snapshot.services.len(), 1);
        assert_eq!(
            snapshot.services[0].metadata.namespace.as_deref(),
            Some("team")
        );
    }

    #[test]
    fn lists_and_typed_lists() {
        let (snapshot, _, result) = parse(
            r#"{"apiVersion":"v1","kind":"ServiceList","items":[{"metadata":{"name":"a","namespace":"x"},"spec":{}}]}"#,
        );
        assert_eq!(result.unwrap(), 1);
        assert_eq!(snapshot.services.len(), 1);
        let (snapshot, _, _) = parse(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n",
        );
        assert_eq!(snapshot.pods.len(), 1);
    }

    #[test]
    fn a_large_single_list_document_loads() {
        // One `kind: List` document of 3,000 Services and their slices: over 250,000 YAML nodes,
        // serde-saphyr's default cap.
        let mut text = String::from("apiVersion: v1\nkind: List\nitems:\n");
        for i in 0..3000 {
            text.push_str(&format!(
                "- apiVersion: v1\n  kind: Service\n  metadata: {{name: s{i}, namespace: n}}\n  spec: {{clusterIP: None, ports: [{{name: http, port: 80}}]}}\n\
                 - apiVersion: discovery.k8s.io/v1\n  kind: EndpointSlice\n  metadata: {{name: s{i}-x, namespace: n, labels: {{kubernetes.io/service-name: s{i}}}}}\n  addressType: IPv4\n  endpoints:\n"
            ));
            for j in 0..10 {
                text.push_str(&format!("  - {{addresses: [10.1.{}.{j}], conditions: {{ready: true}}, hostname: h{j}}}\n", i % 250));
            }
        }
        let (snapshot, notes, result) = parse(&text);
        assert_eq!(result.unwrap(), 1);
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(
            (snapshot.services.len(), snapshot.endpoint_slices.len()),
            (3000, 3000)
        );
    }

    #[test]
    fn syntax_errors_name_the_document() {
        let (_, _, result) =
            parse("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n---\nkind: [unclosed\n");
        match result {
            Err(SourceError::Syntax { path, document, .. }) => {
                assert_eq!((path.as_str(), document), ("in.yaml", 2));
            }
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn only_objects_that_do_not_deserialize_are_skipped() {
        // The source validates nothing: a bad clusterIP or a missing label is the engine's to
        // judge (one validation boundary for files and the API); a document that is not the
        // object's type at all cannot be handed on and is skipped with a note.
        let (snapshot, notes, result) = parse(
            "apiVersion: v1\nkind: Service\nmetadata: {name: bad}\nspec: {clusterIP: 10.0.0.999}\n---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s}\naddressType: IPv4\nendpoints: []\n---\napiVersion: v1\nkind: Service\nmetadata: {name: p}\nspec: {ports: \"eighty\"}\n",
        );
        assert_eq!(result.unwrap(), 3);
        assert_eq!(snapshot.services.len(), 1);
        assert_eq!(snapshot.endpoint_slices.len(), 1);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].message.contains("document 3"));
    }
}
