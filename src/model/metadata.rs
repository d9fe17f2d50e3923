//! `Metadata`: the name and namespace of an object, read alike from the API's `ObjectMeta` and
//! from the slimmer metadata the snapshot keeps of Pods (`PodMeta`), so that naming, checking and
//! deduplicating an object is one function whatever type holds it.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::PodMeta;

/// What every object's metadata says of where it lives.
pub trait Metadata {
    /// `metadata.name`.
    fn name(&self) -> Option<&str>;
    /// `metadata.namespace`.
    fn namespace(&self) -> Option<&str>;
}

impl Metadata for ObjectMeta {
    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }
}

impl Metadata for PodMeta {
    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }
}
