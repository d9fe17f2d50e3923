//! `SourceError`: every way reading the input can fail, each naming what the user can fix.

use std::path::PathBuf;

/// A failure to read the cluster's objects.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// A file or directory could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The path as given.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A document is not valid YAML or JSON.
    #[error("{path}: document {document}: {message}")]
    Syntax {
        /// The file (`-` for standard input).
        path: String,
        /// 1-based document number within the file.
        document: usize,
        /// The parser's one-line explanation.
        message: String,
    },
    /// A file named on the command line holds no objects at all.
    #[error("{path}: no objects in the file")]
    Empty {
        /// The file.
        path: String,
    },
    /// The inputs held no object the tool reads.
    #[error("no Services, EndpointSlices, StatefulSets or Pods found in {inputs}")]
    NothingToRead {
        /// The inputs, joined.
        inputs: String,
    },
}

impl SourceError {
    /// A one-line suggestion of what to do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            SourceError::Read { .. } => Some("check the path given to -f".to_string()),
            SourceError::Syntax { .. } => Some(
                "each document must be a Kubernetes object (YAML or JSON), as `kubectl get -o yaml` prints it"
                    .to_string(),
            ),
            SourceError::Empty { .. } | SourceError::NothingToRead { .. } => Some(
                "export the objects with `kubectl get svc,endpointslices,statefulsets,pods -o yaml > cluster.yaml`"
                    .to_string(),
            ),
        }
    }
}
