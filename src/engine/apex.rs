//! Zone-level records: the SOA, the NS records with their glue (`ns.go nsAddrs`), `ns.dns.<zone>`
//! and the `dns-version` TXT. NS and glue depend on CoreDNS's own Pod IPs, which the tool learns
//! from the `kube-dns` Service's EndpointSlices or from Pods labelled `k8s-app=kube-dns`.

use std::collections::BTreeSet;
use std::net::IpAddr;

use super::dns_server::is_dns_pod;
use super::endpoint_name::endpoint_label;
use super::view::ServiceKind;
use super::{Ctx, address_record};
use crate::model::kubernetes::{DNS_NAMESPACE, DNS_SERVICE};
use crate::model::{ClusterSnapshot, DnsName, Provenance, RData, Record, Soa};

/// The DNS schema version CoreDNS reports (`DNSSchemaVersion`), with its fixed TTL.
const SCHEMA_VERSION: &str = "1.1.0";
const SCHEMA_VERSION_TTL: u32 = 28800;

/// The SOA serial the tool prints: CoreDNS uses the time of the last change its informers saw,
/// which only the running server knows.
pub const SOA_SERIAL: u32 = 1;

/// Zone-level records of every zone of the stanza, and whether CoreDNS's own addresses were
/// known (without them the NS records name `ns.dns.<zone>` with no address).
pub fn records(ctx: &Ctx) -> (Vec<Record>, bool) {
    let ttl = ctx.config.ttl;
    let local_ips = &ctx.view.coredns_addresses;
    let mut records = Vec::new();
    for zone in &ctx.config.zones {
        let (Ok(mname), Ok(rname)) = (zone.prepend_all(&["ns", "dns"]), zone.prepend("hostmaster"))
        else {
            continue;
        };
        records.push(Record {
            owner: zone.clone(),
            ttl: ttl.min(300),
            data: RData::Soa(Box::new(Soa {
                mname: mname.clone(),
                rname,
                serial: SOA_SERIAL,
                refresh: 7200,
                retry: 1800,
                expire: 86400,
                minimum: ttl,
            })),
            source: Provenance::Zone,
        });
        let addresses = ns_addresses(ctx, zone, local_ips);
        let ns_names: BTreeSet<&DnsName> = if addresses.is_empty() {
            BTreeSet::from([&mname])
        } else {
            addresses.iter().map(|(name, _)| name).collect()
        };
        for name in ns_names {
            records.push(Record {
                owner: zone.clone(),
                ttl,
                data: RData::Ns(name.clone()),
                source: Provenance::Zone,
            });
        }
        for (name, ip) in &addresses {
            records.push(address_record(name, *ip, ttl, Provenance::Zone));
        }
        // `ns.dns.<zone>` answers with every nsAddrs address (isDefaultNS) and `dns-version`
        // with the schema version (the TXT branch of `Services`) in every zone of the stanza,
        // reverse zones included: neither check looks at the kind of zone.
        for (_, ip) in &addresses {
            records.push(address_record(&mname, *ip, ttl, Provenance::Zone));
        }
        if let Ok(owner) = zone.prepend("dns-version") {
            records.push(Record {
                owner,
                ttl: SCHEMA_VERSION_TTL,
                data: RData::Txt(vec![SCHEMA_VERSION.to_string()]),
                source: Provenance::Zone,
            });
        }
    }
    (records, !local_ips.is_empty())
}

/// CoreDNS's `localIPs`: the ready addresses of the kube-dns Service's slices, and the primary
/// IPs of Pods labelled `k8s-app=kube-dns`, in kube-system. Read from the snapshot directly:
/// these are facts about CoreDNS's Pods, not about what its filters let it see.
pub(super) fn coredns_addresses(snapshot: &ClusterSnapshot) -> BTreeSet<IpAddr> {
    let mut ips = BTreeSet::new();
    for slice in &snapshot.endpoint_slices {
        let meta = &slice.metadata;
        let is_dns = meta.namespace.as_deref() == Some(DNS_NAMESPACE)
            && meta
                .labels
                .as_ref()
                .and_then(|l| l.get(super::SERVICE_NAME_LABEL))
                .is_some_and(|name| name == DNS_SERVICE);
        if !is_dns {
            continue;
        }
        for endpoint in &slice.endpoints {
            if endpoint.conditions.as_ref().and_then(|c| c.ready) == Some(false) {
                continue;
            }
            ips.extend(
                endpoint
                    .addresses
                    .iter()
                    .filter_map(|a| a.parse::<IpAddr>().ok()),
            );
        }
    }
    for pod in snapshot.pods.iter().filter(|pod| is_dns_pod(pod)) {
        let ip = pod.status.as_ref().and_then(|s| s.pod_ip.as_deref());
        ips.extend(ip.and_then(|ip| ip.parse::<IpAddr>().ok()));
    }
    ips
}

/// `nsAddrs(zone)`: for each of CoreDNS's addresses found in a watched slice, the names of that
/// slice's Services (endpoint names for a headless one) with their addresses; else
/// `ns.dns.<zone>` with CoreDNS's own addresses.
fn ns_addresses(ctx: &Ctx, zone: &DnsName, local_ips: &BTreeSet<IpAddr>) -> Vec<(DnsName, IpAddr)> {
    let mut found = false;
    let mut out = Vec::new();
    for local in local_ips {
        for slice in &ctx.view.slices {
            let holds = slice
                .endpoints
                .iter()
                .filter(|e| e.ready)
                .any(|e| e.addresses.iter().any(|a| a.ip == *local));
            if !holds {
                continue;
            }
            found = true;
            let Some(service) = slice
                .service
                .as_deref()
                .and_then(|name| ctx.index.service(&slice.object.namespace, name))
            else {
                continue;
            };
            let Ok(service_name) =
                zone.prepend_all(&[&service.object.name, &service.object.namespace, "svc"])
            else {
                continue;
            };
            match &service.kind {
                ServiceKind::Headless => {
                    for endpoint in slice.endpoints.iter().filter(|e| e.ready) {
                        for address in &endpoint.addresses {
                            let label = endpoint_label(
                                endpoint,
                                &address.text,
                                ctx.config.endpoint_pod_names,
                                &ctx.rules,
                            );
                            if let Ok(name) = service_name.prepend(&label) {
                                out.push((name, address.ip));
                            }
                        }
                    }
                }
                ServiceKind::ClusterIp(ips) => {
                    out.extend(ips.iter().map(|ip| (service_name.clone(), *ip)));
                }
                ServiceKind::Unallocated { .. } | ServiceKind::ExternalName(_) => {}
            }
        }
    }
    if !found && let Ok(default_ns) = zone.prepend_all(&["ns", "dns"]) {
        out.extend(local_ips.iter().map(|ip| (default_ns.clone(), *ip)));
    }
    out.sort();
    out.dedup();
    out
}
