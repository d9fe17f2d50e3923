//! A renderer's output gathered in memory and handed to the caller's writer in large blocks.
//!
//! Serializers write a document in many tiny pieces: a quote, a colon, an indent, a key. Through
//! `&mut dyn Write` each piece is a call the compiler cannot see through, into the caller's
//! `BufWriter`, and for a report of hundreds of thousands of records those calls cost more than
//! the text. [`Blocks`] is a concrete type, so each piece is an inlined copy into a `Vec`, and
//! the caller's writer sees one call per block.

use std::io::{self, Write};

/// How many bytes are gathered before they are written on: large enough that the per-call
/// cost of the caller's writer vanishes, small enough to stay in the CPU's caches.
const BLOCK: usize = 64 * 1024;

/// Gathers writes and passes them to `out` a block at a time. Call [`Blocks::finish`] at the
/// end: what is still gathered is written only then (dropping the value discards it, so an
/// error on the way out is never swallowed by a `Drop`).
pub(super) struct Blocks<'w> {
    gathered: Vec<u8>,
    out: &'w mut dyn Write,
}

impl<'w> Blocks<'w> {
    pub(super) fn new(out: &'w mut dyn Write) -> Self {
        Blocks {
            // Room for a block plus the piece that crosses its end, so the Vec never regrows.
            gathered: Vec::with_capacity(2 * BLOCK),
            out,
        }
    }

    /// Writes what is still gathered to the caller's writer, which is not flushed: that stays
    /// the caller's decision, as with any writer it passes in.
    pub(super) fn finish(mut self) -> io::Result<()> {
        self.pass_on()
    }

    fn pass_on(&mut self) -> io::Result<()> {
        if !self.gathered.is_empty() {
            self.out.write_all(&self.gathered)?;
            self.gathered.clear();
        }
        Ok(())
    }
}

impl Write for Blocks<'_> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.write_all(bytes)?;
        Ok(bytes.len())
    }

    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.gathered.extend_from_slice(bytes);
        if self.gathered.len() >= BLOCK {
            self.pass_on()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.pass_on()?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_written_arrives_in_order_once_finished() {
        let mut out = Vec::new();
        let mut blocks = Blocks::new(&mut out);
        let piece: Vec<u8> = (0..=255).collect();
        // Enough pieces to cross several block boundaries, with a tail left gathered.
        for _ in 0..1000 {
            blocks.write_all(&piece).unwrap();
        }
        blocks.write_all(b"tail").unwrap();
        blocks.finish().unwrap();
        assert_eq!(out.len(), 1000 * 256 + 4);
        assert!(out.chunks(256).take(1000).all(|chunk| chunk == piece));
        assert!(out.ends_with(b"tail"));
    }

    #[test]
    fn a_block_is_written_on_before_the_end() {
        let mut out = Vec::new();
        let mut blocks = Blocks::new(&mut out);
        blocks.write_all(&vec![b'x'; BLOCK]).unwrap();
        // The full block was passed on at once; the next piece is gathered.
        blocks.write_all(b"y").unwrap();
        drop(blocks);
        assert_eq!(out.len(), BLOCK);
    }

    #[test]
    fn the_callers_error_is_returned() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut closed = Closed;
        let mut blocks = Blocks::new(&mut closed);
        blocks.write_all(b"small").unwrap();
        let err = blocks.finish().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    }
}
