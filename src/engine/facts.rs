//! Facts: every name a user could expect for the objects, decided once. A name is `served` iff
//! the record set holds a record at it — so the facts can never contradict the records — and
//! otherwise `absent` with the causes read from the views, or `unknown` when a list the decision
//! needs could not be read. Names are built in the primary zone, the one users type.

use super::endpoint_name::endpoint_label;
use super::view::{EndpointView, PodView, ServiceKind, ServiceView, SliceView, StatefulSetView};
use super::{Ctx, Denied};
use crate::model::{
    Cause, DnsName, Expectation, Fact, FactState, GapResource, Kind, ObjectRef, Record, RecordType,
    format_labels,
};
use std::hash::BuildHasher;
use std::sync::Arc;

use hashbrown::HashTable;

/// Decides every fact.
pub fn decide(ctx: &Ctx, records: &[Record], denied: &[Denied]) -> Vec<Fact> {
    let Some(zone) = ctx.config.primary_zone() else {
        return Vec::new();
    };
    // A stanza whose block never receives its primary zone answers none of its names: there is
    // no expectation to be met or missed.
    if !ctx.config.server.receives(zone) {
        return Vec::new();
    }
    let mut facts = Facts {
        ctx,
        zone,
        names: Lookups::new(records),
        list: Vec::new(),
    };
    for denial in denied.iter().filter(|d| d.name.is_within(zone)) {
        facts.add(
            denial.name.clone(),
            RecordType::A,
            Expectation::Service,
            vec![denial.subject.clone()],
            vec![denial.cause.clone()],
        );
    }
    for hidden in &ctx.view.hidden {
        if hidden.object.kind == Kind::Service
            && let Ok(name) =
                zone.prepend_all(&[&hidden.object.name, &hidden.object.namespace, "svc"])
        {
            facts.add(
                name,
                RecordType::A,
                Expectation::Service,
                vec![Arc::new(hidden.object.clone())],
                vec![hidden.cause.clone()],
            );
        }
    }
    for service in &ctx.view.services {
        facts.service(service);
    }
    for service in &ctx.view.filtered_services {
        facts.filtered_service(service);
    }
    for pod in &ctx.view.pods {
        facts.pod_hostnames(pod);
    }
    for sts in &ctx.view.stateful_sets {
        facts.stateful_set(sts);
    }
    // The look-ups go before the sort allocates its keys: the list is all that is left.
    let Facts { list, names, .. } = facts;
    drop(names);
    let mut facts = list;
    // Names were the map's keys, so no two are equal and an unstable sort by `DnsName`'s order
    // (that of `order_key`) is total. Sorting the facts themselves by `DnsName::cmp` was a
    // tenth of a cluster-wide run: the keys are computed once instead.
    super::sort::by_byte_key(
        &mut facts,
        super::sort::ByteKey {
            push: |fact: &Fact, key: &mut Vec<u8>| fact.name.push_order_key(key),
            len: |fact: &Fact| fact.name.order_key_len(),
        },
        |_, _| std::cmp::Ordering::Equal,
    );
    facts
}

/// A decisive cause (the Corefile hides the object) makes the name absent whatever could not be
/// read; otherwise an unreadable list makes it unknown, and the causes inferred from the
/// missing list (no EndpointSlice, no Service) are dropped: they would be false claims.
fn settle(fact: &mut Fact) {
    if fact.state == FactState::Served {
        return;
    }
    let decisive = fact.causes.iter().any(|c| {
        matches!(
            c,
            Cause::NamespaceNotServed { .. }
                | Cause::NamespaceMissing { .. }
                | Cause::FilteredByLabels { .. }
                | Cause::InvalidObject { .. }
                | Cause::NoEndpointsOption
        )
    });
    let forbidden = fact
        .causes
        .iter()
        .any(|c| matches!(c, Cause::ListForbidden { .. }));
    if decisive {
        fact.causes
            .retain(|c| !matches!(c, Cause::ListForbidden { .. }));
        fact.state = FactState::Absent;
    } else if forbidden {
        fact.causes
            .retain(|c| matches!(c, Cause::ListForbidden { .. }));
        fact.state = FactState::Unknown;
    }
}

/// One address of an endpoint as the facts see it: its text, and its IP unless it is an FQDN
/// slice's name.
#[derive(Clone, Copy)]
struct EndpointAddress<'s> {
    text: &'s str,
    ip: Option<std::net::IpAddr>,
    /// The text is the IP's canonical form (always, for a name).
    canonical: bool,
}

impl EndpointAddress<'_> {
    /// What its endpoint name holds: an address, or a CNAME to the name.
    fn rtype(&self) -> RecordType {
        if self.ip.is_some() {
            RecordType::A
        } else {
            RecordType::Cname
        }
    }
}

struct Facts<'a, 'c> {
    ctx: &'c Ctx<'a>,
    zone: &'c DnsName,
    names: Lookups<'c>,
    /// The facts, in the order their names first came.
    list: Vec<Fact>,
}

/// The two questions asked of every expected name — is a record at it, and where is its fact —
/// answered from one hash of the name. Hashed, not ordered: DNS canonical order is costly to
/// compare, so the facts are sorted once at the end. Each name was hashed twice, once per map,
/// and copied as the key of the second: the look-ups were half of deciding the facts.
struct Lookups<'c> {
    hasher: foldhash::fast::RandomState,
    /// The owner names of the records.
    served: HashTable<&'c DnsName>,
    /// Where each name's fact is in the list; an entry's key is its fact's own name, not a copy
    /// of it (and a position, not the fact: a table of whole facts, at its load factor, was as
    /// large again as the facts).
    positions: HashTable<usize>,
}

impl<'c> Lookups<'c> {
    fn new(records: &'c [Record]) -> Self {
        let hasher = foldhash::fast::RandomState::default();
        let mut served = HashTable::with_capacity(records.len());
        // The records are sorted by owner: a run of one owner's records is hashed once.
        let mut previous: Option<&DnsName> = None;
        for owner in records.iter().map(|r| &r.owner) {
            if previous == Some(owner) {
                continue;
            }
            previous = Some(owner);
            let hash = hasher.hash_one(owner);
            if served
                .find(hash, |known: &&DnsName| *known == owner)
                .is_none()
            {
                served.insert_unique(hash, owner, |known| hasher.hash_one(known));
            }
        }
        Lookups {
            hasher,
            served,
            positions: HashTable::new(),
        }
    }

    fn hash(&self, name: &DnsName) -> u64 {
        self.hasher.hash_one(name)
    }

    /// Whether a record is at `name`, whose [`Lookups::hash`] is `hash`.
    fn served(&self, hash: u64, name: &DnsName) -> bool {
        self.served.find(hash, |known| *known == name).is_some()
    }

    /// Where the fact of `name` is in `list`.
    fn position(&self, hash: u64, name: &DnsName, list: &[Fact]) -> Option<usize> {
        self.positions
            .find(hash, |&at| list[at].name == *name)
            .copied()
    }

    /// Notes that the fact of the name hashed `hash` is at `at` of `list`.
    fn place(&mut self, hash: u64, at: usize, list: &[Fact]) {
        let hasher = &self.hasher;
        self.positions
            .insert_unique(hash, at, |&placed| hasher.hash_one(&list[placed].name));
    }

    /// Whether a record is at `name` (hashing it here).
    fn is_served(&self, name: &DnsName) -> bool {
        self.served(self.hash(name), name)
    }
}

impl Facts<'_, '_> {
    /// Adds or merges one expected name. The state comes from the records alone; causes that
    /// rest on an unreadable list turn an absent name into an unknown one.
    fn add(
        &mut self,
        name: DnsName,
        rtype: RecordType,
        expectation: Expectation,
        objects: Vec<Arc<ObjectRef>>,
        causes: Vec<Cause>,
    ) {
        let hash = self.names.hash(&name);
        let served = self.names.served(hash, &name);
        let at = match self.names.position(hash, &name, &self.list) {
            Some(at) => at,
            None => {
                self.list.push(Fact {
                    name,
                    rtype,
                    state: if served {
                        FactState::Served
                    } else {
                        FactState::Absent
                    },
                    causes: Vec::new(),
                    expectation,
                    objects: Vec::new(),
                });
                let at = self.list.len() - 1;
                self.names.place(hash, at, &self.list);
                at
            }
        };
        let fact = &mut self.list[at];
        // A more specific expectation wins (a peer name is also an endpoint name), and its
        // objects lead, so the subject is the object the name is expected for.
        if expectation > fact.expectation {
            fact.expectation = expectation;
            let earlier = std::mem::replace(&mut fact.objects, objects);
            for object in earlier {
                if !fact.objects.contains(&object) {
                    fact.objects.push(object);
                }
            }
        } else {
            for object in objects {
                if !fact.objects.contains(&object) {
                    fact.objects.push(object);
                }
            }
        }
        for cause in causes {
            // A served name keeps only what explains it (publishNotReadyAddresses).
            if served && !matches!(cause, Cause::PublishedNotReady { .. }) {
                continue;
            }
            if !fact.causes.contains(&cause) {
                fact.causes.push(cause);
            }
        }
        settle(fact);
    }

    fn forbidden(&self, resource: GapResource, namespace: &str) -> Option<Cause> {
        self.ctx
            .view
            .gap(resource, namespace)
            .map(|gap| Cause::ListForbidden {
                resource: gap.resource.as_str().to_string(),
                namespace: gap.namespace.clone(),
            })
    }

    fn service_name(&self, service: &str, namespace: &str) -> Option<DnsName> {
        self.zone.prepend_all(&[service, namespace, "svc"]).ok()
    }

    /// The Service name, its named ports' SRV names and every endpoint's own name.
    fn service(&mut self, service: &ServiceView) {
        let object = (*service.object).clone();
        let namespace = object.namespace.as_str();
        let Some(name) = self.service_name(&object.name, namespace) else {
            return;
        };
        let hidden = self
            .ctx
            .view
            .namespace_hidden_by(self.ctx.config, namespace);
        let slices_forbidden = self.forbidden(GapResource::EndpointSlices, namespace);
        let needs_slices = service.is_headless() || self.ctx.config.ignore_empty_service;
        let mut service_causes: Vec<Cause> = hidden.iter().cloned().collect();
        if needs_slices && !matches!(service.kind, ServiceKind::ExternalName(_)) {
            service_causes.extend(slices_forbidden.clone());
        }
        if service.is_headless() && !self.names.is_served(&name) {
            service_causes.extend(self.not_ready_causes(service));
        }
        let rtype = match service.kind {
            ServiceKind::ExternalName(_) => RecordType::Cname,
            _ => RecordType::A,
        };
        self.add(
            name.clone(),
            rtype,
            Expectation::Service,
            vec![service.object.clone()],
            service_causes.clone(),
        );
        if let ServiceKind::ClusterIp(ips) = &service.kind {
            for ip in ips {
                let mut causes: Vec<Cause> = hidden.iter().cloned().collect();
                if service.noncanonical_cluster_ips.contains(ip) {
                    // CoreDNS looks Services up by the canonical text of the reverse question.
                    causes.push(Cause::InvalidObject {
                        object: object.clone(),
                        field: "spec.clusterIPs".to_string(),
                        problem: format!(
                            "{ip} is not written canonically, so no PTR question finds it"
                        ),
                    });
                }
                self.ptr(*ip, &service.object, causes);
            }
        }
        if matches!(service.kind, ServiceKind::ExternalName(_)) {
            return;
        }
        // A port's SRV name is absent for the same reasons as the Service's own name.
        let inherited: Vec<Cause> = self
            .names
            .position(self.names.hash(&name), &name, &self.list)
            .map(|at| self.list[at].causes.clone())
            .unwrap_or_default();
        for port in service.ports.iter().filter(|p| !p.name.is_empty()) {
            let Ok(owner) =
                name.prepend_all(&[&format!("_{}", port.name), &format!("_{}", port.protocol)])
            else {
                continue;
            };
            let mut causes = inherited.clone();
            if !self.names.is_served(&owner) && self.names.is_served(&name) {
                // Served Service name, no SRV under this port: its slices do not carry it.
                causes.extend(slices_forbidden.clone());
            }
            self.add(
                owner,
                RecordType::Srv,
                Expectation::PortSrv,
                vec![service.object.clone()],
                causes,
            );
        }
        if self.ctx.config.noendpoints {
            return;
        }
        let filtered = self.ctx.index.filtered_slices_of(namespace, &object.name);
        if !filtered.is_empty() {
            let selector = self
                .ctx
                .config
                .labels
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            for slice in filtered {
                let cause = Cause::FilteredByLabels {
                    object: (*slice.object).clone(),
                    selector: selector.clone(),
                };
                self.endpoint_names(&name, &service.object, &[*slice], &[cause]);
            }
        }
        let slices = self.ctx.index.slices_of(namespace, &object.name);
        for (slice, endpoint, address, endpoint_name) in self.named_endpoints(&name, slices) {
            let EndpointAddress {
                text,
                ip,
                canonical,
            } = address;
            let pod = endpoint.pod.as_deref().cloned();
            let pod_view = pod
                .as_ref()
                .and_then(|p| self.ctx.index.pod(&p.namespace, &p.name));
            let mut causes: Vec<Cause> = hidden.iter().cloned().collect();
            if !endpoint.ready {
                causes.push(Cause::EndpointNotReady {
                    pod: pod.clone(),
                    address: text.to_string(),
                    terminating: endpoint.terminating,
                    ready_condition: pod_view.and_then(|p| p.ready_condition.clone()),
                });
            } else if service.publish_not_ready && pod_view.is_some_and(|p| !p.ready) {
                causes.push(Cause::PublishedNotReady { pod: pod.clone() });
            }
            if self.ctx.config.ignore_empty_service && !self.names.is_served(&name) {
                causes.push(Cause::IgnoreEmptyService {
                    service: object.clone(),
                });
            }
            let mut objects = vec![service.object.clone(), slice.object.clone()];
            objects.extend(endpoint.pod.clone());
            // An FQDN slice's name has a CNAME there, and no PTR (no reverse question spells it).
            let Some(ip) = ip else {
                self.add(
                    endpoint_name,
                    RecordType::Cname,
                    Expectation::Endpoint,
                    objects,
                    causes,
                );
                continue;
            };
            let mut ptr_causes = causes.clone();
            if endpoint.ready && !canonical {
                // CoreDNS looks slices up by the canonical text of the reverse question.
                ptr_causes.push(Cause::InvalidObject {
                    object: (*slice.object).clone(),
                    field: "endpoints[].addresses".to_string(),
                    problem: format!(
                        "\"{text}\" is not written canonically ({ip}), so no PTR question finds it"
                    ),
                });
            }
            if let (true, Some(version)) =
                (self.ctx.rules.ptr_requires_hostname, self.ctx.rules.version)
                && endpoint.ready
                && endpoint.hostname.is_none()
            {
                ptr_causes.push(Cause::CoreDnsRelease {
                    version,
                    rule: "endpoint PTR records only for endpoints with a hostname",
                });
            }
            self.ptr(ip, &service.object, ptr_causes);
            self.add(
                endpoint_name,
                RecordType::A,
                Expectation::Endpoint,
                objects,
                causes,
            );
        }
    }

    /// The reverse name of `ip`, when a reverse zone of the Corefile holds it.
    fn ptr(&mut self, ip: std::net::IpAddr, service: &Arc<ObjectRef>, causes: Vec<Cause>) {
        let owner = super::reverse_name(ip);
        if self.ctx.config.reverse_zone_for(&owner).is_some() {
            self.add(
                owner,
                RecordType::Ptr,
                Expectation::Ptr,
                vec![service.clone()],
                causes,
            );
        }
    }

    /// Every address of `slices` (IPs, and an FQDN slice's names) with the endpoint name CoreDNS
    /// gives it under `service_name` (`endpointHostname`); addresses whose label is not one
    /// valid DNS label have none.
    fn named_endpoints<'s>(
        &self,
        service_name: &DnsName,
        slices: &[&'s SliceView],
    ) -> Vec<(
        &'s SliceView,
        &'s EndpointView,
        EndpointAddress<'s>,
        DnsName,
    )> {
        let pod_names = self.ctx.config.endpoint_pod_names;
        let rules = &self.ctx.rules;
        slices
            .iter()
            .flat_map(|slice| {
                slice.endpoints.iter().flat_map(move |endpoint| {
                    let ips = endpoint.addresses.iter().map(|a| EndpointAddress {
                        text: &a.text,
                        ip: Some(a.ip),
                        canonical: a.canonical,
                    });
                    let names = endpoint.names.iter().map(|n| EndpointAddress {
                        text: &n.text,
                        ip: None,
                        canonical: true,
                    });
                    ips.chain(names).filter_map(move |address| {
                        let label = endpoint_label(endpoint, address.text, pod_names, rules);
                        let name = service_name.prepend(&label).ok()?;
                        Some((*slice, endpoint, address, name))
                    })
                })
            })
            .collect()
    }

    /// The port SRV and endpoint names of a Service the `labels` option filters out: absent for
    /// that one cause (its own name is a fact of `view.hidden` already).
    fn filtered_service(&mut self, service: &ServiceView) {
        let object = (*service.object).clone();
        let namespace = object.namespace.as_str();
        let Some(name) = self.service_name(&object.name, namespace) else {
            return;
        };
        let cause = Cause::FilteredByLabels {
            object: object.clone(),
            selector: self
                .ctx
                .config
                .labels
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        };
        for port in service.ports.iter().filter(|p| !p.name.is_empty()) {
            if let Ok(owner) =
                name.prepend_all(&[&format!("_{}", port.name), &format!("_{}", port.protocol)])
            {
                self.add(
                    owner,
                    RecordType::Srv,
                    Expectation::PortSrv,
                    vec![service.object.clone()],
                    vec![cause.clone()],
                );
            }
        }
        let index = &self.ctx.index;
        let slices: Vec<_> = index
            .slices_of(namespace, &object.name)
            .iter()
            .chain(index.filtered_slices_of(namespace, &object.name))
            .copied()
            .collect();
        self.endpoint_names(&name, &service.object, &slices, &[cause]);
    }

    /// An endpoint name for every address of `slices`, absent for `causes`.
    fn endpoint_names(
        &mut self,
        service_name: &DnsName,
        service: &Arc<ObjectRef>,
        slices: &[&SliceView],
        causes: &[Cause],
    ) {
        for (slice, endpoint, address, endpoint_name) in self.named_endpoints(service_name, slices)
        {
            let mut objects = vec![service.clone(), slice.object.clone()];
            objects.extend(endpoint.pod.clone());
            self.add(
                endpoint_name,
                address.rtype(),
                Expectation::Endpoint,
                objects,
                causes.to_vec(),
            );
        }
    }

    /// The not-ready endpoints of a Service, as causes.
    fn not_ready_causes(&self, service: &ServiceView) -> Vec<Cause> {
        let mut causes = Vec::new();
        for slice in self
            .ctx
            .index
            .slices_of(&service.object.namespace, &service.object.name)
        {
            for endpoint in slice.endpoints.iter().filter(|e| !e.ready) {
                for address in endpoint.address_texts() {
                    let pod = endpoint.pod.as_deref().cloned();
                    let ready_condition = pod
                        .as_ref()
                        .and_then(|p| self.ctx.index.pod(&p.namespace, &p.name))
                        .and_then(|p| p.ready_condition.clone());
                    causes.push(Cause::EndpointNotReady {
                        pod,
                        address: address.to_string(),
                        terminating: endpoint.terminating,
                        ready_condition,
                    });
                }
            }
        }
        causes
    }

    /// `<hostname>.<service>` for a Pod that sets a hostname, under every headless Service that
    /// selects it and under the Service its subdomain names.
    fn pod_hostnames(&mut self, pod: &PodView) {
        let Some(hostname) = pod.hostname.as_deref() else {
            return;
        };
        let namespace = pod.object.namespace.as_str();
        // Candidates: the Service the subdomain names and the Services whose slices list the
        // Pod — two hash probes instead of matching every Service of the namespace.
        let index = &self.ctx.index;
        let mut candidates: Vec<&str> = index
            .services_listing_pod(namespace, &pod.object.name)
            .to_vec();
        if let Some(subdomain) = pod.subdomain.as_deref()
            && !candidates.contains(&subdomain)
        {
            candidates.push(subdomain);
        }
        let services: Vec<&ServiceView> = candidates
            .into_iter()
            .filter_map(|name| index.service(namespace, name))
            .filter(|svc| {
                !matches!(svc.kind, ServiceKind::ExternalName(_))
                    && (svc.is_headless() || pod.subdomain.as_deref() == Some(&svc.object.name))
                    && (svc.selects(&pod.labels)
                        || !index
                            .endpoints_of_pod(namespace, &svc.object.name, &pod.object.name)
                            .is_empty())
            })
            .collect();
        for service in services {
            let Some(name) = self
                .service_name(&service.object.name, namespace)
                .and_then(|svc| svc.prepend(hostname).ok())
            else {
                continue;
            };
            let causes = self.pod_causes(pod, service, hostname);
            self.add(
                name,
                RecordType::A,
                Expectation::PodHostname,
                vec![pod.object.clone(), service.object.clone()],
                causes,
            );
        }
    }

    /// Why `<label>.<service>` is not served for an existing Pod (empty when it is).
    fn pod_causes(&self, pod: &PodView, service: &ServiceView, label: &str) -> Vec<Cause> {
        let namespace = pod.object.namespace.as_str();
        let service_name = service.object.name.as_str();
        let pod_ref = (*pod.object).clone();
        let mut causes: Vec<Cause> = self
            .ctx
            .view
            .namespace_hidden_by(self.ctx.config, namespace)
            .into_iter()
            .collect();
        if self.ctx.config.noendpoints {
            causes.push(Cause::NoEndpointsOption);
            return causes;
        }
        let endpoints = self
            .ctx
            .index
            .endpoints_of_pod(namespace, service_name, &pod.object.name);
        if endpoints.is_empty() {
            if let Some(cause) = self.forbidden(GapResource::EndpointSlices, namespace) {
                causes.push(cause);
            } else if !pod.ready && !service.publish_not_ready {
                causes.push(Cause::PodNotReady {
                    pod: pod_ref,
                    ready_condition: pod.ready_condition.clone(),
                });
            } else {
                causes.push(Cause::PodNotInSlices {
                    pod: pod_ref,
                    service: (*service.object).clone(),
                });
            }
            return causes;
        }
        for (slice, endpoint) in endpoints {
            let named = endpoint.hostname.as_deref() == Some(label)
                || (endpoint.hostname.is_none()
                    && self.ctx.config.endpoint_pod_names
                    && endpoint.target_name.as_deref() == Some(label));
            if !named {
                // The most fundamental cause first: even the controller sets a hostname only
                // for a Pod with spec.hostname whose subdomain is the Service (ShouldSetHostname).
                if pod.hostname.is_none() {
                    causes.push(Cause::NoHostname {
                        pod: pod_ref.clone(),
                    });
                } else if pod.subdomain.as_deref() != Some(service_name) {
                    causes.push(Cause::SubdomainMismatch {
                        pod: pod_ref.clone(),
                        subdomain: pod.subdomain.clone(),
                        service: service_name.to_string(),
                    });
                } else if slice.managed_by.as_deref()
                    != Some(crate::model::kubernetes::ENDPOINTSLICE_CONTROLLER)
                {
                    causes.push(Cause::SliceSetsNoHostname {
                        slice: (*slice.object).clone(),
                        managed_by: slice.managed_by.clone(),
                    });
                }
            } else if !endpoint.ready {
                for address in endpoint.address_texts() {
                    causes.push(Cause::EndpointNotReady {
                        pod: Some(pod_ref.clone()),
                        address: address.to_string(),
                        terminating: endpoint.terminating,
                        ready_condition: pod.ready_condition.clone(),
                    });
                }
            }
        }
        causes
    }

    /// `<sts>-<ordinal>.<serviceName>…` for every replica `spec.replicas` asks for.
    fn stateful_set(&mut self, sts: &StatefulSetView) {
        let Some(governing) = sts.service_name.as_deref() else {
            return;
        };
        let namespace = sts.object.namespace.as_str();
        let Some(service_name) = self.service_name(governing, namespace) else {
            return;
        };
        let sts_ref = (*sts.object).clone();
        let service_ref = ObjectRef::new(Kind::Service, namespace, governing);
        let shared_service_ref = Arc::new(service_ref.clone());
        let service = self.ctx.index.service(namespace, governing);
        let pods: Vec<(String, Option<&PodView>)> = sts
            .pod_names()
            .map(|pod| {
                let view = self.ctx.index.pod(namespace, &pod);
                (pod, view)
            })
            .collect();
        let applied = self.applied(namespace);
        for (ordinal, (pod_name, pod)) in pods.iter().enumerate() {
            let Ok(name) = service_name.prepend(pod_name) else {
                continue;
            };
            let pod_ref = ObjectRef::new(Kind::Pod, namespace, pod_name);
            let mut causes: Vec<Cause> = self
                .ctx
                .view
                .namespace_hidden_by(self.ctx.config, namespace)
                .into_iter()
                .collect();
            match service {
                None => {
                    if let Some(cause) = self.forbidden(GapResource::Services, namespace) {
                        causes.push(cause);
                    } else if let Some(hidden) = self
                        .ctx
                        .view
                        .hidden
                        .iter()
                        .find(|h| h.object == service_ref)
                    {
                        causes.push(hidden.cause.clone());
                    } else {
                        causes.push(Cause::ServiceMissing {
                            service: service_ref.clone(),
                        });
                    }
                }
                Some(svc) if matches!(svc.kind, ServiceKind::ExternalName(_)) => {
                    causes.push(Cause::ServiceIsExternalName {
                        service: service_ref.clone(),
                    });
                }
                Some(svc) if !svc.selects(&sts.template_labels) => {
                    causes.push(Cause::SelectorMismatch {
                        service: service_ref.clone(),
                        selector: svc.selector.as_ref().map(format_labels),
                        labels: format_labels(&sts.template_labels),
                    });
                }
                Some(svc) => match pod {
                    Some(pod) => causes.extend(self.pod_causes(pod, svc, pod_name)),
                    None if !applied => causes.push(Cause::NotApplied {
                        stateful_set: sts_ref.clone(),
                    }),
                    None => {
                        if let Some(cause) = self.forbidden(GapResource::Pods, namespace) {
                            causes.push(cause);
                        } else {
                            let waiting_on = sts
                                .ordered_ready
                                .then(|| {
                                    pods[..ordinal]
                                        .iter()
                                        .find(|(_, p)| p.is_none_or(|p| !p.ready))
                                        .map(|(name, _)| name.clone())
                                })
                                .flatten();
                            causes.push(Cause::PodNotCreated {
                                pod: pod_ref.clone(),
                                waiting_on,
                            });
                        }
                    }
                },
            }
            self.add(
                name,
                RecordType::A,
                Expectation::StatefulSetPeer,
                vec![
                    sts.object.clone(),
                    pod.map_or_else(|| Arc::new(pod_ref), |p| p.object.clone()),
                    shared_service_ref.clone(),
                ],
                causes,
            );
        }
    }

    /// Whether a namespace's manifests were applied: it has an EndpointSlice or a Pod with a
    /// status. Offline manifests of a workload never applied have neither.
    fn applied(&self, namespace: &str) -> bool {
        self.ctx.view.namespaces_complete
            || self.ctx.view.namespaces_with_slices.contains(namespace)
            || self
                .ctx
                .index
                .pods_in(namespace)
                .iter()
                .any(|p| p.has_status)
            || self
                .forbidden(GapResource::EndpointSlices, namespace)
                .is_some()
    }
}
