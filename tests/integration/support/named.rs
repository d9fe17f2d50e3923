//! BIND's `named`, started by a test on 127.0.0.1 with a free port, serving one zone-file text
//! for `cluster.local`, `in-addr.arpa` and `ip6.arpa`, and any other zones a test names (the tool's
//! `-o zone` output holds every zone: each keeps its own section and ignores the others as
//! out-of-zone data). Killed by PID when
//! the guard drops.

use std::net::{TcpListener, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `named`; dropping it kills the process.
pub struct Named {
    child: Child,
    /// The port it listens on (UDP and TCP) on 127.0.0.1.
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Named {
    /// `HOST:PORT` for `--dns-server`.
    pub fn server(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Starts `named` serving `zone_text`, retrying with another port when the chosen one was
    /// taken between choosing and binding.
    pub fn serve(zone_text: &str) -> Named {
        Self::serve_zones(zone_text, &[])
    }

    /// [`Named::serve`] with `more` zones (a second server block's) from the same text.
    pub fn serve_zones(zone_text: &str, more: &[&str]) -> Named {
        let mut last = String::new();
        for _ in 0..5 {
            match Self::try_serve(zone_text, more) {
                Ok(named) => return named,
                Err(why) => last = why,
            }
        }
        panic!("named did not start: {last}");
    }

    fn try_serve(zone_text: &str, more: &[&str]) -> Result<Named, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
        let port = free_port()?;
        let path = dir.path();
        std::fs::write(path.join("out.zone"), zone_text).map_err(|e| e.to_string())?;
        std::fs::write(path.join("named.conf"), config(path, port, more))
            .map_err(|e| e.to_string())?;
        let mut child = Command::new("named")
            // -g: foreground, log to stderr; -n 1: one worker thread on a shared machine.
            .args(["-g", "-n", "1", "-c"])
            .arg(path.join("named.conf"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(path.join("named.log")).map_err(|e| e.to_string())?)
            .spawn()
            .map_err(|e| format!("cannot run named (install Debian's bind9): {e}"))?;
        let named = Named {
            child: {
                let deadline = Instant::now() + Duration::from_secs(15);
                loop {
                    if let Ok(Some(status)) = child.try_wait() {
                        let log =
                            std::fs::read_to_string(path.join("named.log")).unwrap_or_default();
                        return Err(format!("named exited with {status}:\n{log}"));
                    }
                    let log = std::fs::read_to_string(path.join("named.log")).unwrap_or_default();
                    if log.contains("running") {
                        break child;
                    }
                    if Instant::now() > deadline {
                        let _ = child.kill();
                        let _ = child.wait();
                        return Err(format!("named did not start within 15s:\n{log}"));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            },
            port,
            _dir: dir,
        };
        Ok(named)
    }
}

impl Drop for Named {
    fn drop(&mut self) {
        // Our own child, by its PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port free for both UDP and TCP on 127.0.0.1 at the time of asking.
fn free_port() -> Result<u16, String> {
    let udp = UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = udp.local_addr().map_err(|e| e.to_string())?.port();
    let tcp = TcpListener::bind(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    drop((udp, tcp));
    Ok(port)
}

fn config(dir: &Path, port: u16, more: &[&str]) -> String {
    let dir = dir.display();
    let zones: String = ["cluster.local", "in-addr.arpa", "ip6.arpa"]
        .iter()
        .chain(more)
        .map(|zone| format!("zone \"{zone}\" {{ type primary; file \"{dir}/out.zone\"; }};\n"))
        .collect();
    format!(
        "options {{
    directory \"{dir}\";
    pid-file \"{dir}/named.pid\";
    session-keyfile \"{dir}/session.key\";
    managed-keys-directory \"{dir}\";
    listen-on port {port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    recursion no;
    dnssec-validation no;
}};
controls {{ }};
{zones}"
    )
}
