//! Ordered parallel streaming: read, work in parallel, hand results on in input order.
//!
//! Three stages run at once, joined by bounded channels:
//!
//! ```text
//! producer thread --chunks of items--> rayon pool (work) --chunks of results--> sink (caller's thread)
//! ```
//!
//! The producer cuts its items into chunks (at most `chunk_items` items or `chunk_bytes`
//! bytes); each chunk is worked on by the rayon pool with an indexed parallel map, so the
//! results come back in item order whatever the number of threads; the sink sees every
//! result in input order as soon as its chunk is done. At most three chunks of items and
//! three of results exist at any time, so memory does not grow with the number of items.
//! When the sink fails, every stage stops at its next hand-off.

use rayon::prelude::*;
use std::sync::mpsc::sync_channel;

/// How large a chunk may grow before it is handed to the workers.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub chunk_items: usize,
    pub chunk_bytes: usize,
}

impl Default for Limits {
    /// About 40 six-minute calls per chunk: enough to keep every core busy between
    /// hand-offs, small enough that the chunks in flight stay a few MiB. The results are
    /// rendered reports, ~5x the size of their input, so the chunk size shows in peak RSS:
    /// 1 MiB chunks peaked 6-9 MiB higher than 256 KiB ones on 5,000 and 20,000 calls (1
    /// and 2 threads) and ran no faster.
    fn default() -> Self {
        Limits {
            chunk_items: 512,
            chunk_bytes: 256 << 10,
        }
    }
}

/// Runs `produce` on its own thread, `work` on `pool` and `sink` on the calling thread, and
/// returns the sink's first error, if any.
pub fn run<I, T, E>(
    pool: &rayon::ThreadPool,
    limits: Limits,
    produce: impl FnOnce(&mut dyn FnMut(I) -> bool) + Send,
    weight: impl Fn(&I) -> usize + Send,
    work: impl Fn(I) -> T + Sync + Send,
    mut sink: impl FnMut(T) -> Result<(), E>,
) -> Result<(), E>
where
    I: Send,
    T: Send,
{
    let (chunk_tx, chunk_rx) = sync_channel::<Vec<I>>(1);
    let (done_tx, done_rx) = sync_channel::<Vec<T>>(1);
    let work = &work;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut chunk = Vec::new();
            let mut bytes = 0;
            let mut open = true;
            produce(&mut |item| {
                bytes += weight(&item);
                chunk.push(item);
                if chunk.len() >= limits.chunk_items.max(1) || bytes >= limits.chunk_bytes {
                    bytes = 0;
                    open = chunk_tx.send(std::mem::take(&mut chunk)).is_ok();
                }
                open
            });
            if open && !chunk.is_empty() {
                let _ = chunk_tx.send(chunk);
            }
        });
        scope.spawn(move || {
            for chunk in chunk_rx {
                let done: Vec<T> = pool.install(|| chunk.into_par_iter().map(work).collect());
                if done_tx.send(done).is_err() {
                    break;
                }
            }
        });
        for done in done_rx {
            for result in done {
                sink(result)?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn squares(threads: usize, limits: Limits, n: u64) -> Vec<u64> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut out = Vec::new();
        let result: Result<(), ()> = run(
            &pool,
            limits,
            |emit| {
                for i in 0..n {
                    if !emit(i) {
                        return;
                    }
                }
            },
            |_| 8,
            |i| i * i,
            |r| {
                out.push(r);
                Ok(())
            },
        );
        assert!(result.is_ok());
        out
    }

    #[test]
    fn keeps_input_order_for_any_thread_count_and_chunking() {
        let expected: Vec<u64> = (0..1000).map(|i| i * i).collect();
        for threads in [1, 2, 4] {
            for limits in [
                Limits::default(),
                Limits {
                    chunk_items: 1,
                    chunk_bytes: 1 << 20,
                },
                Limits {
                    chunk_items: 1000,
                    chunk_bytes: 24,
                },
            ] {
                assert_eq!(squares(threads, limits, 1000), expected);
            }
        }
    }

    #[test]
    fn stops_every_stage_when_the_sink_fails() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let mut produced = 0u64;
        let mut seen = 0;
        let result = run(
            &pool,
            Limits {
                chunk_items: 4,
                chunk_bytes: 1 << 20,
            },
            |emit| {
                for i in 0.. {
                    produced = i;
                    if !emit(i) {
                        return;
                    }
                }
            },
            |_| 1,
            |i| i,
            |r| {
                seen += 1;
                if r == 10 { Err("full") } else { Ok(()) }
            },
        );
        assert_eq!(result, Err("full"));
        assert_eq!(seen, 11);
        assert!(produced < 100, "the producer ran on to {produced}");
    }
}
