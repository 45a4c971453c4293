//! Criterion bench: the batch pipeline end to end in memory (ordered parallel stream,
//! analyse, render JSONL, write in order, summary), on 1 thread and on all threads, over
//! the corpus calls repeated to 400 inputs. Reported as throughput in input bytes.
//! benches/throughput.sh measures the whole binary on a generated archive.

use callqa::Engine;
use callqa::batch::pipeline::{self, Limits};
use callqa::batch::render::{Format, Renderer};
use callqa::batch::sources::{self, Input, SourceOptions};
use callqa::batch::summary::{CallRecord, Summary};
use callqa::batch::table::Table;
use callqa::input::ReadOptions;
use callqa::rules::Rules;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// The corpus calls, read by the batch sources as `callqa analyze corpus/` would.
fn corpus_inputs() -> Vec<Input> {
    let root = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus"));
    let options = SourceOptions {
        extensions: vec!["txt".into()],
        ..SourceOptions::default()
    };
    let mut inputs = Vec::new();
    sources::walk(&[root], &options, &mut |input| {
        inputs.push(input);
        true
    });
    inputs
}

fn bench(c: &mut Criterion) {
    let engine = Engine::new(Rules::load_default().expect("built-in rules"));
    let options = ReadOptions::default();
    let renderer = Renderer::new(Format::Jsonl, Table::default());
    let calls = corpus_inputs();
    assert!(!calls.is_empty(), "corpus has calls");
    let inputs: Vec<(String, Vec<u8>)> = (0..400)
        .map(|i| {
            let call = &calls[i % calls.len()];
            let bytes = call.content.as_ref().expect("corpus call readable");
            (format!("{}#{i}", call.source), bytes.clone())
        })
        .collect();
    let total: usize = inputs.iter().map(|(_, b)| b.len()).sum();

    let mut group = c.benchmark_group("batch");
    group.throughput(Throughput::Bytes(total as u64));
    group.sample_size(10);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for threads in [1, cores] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        group.bench_function(format!("pipeline_jsonl_{threads}_threads"), |b| {
            b.iter(|| {
                let mut written = 0usize;
                let mut summary = Summary::new(&[], 5);
                let result: Result<(), ()> = pipeline::run(
                    &pool,
                    Limits::default(),
                    |emit| {
                        for (source, bytes) in &inputs {
                            let input = Input {
                                source: source.clone(),
                                content: Ok(bytes.clone()),
                                stream_line: None,
                            };
                            if !emit(input) {
                                return;
                            }
                        }
                    },
                    Input::weight,
                    |input: Input| {
                        let report = input.analyze(&engine, &options).unwrap();
                        (
                            renderer.report(&report),
                            CallRecord::from_report(&report, &[]),
                        )
                    },
                    |(rendered, record)| {
                        written += rendered.len();
                        summary.add(&record);
                        Ok(())
                    },
                );
                black_box((result, written, summary.inputs().given))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
