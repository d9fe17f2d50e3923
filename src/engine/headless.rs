//! Headless Services (`clusterIP: None`): the Service name resolves to every ready endpoint
//! address, each endpoint has its own name, and SRV records point at those endpoint names with
//! the slice's port (the resolved targetPort). No ready endpoint at all means NXDOMAIN.

use std::collections::BTreeSet;
use std::net::IpAddr;

use super::endpoints::{Entry, endpoint_name_records, endpoint_names, ready_entries};
use super::srv::{SrvEntry, srv_records};
use super::view::ServiceView;
use super::{Ctx, Index, Sink, address_record};
use crate::model::{Cause, DnsName};

/// Records of one headless Service in one zone.
pub fn records(ctx: &Ctx, service: &ServiceView, name: &DnsName, sink: &mut Sink) {
    let ttl = ctx.config.ttl;
    if ctx.config.noendpoints {
        sink.absent(name.clone(), &service.object, Cause::NoEndpointsOption);
        return;
    }
    let entries = ready_entries(ctx, service);
    if entries.is_empty() {
        let cause = empty_service_cause(ctx.index, service);
        sink.absent(name.clone(), &service.object, cause);
        return;
    }
    let mut seen_ips: BTreeSet<IpAddr> = BTreeSet::new();
    for entry in &entries {
        if seen_ips.insert(entry.address.ip) {
            sink.records.push(address_record(
                name,
                entry.address.ip,
                ttl,
                entry.source(service),
            ));
        }
    }
    let names = endpoint_names(ctx, &entries, name, sink);
    endpoint_name_records(ctx, service, &entries, &names, sink);

    // Bare name: every entry, named and unnamed ports, portless sentinels included in the count.
    // Built once; the `_name._proto` answers below take their subsets.
    let all: Vec<SrvEntry> = entries
        .iter()
        .zip(&names)
        .map(|(entry, target): (&Entry, _)| SrvEntry {
            target: target.clone(),
            port: entry.port.map(|p| p.port),
            source: entry.source(service),
        })
        .collect();
    sink.records.extend(srv_records(name, &all, ttl));

    // `_name._proto`: the entries whose slice port has that name and protocol.
    let named_ports: BTreeSet<(&str, &str)> = entries
        .iter()
        .filter_map(|e| e.port)
        .filter(|p| !p.name.is_empty())
        .map(|p| (p.name.as_str(), p.protocol.as_str()))
        .collect();
    for (port_name, protocol) in named_ports {
        let Ok(owner) = name.prepend_all(&[&format!("_{port_name}"), &format!("_{protocol}")])
        else {
            continue;
        };
        let matching: Vec<SrvEntry> = entries
            .iter()
            .zip(&all)
            .filter(|(e, _)| {
                e.port
                    .is_some_and(|p| p.name == port_name && p.protocol == protocol)
            })
            .map(|(_, srv)| srv.clone())
            .collect();
        sink.records.extend(srv_records(&owner, &matching, ttl));
    }
}

/// Why a Service's slices hold no ready address: no selector and no slice, a selector that
/// matches no Pod, no slice yet, or only endpoints that are not ready.
pub fn empty_service_cause(index: &Index, service: &ServiceView) -> Cause {
    let object = (*service.object).clone();
    let slices = index.slices_of(&service.object.namespace, &service.object.name);
    if !slices.is_empty() {
        return Cause::NoReadyEndpoints { service: object };
    }
    match &service.selector {
        None => Cause::NoSelectorNoSlices { service: object },
        Some(selector) => {
            let pods = index.pods_in(&service.object.namespace);
            let matches = pods.iter().any(|pod| service.selects(&pod.labels));
            if matches || pods.is_empty() {
                Cause::NoEndpointSlices { service: object }
            } else {
                Cause::SelectorMatchesNoPod {
                    service: object,
                    selector: crate::model::format_labels(selector),
                }
            }
        }
    }
}
