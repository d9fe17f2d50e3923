//! The backend look-ups of the `kubernetes` plugin (`kubernetes.go Services`, `Records`,
//! `findServices`, `findPods`, `reverse.go Reverse`) over the engine's records: a name either has
//! backend entries (addresses, a CNAME, SRV data, PTRs) or is a name error with its reasons.
//!
//! Names the record list holds are read from it; the shapes it does not list — addresses at a
//! port name, SRV at an endpoint or pod name, any IP-shaped pod name under `pods insecure` — are
//! derived from those records and the slices' ports, with the same readiness the engine decided.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::reason::{QuestionCause, Reason};
use super::shape::{self, Invalid, Shape};
use super::{Answer, Answerer, Check, QName, Routed};
use crate::engine::{ServiceKind, reverse_name, srv_weight};
use crate::model::{
    Cause, DnsName, FactState, Kind, ObjectRef, PodsMode, Provenance, RData, Record, RecordType,
    suggest,
};

/// One address of a look-up, with the owner it has in an additional section.
#[derive(Debug, Clone)]
pub struct Address {
    /// The name the address belongs to (an SRV target, a pod name).
    pub owner: DnsName,
    /// The address.
    pub ip: IpAddr,
    /// TTL.
    pub ttl: u32,
    /// The objects behind it.
    pub source: Provenance,
}

impl Address {
    /// A or AAAA.
    pub fn rtype(&self) -> RecordType {
        if self.ip.is_ipv4() {
            RecordType::A
        } else {
            RecordType::Aaaa
        }
    }

    fn of(record: &Record) -> Option<Self> {
        let ip = match record.data {
            RData::A(v4) => IpAddr::V4(v4),
            RData::Aaaa(v6) => IpAddr::V6(v6),
            _ => return None,
        };
        Some(Address {
            owner: record.owner.clone(),
            ip,
            ttl: record.ttl,
            source: record.source.clone(),
        })
    }
}

/// A CNAME of the backend: an ExternalName's, or one per name address of an FQDN slice.
#[derive(Debug, Clone)]
pub struct Cname<'a> {
    /// Its target.
    pub target: DnsName,
    /// The record.
    pub record: &'a Record,
}

/// One SRV record of an answer.
#[derive(Debug, Clone)]
pub struct Srv {
    /// The weight over the answer's entries.
    pub weight: u16,
    /// The port.
    pub port: u16,
    /// The target.
    pub target: DnsName,
    /// TTL.
    pub ttl: u32,
    /// The objects behind it.
    pub source: Provenance,
}

/// What the backend has for a name.
#[derive(Debug, Clone, Default)]
pub struct Backend<'a> {
    /// `Records` returned entries (the TXT branch answers NODATA only then).
    pub entries: bool,
    /// Addresses for A and AAAA questions.
    pub addresses: Vec<Address>,
    /// The CNAMEs: an ExternalName Service's one, or an FQDN slice's, one per name address.
    pub cnames: Vec<Cname<'a>>,
    /// SRV data.
    pub srv: Vec<Srv>,
    /// The SRV answer's additional section.
    pub srv_extra: Vec<Address>,
    /// PTR records.
    pub ptr: Vec<&'a Record>,
    /// What is worth knowing about a name that exists (publishNotReadyAddresses, insecure pods).
    pub notes: Vec<Reason>,
}

impl Backend<'_> {
    /// The types the name has, for a NODATA reason.
    pub fn present_types(&self) -> Vec<RecordType> {
        let mut types = BTreeSet::new();
        types.extend(self.addresses.iter().map(Address::rtype));
        if !self.cnames.is_empty() {
            types.insert(RecordType::Cname);
        }
        if !self.srv.is_empty() {
            types.insert(RecordType::Srv);
        }
        if !self.ptr.is_empty() {
            types.insert(RecordType::Ptr);
        }
        types.into_iter().collect()
    }
}

/// Which slice ports an address needs to count for an SRV answer.
enum PortFilter<'p> {
    /// Any numbered port (the bare Service name, an endpoint name).
    Any,
    /// The named port and protocol of a `_port._proto` question.
    Named(&'p str, &'p str),
}

type Found<'a> = Result<Backend<'a>, Vec<Reason>>;

impl<'a> Answerer<'a> {
    /// `Kubernetes.Services`: `ns.dns.<zone>` answers with CoreDNS's own addresses
    /// (`isDefaultNS`); everything else goes to `Records`.
    pub(super) fn services(&self, name: &QName, routed: &Routed, answer: &mut Answer) -> Found<'a> {
        if name.labels_below(&routed.zone) == ["ns", "dns"] {
            return Ok(self.name_server_addresses(routed, answer));
        }
        self.records(name, routed, answer)
    }

    /// `Reverse`: a complete reverse name is looked up by address; any other name is `Records`.
    pub(super) fn reverse(&self, name: &QName, routed: &Routed, answer: &mut Answer) -> Found<'a> {
        let Some(ip) = reverse_address(name.lower()) else {
            return self.records(name, routed, answer);
        };
        let ptr: Vec<&Record> = self
            .records_at(&reverse_name(ip))
            .filter(|r| r.rtype() == RecordType::Ptr)
            .collect();
        answer.checks.push(Check {
            passed: !ptr.is_empty(),
            subject: format!("address {ip}"),
        });
        if ptr.is_empty() {
            return Err(vec![Reason::Question(QuestionCause::NoPtr { address: ip })]);
        }
        Ok(Backend {
            entries: true,
            ptr,
            ..Backend::default()
        })
    }

    /// `Records`: parse the name, refuse reverse names, check the namespace, then find Services
    /// or Pods.
    pub(super) fn records(&self, name: &QName, routed: &Routed, answer: &mut Answer) -> Found<'a> {
        let labels = name.labels_below(&routed.zone);
        let reverse = crate::model::is_reverse_zone(&routed.zone);
        let shape = shape::parse(&labels, self.config.zonal);
        let invalid = |cause| Err(vec![Reason::Question(cause)]);
        match &shape {
            Shape::Apex => return Ok(Backend::default()),
            Shape::Invalid(_) if reverse => return invalid(QuestionCause::NotAReverseAddress),
            Shape::Invalid(Invalid::NotSvcOrPod { label }) => {
                return invalid(QuestionCause::NotSvcOrPod {
                    label: label.clone(),
                });
            }
            Shape::Invalid(Invalid::TooLong) => return invalid(QuestionCause::TooManyLabels),
            _ if reverse => return invalid(QuestionCause::NotAReverseAddress),
            _ => {}
        }
        let namespace = match &shape {
            Shape::ServiceNamespace { namespace }
            | Shape::Service { namespace, .. }
            | Shape::Endpoint { namespace, .. }
            | Shape::Port { namespace, .. }
            | Shape::Zonal { namespace, .. }
            | Shape::PodNamespace { namespace }
            | Shape::Pod { namespace, .. } => namespace.as_str(),
            Shape::Apex | Shape::Invalid(_) => return Ok(Backend::default()),
        };
        if let Some(cause) = self.output.view.namespace_hidden_by(self.config, namespace) {
            answer.checks.push(Check {
                passed: false,
                subject: format!("namespace {namespace}"),
            });
            let mut reasons = vec![Reason::Object(cause)];
            reasons.extend(self.similar_namespaces(routed, namespace, &labels));
            return Err(reasons);
        }
        answer.checks.push(Check {
            passed: true,
            subject: format!("namespace {namespace}"),
        });
        match shape {
            Shape::ServiceNamespace { .. } => Ok(Backend::default()),
            Shape::PodNamespace { .. } if self.config.pods == PodsMode::Disabled => {
                invalid(QuestionCause::PodsDisabled)
            }
            Shape::PodNamespace { .. } => Ok(Backend::default()),
            Shape::Service { namespace, service } => {
                self.service(routed, &namespace, &service, answer)
            }
            Shape::Endpoint {
                namespace,
                service,
                endpoint,
            } => self.endpoint(routed, &namespace, &service, &endpoint, answer),
            Shape::Port {
                namespace,
                service,
                port,
                protocol,
            } => self.port(routed, &namespace, &service, &port, &protocol, answer),
            Shape::Pod { namespace, pod, .. } => self.pod(routed, &namespace, &pod, answer),
            Shape::Zonal {
                namespace,
                service,
                left,
                prefer,
            } => self.zonal(routed, &namespace, &service, &left, prefer, answer),
            Shape::Apex | Shape::Invalid(_) => Ok(Backend::default()),
        }
    }

    /// `<svc>.<ns>.svc.<zone>`: exactly the records the engine serves there.
    fn service(
        &self,
        routed: &Routed,
        namespace: &str,
        service: &str,
        answer: &mut Answer,
    ) -> Found<'a> {
        let Ok(owner) = routed.zone.prepend_all(&[service, namespace, "svc"]) else {
            return Err(self.missing_service(namespace, service, &[], routed));
        };
        self.service_at(routed, &owner, namespace, service, answer)
    }

    /// The records the engine serves at `owner`, a name of the Service `namespace/service`.
    fn service_at(
        &self,
        routed: &Routed,
        owner: &DnsName,
        namespace: &str,
        service: &str,
        answer: &mut Answer,
    ) -> Found<'a> {
        let records: Vec<&Record> = self.records_at(owner).collect();
        answer.checks.push(Check {
            passed: !records.is_empty(),
            subject: self.service_subject(namespace, service),
        });
        if records.is_empty() {
            return Err(self.missing_service(namespace, service, &[], routed));
        }
        let mut backend = Backend {
            entries: true,
            notes: self.served_notes(routed, owner),
            ..Backend::default()
        };
        for record in &records {
            match &record.data {
                RData::A(_) | RData::Aaaa(_) => backend.addresses.extend(Address::of(record)),
                RData::Cname(target) => backend.cnames.push(Cname {
                    target: target.clone(),
                    record,
                }),
                RData::Srv {
                    weight,
                    port,
                    target,
                    ..
                } => backend.srv.push(Srv {
                    weight: *weight,
                    port: *port,
                    target: target.clone(),
                    ttl: record.ttl,
                    source: record.source.clone(),
                }),
                _ => {}
            }
        }
        backend.srv_extra = self.srv_additional(&backend.srv, &PortFilter::Any);
        Ok(backend)
    }

    /// `<topology zone>.pin|prefer._zone.<svc>…` (`findServices addForZone`): the records the
    /// engine serves there; a zone no endpoint carries is NODATA under `pin` and the whole
    /// Service under `prefer`, for a headless Service; any other Service has no such names.
    fn zonal(
        &self,
        routed: &Routed,
        namespace: &str,
        service: &str,
        left: &[String],
        prefer: bool,
        answer: &mut Answer,
    ) -> Found<'a> {
        let mut labels: Vec<&str> = left.iter().map(String::as_str).collect();
        labels.extend([service, namespace, "svc"]);
        let owner = routed.zone.prepend_all(&labels).ok();
        let served = owner.iter().any(|o| self.records_at(o).next().is_some());
        if let (Some(owner), true) = (owner, served) {
            return self.service_at(routed, &owner, namespace, service, answer);
        }
        let headless = self.output.view.services.iter().any(|s| {
            s.object.namespace == namespace && s.object.name == service && s.is_headless()
        });
        match (headless, prefer) {
            (true, true) => self.service(routed, namespace, service, answer),
            (true, false) => Ok(Backend {
                entries: true,
                ..Backend::default()
            }),
            (false, _) => Err(self.missing_service(namespace, service, &[], routed)),
        }
    }

    /// `<endpoint>.<svc>.<ns>.svc.<zone>`: the addresses the engine serves there; SRV over every
    /// (address × slice port) entry of that name, as `findServices`' endpoint branch builds them.
    fn endpoint(
        &self,
        routed: &Routed,
        namespace: &str,
        service: &str,
        endpoint: &str,
        answer: &mut Answer,
    ) -> Found<'a> {
        let owner = routed
            .zone
            .prepend_all(&[endpoint, service, namespace, "svc"])
            .ok();
        let addresses: Vec<Address> = owner
            .iter()
            .flat_map(|o| self.records_at(o))
            .filter_map(Address::of)
            .collect();
        // An FQDN slice's endpoint: a CNAME to its name, and no SRV (`Services` drops it).
        let cnames: Vec<Cname<'a>> = owner
            .iter()
            .flat_map(|o| self.records_at(o))
            .filter_map(|record| match &record.data {
                RData::Cname(target) => Some(Cname {
                    target: target.clone(),
                    record,
                }),
                _ => None,
            })
            .collect();
        let view = self.service_check(namespace, service, answer);
        let found = !addresses.is_empty() || !cnames.is_empty();
        answer.checks.push(Check {
            passed: found,
            subject: format!("endpoint {endpoint}"),
        });
        let Some(owner) = owner.filter(|_| found) else {
            let Some(view) = view else {
                return Err(self.missing_service(namespace, service, &[endpoint], routed));
            };
            let service_ref = (*view.object).clone();
            return Err(if matches!(view.kind, ServiceKind::ExternalName(_)) {
                vec![Reason::Question(QuestionCause::ExternalNameHasNoSubnames {
                    service: service_ref,
                })]
            } else if self.config.noendpoints {
                vec![Reason::Object(Cause::NoEndpointsOption)]
            } else {
                let mut reasons = vec![Reason::Question(QuestionCause::NoSuchEndpoint {
                    service: service_ref,
                    endpoint: endpoint.to_string(),
                })];
                reasons.extend(self.similar_children(routed, namespace, service, endpoint));
                reasons
            });
        };
        // Every (address × slice port) is one entry: the weight counts them all, portless
        // sentinels included; records collapse per port, extras per address.
        let mut entries: Vec<(&Address, Option<u16>)> = Vec::new();
        for address in &addresses {
            let ports: Vec<Option<u16>> = self
                .slice_of(&address.source)
                .map(|slice| {
                    slice
                        .ports
                        .iter()
                        .map(|p| p.as_ref().map(|p| p.port))
                        .collect()
                })
                .unwrap_or_else(|| vec![None]);
            entries.extend(ports.into_iter().map(|port| (address, port)));
        }
        let weight = srv_weight(entries.len());
        let mut backend = Backend {
            entries: true,
            notes: self.served_notes(routed, &owner),
            cnames,
            ..Backend::default()
        };
        let mut ports = BTreeSet::new();
        let mut extra = BTreeSet::new();
        for (address, port) in &entries {
            let Some(port) = port else {
                continue;
            };
            if ports.insert(*port) {
                backend.srv.push(Srv {
                    weight,
                    port: *port,
                    target: owner.clone(),
                    ttl: address.ttl,
                    source: address.source.clone(),
                });
            }
            if extra.insert(address.ip) {
                backend.srv_extra.push((*address).clone());
            }
        }
        backend.addresses = addresses;
        Ok(backend)
    }

    /// `[_]<port>.[_]<proto>.<svc>…`: the SRV records the engine serves at `_port._proto`, and the
    /// addresses of those entries for A/AAAA (the ClusterIPs, or the endpoints with that port).
    fn port(
        &self,
        routed: &Routed,
        namespace: &str,
        service: &str,
        port: &str,
        protocol: &str,
        answer: &mut Answer,
    ) -> Found<'a> {
        let (port_label, protocol_label) = (format!("_{port}"), format!("_{protocol}"));
        let owner = routed
            .zone
            .prepend_all(&[&port_label, &protocol_label, service, namespace, "svc"])
            .ok();
        let srv: Vec<Srv> = owner
            .iter()
            .flat_map(|o| self.records_at(o))
            .filter_map(|record| match &record.data {
                RData::Srv {
                    weight,
                    port,
                    target,
                    ..
                } => Some(Srv {
                    weight: *weight,
                    port: *port,
                    target: target.clone(),
                    ttl: record.ttl,
                    source: record.source.clone(),
                }),
                _ => None,
            })
            .collect();
        let view = self.service_check(namespace, service, answer);
        answer.checks.push(Check {
            passed: !srv.is_empty(),
            subject: format!("port {port}/{protocol}"),
        });
        if srv.is_empty() {
            let Some(view) = view else {
                return Err(self.missing_service(
                    namespace,
                    service,
                    &[&port_label, &protocol_label],
                    routed,
                ));
            };
            // A headless Service's FQDN slice with that port: `findServices` has entries (CNAMEs
            // for A/AAAA), which `Services` drops for SRV: NODATA, not a name error.
            let cnames = if view.is_headless() {
                self.port_cnames(routed, namespace, service, port, protocol)
            } else {
                Vec::new()
            };
            if !cnames.is_empty() {
                return Ok(Backend {
                    entries: true,
                    cnames,
                    ..Backend::default()
                });
            }
            return Err(if matches!(view.kind, ServiceKind::ExternalName(_)) {
                vec![Reason::Question(QuestionCause::ExternalNameHasNoSubnames {
                    service: (*view.object).clone(),
                })]
            } else {
                let mut reasons = vec![Reason::Question(QuestionCause::NoSuchPort {
                    service: (*view.object).clone(),
                    port: port.to_string(),
                    protocol: protocol.to_string(),
                })];
                reasons.extend(self.similar_children(routed, namespace, service, &port_label));
                reasons
            });
        }
        let extra = self.srv_additional(&srv, &PortFilter::Named(port, protocol));
        // Beside the IP entries, an FQDN slice's entries with the port answer A/AAAA too.
        let cnames = if view.is_some_and(|v| v.is_headless()) {
            self.port_cnames(routed, namespace, service, port, protocol)
        } else {
            Vec::new()
        };
        Ok(Backend {
            entries: true,
            addresses: extra.clone(),
            cnames,
            srv,
            srv_extra: extra,
            notes: owner
                .map(|o| self.served_notes(routed, &o))
                .unwrap_or_default(),
            ..Backend::default()
        })
    }

    /// `findPods`: the pod label turned back into an address; `insecure` answers it whatever
    /// Pods exist, `verified` only for a Pod CoreDNS watches in the namespace with that IP.
    fn pod(&self, routed: &Routed, namespace: &str, pod: &str, answer: &mut Answer) -> Found<'a> {
        if self.config.pods == PodsMode::Disabled {
            answer.checks.push(Check {
                passed: false,
                subject: "pod names (`pods` option)".to_string(),
            });
            return Err(vec![Reason::Question(QuestionCause::PodsDisabled)]);
        }
        let owner = routed.zone.prepend_all(&[pod, namespace, "pod"]).ok();
        let known: Vec<Address> = owner
            .iter()
            .flat_map(|o| self.records_at(o))
            .filter_map(Address::of)
            .collect();
        let parsed = pod_address(pod);
        let mut backend = Backend {
            entries: true,
            ..Backend::default()
        };
        let addresses = match (self.config.pods, parsed) {
            (_, None) => {
                answer.checks.push(Check {
                    passed: false,
                    subject: format!("pod label {pod}"),
                });
                return Err(vec![Reason::Question(
                    QuestionCause::PodLabelNotAnAddress {
                        label: pod.to_string(),
                    },
                )]);
            }
            (PodsMode::Verified, Some(ip)) if known.is_empty() => {
                answer.checks.push(Check {
                    passed: false,
                    subject: format!("a Pod with address {ip}"),
                });
                return Err(vec![Reason::Question(QuestionCause::NoPodWithAddress {
                    namespace: namespace.to_string(),
                    address: ip,
                })]);
            }
            (PodsMode::Verified, Some(_)) => known,
            (_, Some(ip)) => {
                // The answer is the address the name spells, Pod or not.
                let source = known.first().map_or(Provenance::Zone, |a| a.source.clone());
                if known.is_empty() {
                    backend
                        .notes
                        .push(Reason::Question(QuestionCause::InsecurePodAnswer {
                            address: ip,
                        }));
                }
                let Some(owner) = owner.clone() else {
                    return Err(vec![Reason::Question(
                        QuestionCause::PodLabelNotAnAddress {
                            label: pod.to_string(),
                        },
                    )]);
                };
                vec![Address {
                    owner,
                    ip,
                    ttl: self.config.ttl,
                    source,
                }]
            }
        };
        answer.checks.push(Check {
            passed: true,
            subject: format!(
                "pod address {}",
                addresses
                    .first()
                    .map_or(String::new(), |a| a.ip.to_string())
            ),
        });
        // A pod entry has port 0, not the -1 sentinel, so SRV answers it with port 0 and weight
        // 100 over its entries.
        let weight = srv_weight(addresses.len());
        if let Some(first) = addresses.first() {
            backend.srv.push(Srv {
                weight,
                port: 0,
                target: first.owner.clone(),
                ttl: first.ttl,
                source: first.source.clone(),
            });
        }
        backend.srv_extra = addresses.clone();
        backend.addresses = addresses;
        Ok(backend)
    }

    /// `ns.dns.<zone>`: every address of the zone's NS records' glue (`nsAddrs`).
    fn name_server_addresses(&self, routed: &Routed, answer: &mut Answer) -> Backend<'a> {
        if !self.output.nameservers_known {
            answer
                .causes
                .push(Reason::Question(QuestionCause::NameserversUnknown));
        }
        let mut seen = BTreeSet::new();
        let mut addresses = Vec::new();
        for record in self.records_at(&routed.zone) {
            let RData::Ns(target) = &record.data else {
                continue;
            };
            for glue in self.records_at(target) {
                if glue.source == Provenance::Zone
                    && let Some(address) = Address::of(glue)
                    && seen.insert(address.ip)
                {
                    addresses.push(address);
                }
            }
        }
        Backend {
            entries: true,
            addresses,
            ..Backend::default()
        }
    }

    /// The additional section of an SRV answer: each target's addresses (`newAddress`), for a
    /// headless Service only those of slices that have the port asked for.
    fn srv_additional(&self, srv: &[Srv], filter: &PortFilter) -> Vec<Address> {
        let mut seen = BTreeSet::new();
        let mut extra = Vec::new();
        for target in srv.iter().map(|s| &s.target) {
            for record in self.records_at(target) {
                let Some(address) = Address::of(record) else {
                    continue;
                };
                let counts = match self.slice_of(&record.source) {
                    None => true,
                    Some(slice) => slice.ports.iter().flatten().any(|p| match filter {
                        PortFilter::Any => true,
                        PortFilter::Named(name, protocol) => {
                            p.name == *name && p.protocol == *protocol
                        }
                    }),
                };
                if counts && seen.insert((target.clone(), address.ip)) {
                    extra.push(address);
                }
            }
        }
        extra
    }

    /// The CNAMEs at a headless Service's name whose FQDN slice has the port `port`/`protocol`.
    fn port_cnames(
        &self,
        routed: &Routed,
        namespace: &str,
        service: &str,
        port: &str,
        protocol: &str,
    ) -> Vec<Cname<'a>> {
        let Ok(owner) = routed.zone.prepend_all(&[service, namespace, "svc"]) else {
            return Vec::new();
        };
        self.records_at(&owner)
            .filter_map(|record| {
                let RData::Cname(target) = &record.data else {
                    return None;
                };
                let slice = self.slice_of(&record.source)?;
                slice
                    .ports
                    .iter()
                    .flatten()
                    .any(|p| p.name == port && p.protocol == protocol)
                    .then(|| Cname {
                        target: target.clone(),
                        record,
                    })
            })
            .collect()
    }

    /// `plugin.CNAME`: the first backend entry only, and a CNAME only if that entry is a name.
    /// Entries come slice by slice (the informer's order across slices, which the tool takes
    /// as the slices' names), each slice's in endpoint and address order.
    pub(super) fn first_cname<'b>(&self, backend: &'b Backend<'a>) -> Option<&'b Cname<'a>> {
        let position = |source: &Provenance| -> Option<(&'a ObjectRef, usize)> {
            let Provenance::Endpoint { address, .. } = source else {
                return None;
            };
            let view = self.slice_of(source)?;
            let index = view
                .endpoints
                .iter()
                .flat_map(|e| e.address_texts())
                .position(|text| text == &**address)?;
            Some((view.object.as_ref(), index))
        };
        let first_cname = backend
            .cnames
            .iter()
            .min_by_key(|c| position(&c.record.source))?;
        let Some(cname_at) = position(&first_cname.record.source) else {
            // An ExternalName's CNAME is its only entry.
            return Some(first_cname);
        };
        let address_first = backend
            .addresses
            .iter()
            .filter_map(|a| position(&a.source))
            .any(|at| at < cname_at);
        (!address_first).then_some(first_cname)
    }

    fn slice_of(&self, source: &Provenance) -> Option<&'a crate::engine::SliceView> {
        match source {
            Provenance::Endpoint { slice, .. } => self.tables.slices.get(slice.as_ref()).copied(),
            _ => None,
        }
    }

    /// The watched Service `namespace/service`, with the ✓/✗ check saying whether it exists.
    fn service_check(
        &self,
        namespace: &str,
        service: &str,
        answer: &mut Answer,
    ) -> Option<&'a crate::engine::ServiceView> {
        let view = self.tables.index.service(namespace, service);
        answer.checks.push(Check {
            passed: view.is_some(),
            subject: self.service_subject(namespace, service),
        });
        view
    }

    fn service_subject(&self, namespace: &str, service: &str) -> String {
        match self
            .tables
            .index
            .service(namespace, service)
            .map(|s| &s.kind)
        {
            Some(ServiceKind::Headless) => format!("Service {service} (headless)"),
            Some(ServiceKind::ExternalName(target)) => {
                format!("Service {service} (ExternalName {target:?})")
            }
            Some(ServiceKind::ClusterIp(_) | ServiceKind::Unallocated { .. }) => {
                format!("Service {service} (ClusterIP)")
            }
            None => format!("Service {service}"),
        }
    }

    /// What is worth knowing about a served name (its fact's causes: publishNotReadyAddresses).
    fn served_notes(&self, routed: &Routed, owner: &DnsName) -> Vec<Reason> {
        self.fact_of(routed, owner)
            .filter(|f| f.state == FactState::Served)
            .map(|f| f.causes.iter().cloned().map(Reason::Object).collect())
            .unwrap_or_default()
    }

    /// A Service the question names that CoreDNS does not watch: the cause that hides it, or "no
    /// such Service" — with the names probably meant.
    fn missing_service(
        &self,
        namespace: &str,
        service: &str,
        prefix: &[&str],
        routed: &Routed,
    ) -> Vec<Reason> {
        let object = ObjectRef::new(Kind::Service, namespace, service);
        let mut reasons = match self.output.view.hidden.iter().find(|h| h.object == object) {
            Some(hidden) => vec![Reason::Object(hidden.cause.clone())],
            None => vec![Reason::Question(QuestionCause::NoSuchService {
                service: object,
            })],
        };
        reasons.extend(self.similar_services(routed, namespace, service, prefix));
        reasons
    }

    /// "Did you mean": the same labels under the nearest Services of the namespace and under
    /// Services of that name in other namespaces, where those names resolve.
    fn similar_services(
        &self,
        routed: &Routed,
        namespace: &str,
        service: &str,
        prefix: &[&str],
    ) -> Option<Reason> {
        let here = self.tables.index.services_in(namespace);
        let near = suggest(service, here.iter().map(|s| s.object.name.as_str()));
        let elsewhere = self
            .output
            .view
            .services
            .iter()
            .filter(|s| s.object.name == service && s.object.namespace != namespace)
            .map(|s| (s.object.namespace.as_str(), service));
        let candidates: Vec<(&str, &str)> = near
            .iter()
            .map(|s| (namespace, s.as_str()))
            .chain(elsewhere)
            .collect();
        self.did_you_mean(
            candidates
                .into_iter()
                .flat_map(|(ns, svc)| {
                    let mut labels: Vec<&str> = prefix.to_vec();
                    labels.extend([svc, ns, "svc"]);
                    [
                        routed.zone.prepend_all(&labels).ok(),
                        routed.zone.prepend_all(&[svc, ns, "svc"]).ok(),
                    ]
                })
                .flatten(),
        )
    }

    /// "Did you mean": the name under the nearest existing namespaces.
    fn similar_namespaces(
        &self,
        routed: &Routed,
        namespace: &str,
        labels: &[&str],
    ) -> Option<Reason> {
        let mut known: BTreeSet<&str> = self
            .output
            .view
            .namespaces
            .labels
            .keys()
            .map(String::as_str)
            .collect();
        known.extend(
            self.output
                .view
                .services
                .iter()
                .map(|s| s.object.namespace.as_str()),
        );
        let near = suggest(namespace, known.into_iter());
        let position = labels.len().checked_sub(2)?;
        self.did_you_mean(near.iter().filter_map(|ns| {
            let mut replaced: Vec<&str> = labels.to_vec();
            replaced[position] = ns;
            routed.zone.prepend_all(&replaced).ok()
        }))
    }

    /// "Did you mean": names one label below the Service that resolve and look like `label`.
    fn similar_children(
        &self,
        routed: &Routed,
        namespace: &str,
        service: &str,
        label: &str,
    ) -> Option<Reason> {
        let parent = routed.zone.prepend_all(&[service, namespace, "svc"]).ok()?;
        let depth = parent.label_count() + if label.starts_with('_') { 2 } else { 1 };
        let children: BTreeSet<&DnsName> = self
            .tables
            .by_owner
            .keys()
            .copied()
            .filter(|owner| owner.is_within(&parent) && owner.label_count() == depth)
            .collect();
        let first_labels: Vec<(&str, &DnsName)> = children
            .iter()
            .filter_map(|owner| owner.labels().next().map(|l| (l, *owner)))
            .collect();
        let near = suggest(label, first_labels.iter().map(|(l, _)| *l));
        self.did_you_mean(
            first_labels
                .iter()
                .filter(|(l, _)| near.iter().any(|n| n == l))
                .map(|(_, owner)| (*owner).clone()),
        )
    }

    /// The candidates that resolve, at most three.
    fn did_you_mean(&self, candidates: impl Iterator<Item = DnsName>) -> Option<Reason> {
        let mut names: Vec<DnsName> = Vec::new();
        for candidate in candidates {
            if names.len() == 3 {
                break;
            }
            if self.tables.served.contains(&candidate) && !names.contains(&candidate) {
                names.push(candidate);
            }
        }
        (!names.is_empty()).then_some(Reason::Question(QuestionCause::DidYouMean { names }))
    }
}

/// `findPods`: three dashes and no `--` is IPv4, anything else IPv6 (`net.ParseIP`); an
/// IPv4-mapped IPv6 address answers as IPv4 (`msg.Service.HostType`: `To4() != nil`).
pub fn pod_address(label: &str) -> Option<IpAddr> {
    if label.matches('-').count() == 3 && !label.contains("--") {
        return label
            .replace('-', ".")
            .parse::<Ipv4Addr>()
            .ok()
            .map(IpAddr::V4);
    }
    let v6: Ipv6Addr = label.replace('-', ":").parse().ok()?;
    Some(match v6.to_ipv4_mapped() {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(v6),
    })
}

/// `dnsutil.ExtractAddressFromReverse`: four decimal labels under `in-addr.arpa.` or 32 nibbles
/// under `ip6.arpa.`, else no address.
pub fn reverse_address(name: &str) -> Option<IpAddr> {
    if let Some(rest) = name.strip_suffix(".in-addr.arpa.") {
        let mut labels: Vec<&str> = rest.split('.').collect();
        if labels.len() != 4 {
            return None;
        }
        labels.reverse();
        return labels.join(".").parse::<Ipv4Addr>().ok().map(IpAddr::V4);
    }
    let rest = name.strip_suffix(".ip6.arpa.")?;
    let mut nibbles: Vec<&str> = rest.split('.').collect();
    if nibbles.len() != 32 || !nibbles.iter().all(|n| n.len() == 1) {
        return None;
    }
    nibbles.reverse();
    let groups: Vec<String> = nibbles.chunks(4).map(|c| c.concat()).collect();
    groups.join(":").parse::<Ipv6Addr>().ok().map(IpAddr::V6)
}
