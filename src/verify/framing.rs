//! DNS over a byte stream (RFC 1035 §4.2.2, RFC 7766): every message is preceded by its length
//! as two big-endian bytes. The one place this framing is written and read, for a direct TCP
//! connection and for a stream forwarded through the API server alike.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};

/// `message` with its two-byte length in front.
pub fn frame(message: &[u8]) -> io::Result<Vec<u8>> {
    let length = u16::try_from(message.len())
        .map_err(|_| io::Error::other("message longer than 65535 bytes"))?;
    let mut framed = Vec::with_capacity(message.len() + 2);
    framed.extend_from_slice(&length.to_be_bytes());
    framed.extend_from_slice(message);
    Ok(framed)
}

/// Reads one length-prefixed message. An end of stream before the first byte of the prefix is
/// `Ok(None)`: the peer closed the stream between messages.
pub async fn read_message<R: AsyncRead + Unpin>(reader: &mut R) -> io::Result<Option<Vec<u8>>> {
    let mut prefix = [0_u8; 2];
    if reader.read(&mut prefix[..1]).await? == 0 {
        return Ok(None);
    }
    reader.read_exact(&mut prefix[1..]).await?;
    let mut message = vec![0_u8; usize::from(u16::from_be_bytes(prefix))];
    reader.read_exact(&mut message).await?;
    Ok(Some(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn messages_round_trip_and_a_closed_stream_between_them_is_none() {
        let mut bytes = frame(b"first").expect("frame");
        bytes.extend(frame(b"").expect("frame"));
        bytes.extend(frame(&[7_u8; 300]).expect("frame"));
        assert_eq!(&bytes[..2], &[0, 5]);
        let mut reader = bytes.as_slice();
        assert_eq!(
            read_message(&mut reader).await.expect("read"),
            Some(b"first".to_vec())
        );
        assert_eq!(
            read_message(&mut reader).await.expect("read"),
            Some(Vec::new())
        );
        assert_eq!(
            read_message(&mut reader).await.expect("read"),
            Some(vec![7_u8; 300])
        );
        assert_eq!(read_message(&mut reader).await.expect("read"), None);
    }

    #[tokio::test]
    async fn a_message_cut_short_is_an_error() {
        let bytes = frame(b"whole message").expect("frame");
        let mut reader = &bytes[..6];
        let err = read_message(&mut reader).await.expect_err("cut short");
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(frame(&vec![0_u8; 70_000]).is_err());
    }
}
