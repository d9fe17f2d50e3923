//! deploy/k9s/plugins.yaml: it parses, follows the plugin schema k9s documents (k9s's
//! `plugins.json`: a top-level `plugins` map; each plugin requires `shortCut`, `description`,
//! `scopes` and `command`, and may set `override`, `confirm`, `dangerous`, `background`,
//! `overwriteOutput` and `args`), binds the records and `explain` to services, statefulsets and
//! pods read-only, and every command it runs, with k9s's variables filled in, is one this binary
//! accepts and answers.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::support::{command, root};

const FILE: &str = "deploy/k9s/plugins.yaml";

/// The plugin properties of k9s's schema and the JSON type each must have.
const PROPERTIES: [(&str, &str); 10] = [
    ("shortCut", "string"),
    ("override", "boolean"),
    ("description", "string"),
    ("confirm", "boolean"),
    ("dangerous", "boolean"),
    ("scopes", "array"),
    ("command", "string"),
    ("background", "boolean"),
    ("overwriteOutput", "boolean"),
    ("args", "array"),
];
const REQUIRED: [&str; 4] = ["shortCut", "description", "scopes", "command"];

fn plugins() -> BTreeMap<String, Value> {
    let text = std::fs::read_to_string(root().join(FILE)).expect("read the k9s plugins");
    let document: Value = serde_saphyr::from_str(&text).expect("the plugin file is YAML");
    let top: BTreeSet<&str> = document
        .as_object()
        .expect("a mapping")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        top,
        BTreeSet::from(["plugins"]),
        "k9s allows only `plugins` at the top"
    );
    document["plugins"]
        .as_object()
        .expect("plugins is a mapping")
        .iter()
        .map(|(name, plugin)| (name.clone(), plugin.clone()))
        .collect()
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[test]
fn plugins_follow_the_k9s_schema() {
    let plugins = plugins();
    assert!(!plugins.is_empty());
    for (name, plugin) in &plugins {
        let fields = plugin.as_object().expect("a plugin is a mapping");
        for required in REQUIRED {
            assert!(fields.contains_key(required), "{name}: no {required}");
        }
        for (field, value) in fields {
            let expected = PROPERTIES
                .iter()
                .find(|(known, _)| known == field)
                .map(|(_, kind)| *kind)
                .unwrap_or_else(|| panic!("{name}: {field} is not a k9s plugin property"));
            assert_eq!(kind(value), expected, "{name}.{field}");
        }
        for scope in plugin["scopes"].as_array().into_iter().flatten() {
            assert_eq!(kind(scope), "string", "{name}: scopes are strings");
        }
        for arg in plugin["args"].as_array().into_iter().flatten() {
            assert!(
                matches!(arg, Value::String(_) | Value::Number(_)),
                "{name}: args"
            );
        }
        // k9s's key names: a modifier and one key (Shift-D, Ctrl-E, Alt-D).
        let shortcut = plugin["shortCut"].as_str().unwrap_or_default();
        let (modifier, key) = shortcut.split_once('-').unwrap_or_default();
        assert!(
            ["Shift", "Ctrl", "Alt"].contains(&modifier)
                && key.len() == 1
                && key
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
            "{name}: shortcut {shortcut:?}"
        );
    }
}

#[test]
fn records_and_explain_are_bound_read_only_to_three_views() {
    let plugins = plugins();
    let mut bound: BTreeMap<(String, String), String> = BTreeMap::new();
    for (name, plugin) in &plugins {
        assert_eq!(plugin["dangerous"], Value::Bool(false), "{name}: read-only");
        assert_eq!(
            plugin["background"],
            Value::Bool(false),
            "{name}: output in the terminal"
        );
        let script = script(plugin);
        for word in [
            "delete", "patch", "apply", "edit", "scale", "annotate", "label ",
        ] {
            assert!(!script.contains(word), "{name} runs {word}");
        }
        assert!(script.contains("kubectl dnsrecords "), "{name}: {script}");
        assert!(
            script.contains("-n $NAMESPACE") && script.contains("$NAME"),
            "{name}"
        );
        assert!(
            script.contains("--context $CONTEXT"),
            "{name}: the k9s context"
        );
        let action = if script.contains(" explain ") {
            "explain"
        } else {
            "records"
        };
        for scope in plugin["scopes"].as_array().into_iter().flatten() {
            let scope = scope.as_str().unwrap_or_default().to_string();
            let previous = bound.insert((scope.clone(), action.to_string()), name.clone());
            assert!(previous.is_none(), "two {action} plugins on {scope}");
        }
    }
    for scope in ["services", "statefulsets", "pods"] {
        assert!(
            bound.contains_key(&(scope.to_string(), "records".to_string())),
            "{scope}"
        );
    }
    for scope in ["services", "pods"] {
        assert!(
            bound.contains_key(&(scope.to_string(), "explain".to_string())),
            "{scope}"
        );
    }
    // One shortcut per action within a view.
    let mut keys = BTreeSet::new();
    for (name, plugin) in &plugins {
        for scope in plugin["scopes"].as_array().into_iter().flatten() {
            let key = (scope.to_string(), plugin["shortCut"].to_string());
            assert!(keys.insert(key), "{name}: shortcut taken twice in {scope}");
        }
    }
}

/// The shell line a plugin runs (`sh -c LINE`) or its command and args joined.
fn script(plugin: &Value) -> String {
    let args: Vec<String> = plugin["args"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_string))
        .collect();
    match (plugin["command"].as_str(), args.as_slice()) {
        (Some("sh" | "bash"), [flag, line]) if flag == "-c" => line.clone(),
        (Some(command), args) => format!("{command} {}", args.join(" ")),
        (None, _) => String::new(),
    }
}

/// k9s's substitution: `$VAR` replaced from its environment, longest names first.
fn substitute(text: &str, env: &[(&str, &str)]) -> String {
    let mut vars = env.to_vec();
    vars.sort_by_key(|(name, _)| std::cmp::Reverse(name.len()));
    vars.iter().fold(text.to_string(), |text, (name, value)| {
        text.replace(&format!("${name}"), value)
    })
}

#[test]
fn every_command_runs_against_the_examples() {
    for (name, plugin) in plugins() {
        let scope = plugin["scopes"][0].as_str().unwrap_or_default().to_string();
        let row = match scope.as_str() {
            "services" => "redis-headless",
            "statefulsets" => "redis",
            _ => "redis-0",
        };
        let line = substitute(
            &script(&plugin),
            &[
                ("NAMESPACE", "cache"),
                ("NAME", row),
                ("CONTEXT", "k9s-context"),
            ],
        );
        assert!(
            !line.contains('$') || line.contains("$'"),
            "{name}: unsubstituted {line}"
        );
        // The dnsrecords part of the pipeline, with the examples instead of the k9s context.
        let start = line.find("kubectl dnsrecords ").expect("runs the plugin") + 19;
        let invocation = line[start..].split('|').next().unwrap_or_default();
        let mut args: Vec<String> = invocation
            .split_whitespace()
            .map(|word| word.replace("NAME_TO_ASK", "redis-1.redis-headless"))
            .collect();
        let context = args
            .iter()
            .position(|a| a == "--context")
            .expect("--context");
        assert_eq!(args.remove(context + 1), "k9s-context");
        args.remove(context);
        args.extend(
            [
                "-f",
                "examples/redis-statefulset.yaml",
                "-f",
                "examples/cluster-dns.yaml",
            ]
            .map(String::from),
        );
        let out = command().args(&args).output().expect("run");
        assert!(
            matches!(out.status.code(), Some(0 | 1)) && !out.stdout.is_empty(),
            "{name}: {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if name == "dnsrecords-pod" {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.lines().any(|l| l.ends_with("  redis-0")), "{text}");
        }
    }
}
