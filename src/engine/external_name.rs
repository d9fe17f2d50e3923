//! ExternalName Services: one CNAME to the target, provided the target is a name — CoreDNS
//! serves nothing at all for an IP-shaped externalName (`msg.Service.HostType`), though an IP
//! with a trailing dot is a name to it.

use std::net::IpAddr;

use super::view::ServiceView;
use super::{Ctx, Sink};
use crate::model::{Cause, DnsName, Provenance, RData, Record};

/// Records of one ExternalName Service in one zone.
pub fn records(ctx: &Ctx, service: &ServiceView, target: &str, name: &DnsName, sink: &mut Sink) {
    let trimmed = target.trim_end_matches('.');
    // `msg.Service.HostType` parses the target as written: `1.2.3.4.` is no IP to it, so the
    // Service gets a CNAME to the name `1.2.3.4.`.
    if target.parse::<IpAddr>().is_ok() {
        sink.absent(
            name.clone(),
            &service.object,
            unusable(
                service,
                target,
                "is an IP address; CoreDNS only serves a CNAME to a name",
            ),
        );
        return;
    }
    let target = match DnsName::parse(trimmed) {
        Ok(target) if !trimmed.is_empty() => target,
        Ok(_) | Err(_) => {
            sink.absent(
                name.clone(),
                &service.object,
                unusable(service, target, "is not a valid DNS name"),
            );
            return;
        }
    };
    if &target == name {
        sink.absent(
            name.clone(),
            &service.object,
            unusable(service, target.as_str(), "is the Service's own name"),
        );
        return;
    }
    sink.records.push(Record {
        owner: name.clone(),
        ttl: ctx.config.ttl,
        data: RData::Cname(target),
        source: Provenance::Service(service.object.clone()),
    });
}

fn unusable(service: &ServiceView, target: &str, problem: &str) -> Cause {
    Cause::ExternalNameUnusable {
        service: (*service.object).clone(),
        target: target.to_string(),
        problem: problem.to_string(),
    }
}
