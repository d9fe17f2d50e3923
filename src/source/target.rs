//! Positional arguments → targets: `svc/NAME` (also `service/`, `services/`), `sts/NAME` (also
//! `statefulset/`, `statefulsets/`, with an optional `.apps` group), or a bare `NAME` (a Service).

use crate::model::Target;

/// Why an argument is not a target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The resource type before the `/` is not one the tool reads.
    #[error("the server doesn't have a resource type {0:?} this plugin reads")]
    UnknownResource(String),
    /// `svc/` with nothing after it.
    #[error("{0:?} has no name after the '/'")]
    MissingName(String),
}

/// Parses one positional argument.
pub fn parse_target(arg: &str) -> Result<Target, TargetError> {
    let Some((resource, name)) = arg.split_once('/') else {
        return Ok(Target::Service(arg.to_string()));
    };
    if name.is_empty() {
        return Err(TargetError::MissingName(arg.to_string()));
    }
    match resource.to_ascii_lowercase().as_str() {
        "svc" | "service" | "services" => Ok(Target::Service(name.to_string())),
        "sts" | "statefulset" | "statefulsets" | "statefulset.apps" | "statefulsets.apps" => {
            Ok(Target::StatefulSet(name.to_string()))
        }
        _ => Err(TargetError::UnknownResource(resource.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(
            parse_target("redis").unwrap(),
            Target::Service("redis".into())
        );
        assert_eq!(
            parse_target("svc/redis").unwrap(),
            Target::Service("redis".into())
        );
        assert_eq!(
            parse_target("Services/redis").unwrap(),
            Target::Service("redis".into())
        );
        assert_eq!(
            parse_target("sts/kafka").unwrap(),
            Target::StatefulSet("kafka".into())
        );
        assert_eq!(
            parse_target("statefulsets.apps/kafka").unwrap(),
            Target::StatefulSet("kafka".into())
        );
        assert!(matches!(
            parse_target("deploy/x"),
            Err(TargetError::UnknownResource(_))
        ));
        assert!(matches!(
            parse_target("svc/"),
            Err(TargetError::MissingName(_))
        ));
    }
}
