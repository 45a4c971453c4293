//! Batch runs end to end through the `callqa` binary: archives and streams read in place,
//! every input accounted for, byte-identical output for any thread count, shards that
//! split the inputs exactly, summaries that agree whichever way they are made.
//!
//! The rules are the small stable pack in `tests/cmd/fixtures/batch/pack`, so these tests
//! assert the batch machinery, not the tuning of the real lexicon.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const PACK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cmd/fixtures/batch/pack");

fn callqa(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_callqa"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run callqa");
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn analyze(extra: &[&str]) -> Output {
    let mut args = vec!["analyze", "--rules", PACK];
    args.extend_from_slice(extra);
    callqa(&args, None)
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn sources(jsonl: &str) -> Vec<String> {
    jsonl
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["source"].as_str().unwrap().to_string()
        })
        .collect()
}

/// A varied synthetic call (plain text or JSON with metadata).
fn call(i: usize) -> (String, String) {
    let agent = format!("a{}", i % 7);
    let team = ["noord", "zuid", "oost"][i % 3];
    let mut turns = vec![
        (
            "agent",
            format!("Goedemorgen, u spreekt met medewerker {i}."),
        ),
        (
            "customer",
            "Mijn internet doet het niet en dat is frustrerend.".to_string(),
        ),
    ];
    let empathy = ("agent", "Wat vervelend, dat begrijp ik.".to_string());
    let step = ("agent", "Klik op de knop opnieuw verbinden.".to_string());
    match (i.is_multiple_of(2), !i.is_multiple_of(3)) {
        // Acting before empathising: an out-of-order finding.
        (true, true) if i % 4 == 2 => turns.extend([step, empathy]),
        (true, true) => turns.extend([empathy, step]),
        (true, false) => turns.push(empathy),
        (false, true) => turns.push(step),
        (false, false) => {}
    }
    if i.is_multiple_of(5) {
        turns.push(("agent", "Bedankt voor het bellen.".to_string()));
    }
    for extra in 0..(i % 4) {
        turns.push(("customer", format!("Ja, stap {extra} is gelukt.")));
    }
    if i.is_multiple_of(2) {
        let lines: String = turns
            .iter()
            .map(|(s, t)| {
                let label = if *s == "agent" { "Medewerker" } else { "Klant" };
                format!("{label}: {t}\n")
            })
            .collect();
        (format!("call{i:04}.txt"), lines)
    } else {
        let turns: Vec<serde_json::Value> = turns
            .iter()
            .map(|(s, t)| serde_json::json!({"speaker": s, "text": t}))
            .collect();
        let doc = serde_json::json!({
            "id": format!("c{i}"),
            "metadata": {"agent_id": agent, "team": team},
            "turns": turns,
        });
        (format!("call{i:04}.json"), doc.to_string())
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn tar(members: &[(String, String)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, text) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, name, text.as_bytes())
            .unwrap();
    }
    builder.into_inner().unwrap()
}

fn zip(members: &[(String, String)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in members {
        writer
            .start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(text.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn jsonl(calls: impl Iterator<Item = usize>) -> String {
    calls
        .map(|i| {
            let (_, text) = call(i * 2 + 1);
            text + "\n"
        })
        .collect()
}

/// An archive of 240 calls in every layout: files in folders, `.gz`, `.zst`, tar.gz,
/// tar.zst, zip and JSONL.
fn archive(dir: &Path) -> PathBuf {
    let root = dir.join("archive");
    for i in 0..60 {
        let (name, text) = call(i);
        let folder = root.join(format!("day{}", i % 3));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(name), text).unwrap();
    }
    let (name, text) = call(60);
    std::fs::write(root.join(format!("{name}.gz")), gzip(text.as_bytes())).unwrap();
    let (name, text) = call(61);
    std::fs::write(
        root.join(format!("{name}.zst")),
        zstd::encode_all(text.as_bytes(), 3).unwrap(),
    )
    .unwrap();
    let members: Vec<(String, String)> = (62..112)
        .map(|i| {
            let (name, text) = call(i);
            (format!("2024/03/{name}"), text)
        })
        .collect();
    std::fs::write(root.join("week.tar.gz"), gzip(&tar(&members))).unwrap();
    let members: Vec<(String, String)> = (112..142).map(call).collect();
    std::fs::write(
        root.join("week.tar.zst"),
        zstd::encode_all(&tar(&members)[..], 3).unwrap(),
    )
    .unwrap();
    let members: Vec<(String, String)> = (142..192)
        .map(|i| {
            let (name, text) = call(i);
            (format!("export/{name}"), text)
        })
        .collect();
    std::fs::write(root.join("export.zip"), zip(&members)).unwrap();
    std::fs::write(root.join("stream.jsonl"), jsonl(96..144)).unwrap();
    root
}

#[test]
fn output_is_byte_identical_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let root = archive(dir.path());
    let root = root.to_str().unwrap();
    for format in ["jsonl", "json", "text", "csv"] {
        let runs: Vec<Output> = ["1", "2", "5"]
            .iter()
            .map(|threads| analyze(&["--threads", threads, "--format", format, root]))
            .collect();
        assert_eq!(runs[0].status.code(), Some(0), "{}", stderr(&runs[0]));
        assert!(!runs[0].stdout.is_empty());
        for run in &runs[1..] {
            assert!(run.stdout == runs[0].stdout, "{format} output differs");
            assert_eq!(stderr(run), stderr(&runs[0]));
        }
    }
}

/// The cache budget only trades speed for memory: with no room for the patterns' automaton
/// caches at all, every report of the hand-written corpus is the same.
#[test]
fn output_is_byte_identical_for_any_cache_budget() {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/tuning");
    let runs: Vec<Output> = ["40", "0"]
        .iter()
        .map(|mib| {
            let args = ["--cache-mib", mib, "--quiet", "--format", "jsonl", corpus];
            callqa(&[&["analyze"], &args[..]].concat(), None)
        })
        .collect();
    assert_eq!(runs[0].status.code(), Some(0), "{}", stderr(&runs[0]));
    assert!(stdout(&runs[0]).lines().count() > 200);
    assert!(runs[1].stdout == runs[0].stdout, "output differs");
    assert_eq!(runs[1].status.code(), Some(0), "{}", stderr(&runs[1]));
}

#[test]
fn archives_and_streams_are_read_in_place_and_named_by_member() {
    let dir = tempfile::tempdir().unwrap();
    let root = archive(dir.path());
    let out = analyze(&["--format", "jsonl", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let names = sources(&stdout(&out));
    assert_eq!(names.len(), 240);
    let r = root.display();
    for expected in [
        format!("{r}/call0060.txt.gz"),
        format!("{r}/call0061.json.zst"),
        format!("{r}/day0/call0000.txt"),
        format!("{r}/export.zip!export/call0142.txt"),
        format!("{r}/stream.jsonl:1"),
        format!("{r}/stream.jsonl:48"),
        format!("{r}/week.tar.gz!2024/03/call0062.txt"),
        format!("{r}/week.tar.zst!call0141.json"),
    ] {
        assert!(names.contains(&expected), "{expected} not in {names:?}");
    }
    // Input order: the directory walk in name order, members in archive order.
    let zip_members: Vec<&String> = names.iter().filter(|n| n.contains(".zip!")).collect();
    assert!(zip_members.windows(2).all(|w| w[0] < w[1]));
    assert!(stderr(&out).ends_with("callqa: 240 input(s): 240 analysed, 0 failed\n"));
}

#[test]
fn every_bad_input_is_reported_located_and_the_rest_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (good, text) = call(1);
    std::fs::write(d.join(&good), &text).unwrap();
    std::fs::write(d.join("corrupt.json.gz"), b"this is not gzip").unwrap();
    let mut truncated = gzip(&tar(&[call(2), call(3)]));
    truncated.truncate(truncated.len() / 2);
    std::fs::write(d.join("truncated.tar.gz"), truncated).unwrap();
    std::fs::write(d.join("broken.zip"), b"PK not really").unwrap();
    let mut lines = jsonl(0..2).into_bytes();
    lines.extend_from_slice(b"{\"turns\": [{\"speaker\": \"agent\", \"text\": \"caf\xe9\"}]}\n");
    lines.extend_from_slice(b"\n");
    lines.extend_from_slice(b"Medewerker: geen JSON\n");
    lines.extend_from_slice(b"{\"turns\": [}\n");
    std::fs::write(d.join("stream.jsonl"), lines).unwrap();
    std::fs::write(d.join("empty.txt"), b"  \n").unwrap();
    std::fs::write(d.join("big.txt"), "Medewerker: goedemorgen\n".repeat(100)).unwrap();

    let out = analyze(&[
        "--format",
        "jsonl",
        "--max-input-bytes",
        "1000",
        d.to_str().unwrap(),
        d.join("missing.txt").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let records: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let failed: Vec<(&str, &str)> = records
        .iter()
        .filter(|r| r.get("error").is_some())
        .map(|r| {
            (
                r["source"].as_str().unwrap(),
                r["error"]["kind"].as_str().unwrap(),
            )
        })
        .collect();
    let p = d.display();
    for (source, kind, message) in [
        (
            format!("{p}/big.txt"),
            "too_large",
            format!("error: {p}/big.txt: input is larger than --max-input-bytes (1000 bytes)"),
        ),
        (
            format!("{p}/broken.zip"),
            "archive",
            format!("error: {p}/broken.zip: cannot read zip archive"),
        ),
        (
            format!("{p}/corrupt.json.gz"),
            "io",
            format!("error: {p}/corrupt.json.gz: cannot read"),
        ),
        (
            format!("{p}/empty.txt"),
            "empty",
            format!("error: {p}/empty.txt: empty input"),
        ),
        (
            format!("{p}/stream.jsonl:3"),
            "encoding",
            format!("error: {p}/stream.jsonl:3:"),
        ),
        (
            format!("{p}/stream.jsonl:5"),
            "syntax",
            format!("error: {p}/stream.jsonl:5:1: not a JSON object"),
        ),
        (
            format!("{p}/stream.jsonl:6"),
            "syntax",
            format!("error: {p}/stream.jsonl:6:"),
        ),
        (
            format!("{p}/truncated.tar.gz"),
            "archive",
            format!("error: {p}/truncated.tar.gz: corrupt tar archive"),
        ),
        (
            format!("{p}/missing.txt"),
            "io",
            format!("error: {p}/missing.txt: cannot read"),
        ),
    ] {
        assert!(
            failed.contains(&(source.as_str(), kind)),
            "{source} ({kind}) not among {failed:?}"
        );
        assert!(err.contains(&message), "{message} not in\n{err}");
    }
    // Each input once, in order, and the closing line accounts for every one.
    let analysed = records.len() - failed.len();
    assert!(analysed >= 3, "{records:?}");
    assert!(err.ends_with(&format!(
        "callqa: {} input(s): {analysed} analysed, {} failed\n",
        records.len(),
        failed.len()
    )));
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error: ")).count(),
        failed.len()
    );
}

#[test]
fn shards_split_the_inputs_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let root = archive(dir.path());
    let root = root.to_str().unwrap();
    let all = sources(&stdout(&analyze(&["--format", "jsonl", root])));
    let mut union = Vec::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let out = analyze(&["--format", "jsonl", "--shard", &shard, root]);
        let part = sources(&stdout(&out));
        assert!(!part.is_empty() && part.len() < all.len());
        assert!(stderr(&out).contains(&format!("(shard {k}/3)")));
        // A shard keeps the input order.
        let positions: Vec<usize> = part
            .iter()
            .map(|s| all.iter().position(|a| a == s).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(
            part,
            sources(&stdout(&analyze(&[
                "--format", "jsonl", "--shard", &shard, root
            ])))
        );
        union.extend(part);
    }
    union.sort();
    let mut all_sorted = all.clone();
    all_sorted.sort();
    assert_eq!(union, all_sorted);
    let out = analyze(&["--shard", "4/3", root]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn summaries_agree_whichever_way_they_are_made() {
    let dir = tempfile::tempdir().unwrap();
    let root = archive(dir.path());
    std::fs::write(root.join("bad.txt"), b"Medewerker: caf\xe9\n").unwrap();
    let reports = dir.path().join("reports.jsonl");
    let summary = dir.path().join("summary.json");
    let out = analyze(&[
        "--format",
        "jsonl",
        "--group-by",
        "team",
        "--output",
        reports.to_str().unwrap(),
        "--summary",
        summary.to_str().unwrap(),
        root.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "--output: nothing on stdout");
    let from_analyze = std::fs::read_to_string(&summary).unwrap();
    let out = callqa(
        &[
            "summarize",
            "--format",
            "json",
            "--group-by",
            "team",
            reports.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), from_analyze);

    let summary: serde_json::Value = serde_json::from_str(&from_analyze).unwrap();
    assert_eq!(summary["schema"], "callqa.summary/1");
    assert_eq!(summary["inputs"]["given"], 241);
    assert_eq!(summary["inputs"]["analysed"], 240);
    assert_eq!(summary["inputs"]["failed_by_kind"]["encoding"], 1);
    let groups: Vec<&str> = summary["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"]["team"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["", "noord", "oost", "zuid"]);
    let mini = &summary["overall"]["methodologies"][0];
    assert_eq!(mini["calls"], 240);
    let histogram: u64 = mini["score"]["histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["calls"].as_u64().unwrap())
        .sum();
    assert_eq!(histogram, 240);
    assert!(mini["unanswered_emotion"]["calls"].as_u64().unwrap() > 0);
    assert!(mini["out_of_order"]["calls"].as_u64().unwrap() > 0);

    // The same through a compressed report file and stdin, as text.
    let gz = dir.path().join("reports.jsonl.gz");
    std::fs::write(&gz, gzip(&std::fs::read(&reports).unwrap())).unwrap();
    let text = callqa(
        &["summarize", "--group-by", "team", gz.to_str().unwrap()],
        None,
    );
    let piped = callqa(
        &["summarize", "--group-by", "team", "-"],
        Some(&std::fs::read(&reports).unwrap()),
    );
    assert_eq!(stdout(&text), stdout(&piped));
    assert!(
        stdout(&text)
            .starts_with("callqa summary: 241 input(s): 240 analysed, 1 failed (encoding 1)\n")
    );
    assert!(stdout(&text).contains("MINI by team"));
}

#[test]
fn summarize_reports_lines_that_are_not_reports() {
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("r.jsonl");
    std::fs::write(&reports, "{\"source\": \"x\"}\nnot json\n").unwrap();
    let out = callqa(&["summarize", reports.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let r = reports.display();
    assert!(
        err.contains(&format!("error: {r}:1: not a callqa report")),
        "{err}"
    );
    assert!(
        err.contains(&format!("error: {r}:2:1: not a JSON object")),
        "{err}"
    );
    assert!(stdout(&out).starts_with("callqa summary: 2 input(s): 0 analysed, 2 failed"));
}

#[test]
fn csv_has_one_row_per_call_per_methodology_and_one_per_failure() {
    let dir = tempfile::tempdir().unwrap();
    let root = archive(dir.path());
    std::fs::write(root.join("bad.txt"), b"Medewerker: caf\xe9\n").unwrap();
    let out = analyze(&[
        "--format",
        "csv",
        "--group-by",
        "team,agent_id",
        root.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.starts_with('\u{feff}'),
        "UTF-8 byte-order mark for spreadsheets"
    );
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        &header[..6],
        ["source", "id", "team", "agent_id", "methodology", "score"]
    );
    assert!(header.contains(&"phase:empathize".to_string()));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 241);
    let bad = rows.iter().find(|r| r[0].ends_with("bad.txt")).unwrap();
    assert_eq!(&bad[header.len() - 2], "encoding");
    assert!(bad[header.len() - 1].starts_with("1:16: invalid UTF-8"));
    let json_row = rows.iter().find(|r| r[1] == *"c1").unwrap();
    assert_eq!(
        (&json_row[2], &json_row[3], &json_row[4]),
        ("zuid", "a1", "mini")
    );
}

#[test]
fn glob_selects_files_in_directories_and_archives() {
    let dir = tempfile::tempdir().unwrap();
    let root = archive(dir.path());
    let root = root.to_str().unwrap();
    let names = sources(&stdout(&analyze(&[
        "--format", "jsonl", "--glob", "day1/*", root,
    ])));
    assert_eq!(names.len(), 20);
    assert!(names.iter().all(|n| n.contains("/day1/")));
    let names = sources(&stdout(&analyze(&[
        "--format", "jsonl", "--glob", "!*.json", "--glob", "!*.jsonl", root,
    ])));
    assert!(names.iter().all(|n| !n.ends_with(".json")), "{names:?}");
    assert!(names.iter().any(|n| n.contains("week.tar.gz!")));
    assert!(!names.iter().any(|n| n.contains("stream.jsonl")));
}

#[test]
fn jsonl_from_stdin_names_each_line() {
    let input = format!("{}\n{}", jsonl(0..2).trim_end(), "{\"turns\": 3}\n");
    let out = callqa(
        &[
            "analyze",
            "--rules",
            PACK,
            "--input-format",
            "jsonl",
            "--format",
            "jsonl",
            "-",
        ],
        Some(input.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(sources(&stdout(&out)), ["-:1", "-:2", "-:3"]);
    assert!(stderr(&out).contains("error: -:3:"), "{}", stderr(&out));
}

#[test]
fn output_file_is_written_whole_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = archive(dir.path());
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let target = out_dir.join("reports.jsonl");
    std::fs::write(&target, "previous run\n").unwrap();
    let out = analyze(&[
        "--format",
        "jsonl",
        "-o",
        target.to_str().unwrap(),
        root.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let written = std::fs::read_to_string(&target).unwrap();
    assert_eq!(written.lines().count(), 240);
    let entries: Vec<_> = std::fs::read_dir(&out_dir).unwrap().collect();
    assert_eq!(entries.len(), 1, "only the output itself remains");
    // An output that cannot be created is a usage error before any work.
    let out = analyze(&["-o", "/nonexistent-dir/r.jsonl", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error: cannot create /nonexistent-dir/r.jsonl"));
}

#[test]
fn a_rerun_over_a_tree_holding_its_own_reports_does_not_read_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for i in 0..3 {
        let (name, text) = call(i);
        std::fs::write(d.join(name), text).unwrap();
    }
    let out_path = d.join("reports.jsonl");
    let summary_path = d.join("summary.txt");
    let run = || {
        analyze(&[
            "--format",
            "jsonl",
            "--output",
            out_path.to_str().unwrap(),
            "--summary",
            summary_path.to_str().unwrap(),
            d.to_str().unwrap(),
        ])
    };
    let first = run();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let reports = std::fs::read_to_string(&out_path).unwrap();
    // The second run finds last run's reports.jsonl and summary.txt beside the calls,
    // and an interrupted run's temporary file: none of them is an input.
    std::fs::write(d.join(".reports.jsonl.Ab3dEf.part"), &reports).unwrap();
    let second = run();
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert_eq!(
        stderr(&second),
        "callqa: 3 input(s): 3 analysed, 0 failed\n"
    );
    assert_eq!(std::fs::read_to_string(&out_path).unwrap(), reports);

    // Named on the command line, a report stream is one failed input, not one per line.
    let named = analyze(&["--format", "jsonl", out_path.to_str().unwrap()]);
    assert_eq!(named.status.code(), Some(1));
    assert_eq!(
        stderr(&named),
        format!(
            "error: {}:1:1: callqa reports (analyze --format jsonl output), not transcripts: \
             `callqa summarize` reads them\ncallqa: 1 input(s): 0 analysed, 1 failed\n",
            out_path.display()
        )
    );
    let summarized = callqa(&["summarize", out_path.to_str().unwrap()], None);
    assert_eq!(summarized.status.code(), Some(0), "{}", stderr(&summarized));
    assert!(stdout(&summarized).starts_with("callqa summary: 3 input(s): 3 analysed"));
}
