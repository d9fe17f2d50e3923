//! A plain TCP server on 127.0.0.1 that misbehaves in one chosen way, for the failures an API
//! server cannot show through HTTP: a connection closed as soon as it is accepted, a handshake
//! that never starts, an answer that is not TLS. It counts the connections it accepted and
//! stops when dropped.

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the server does with each connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Accept, then close at once without reading or writing.
    CloseOnAccept,
    /// Accept and hold the connection open, never writing (a stalled TLS handshake).
    Stall,
    /// Answer with plain HTTP, as a server without TLS on that port would.
    PlainHttp,
}

/// A running misbehaving server.
pub struct RawServer {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl RawServer {
    /// Binds a free port and serves on a thread of its own.
    pub fn start(behaviour: Behaviour) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the raw test server");
        listener
            .set_nonblocking(true)
            .expect("make the raw test server non-blocking");
        let addr = listener.local_addr().expect("raw test server address");
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let connections = Arc::clone(&connections);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || serve(&listener, behaviour, &connections, &stop))
        };
        RawServer {
            addr,
            connections,
            stop,
            thread: Some(thread),
        }
    }

    /// `https://127.0.0.1:PORT`: clients are told to speak TLS to it.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(
    listener: &TcpListener,
    behaviour: Behaviour,
    connections: &AtomicUsize,
    stop: &AtomicBool,
) {
    // Stalled connections stay open until the server stops.
    let mut held: Vec<TcpStream> = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((mut stream, _)) => {
                connections.fetch_add(1, Ordering::SeqCst);
                match behaviour {
                    Behaviour::CloseOnAccept => drop(stream),
                    Behaviour::Stall => held.push(stream),
                    Behaviour::PlainHttp => {
                        let _ = stream.write_all(
                            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        );
                        held.push(stream);
                    }
                }
            }
            // Non-blocking: nothing to accept yet.
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}
