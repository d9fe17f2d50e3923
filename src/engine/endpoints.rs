//! The ready endpoint addresses of a Service and the per-endpoint names they get under it
//! (`<endpoint>.<service>.<ns>.svc.<zone>`), for headless and ClusterIP Services alike: CoreDNS
//! takes the endpoint path for any question with an endpoint label (`findServices`).

use super::endpoint_name::endpoint_label;
use super::view::{AddressView, EndpointView, NameAddressView, PortView, ServiceView, SliceView};
use super::{Ctx, Sink, address_record};
use crate::model::{DnsName, Note, Provenance, RData, Record};

/// One (address, port) pair of a ready endpoint: CoreDNS's backend entry for headless answers.
pub struct Entry<'a> {
    pub slice: &'a SliceView,
    pub endpoint: &'a EndpointView,
    pub address: &'a AddressView,
    /// `None` is the -1 sentinel of a slice without ports.
    pub port: Option<&'a PortView>,
}

impl Entry<'_> {
    /// The provenance of records built from this entry.
    pub fn source(&self, service: &ServiceView) -> Provenance {
        endpoint_source(service, self.slice, self.endpoint, &self.address.text)
    }
}

/// The provenance of a record built from one address of `endpoint` in `slice`, an IP or a name
/// address alike.
fn endpoint_source(
    service: &ServiceView,
    slice: &SliceView,
    endpoint: &EndpointView,
    address: &std::sync::Arc<str>,
) -> Provenance {
    Provenance::Endpoint {
        service: service.object.clone(),
        slice: slice.object.clone(),
        address: address.clone(),
        pod: endpoint.pod.clone(),
    }
}

/// Every (ready address × slice port) entry of the Service's slices, in slice order.
pub fn ready_entries<'a>(ctx: &Ctx<'a>, service: &ServiceView) -> Vec<Entry<'a>> {
    let mut entries = Vec::new();
    for slice in ctx
        .index
        .slices_of(&service.object.namespace, &service.object.name)
    {
        for endpoint in slice.endpoints.iter().filter(|e| e.ready) {
            for address in &endpoint.addresses {
                for port in &slice.ports {
                    entries.push(Entry {
                        slice,
                        endpoint,
                        address,
                        port: port.as_ref(),
                    });
                }
            }
        }
    }
    entries
}

/// The endpoint name of an entry, or `None` (with a note) when it is not one valid label.
pub fn endpoint_name(
    ctx: &Ctx,
    entry: &Entry,
    service_name: &DnsName,
    sink: &mut Sink,
) -> Option<DnsName> {
    let label = endpoint_label(
        entry.endpoint,
        &entry.address.text,
        ctx.config.endpoint_pod_names,
        &ctx.rules,
    );
    // A pod name with dots (`endpoint_pod_names`) is several labels: SRV and PTR targets carry
    // them all (`endpointHostname` returns the name whole).
    let labels: Vec<&str> = label.split('.').collect();
    match service_name.prepend_all(&labels) {
        Ok(name) => Some(name),
        Err(err) => {
            sink.notes.push(Note::warning(format!(
                "{}: endpoint {} gets no name: {label:?} is not a single DNS label ({err}), so no question can reach it",
                entry.slice.object, entry.address.text
            )).about(&entry.slice.object));
            None
        }
    }
}

/// The endpoint name of every entry, computed once: the A records, the SRV targets and the
/// notes all use the same list.
pub fn endpoint_names(
    ctx: &Ctx,
    entries: &[Entry],
    service_name: &DnsName,
    sink: &mut Sink,
) -> Vec<Option<DnsName>> {
    entries
        .iter()
        .map(|entry| endpoint_name(ctx, entry, service_name, sink))
        .collect()
}

/// A/AAAA records for every ready endpoint's own name (`names` from `endpoint_names`).
pub fn endpoint_name_records(
    ctx: &Ctx,
    service: &ServiceView,
    entries: &[Entry],
    names: &[Option<DnsName>],
    sink: &mut Sink,
) {
    for (entry, name) in entries.iter().zip(names) {
        // A name of several labels answers no address: `parseRequest` reads two labels before
        // the Service as a port and protocol, and more as no question it knows.
        if let Some(name) = name.as_ref().filter(|n| {
            let label = endpoint_label(
                entry.endpoint,
                &entry.address.text,
                ctx.config.endpoint_pod_names,
                &ctx.rules,
            );
            if label.contains('.') {
                sink.notes.push(
                    Note::info(format!(
                        "{}: endpoint {} is named {n} (pod name {label:?} has dots): SRV and PTR targets carry it, but CoreDNS answers no address at that name",
                        entry.slice.object, entry.address.text
                    ))
                    .about(&entry.slice.object),
                );
                return false;
            }
            true
        }) {
            let record = address_record(
                name,
                entry.address.ip,
                ctx.config.ttl,
                entry.source(service),
            );
            sink.records.push(record);
        }
    }
}

/// One ready name address of an FQDN slice: CoreDNS has a backend entry per (address × slice
/// port) whose host is the name; `plugin.A`/`AAAA` answer each with a CNAME (identical ones,
/// one per port, collapse here as in any RRset) and `Services` drops them from SRV answers, so
/// the port plays no part.
pub struct NameEntry<'a> {
    pub slice: &'a SliceView,
    pub endpoint: &'a EndpointView,
    pub address: &'a NameAddressView,
}

impl NameEntry<'_> {
    /// The provenance of records built from this entry.
    pub fn source(&self, service: &ServiceView) -> Provenance {
        endpoint_source(service, self.slice, self.endpoint, &self.address.text)
    }
}

/// Every ready name address of the Service's FQDN slices, in slice order.
pub fn ready_name_entries<'a>(ctx: &Ctx<'a>, service: &ServiceView) -> Vec<NameEntry<'a>> {
    let mut entries = Vec::new();
    for slice in ctx
        .index
        .slices_of(&service.object.namespace, &service.object.name)
    {
        for endpoint in slice.endpoints.iter().filter(|e| e.ready) {
            for address in &endpoint.names {
                entries.push(NameEntry {
                    slice,
                    endpoint,
                    address,
                });
            }
        }
    }
    entries
}

/// A CNAME at `owner` to each entry's name (`plugin.A`). A target at or below `owner` is the
/// loop CoreDNS skips (`Name(qname).Matches(target)`).
pub fn cname_records<'e, 'a: 'e>(
    ctx: &Ctx,
    service: &ServiceView,
    owner: &DnsName,
    entries: impl IntoIterator<Item = &'e NameEntry<'a>>,
    sink: &mut Sink,
) {
    for entry in entries {
        let target = &entry.address.target;
        if target.is_within(owner) {
            sink.notes.push(
                Note::warning(format!(
                    "{}: endpoint address {} lies at or below {owner}: CoreDNS skips a CNAME that points into its own name",
                    entry.slice.object, entry.address.text
                ))
                .about(&entry.slice.object),
            );
            continue;
        }
        sink.records.push(Record {
            owner: owner.clone(),
            ttl: ctx.config.ttl,
            data: RData::Cname(target.clone()),
            source: entry.source(service),
        });
    }
}

/// `<endpoint>.<svc>` CNAMEs for the name entries: the endpoint label is the hostname, the Pod
/// name (`endpoint_pod_names`) or the name with its dots turned into dashes
/// (`endpointHostname`); a label that is not one DNS label reaches no question.
pub fn endpoint_name_cnames(
    ctx: &Ctx,
    service: &ServiceView,
    entries: &[NameEntry],
    service_name: &DnsName,
    sink: &mut Sink,
) {
    for entry in entries {
        let label = endpoint_label(
            entry.endpoint,
            &entry.address.text,
            ctx.config.endpoint_pod_names,
            &ctx.rules,
        );
        let owner = match service_name.prepend(&label) {
            Ok(owner) => owner,
            Err(err) => {
                sink.notes.push(Note::warning(format!(
                    "{}: endpoint {} gets no name: {label:?} is not a single DNS label ({err}), so no question can reach it",
                    entry.slice.object, entry.address.text
                )).about(&entry.slice.object));
                continue;
            }
        };
        cname_records(ctx, service, &owner, [entry], sink);
    }
}
