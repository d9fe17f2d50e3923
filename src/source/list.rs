//! Paged LIST and GET against the API, and the classification of `kube::Error` into what the
//! user can act on. Pages of 500, as kubectl uses; an expired continue token restarts the list.

use std::fmt::Debug;

use kube::api::{Api, ListParams};
use kube::core::Resource;
use serde::de::DeserializeOwned;

use super::SourceError;

/// kubectl's page size for lists.
pub const PAGE_SIZE: u32 = 500;

/// Lists every object matching `params`, page by page, dropping `managedFields` and the
/// last-applied annotation as pages arrive (they can be half of an object's size and the engine
/// never reads them).
pub async fn list_all<K>(api: &Api<K>, params: &ListParams) -> Result<Vec<K>, kube::Error>
where
    K: Resource + Clone + DeserializeOwned + Debug,
{
    let mut restarted = false;
    'restart: loop {
        let mut items = Vec::new();
        let mut params = params.clone().limit(PAGE_SIZE);
        params.continue_token = None;
        loop {
            let page = match api.list(&params).await {
                Ok(page) => page,
                // 410 Gone: the continue token expired (the list took longer than the server's
                // compaction window). Start again from the first page, once.
                Err(kube::Error::Api(status)) if status.code == 410 && !restarted => {
                    restarted = true;
                    continue 'restart;
                }
                Err(err) => return Err(err),
            };
            let next = page
                .metadata
                .continue_
                .clone()
                .filter(|token| !token.is_empty());
            items.extend(page.items.into_iter().map(slim));
            match next {
                Some(token) => params = params.continue_token(&token),
                None => return Ok(items),
            }
        }
    }
}

fn slim<K: Resource>(mut object: K) -> K {
    let meta = object.meta_mut();
    meta.managed_fields = None;
    if let Some(annotations) = meta.annotations.as_mut() {
        annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
    }
    object
}

/// The HTTP status of an API error, if the server answered with one.
pub fn status_code(err: &kube::Error) -> Option<u16> {
    match err {
        kube::Error::Api(status) => Some(status.code),
        _ => None,
    }
}

/// Turns a failed request into the error the user sees.
pub fn classify(err: kube::Error, server: &str) -> SourceError {
    let server = server.to_string();
    if let kube::Error::Api(status) = &err {
        return match status.code {
            401 => SourceError::Unauthorized { server },
            403 => SourceError::Forbidden {
                message: status.message.clone(),
            },
            code => SourceError::Api {
                server,
                code,
                message: status.message.clone(),
            },
        };
    }
    let chain = error_chain(&err);
    let lower = chain.to_ascii_lowercase();
    if lower.contains("timed out") || lower.contains("timeout") || lower.contains("elapsed") {
        SourceError::Timeout { server }
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        SourceError::Tls {
            server,
            message: innermost(&err),
        }
    } else if matches!(err, kube::Error::SerdeError(_)) {
        SourceError::Api {
            server,
            code: 0,
            message: format!("malformed response: {}", innermost(&err)),
        }
    } else {
        SourceError::Unreachable {
            server,
            message: innermost(&err),
        }
    }
}

fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut current = err;
    while let Some(inner) = current.source() {
        current = inner;
    }
    current.to_string()
}
