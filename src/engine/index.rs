//! Look-ups the record engine needs more than once: a Service's slices, and Services by their
//! ClusterIPs — the informer indexes CoreDNS keeps (`SvcIndex`, `EpIndex`, `SvcIndexReverse`).

use std::collections::HashMap;
use std::net::IpAddr;

use super::view::{ClusterView, ServiceKind, ServiceView, SliceView};

/// Indexes over a `ClusterView`.
pub struct Index<'a> {
    slices_by_service: HashMap<&'a str, HashMap<&'a str, Vec<&'a SliceView>>>,
    services_by_name: HashMap<&'a str, HashMap<&'a str, &'a ServiceView>>,
    services_by_cluster_ip: HashMap<IpAddr, Vec<&'a ServiceView>>,
}

impl<'a> Index<'a> {
    /// Builds the indexes; the view's sort order makes "first" deterministic.
    pub fn new(view: &'a ClusterView) -> Self {
        let mut slices_by_service: HashMap<&str, HashMap<&str, Vec<&SliceView>>> = HashMap::new();
        for slice in &view.slices {
            if let Some(service) = slice.service.as_deref() {
                slices_by_service
                    .entry(slice.object.namespace.as_str())
                    .or_default()
                    .entry(service)
                    .or_default()
                    .push(slice);
            }
        }
        let mut services_by_name: HashMap<&str, HashMap<&str, &ServiceView>> = HashMap::new();
        let mut services_by_cluster_ip = HashMap::new();
        for service in &view.services {
            services_by_name
                .entry(service.object.namespace.as_str())
                .or_default()
                .insert(service.object.name.as_str(), service);
            if let ServiceKind::ClusterIp(ips) = &service.kind {
                for ip in ips {
                    services_by_cluster_ip
                        .entry(*ip)
                        .or_insert_with(Vec::new)
                        .push(service);
                }
            }
        }
        Index {
            slices_by_service,
            services_by_name,
            services_by_cluster_ip,
        }
    }

    /// The slices labelled for `namespace/service`.
    pub fn slices_of(&self, namespace: &str, service: &str) -> &[&'a SliceView] {
        self.slices_by_service
            .get(namespace)
            .and_then(|by_name| by_name.get(service))
            .map_or(&[], Vec::as_slice)
    }

    /// The Service `namespace/name`, if CoreDNS watches it.
    pub fn service(&self, namespace: &str, name: &str) -> Option<&'a ServiceView> {
        self.services_by_name
            .get(namespace)
            .and_then(|by_name| by_name.get(name))
            .copied()
    }

    /// The Services (in namespace/name order) that have `ip` among their ClusterIPs.
    pub fn services_with_cluster_ip(&self, ip: &IpAddr) -> &[&'a ServiceView] {
        self.services_by_cluster_ip
            .get(ip)
            .map_or(&[], Vec::as_slice)
    }
}
