//! ClusterIP, NodePort and LoadBalancer Services (`findServices`, ClusterIP branch): A/AAAA per
//! ClusterIP, SRV per port at the Service name and at `_name._proto` for named ports, and the
//! names of their ready endpoints.

use std::net::IpAddr;

use super::endpoints::{
    endpoint_name_cnames, endpoint_name_records, endpoint_names, ready_entries, ready_name_entries,
};
use super::srv::{SrvEntry, srv_records};
use super::view::ServiceView;
use super::{Ctx, Sink, address_record};
use crate::model::{Cause, DnsName, Provenance};

/// Records of one non-headless Service in one zone. `ips` holds `None` for ClusterIPs an
/// unapplied manifest has not been given yet: they count for SRV weights but have no address.
pub fn records<I>(ctx: &Ctx, service: &ServiceView, ips: &[I], name: &DnsName, sink: &mut Sink)
where
    I: Copy + Into<Option<IpAddr>>,
{
    let ttl = ctx.config.ttl;
    let entries = ready_entries(ctx, service);
    let name_entries = ready_name_entries(ctx, service);
    // `ignore empty_service`: no ready address in any slice → the Service is not served at all.
    // `findServices` counts every slice's addresses, an FQDN slice's names included.
    if ctx.config.ignore_empty_service && entries.is_empty() && name_entries.is_empty() {
        sink.absent(
            name.clone(),
            &service.object,
            Cause::IgnoreEmptyService {
                service: (*service.object).clone(),
            },
        );
        return;
    }
    let source = Provenance::Service(service.object.clone());
    for ip in ips.iter().filter_map(|ip| (*ip).into()) {
        sink.records
            .push(address_record(name, ip, ttl, source.clone()));
    }
    // Every port × every ClusterIP is one backend entry; the target is the Service name.
    let entry = |port| SrvEntry {
        target: Some(name.clone()),
        port: Some(port),
        source: source.clone(),
    };
    let all: Vec<SrvEntry> = service
        .ports
        .iter()
        .flat_map(|port| ips.iter().map(move |_| port.port))
        .map(entry)
        .collect();
    sink.records.extend(srv_records(name, &all, ttl));
    for port in service.ports.iter().filter(|p| !p.name.is_empty()) {
        let Ok(owner) =
            name.prepend_all(&[&format!("_{}", port.name), &format!("_{}", port.protocol)])
        else {
            continue;
        };
        let named: Vec<SrvEntry> = ips.iter().map(|_| entry(port.port)).collect();
        sink.records.extend(srv_records(&owner, &named, ttl));
    }
    let names = endpoint_names(ctx, &entries, name, sink);
    endpoint_name_records(ctx, service, &entries, &names, sink);
    endpoint_name_cnames(ctx, service, &name_entries, name, sink);
}
