//! Many questions over a few long-lived byte streams at once (DNS over TCP pipelining, RFC 7766
//! §6.2.1.1): each stream has one writer the questions take turns on and one reader that hands
//! every answer to the question with its message id, whatever order the server answers in.
//! Used for the streams a port-forward gives; generic over the stream so tests can drive it with
//! in-memory pipes.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::timeout;

use super::framing;
use super::transport::{AskError, io_error};
use super::wire;
use crate::model::{Question, Served};

type Writer = Box<dyn AsyncWrite + Send + Unpin>;

/// The streams questions are spread over, round robin, skipping streams that have closed.
pub struct Lanes {
    lanes: Vec<Lane>,
    next: AtomicUsize,
}

/// One stream.
struct Lane {
    writer: tokio::sync::Mutex<Writer>,
    pending: Arc<Mutex<Pending>>,
    reader: JoinHandle<()>,
}

/// The questions waiting on one stream, by message id.
struct Pending {
    waiting: HashMap<u16, oneshot::Sender<Vec<u8>>>,
    next_id: u16,
    /// The reader saw the stream end: nothing more will be answered on it.
    closed: bool,
}

impl Lanes {
    /// Starts a reader on each stream. Needs a tokio runtime.
    pub fn new<S>(streams: Vec<S>) -> Lanes
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let seed = RandomState::new();
        let lanes = streams
            .into_iter()
            .enumerate()
            .map(|(index, stream)| {
                let (mut read, write) = tokio::io::split(stream);
                let pending = Arc::new(Mutex::new(Pending {
                    waiting: HashMap::new(),
                    // Ids start at a random point: an answer meant for an earlier client of the
                    // same server connection is not taken for ours.
                    next_id: seed.hash_one(index) as u16,
                    closed: false,
                }));
                let answers = Arc::clone(&pending);
                let reader = tokio::spawn(async move {
                    // An error or the end of the stream ends every question still waiting on it:
                    // dropping their senders wakes them with "closed".
                    while let Ok(Some(message)) = framing::read_message(&mut read).await {
                        let Some(id) = message.get(..2).map(|b| u16::from_be_bytes([b[0], b[1]]))
                        else {
                            continue;
                        };
                        if let Some(waiter) = lock(&answers).waiting.remove(&id) {
                            // The question may have given up (timeout) in the meantime.
                            let _ = waiter.send(message);
                        }
                    }
                    let mut pending = lock(&answers);
                    pending.closed = true;
                    pending.waiting.clear();
                });
                Lane {
                    writer: tokio::sync::Mutex::new(Box::new(write)),
                    pending,
                    reader,
                }
            })
            .collect();
        Lanes {
            lanes,
            next: AtomicUsize::new(0),
        }
    }

    /// Asks `question`, with a timeout per attempt and one retry, the retry on the next open
    /// stream.
    pub async fn ask(&self, question: &Question, limit: Duration) -> Result<Served, AskError> {
        let mut last = AskError::Closed;
        for _attempt in 0..2 {
            let Some(lane) = self.pick() else {
                return Err(last);
            };
            match lane.exchange(question, limit).await {
                Ok(served) => return Ok(served),
                Err(err) => last = err,
            }
        }
        Err(last)
    }

    /// How many streams are still open.
    #[cfg(test)]
    pub fn open(&self) -> usize {
        self.lanes.iter().filter(|lane| !lane.is_closed()).count()
    }

    fn pick(&self) -> Option<&Lane> {
        let count = self.lanes.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..count)
            .filter_map(|offset| self.lanes.get((start + offset) % count))
            .find(|lane| !lane.is_closed())
    }
}

impl Drop for Lanes {
    fn drop(&mut self) {
        for lane in &self.lanes {
            lane.reader.abort();
        }
    }
}

impl Lane {
    fn is_closed(&self) -> bool {
        lock(&self.pending).closed
    }

    /// One attempt: register an id, write the query, wait for the answer with that id.
    async fn exchange(&self, question: &Question, limit: Duration) -> Result<Served, AskError> {
        let (id, answer) = {
            let mut pending = lock(&self.pending);
            if pending.closed {
                return Err(AskError::Closed);
            }
            // At most a few hundred questions wait at once: a free id is always near.
            let mut id = pending.next_id;
            while pending.waiting.contains_key(&id) {
                id = id.wrapping_add(1);
            }
            pending.next_id = id.wrapping_add(1);
            let (sender, receiver) = oneshot::channel();
            pending.waiting.insert(id, sender);
            (id, receiver)
        };
        let result = self.send_and_wait(id, question, answer, limit).await;
        lock(&self.pending).waiting.remove(&id);
        let bytes = result?;
        wire::decode_answer(&bytes, id, question.name.as_str(), question.rtype)
            .map(|answer| answer.served)
            .map_err(AskError::Wire)
    }

    async fn send_and_wait(
        &self,
        id: u16,
        question: &Question,
        answer: oneshot::Receiver<Vec<u8>>,
        limit: Duration,
    ) -> Result<Vec<u8>, AskError> {
        let query = wire::encode_query(id, question.name.as_str(), question.rtype)
            .map_err(AskError::Wire)?;
        let framed = framing::frame(&query).map_err(AskError::Io)?;
        let exchange = async {
            {
                let mut writer = self.writer.lock().await;
                writer.write_all(&framed).await.map_err(io_error)?;
                writer.flush().await.map_err(io_error)?;
            }
            answer.await.map_err(|_| AskError::Closed)
        };
        timeout(limit, exchange)
            .await
            .map_err(|_| AskError::Timeout(limit))?
    }
}

/// The pending map holds no invariant a panic elsewhere could break halfway.
fn lock(mutex: &Mutex<Pending>) -> MutexGuard<'_, Pending> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use hickory_proto::op::{Message, OpCode};
    use hickory_proto::rr::{RData, Record};
    use tokio::io::{AsyncReadExt, DuplexStream};

    use super::*;
    use crate::model::{DnsName, Rcode, RecordType};

    fn question(index: usize) -> Question {
        Question {
            name: DnsName::parse(&format!("svc-{index}.ns.svc.cluster.local.")).expect("name"),
            rtype: RecordType::A,
        }
    }

    /// The address a question for `svc-N` is answered with: 10.0.N/256.N%256.
    fn address_of(name: &str) -> Ipv4Addr {
        let index: u16 = name
            .trim_start_matches("svc-")
            .split('.')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("svc-N");
        let [high, low] = index.to_be_bytes();
        Ipv4Addr::new(10, 0, high, low)
    }

    fn answer(query: &[u8]) -> Vec<u8> {
        let query = Message::from_vec(query).expect("query decodes");
        let mut response = Message::response(query.metadata.id, OpCode::Query);
        response.add_queries(query.queries.iter().cloned());
        if let Some(asked) = query.queries.first() {
            let address = address_of(&asked.name().to_ascii());
            response.add_answer(Record::from_rdata(
                asked.name().clone(),
                30,
                RData::A(address.into()),
            ));
        }
        framing::frame(&response.to_vec().expect("encode")).expect("frame")
    }

    /// A server on one pipe: answers the queries that have arrived, up to `batch` at a time, in
    /// reverse order; after `close_after` queries it closes the stream without answering.
    async fn server(pipe: DuplexStream, batch: usize, close_after: Option<usize>) {
        let (mut read, mut write) = tokio::io::split(pipe);
        let (queries, mut arrived) = tokio::sync::mpsc::unbounded_channel();
        let reader = tokio::spawn(async move {
            while let Ok(Some(query)) = framing::read_message(&mut read).await {
                if queries.send(query).is_err() {
                    break;
                }
            }
        });
        let mut seen = 0;
        while let Some(first) = arrived.recv().await {
            let mut held = vec![first];
            while held.len() < batch {
                match arrived.try_recv() {
                    Ok(query) => held.push(query),
                    Err(_) => break,
                }
            }
            seen += held.len();
            if close_after.is_some_and(|limit| seen > limit) {
                break;
            }
            for query in held.into_iter().rev() {
                if write.write_all(&answer(&query)).await.is_err() {
                    break;
                }
            }
        }
        // Both halves dropped: the stream closes.
        reader.abort();
    }

    fn pipes(count: usize, batch: usize, close_first_after: Option<usize>) -> Vec<DuplexStream> {
        (0..count)
            .map(|index| {
                let (ours, theirs) = tokio::io::duplex(64 * 1024);
                let close = if index == 0 { close_first_after } else { None };
                tokio::spawn(server(theirs, batch, close));
                ours
            })
            .collect()
    }

    async fn ask_all(lanes: &Lanes, count: usize) -> Vec<Result<Served, AskError>> {
        use futures::StreamExt;
        futures::stream::iter(0..count)
            .map(|index| async move { lanes.ask(&question(index), Duration::from_secs(2)).await })
            .buffered(32)
            .collect()
            .await
    }

    #[tokio::test]
    async fn answers_out_of_order_reach_their_questions() {
        let lanes = Lanes::new(pipes(3, 8, None));
        let answers = ask_all(&lanes, 300).await;
        for (index, answer) in answers.into_iter().enumerate() {
            let served = answer.unwrap_or_else(|err| panic!("question {index}: {err}"));
            assert_eq!(served.rcode, Some(Rcode::NOERROR));
            let [high, low] = (index as u16).to_be_bytes();
            assert_eq!(
                served.records.into_iter().collect::<Vec<_>>(),
                [format!("10.0.{high}.{low}")],
                "question {index}"
            );
        }
        assert_eq!(lanes.open(), 3);
    }

    #[tokio::test]
    async fn a_stream_that_closes_leaves_its_questions_to_the_others() {
        // The first stream takes five questions and closes without answering them.
        let lanes = Lanes::new(pipes(2, 1, Some(5)));
        let answers = ask_all(&lanes, 40).await;
        assert!(
            answers.iter().all(Result::is_ok),
            "{:?}",
            answers.iter().find(|a| a.is_err())
        );
        assert_eq!(lanes.open(), 1);
    }

    #[tokio::test]
    async fn a_silent_stream_times_out_after_the_retry_and_a_closed_one_says_so() {
        let (ours, mut theirs) = tokio::io::duplex(1024);
        // Reads and never answers.
        tokio::spawn(async move {
            let mut sink = vec![0_u8; 1024];
            while theirs.read(&mut sink).await.is_ok_and(|n| n > 0) {}
        });
        let lanes = Lanes::new(vec![ours]);
        let started = tokio::time::Instant::now();
        let err = lanes
            .ask(&question(1), Duration::from_millis(50))
            .await
            .expect_err("silence");
        assert!(matches!(err, AskError::Timeout(_)), "{err}");
        assert!(
            started.elapsed() >= Duration::from_millis(100),
            "two attempts"
        );

        let (ours, theirs) = tokio::io::duplex(1024);
        drop(theirs);
        let lanes = Lanes::new(vec![ours]);
        let err = lanes
            .ask(&question(1), Duration::from_secs(1))
            .await
            .expect_err("closed");
        assert!(matches!(err, AskError::Closed), "{err}");
    }
}
