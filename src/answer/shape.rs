//! Which name shapes the `kubernetes` plugin understands (`plugin/kubernetes/parse.go
//! parseRequest`), read right to left from the zone: `svc|pod`, namespace, service, then one
//! endpoint label or two port/protocol labels. Anything longer is "query too long" (NXDOMAIN).

/// What a name below a zone asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// The zone itself, `svc.<zone>` or `pod.<zone>`: parseRequest returns before it sets
    /// anything, and every look-up answers NODATA.
    Apex,
    /// A label where `svc` or `pod` must be, or too many labels: `errInvalidRequest`.
    Invalid(Invalid),
    /// `<ns>.svc.<zone>`.
    ServiceNamespace {
        /// The namespace label.
        namespace: String,
    },
    /// `<svc>.<ns>.svc.<zone>`.
    Service {
        /// The namespace label.
        namespace: String,
        /// The Service label.
        service: String,
    },
    /// `<endpoint>.<svc>.<ns>.svc.<zone>`.
    Endpoint {
        /// The namespace label.
        namespace: String,
        /// The Service label.
        service: String,
        /// The endpoint label.
        endpoint: String,
    },
    /// `[_]<port>.[_]<proto>.<svc>.<ns>.svc.<zone>`: the underscores are optional
    /// (`stripUnderscore` removes one if present, nothing requires it).
    Port {
        /// The namespace label.
        namespace: String,
        /// The Service label.
        service: String,
        /// The port name, without its underscore.
        port: String,
        /// The protocol, without its underscore.
        protocol: String,
    },
    /// `<topology zone>.pin|prefer._zone.<svc>.<ns>.svc.<zone>`, with the `zonal` option.
    Zonal {
        /// The namespace label.
        namespace: String,
        /// The Service label.
        service: String,
        /// The labels left of the Service, as asked (the topology zone, the directive, `_zone`).
        left: Vec<String>,
        /// `prefer` (falls back to the whole Service) rather than `pin`.
        prefer: bool,
    },
    /// `<ns>.pod.<zone>`.
    PodNamespace {
        /// The namespace label.
        namespace: String,
    },
    /// `<pod>.<ns>.pod.<zone>`; labels left of the pod label are parsed as an endpoint or a port
    /// and then ignored by `findPods`, which reads only the pod label.
    Pod {
        /// The namespace label.
        namespace: String,
        /// The dashed-address label.
        pod: String,
        /// How many labels the question has left of the pod label (0, 1 or 2).
        ignored: usize,
    },
}

/// Why a name is not a shape the plugin answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// The label right of the namespace is neither `svc` nor `pod`.
    NotSvcOrPod {
        /// The label found there.
        label: String,
    },
    /// More than two labels left of the Service (or pod) label.
    TooLong,
}

/// Parses the labels below the zone (left to right, lower-case); `zonal` is the option that
/// makes `<topology zone>.pin|prefer._zone` names of Services.
pub fn parse(labels: &[&str], zonal: bool) -> Shape {
    if labels.is_empty() || labels == ["svc"] || labels == ["pod"] {
        return Shape::Apex;
    }
    let mut rest = labels.iter().rev();
    let Some(kind) = rest.next() else {
        return Shape::Apex;
    };
    let pod = match *kind {
        "svc" => false,
        "pod" => true,
        other => {
            return Shape::Invalid(Invalid::NotSvcOrPod {
                label: other.to_string(),
            });
        }
    };
    let Some(namespace) = rest.next().map(|l| (*l).to_string()) else {
        return Shape::Apex;
    };
    let Some(service) = rest.next().map(|l| (*l).to_string()) else {
        return if pod {
            Shape::PodNamespace { namespace }
        } else {
            Shape::ServiceNamespace { namespace }
        };
    };
    let left: Vec<&str> = rest.rev().copied().collect();
    // The zone-scoped arm: every label left of the directive is the topology zone.
    if let [zone @ .., directive, "_zone"] = left.as_slice()
        && zonal
        && !pod
        && !zone.is_empty()
        && matches!(*directive, "pin" | "prefer")
    {
        return Shape::Zonal {
            namespace,
            service,
            left: left.iter().map(|l| (*l).to_string()).collect(),
            prefer: *directive == "prefer",
        };
    }
    if left.len() > 2 {
        return Shape::Invalid(Invalid::TooLong);
    }
    if pod {
        return Shape::Pod {
            namespace,
            pod: service,
            ignored: left.len(),
        };
    }
    match left.as_slice() {
        [] => Shape::Service { namespace, service },
        [endpoint] => Shape::Endpoint {
            namespace,
            service,
            endpoint: (*endpoint).to_string(),
        },
        [port, protocol] => Shape::Port {
            namespace,
            service,
            port: strip_underscore(port).to_string(),
            protocol: strip_underscore(protocol).to_string(),
        },
        _ => Shape::Invalid(Invalid::TooLong),
    }
}

fn strip_underscore(label: &str) -> &str {
    label.strip_prefix('_').unwrap_or(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_as_parse_request_reads_them() {
        assert_eq!(parse(&[], false), Shape::Apex);
        assert_eq!(parse(&["svc"], false), Shape::Apex);
        assert_eq!(parse(&["pod"], false), Shape::Apex);
        assert_eq!(
            parse(&["x"], false),
            Shape::Invalid(Invalid::NotSvcOrPod {
                label: "x".to_string()
            })
        );
        assert_eq!(
            parse(&["cache", "svc"], false),
            Shape::ServiceNamespace {
                namespace: "cache".to_string()
            }
        );
        assert_eq!(
            parse(&["http", "tcp", "web", "shop", "svc"], false),
            Shape::Port {
                namespace: "shop".to_string(),
                service: "web".to_string(),
                port: "http".to_string(),
                protocol: "tcp".to_string()
            }
        );
        assert_eq!(
            parse(&["a", "_http", "_tcp", "web", "shop", "svc"], false),
            Shape::Invalid(Invalid::TooLong)
        );
        assert_eq!(
            parse(&["x", "y", "10-0-0-1", "ns", "pod"], false),
            Shape::Pod {
                namespace: "ns".to_string(),
                pod: "10-0-0-1".to_string(),
                ignored: 2
            }
        );
    }

    #[test]
    fn zone_scoped_names_with_the_zonal_option_only() {
        let labels = ["us-east-1a", "pin", "_zone", "db", "shop", "svc"];
        assert!(matches!(
            parse(&labels, true),
            Shape::Zonal { prefer: false, ref service, .. } if service == "db"
        ));
        assert_eq!(parse(&labels, false), Shape::Invalid(Invalid::TooLong));
        // A zone value with dots is every label left of the directive.
        let dotted = ["eu", "west", "prefer", "_zone", "db", "shop", "svc"];
        assert!(
            matches!(parse(&dotted, true), Shape::Zonal { prefer: true, ref left, .. } if left.len() == 4)
        );
        // An unknown directive, or a pod name, stays too long.
        let unknown = ["a", "near", "_zone", "db", "shop", "svc"];
        assert_eq!(parse(&unknown, true), Shape::Invalid(Invalid::TooLong));
        let pod = ["a", "pin", "_zone", "10-0-0-1", "shop", "pod"];
        assert_eq!(parse(&pod, true), Shape::Invalid(Invalid::TooLong));
    }
}
