//! Criterion bench: analysing one realistic call end to end (read, segment, normalise,
//! match, tag, check, score, report as JSON), reported as throughput in bytes.

use callqa::Engine;
use callqa::input::ReadOptions;
use callqa::rules::Rules;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn corpus_calls() -> Vec<(String, Vec<u8>)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
    let mut calls: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
        .map(|e| {
            (
                e.path().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    calls.sort();
    calls
}

fn bench(c: &mut Criterion) {
    let engine = Engine::new(Rules::load_default().expect("built-in rules"));
    let options = ReadOptions::default();
    let calls = corpus_calls();
    let longest = calls
        .iter()
        .max_by_key(|(_, b)| b.len())
        .expect("corpus has calls")
        .clone();

    let mut group = c.benchmark_group("analyze");
    group.throughput(Throughput::Bytes(longest.1.len() as u64));
    group.bench_function("longest_corpus_call", |b| {
        b.iter(|| {
            let report = engine
                .analyze_bytes(&longest.0, black_box(&longest.1), &options)
                .unwrap();
            black_box(serde_json::to_vec(&report).unwrap())
        })
    });
    let total: usize = calls.iter().map(|(_, b)| b.len()).sum();
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("whole_corpus_single_thread", |b| {
        b.iter(|| {
            for (source, bytes) in &calls {
                let report = engine
                    .analyze_bytes(source, black_box(bytes), &options)
                    .unwrap();
                black_box(serde_json::to_vec(&report).unwrap());
            }
        })
    });
    group.finish();

    c.bench_function("load_and_compile_rules", |b| {
        b.iter(|| Rules::load_default().unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
