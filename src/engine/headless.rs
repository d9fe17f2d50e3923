//! Headless Services (`clusterIP: None`): the Service name resolves to every ready endpoint
//! address, each endpoint has its own name, and SRV records point at those endpoint names with
//! the slice's port (the resolved targetPort). No ready endpoint at all means NXDOMAIN.

use std::collections::BTreeSet;
use std::net::IpAddr;

use super::endpoints::{
    Entry, NameEntry, cname_records, endpoint_name_cnames, endpoint_name_records, endpoint_names,
    ready_entries, ready_name_entries,
};
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
    let name_entries = ready_name_entries(ctx, service);
    if entries.is_empty() && name_entries.is_empty() {
        for cause in empty_service_cause(ctx.index, ctx.config, service) {
            sink.absent(name.clone(), &service.object, cause);
        }
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
    // An FQDN slice's names: a CNAME each at the Service name and at their endpoint names.
    cname_records(ctx, service, name, &name_entries, sink);
    endpoint_name_cnames(ctx, service, &name_entries, name, sink);
    let names = endpoint_names(ctx, &entries, name, sink);
    endpoint_name_records(ctx, service, &entries, &names, sink);

    // Bare name: every entry, named and unnamed ports, portless sentinels included in the count;
    // not the name entries, which `Services` drops before SRV counts or builds anything.
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
    if ctx.config.zonal {
        zonal_records(ctx, service, name, (&entries, &name_entries), &all, sink);
    }
}

/// `zonal`: `<topology zone>.pin._zone.<svc>` and `….prefer._zone.<svc>` for every topology
/// zone the ready endpoints carry (`parse.go parseRequest`, `kubernetes.go findServices
/// addForZone`): the addresses of that zone, and SRV records to their endpoint names weighed
/// among them. A zone with endpoints answers the same under both directives; any other zone
/// name is NODATA (`pin`) or the whole Service (`prefer`), an open set that is not listed.
fn zonal_records(
    ctx: &Ctx,
    service: &ServiceView,
    name: &DnsName,
    (entries, name_entries): (&[Entry], &[NameEntry]),
    all: &[SrvEntry],
    sink: &mut Sink,
) {
    let ttl = ctx.config.ttl;
    let zones: BTreeSet<&str> = entries
        .iter()
        .map(|e| e.endpoint)
        .chain(name_entries.iter().map(|e| e.endpoint))
        .filter_map(|e| e.zone.as_deref())
        .collect();
    for zone in zones {
        let in_zone: Vec<(&Entry, &SrvEntry)> = entries
            .iter()
            .zip(all)
            .filter(|(e, _)| e.endpoint.zone.as_deref() == Some(zone))
            .collect();
        for directive in ["pin", "prefer"] {
            // A zone value may hold dots: it is every label left of the directive.
            let mut labels: Vec<&str> = zone.split('.').collect();
            labels.extend([directive, "_zone"]);
            let Ok(owner) = name.prepend_all(&labels) else {
                continue;
            };
            let mut seen: BTreeSet<IpAddr> = BTreeSet::new();
            for (entry, _) in &in_zone {
                if seen.insert(entry.address.ip) {
                    sink.records.push(address_record(
                        &owner,
                        entry.address.ip,
                        ttl,
                        entry.source(service),
                    ));
                }
            }
            let srv: Vec<SrvEntry> = in_zone.iter().map(|(_, srv)| (*srv).clone()).collect();
            sink.records.extend(srv_records(&owner, &srv, ttl));
            let names = name_entries
                .iter()
                .filter(|e| e.endpoint.zone.as_deref() == Some(zone));
            cname_records(ctx, service, &owner, names, sink);
        }
    }
}

/// Why a Service's slices hold no ready address, most specific first: its slices are filtered
/// by `labels`; a slice meant for it lacks the service-name label; no selector and no slice; the
/// slices exist but hold no ready endpoint (the controller keeps an empty placeholder slice for
/// a selector that matches nothing); the selector matches no Pod; no slice yet.
pub fn empty_service_cause(
    index: &Index,
    config: &crate::model::DnsConfig,
    service: &ServiceView,
) -> Vec<Cause> {
    let object = (*service.object).clone();
    let namespace = service.object.namespace.as_str();
    let name = service.object.name.as_str();
    let slices = index.slices_of(namespace, name);
    let mut causes = Vec::new();
    if slices.is_empty() {
        causes.extend(
            index
                .filtered_slices_of(namespace, name)
                .iter()
                .map(|slice| Cause::FilteredByLabels {
                    object: (*slice.object).clone(),
                    selector: config
                        .labels
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                }),
        );
        causes.extend(
            index
                .unlabelled_slices_in(namespace)
                .iter()
                .filter(|slice| {
                    slice.object.name == name
                        || slice
                            .object
                            .name
                            .strip_prefix(name)
                            .is_some_and(|rest| rest.starts_with('-'))
                })
                .map(|slice| Cause::SliceWithoutServiceLabel {
                    slice: (*slice.object).clone(),
                }),
        );
        if causes
            .iter()
            .any(|c| matches!(c, Cause::FilteredByLabels { .. }))
        {
            return causes;
        }
    } else {
        causes.push(Cause::NoReadyEndpoints {
            service: object.clone(),
        });
    }
    match &service.selector {
        None if slices.is_empty() => {
            causes.insert(0, Cause::NoSelectorNoSlices { service: object })
        }
        None => {}
        Some(selector) => {
            // An endpoint proves a selected Pod exists, even when the input holds no Pods. An
            // empty (placeholder) slice proves the controller found none; so do the input's
            // Pods when it has any. Without slices or Pods (manifests never applied) it only
            // means "not yet".
            let endpoints = slices.iter().any(|s| !s.endpoints.is_empty());
            let pods_known = !slices.is_empty() || !index.pods_in(namespace).is_empty();
            if !endpoints && pods_known && index.pods_selected_by(namespace, selector).is_empty() {
                causes.push(Cause::SelectorMatchesNoPod {
                    service: object,
                    selector: crate::model::format_labels(selector),
                });
            } else if slices.is_empty() {
                causes.push(Cause::NoEndpointSlices { service: object });
            }
        }
    }
    causes
}
