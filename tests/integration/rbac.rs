//! The shipped RBAC manifest grants reads only, never Secrets, and covers every request the live
//! source sends; the one optional Role for `--verify` grants the port-forward and nothing else.

use serde_json::Value;

use crate::support::root;

#[test]
fn rbac_manifest_is_read_only_and_covers_what_the_tool_reads() {
    let text =
        std::fs::read_to_string(root().join("deploy/rbac.yaml")).expect("read deploy/rbac.yaml");
    let documents: Vec<Value> = serde_saphyr::from_multiple(&text).expect("valid YAML");
    let mut granted = Vec::new();
    let mut verify_role = None;
    for document in &documents {
        let kind = document["kind"].as_str().unwrap_or_default();
        if kind != "ClusterRole" && kind != "Role" {
            continue;
        }
        if document.pointer("/metadata/name") == Some(&Value::from("dnsrecords-verify")) {
            verify_role = Some(document);
            continue;
        }
        let namespace = document
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("*");
        for rule in document["rules"].as_array().expect("rules") {
            let verbs: Vec<&str> = rule["verbs"]
                .as_array()
                .expect("verbs")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            assert!(
                verbs.iter().all(|v| matches!(*v, "get" | "list" | "watch")),
                "write verbs in {rule}"
            );
            for resource in rule["resources"]
                .as_array()
                .expect("resources")
                .iter()
                .filter_map(Value::as_str)
            {
                assert_ne!(resource, "secrets");
                assert_ne!(resource, "*");
                for verb in &verbs {
                    granted.push((
                        namespace.to_string(),
                        resource.to_string(),
                        verb.to_string(),
                    ));
                }
            }
        }
    }
    let has = |namespace: &str, resource: &str, verb: &str| {
        granted
            .iter()
            .any(|(ns, r, v)| (ns == namespace || ns == "*") && r == resource && v == verb)
    };
    for resource in ["services", "endpointslices", "statefulsets", "pods"] {
        assert!(has("cache", resource, "list"), "list {resource}");
    }
    assert!(has("cache", "services", "get"));
    assert!(has("kube-system", "configmaps", "get"));
    assert!(has("kube-system", "endpointslices", "list"));
    assert!(has("kube-system", "pods", "list"));

    // The optional --verify Role: create on pods/portforward and get on pods, in kube-system only.
    let verify_role = verify_role.expect("the optional dnsrecords-verify Role");
    assert_eq!(verify_role["metadata"]["namespace"], "kube-system");
    assert_eq!(
        verify_role["rules"],
        serde_json::json!([
            {"apiGroups": [""], "resources": ["pods/portforward"], "verbs": ["create"]},
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}
        ])
    );
    assert!(text.contains("OPTIONAL, only for --verify"));
}
