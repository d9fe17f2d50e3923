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

/// Parses the labels below the zone (left to right, lower-case).
pub fn parse(labels: &[&str]) -> Shape {
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
        assert_eq!(parse(&[]), Shape::Apex);
        assert_eq!(parse(&["svc"]), Shape::Apex);
        assert_eq!(parse(&["pod"]), Shape::Apex);
        assert_eq!(
            parse(&["x"]),
            Shape::Invalid(Invalid::NotSvcOrPod {
                label: "x".to_string()
            })
        );
        assert_eq!(
            parse(&["cache", "svc"]),
            Shape::ServiceNamespace {
                namespace: "cache".to_string()
            }
        );
        assert_eq!(
            parse(&["http", "tcp", "web", "shop", "svc"]),
            Shape::Port {
                namespace: "shop".to_string(),
                service: "web".to_string(),
                port: "http".to_string(),
                protocol: "tcp".to_string()
            }
        );
        assert_eq!(
            parse(&["a", "_http", "_tcp", "web", "shop", "svc"]),
            Shape::Invalid(Invalid::TooLong)
        );
        assert_eq!(
            parse(&["x", "y", "10-0-0-1", "ns", "pod"]),
            Shape::Pod {
                namespace: "ns".to_string(),
                pod: "10-0-0-1".to_string(),
                ignored: 2
            }
        );
    }
}
