//! Look-ups the engine and the findings need more than once: a Service's slices, Services by
//! name and by ClusterIP (the informer indexes CoreDNS keeps: `SvcIndex`, `EpIndex`,
//! `SvcIndexReverse`), Pods by namespace and name, and which slice endpoint stands for a Pod.

use std::net::IpAddr;

use super::HashMap;
use super::view::{
    ClusterView, EndpointView, PodView, ServiceKind, ServiceView, SliceView, StatefulSetView,
};
use crate::model::LabelSet;

/// namespace → name → value: nested so that a look-up borrows its keys only for the probe.
type ByName<'a, T> = HashMap<&'a str, HashMap<&'a str, T>>;

/// Indexes over a `ClusterView`; every look-up is a hash probe.
pub struct Index<'a> {
    slices_by_service: ByName<'a, Vec<&'a SliceView>>,
    services_by_name: ByName<'a, &'a ServiceView>,
    services_by_namespace: HashMap<&'a str, Vec<&'a ServiceView>>,
    services_by_cluster_ip: HashMap<IpAddr, Vec<&'a ServiceView>>,
    pods_by_namespace: HashMap<&'a str, Vec<&'a PodView>>,
    pods_by_name: ByName<'a, &'a PodView>,
    stateful_sets_by_name: ByName<'a, &'a StatefulSetView>,
    /// namespace → service → pod → the endpoints of that Service's slices that name the Pod.
    endpoints_by_pod: ByName<'a, HashMap<&'a str, Vec<(&'a SliceView, &'a EndpointView)>>>,
    /// namespace → pod → the Services whose slices list it.
    services_listing_pod: ByName<'a, Vec<&'a str>>,
    /// namespace → (label key, value) → the Pods carrying it, so that a selector is matched
    /// against the Pods of its rarest pair instead of every Pod of the namespace.
    pods_by_label: HashMap<&'a str, HashMap<(&'a str, &'a str), Vec<&'a PodView>>>,
    /// Slices the `labels` option filters out, by the Service they are labelled for.
    filtered_slices_by_service: ByName<'a, Vec<&'a SliceView>>,
    /// Slices without the service-name label, by namespace.
    unlabelled_slices: HashMap<&'a str, Vec<&'a SliceView>>,
    empty: Vec<&'a PodView>,
}

impl<'a> Index<'a> {
    /// Builds the indexes; the view's sort order makes "first" deterministic.
    pub fn new(view: &'a ClusterView) -> Self {
        let mut index = Index {
            slices_by_service: HashMap::default(),
            services_by_name: HashMap::default(),
            services_by_namespace: HashMap::default(),
            services_by_cluster_ip: HashMap::default(),
            pods_by_namespace: HashMap::default(),
            pods_by_name: HashMap::default(),
            stateful_sets_by_name: HashMap::default(),
            endpoints_by_pod: HashMap::default(),
            services_listing_pod: HashMap::default(),
            pods_by_label: HashMap::default(),
            filtered_slices_by_service: HashMap::default(),
            unlabelled_slices: HashMap::default(),
            empty: Vec::new(),
        };
        for slice in &view.filtered_slices {
            if let Some(service) = slice.service.as_deref() {
                index
                    .filtered_slices_by_service
                    .entry(slice.object.namespace.as_str())
                    .or_default()
                    .entry(service)
                    .or_default()
                    .push(slice);
            }
        }
        for slice in &view.slices {
            let Some(service) = slice.service.as_deref() else {
                index
                    .unlabelled_slices
                    .entry(slice.object.namespace.as_str())
                    .or_default()
                    .push(slice);
                continue;
            };
            let namespace = slice.object.namespace.as_str();
            index
                .slices_by_service
                .entry(namespace)
                .or_default()
                .entry(service)
                .or_default()
                .push(slice);
            for endpoint in &slice.endpoints {
                if let Some(pod) = &endpoint.pod
                    && pod.namespace == namespace
                {
                    index
                        .endpoints_by_pod
                        .entry(namespace)
                        .or_default()
                        .entry(service)
                        .or_default()
                        .entry(pod.name.as_str())
                        .or_default()
                        .push((slice, endpoint));
                    let listing = index
                        .services_listing_pod
                        .entry(namespace)
                        .or_default()
                        .entry(pod.name.as_str())
                        .or_default();
                    if !listing.contains(&service) {
                        listing.push(service);
                    }
                }
            }
        }
        for service in &view.services {
            let key = (
                service.object.namespace.as_str(),
                service.object.name.as_str(),
            );
            index
                .services_by_name
                .entry(key.0)
                .or_default()
                .insert(key.1, service);
            index
                .services_by_namespace
                .entry(key.0)
                .or_default()
                .push(service);
            if let ServiceKind::ClusterIp(ips) = &service.kind {
                for ip in ips {
                    index
                        .services_by_cluster_ip
                        .entry(*ip)
                        .or_default()
                        .push(service);
                }
            }
        }
        for pod in &view.pods {
            let key = (pod.object.namespace.as_str(), pod.object.name.as_str());
            index
                .pods_by_name
                .entry(key.0)
                .or_default()
                .insert(key.1, pod);
            index.pods_by_namespace.entry(key.0).or_default().push(pod);
            let by_label = index.pods_by_label.entry(key.0).or_default();
            for pair in pod.labels.pairs() {
                by_label.entry(pair).or_default().push(pod);
            }
        }
        for sts in &view.stateful_sets {
            let key = (sts.object.namespace.as_str(), sts.object.name.as_str());
            index
                .stateful_sets_by_name
                .entry(key.0)
                .or_default()
                .insert(key.1, sts);
        }
        // Nearly every Pod is listed once, by one Service: a vector grown by one push keeps room
        // for four, two vectors per Pod for the whole run.
        for by_service in index
            .endpoints_by_pod
            .values_mut()
            .flat_map(|m| m.values_mut())
        {
            for endpoints in by_service.values_mut() {
                endpoints.shrink_to_fit();
            }
        }
        for listing in index
            .services_listing_pod
            .values_mut()
            .flat_map(|m| m.values_mut())
        {
            listing.shrink_to_fit();
        }
        index
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
        lookup(&self.services_by_name, namespace, name).copied()
    }

    /// The Services of a namespace, in name order.
    pub fn services_in(&self, namespace: &str) -> &[&'a ServiceView] {
        self.services_by_namespace
            .get(namespace)
            .map_or(&[], Vec::as_slice)
    }

    /// The Services (in namespace/name order) that have `ip` among their ClusterIPs.
    pub fn services_with_cluster_ip(&self, ip: &IpAddr) -> &[&'a ServiceView] {
        self.services_by_cluster_ip
            .get(ip)
            .map_or(&[], Vec::as_slice)
    }

    /// The Pods of a namespace, in name order.
    pub fn pods_in(&self, namespace: &str) -> &[&'a PodView] {
        self.pods_by_namespace
            .get(namespace)
            .map_or(self.empty.as_slice(), Vec::as_slice)
    }

    /// The Pod `namespace/name`.
    pub fn pod(&self, namespace: &str, name: &str) -> Option<&'a PodView> {
        lookup(&self.pods_by_name, namespace, name).copied()
    }

    /// The StatefulSet `namespace/name`.
    pub fn stateful_set(&self, namespace: &str, name: &str) -> Option<&'a StatefulSetView> {
        lookup(&self.stateful_sets_by_name, namespace, name).copied()
    }

    /// The endpoints of `namespace/service`'s slices whose targetRef is the Pod.
    pub fn endpoints_of_pod(
        &self,
        namespace: &str,
        service: &str,
        pod: &str,
    ) -> &[(&'a SliceView, &'a EndpointView)] {
        lookup(&self.endpoints_by_pod, namespace, service)
            .and_then(|by_pod| by_pod.get(pod))
            .map_or(&[], Vec::as_slice)
    }
}

impl<'a> Index<'a> {
    /// The slices labelled for `namespace/service` that the `labels` option filters out.
    pub fn filtered_slices_of(&self, namespace: &str, service: &str) -> &[&'a SliceView] {
        lookup(&self.filtered_slices_by_service, namespace, service).map_or(&[], Vec::as_slice)
    }

    /// The slices of `namespace` without the service-name label.
    pub fn unlabelled_slices_in(&self, namespace: &str) -> &[&'a SliceView] {
        self.unlabelled_slices
            .get(namespace)
            .map_or(&[], Vec::as_slice)
    }

    /// The Services of `namespace` whose slices list the Pod.
    pub fn services_listing_pod(&self, namespace: &str, pod: &str) -> &[&'a str] {
        lookup(&self.services_listing_pod, namespace, pod).map_or(&[], Vec::as_slice)
    }

    /// The Pods of `namespace` a Service selector picks (every pair equal; an empty selector
    /// picks every Pod), looked up through the selector's rarest label pair.
    pub fn pods_selected_by(
        &self,
        namespace: &str,
        selector: &std::collections::BTreeMap<String, String>,
    ) -> Vec<&'a PodView> {
        let Some(by_label) = self.pods_by_label.get(namespace) else {
            return Vec::new();
        };
        let candidates = selector
            .iter()
            .map(|(k, v)| {
                by_label
                    .get(&(k.as_str(), v.as_str()))
                    .map_or(&[][..], Vec::as_slice)
            })
            .min_by_key(|pods| pods.len());
        let candidates = candidates.unwrap_or_else(|| self.pods_in(namespace));
        candidates
            .iter()
            .copied()
            .filter(|pod| pod.labels.has_all(selector))
            .collect()
    }
}

fn lookup<'m, T>(map: &'m ByName<'_, T>, namespace: &str, name: &str) -> Option<&'m T> {
    map.get(namespace).and_then(|by_name| by_name.get(name))
}
