//! Walks an error's chain of causes, including the ones two common wrappers hide from
//! `Error::source()`: an `io::Error` built with `io::Error::new(kind, inner)` returns
//! `inner.source()`, not `inner` (tokio-rustls wraps `rustls::Error` that way), and a
//! `serde_json::Error` caused by I/O keeps its `io::Error` out of the chain altogether (it only
//! reports its kind). Errors are classified by type along this walk, never by their text.

use std::error::Error;
use std::io;

/// Every error in `err`'s chain, `err` first, looking inside `io::Error` wrappers.
pub fn causes<'a>(
    err: &'a (dyn Error + 'static),
) -> impl Iterator<Item = &'a (dyn Error + 'static)> {
    std::iter::successors(Some(err), |&current: &&'a (dyn Error + 'static)| {
        // `io::Error::get_ref` is the wrapped error itself; its own `source` is what
        // `io::Error::source` would have returned, so nothing is skipped or seen twice.
        match current
            .downcast_ref::<io::Error>()
            .and_then(io::Error::get_ref)
        {
            Some(inner) => Some(inner as &(dyn Error + 'static)),
            None => current.source(),
        }
    })
}

/// The I/O error kinds in `err`'s chain, including the kind a `serde_json::Error` hides.
pub fn io_kinds<'a>(err: &'a (dyn Error + 'static)) -> impl Iterator<Item = io::ErrorKind> + 'a {
    causes(err).filter_map(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .map(io::Error::kind)
            .or_else(|| {
                cause
                    .downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind)
            })
    })
}

/// The first error of type `T` in `err`'s chain.
pub fn find_cause<'a, T: Error + 'static>(err: &'a (dyn Error + 'static)) -> Option<&'a T> {
    causes(err).find_map(|cause| cause.downcast_ref::<T>())
}

/// The innermost error of the chain: usually the one that says what actually happened
/// (`Connection refused (os error 111)`), where the outer ones only say where.
pub fn innermost<'a>(err: &'a (dyn Error + 'static)) -> &'a (dyn Error + 'static) {
    causes(err).last().unwrap_or(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] Box<dyn Error + Send + Sync>);

    #[test]
    fn looks_inside_io_errors() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let err = Outer(Box::new(io::Error::new(io::ErrorKind::InvalidData, tls)));
        assert!(find_cause::<rustls::Error>(&err).is_some());
        // The plain `source()` chain would have stopped at the io::Error.
        let first = (&err as &dyn Error).source();
        let second = first.and_then(Error::source);
        assert!(first.is_some() && second.is_none());
        assert_eq!(causes(&err).count(), 3);
        assert_eq!(
            innermost(&err).to_string(),
            "invalid peer certificate: UnknownIssuer"
        );
    }

    #[test]
    fn finds_the_io_kind_serde_json_hides() {
        struct Closed;
        impl io::Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let json = serde_json::to_writer(Closed, &vec!["x"; 10]).expect_err("the pipe is closed");
        // How the JSON renderer wraps it.
        let err = io::Error::other(json);
        assert_eq!(err.kind(), io::ErrorKind::Other);
        assert!(io_kinds(&err).any(|kind| kind == io::ErrorKind::BrokenPipe));
    }
}
