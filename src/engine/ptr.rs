//! PTR records (`reverse.go serviceRecordForIP`): a ClusterIP points at its Service; any other
//! ready endpoint address points at its endpoint name under every Service whose slices hold it.
//! Only addresses inside a reverse zone of the stanza are answered, and targets are always built
//! in the stanza's first forward zone.

use std::net::IpAddr;

use super::endpoint_name::endpoint_label;
use super::view::ServiceKind;
use super::{Ctx, HashSet, Sink};
use crate::model::{DnsName, Kind, Note, ObjectRef, Provenance, RData, Record};

/// `10.96.0.10` → `10.0.96.10.in-addr.arpa.`; IPv6 as 32 nibbles under `ip6.arpa.`.
pub fn reverse_name(ip: IpAddr) -> DnsName {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut name = String::with_capacity(74);
    match ip {
        IpAddr::V4(v4) => {
            for octet in v4.octets().iter().rev() {
                // By hand: the formatting machinery cost more than the rest of the name.
                if *octet >= 100 {
                    name.push(char::from(b'0' + octet / 100));
                }
                if *octet >= 10 {
                    name.push(char::from(b'0' + (octet / 10) % 10));
                }
                name.push(char::from(b'0' + octet % 10));
                name.push('.');
            }
            name.push_str("in-addr.arpa.");
        }
        IpAddr::V6(v6) => {
            for byte in v6.octets().iter().rev() {
                name.push(char::from(HEX[usize::from(byte & 0x0f)]));
                name.push('.');
                name.push(char::from(HEX[usize::from(byte >> 4)]));
                name.push('.');
            }
            name.push_str("ip6.arpa.");
        }
    }
    // Every label is a digit string or a hex nibble: always a valid name.
    DnsName::from_valid_text(name)
}

/// Only the `namespaces` option filters PTRs; `namespace_labels` does not. With the option set,
/// `reverse.go serviceRecordForIP` asks `namespaceExposed`, which also wants the Namespace
/// object to exist (`namespace.go`); without it nothing is checked.
fn namespace_listed(ctx: &Ctx, namespace: &str) -> bool {
    ctx.config.namespaces.is_empty()
        || (ctx.config.namespaces.iter().any(|ns| ns == namespace)
            && ctx.view.namespaces.exists(namespace))
}

/// All PTR records of the view.
pub fn records(ctx: &Ctx, sink: &mut Sink) {
    let Some(primary) = ctx.config.ptr_target_zone() else {
        return;
    };
    let ttl = ctx.config.ttl;
    let in_reverse_zone = |ip: IpAddr| {
        let owner = reverse_name(ip);
        ctx.config
            .reverse_zone_for(&owner)
            .is_some()
            .then_some(owner)
    };
    // A ClusterIP answers with the first Service (namespace/name order; CoreDNS's index order is
    // undefined, and two live Services never share one) whose namespace the `namespaces` option
    // lets through. Only when none does are the endpoints searched for that IP.
    let mut cluster_ips: HashSet<IpAddr> = HashSet::default();
    for service in &ctx.view.services {
        let ServiceKind::ClusterIp(ips) = &service.kind else {
            continue;
        };
        for ip in ips {
            // `SvcIndexReverse` looks the question's canonical text up among the ClusterIPs as
            // written: a ClusterIP spelled otherwise answers no PTR and shadows no endpoint.
            if service.noncanonical_cluster_ips.contains(ip) {
                sink.notes.push(
                    Note::warning(format!(
                        "{}: clusterIP {ip} is not written canonically, so CoreDNS answers no PTR for it",
                        service.object
                    ))
                    .about(&service.object),
                );
                continue;
            }
            let answering = ctx
                .index
                .services_with_cluster_ip(ip)
                .iter()
                .find(|candidate| namespace_listed(ctx, &candidate.object.namespace));
            let Some(answering) = answering else {
                continue;
            };
            cluster_ips.insert(*ip);
            if answering.object != service.object {
                continue;
            }
            let (Some(owner), Ok(target)) = (
                in_reverse_zone(*ip),
                primary.prepend_all(&[&service.object.name, &service.object.namespace, "svc"]),
            ) else {
                continue;
            };
            sink.records.push(Record {
                owner,
                ttl,
                data: RData::Ptr(target),
                source: Provenance::Service(service.object.clone()),
            });
        }
    }
    for slice in &ctx.view.slices {
        let namespace = &slice.object.namespace;
        // A slice without the service-name label would give a target with an empty label,
        // which CoreDNS cannot pack; the view already noted such slices.
        let Some(service_name) = &slice.service else {
            continue;
        };
        if !namespace_listed(ctx, namespace) {
            continue;
        }
        let service = std::sync::Arc::new(ObjectRef::new(Kind::Service, namespace, service_name));
        for endpoint in slice.endpoints.iter().filter(|e| e.ready) {
            for address in &endpoint.addresses {
                if cluster_ips.contains(&address.ip) {
                    continue;
                }
                // CoreDNS turns the question back into the address's canonical text and looks
                // slices up by exact string (dnsutil.ExtractAddressFromReverse, epIPIndexFunc):
                // an address a hand-made slice spells otherwise never gets a PTR.
                if !address.canonical {
                    sink.notes.push(
                        Note::warning(format!(
                            "{}: address {:?} is not written canonically ({}), so CoreDNS answers no PTR for it",
                            slice.object, address.text, address.ip
                        ))
                        .about(&slice.object),
                    );
                    continue;
                }
                let Some(owner) = in_reverse_zone(address.ip) else {
                    continue;
                };
                // 1.11.4 to 1.12.0 answer only endpoints with a hostname, and name them by it
                // alone (`reverse.go serviceRecordForIP`, #6898; reverted in 1.12.1).
                let label = if ctx.rules.ptr_requires_hostname {
                    match &endpoint.hostname {
                        Some(hostname) => hostname.clone(),
                        None => continue,
                    }
                } else {
                    endpoint_label(
                        endpoint,
                        &address.text,
                        ctx.config.endpoint_pod_names,
                        &ctx.rules,
                    )
                };
                // A dotted pod name is several labels of the target (`endpointHostname`).
                let mut labels: Vec<&str> = label.split('.').collect();
                labels.extend([service_name.as_str(), namespace.as_str(), "svc"]);
                let Ok(target) = primary.prepend_all(&labels) else {
                    continue;
                };
                sink.records.push(Record {
                    owner,
                    ttl,
                    data: RData::Ptr(target),
                    source: Provenance::Endpoint {
                        service: service.clone(),
                        slice: slice.object.clone(),
                        address: address.text.clone(),
                        pod: endpoint.pod.clone(),
                    },
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_names() {
        assert_eq!(
            reverse_name("10.96.0.10".parse().unwrap()).as_str(),
            "10.0.96.10.in-addr.arpa."
        );
        assert_eq!(
            reverse_name("255.100.9.0".parse().unwrap()).as_str(),
            "0.9.100.255.in-addr.arpa."
        );
        assert_eq!(
            reverse_name("fd00::1".parse().unwrap()).as_str(),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa."
        );
    }
}
