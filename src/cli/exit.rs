//! Exit codes: one per class of outcome, documented in the README.

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Records printed.
    Success,
    /// Bad flags or arguments (clap's own code).
    Usage,
    /// The manifest input could not be read or parsed.
    Input,
    /// The Corefile is invalid: CoreDNS would refuse it too.
    Corefile,
    /// A named Service or StatefulSet does not exist.
    NotFound,
    /// The requested source is not available in this build.
    Unsupported,
    /// Writing the output failed.
    Io,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> i32 {
        match self {
            Exit::Success => 0,
            Exit::Usage => 2,
            Exit::Input => 3,
            Exit::Corefile => 4,
            Exit::NotFound => 5,
            Exit::Unsupported => 6,
            Exit::Io => 74,
        }
    }
}
