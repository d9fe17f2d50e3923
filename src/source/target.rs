//! Positional arguments → targets: `svc/NAME` (also `service/`, `services/`), `sts/NAME` (also
//! `statefulset/`, `statefulsets/`, with an optional `.apps` group), or a bare `NAME` (a Service).
//! Each name is checked against the API server's rule for its kind here, so a target can never
//! carry `/`, `?` or `%` into a request path.

use crate::model::{InvalidName, NameKind, Target, validate_name};

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
    /// The name breaks the API server's naming rule for its kind.
    #[error(transparent)]
    InvalidName(#[from] InvalidName),
}

impl TargetError {
    /// What to do about it.
    pub fn hint(&self) -> String {
        match self {
            TargetError::InvalidName(invalid) => invalid.kind.rule(),
            TargetError::UnknownResource(_) | TargetError::MissingName(_) => {
                "use svc/NAME, sts/NAME or a Service NAME".to_string()
            }
        }
    }
}

/// Parses one positional argument.
pub fn parse_target(arg: &str) -> Result<Target, TargetError> {
    let Some((resource, name)) = arg.split_once('/') else {
        validate_name(NameKind::Service, arg)?;
        return Ok(Target::Service(arg.to_string()));
    };
    if name.is_empty() {
        return Err(TargetError::MissingName(arg.to_string()));
    }
    match resource.to_ascii_lowercase().as_str() {
        "svc" | "service" | "services" => {
            validate_name(NameKind::Service, name)?;
            Ok(Target::Service(name.to_string()))
        }
        "sts" | "statefulset" | "statefulsets" | "statefulset.apps" | "statefulsets.apps" => {
            validate_name(NameKind::StatefulSet, name)?;
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
            parse_target("statefulsets.apps/kafka.v2").unwrap(),
            Target::StatefulSet("kafka.v2".into())
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

    #[test]
    fn names_that_would_change_the_request_path_are_refused() {
        let message = |arg: &str| parse_target(arg).map_err(|e| e.to_string()).err();
        assert_eq!(
            message("svc/redis?watch=true").as_deref(),
            Some(r#"invalid Service name "redis?watch=true": may not contain '?'"#)
        );
        assert_eq!(
            message("svc/a/b").as_deref(),
            Some(r#"invalid Service name "a/b": may not contain '/'"#)
        );
        assert_eq!(
            message("sts/..").as_deref(),
            Some(r#"invalid StatefulSet name "..": may not be '..'"#)
        );
        assert_eq!(
            message("redis%2Fx").as_deref(),
            Some(r#"invalid Service name "redis%2Fx": may not contain '%'"#)
        );
        assert_eq!(
            message("Redis").as_deref(),
            Some(r#"invalid Service name "Redis": must be lower case"#)
        );
        // A Service name is a label: no dots, unlike a StatefulSet's.
        assert!(message("svc/kafka.v2").is_some());
    }
}
