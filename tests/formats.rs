//! Real ASR transcript formats, speaker roles and conversation metrics.
//!
//! `tests/formats/` holds one small Dutch support call per format (the same call in each
//! full-length file, so every reader must agree on it) and `tests/formats/bad/` malformed
//! variants. Engine-level tests run on a stub rule pack built here from one phrase per
//! technique plus the real methodologies and `conversation.toml`, so they test the
//! readers, roles, metrics and checks and not the Dutch lexicon; role inference with the
//! real lexicon is held to the annotated corpus calls that carry only speaker ids.

use callqa::Engine;
use callqa::eval::load_corpus;
use callqa::input::{InputError, InputFormat, ReadOptions, detect_format, read_transcript};
use callqa::report::Report;
use callqa::roles::{self, RoleSource};
use callqa::rules::Rules;
use callqa::transcript::{Role, Transcript};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

fn path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/formats")
        .join(name)
}

fn read_with(name: &str, options: &ReadOptions) -> Result<(Transcript, InputFormat), InputError> {
    read_transcript(&std::fs::read(path(name)).unwrap(), options)
}

fn read(name: &str) -> (Transcript, InputFormat) {
    read_with(name, &ReadOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// (technique, party, phrases): one cue per technique, enough for the test call.
const STUB_TECHNIQUES: &[(&str, &str, &str)] = &[
    (
        "greeting",
        "agent",
        r#""u spreekt met", "waarmee kan ik u helpen""#,
    ),
    ("identity_check", "agent", r#""klantnummer", "postcode""#),
    (
        "open_question",
        "agent",
        r#""wat gebeurt er", "kunt u vertellen""#,
    ),
    ("detail_question", "agent", r#""sinds wanneer", "update""#),
    ("paraphrase", "agent", r#""als ik het goed begrijp""#),
    ("check_understanding", "agent", r#""klopt dat""#),
    ("invite_additions", "agent", r#""nog iets toevoegen""#),
    ("backchannel", "agent", r#""hm-hm""#),
    ("note_taking", "agent", r#""ik noteer""#),
    ("empathy_statement", "agent", r#""dat is vervelend""#),
    ("apology", "agent", r#""excuses""#),
    ("reassurance", "agent", r#""geen zorgen""#),
    ("announce_action", "agent", r#""ik zoek het even""#),
    ("knowledge_consult", "agent", r#""kennisbank""#),
    ("step_instruction", "agent", r#""wilt u", "kiest u""#),
    ("agent_action", "agent", r#""ik stuur""#),
    ("check_step", "agent", r#""lukt dat", "zegt u het maar""#),
    ("alternative_solution", "agent", r#""andere manier""#),
    ("confirm_resolution", "agent", r#""werkt alles""#),
    ("solution_summary", "agent", r#""samengevat""#),
    ("preventive_advice", "agent", r#""mocht het nog eens""#),
    ("offer_more_help", "agent", r#""nog ergens mee helpen""#),
    ("escalation", "agent", r#""tweede lijn""#),
    ("reference_number", "agent", r#""referentienummer""#),
    ("feedback_request", "agent", r#""enquete""#),
    ("thanks_closing", "agent", r#""bedankt voor het bellen""#),
    ("jargon", "agent", r#""ssid""#),
    ("customer_emotion", "customer", r#""ik word er gek van""#),
    (
        "customer_confirms_resolved",
        "customer",
        r#""het werkt weer""#,
    ),
];

/// The stub pack: a directory kept for the whole test run.
static STUB_PACK: LazyLock<tempfile::TempDir> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    std::fs::create_dir_all(dir.path().join("techniques")).unwrap();
    std::fs::create_dir_all(dir.path().join("methodologies")).unwrap();
    std::fs::write(
        dir.path().join("language.toml"),
        "fillers = [\"eh\"]\nnegations = [\"niet\", \"geen\"]\nnegation_window = { before = 1, after = 2 }\n\
         question_words = [\"wat\"]\nquestion_verbs = [\"heeft\"]\nquestion_subjects = [\"u\"]\ntag_questions = [\"toch\"]\n",
    )
    .unwrap();
    for (id, party, phrases) in STUB_TECHNIQUES {
        let kind = if *id == "jargon" { "term" } else { "phrase" };
        std::fs::write(
            dir.path().join(format!("techniques/{id}.toml")),
            format!(
                "id = \"{id}\"\nname = \"{id}\"\nspeaker = \"{party}\"\nsummary = \"s\"\nexplanation = \"e\"\n\n\
                 [[rule]]\nname = \"stub\"\nkind = \"{kind}\"\nphrases = [{phrases}]\nnegation = \"ignore\"\n"
            ),
        )
        .unwrap();
    }
    for file in [
        "methodologies/clear.toml",
        "methodologies/lasso.toml",
        "conversation.toml",
    ] {
        std::fs::copy(root.join(file), dir.path().join(file)).unwrap();
    }
    dir
});

static ENGINE: LazyLock<Engine> =
    LazyLock::new(|| Engine::new(Rules::load_dir(STUB_PACK.path()).expect("stub pack loads")));

fn analyze_with(name: &str, options: &ReadOptions) -> Result<Report, InputError> {
    ENGINE.analyze_bytes(name, &std::fs::read(path(name)).unwrap(), options)
}

fn analyze(name: &str) -> Report {
    analyze_with(name, &ReadOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The full-length test call, in every format that carries it.
const SAME_CALL: &[&str] = &[
    "teams.vtt",
    "call.srt",
    "amazon_call_analytics.json",
    "whisper.json",
    "whisperx.json",
    "deepgram.json",
    "assemblyai.json",
    "azure.json",
];

#[test]
fn every_format_is_detected_from_content() {
    let expected = [
        ("teams.vtt", InputFormat::Vtt),
        ("zoom.vtt", InputFormat::Vtt),
        ("call.srt", InputFormat::Srt),
        ("amazon_call_analytics.json", InputFormat::Amazon),
        ("amazon_standard.json", InputFormat::Amazon),
        ("whisper.json", InputFormat::Whisper),
        ("whisperx.json", InputFormat::Whisper),
        ("deepgram.json", InputFormat::Deepgram),
        ("assemblyai.json", InputFormat::AssemblyAi),
        ("azure.json", InputFormat::Azure),
    ];
    for (name, format) in expected {
        let text = std::fs::read_to_string(path(name)).unwrap();
        assert_eq!(detect_format(&text), format, "{name}");
        assert_eq!(read(name).1, format, "{name}");
    }
    // Our own formats are still told apart as before.
    assert_eq!(
        detect_format("[00:01] Klant: hallo --> of niet"),
        InputFormat::Plain
    );
    assert_eq!(detect_format(r#"{"turns": []}"#), InputFormat::Json);
}

#[test]
fn every_format_reads_the_same_call_alike() {
    let (reference, _) = read("teams.vtt");
    assert_eq!(reference.turns.len(), 19);
    for name in SAME_CALL {
        let (t, _) = read(name);
        assert_eq!(t.turns.len(), reference.turns.len(), "{name}");
        for (i, (turn, expected)) in t.turns.iter().zip(&reference.turns).enumerate() {
            assert_eq!(turn.text, expected.text, "{name} turn {i}");
            assert_eq!(
                (turn.start_ms, turn.end_ms),
                (expected.start_ms, expected.end_ms),
                "{name} turn {i}"
            );
        }
    }
    let first = &reference.turns[0];
    assert_eq!(
        first.text,
        "Goedemiddag, u spreekt met Sanne van de servicedesk. Waarmee kan ik u helpen?"
    );
    assert_eq!((first.start_ms, first.end_ms), (Some(500), Some(5200)));
}

#[test]
fn speakers_are_read_as_roles_or_as_names() {
    // (file, first turn's speaker label, first turn's role as read)
    let expected = [
        ("teams.vtt", Some("Sanne Jansen"), Role::Unknown),
        ("zoom.vtt", Some("Sanne Jansen"), Role::Unknown),
        ("call.srt", Some("Medewerker"), Role::Agent),
        ("amazon_call_analytics.json", Some("AGENT"), Role::Agent),
        ("amazon_standard.json", Some("spk_1"), Role::Unknown),
        ("whisper.json", None, Role::Unknown),
        ("whisperx.json", Some("SPEAKER_01"), Role::Unknown),
        ("deepgram.json", Some("0"), Role::Unknown),
        ("assemblyai.json", Some("A"), Role::Unknown),
        ("azure.json", Some("1"), Role::Unknown),
    ];
    for (name, label, role) in expected {
        let (t, _) = read(name);
        assert_eq!(t.turns[0].speaker_label.as_deref(), label, "{name}");
        assert_eq!(t.turns[0].speaker, role, "{name}");
    }
    let (srt, _) = read("call.srt");
    assert_eq!(srt.turns[1].speaker, Role::Customer, "[Klant] prefix");
    let (amazon, _) = read("amazon_standard.json");
    assert_eq!(amazon.turns.len(), 4, "words grouped by speaker change");
    assert_eq!(
        amazon.turns[0].text,
        "Goedemiddag, u spreekt met Sanne van de servicedesk. Waarmee kan ik u helpen?"
    );
    assert_eq!(amazon.id.as_deref(), Some("wifi-laptop-0412"));
}

#[test]
fn malformed_inputs_are_errors_that_name_the_field_or_line() {
    // (file, kind, what the message must contain, line)
    let cases: &[(&str, &str, &str, Option<usize>)] = &[
        (
            "whisperx_missing_end.json",
            "field",
            "segments[1]: missing field `end`",
            Some(15),
        ),
        (
            "whisper_milliseconds.json",
            "field",
            "are the times really in seconds",
            None,
        ),
        ("whisper_empty.json", "empty", "segments is empty", None),
        (
            "assemblyai_seconds.json",
            "field",
            "utterances[0].start: invalid type: floating point",
            Some(6),
        ),
        (
            "assemblyai_no_speaker_labels.json",
            "field",
            "speaker_labels: true",
            None,
        ),
        (
            "deepgram_no_utterances.json",
            "field",
            "results.utterances is missing",
            None,
        ),
        (
            "amazon_numeric_times.json",
            "field",
            "results.items[0].start_time: invalid type",
            Some(9),
        ),
        (
            "azure_negative_duration.json",
            "field",
            "recognizedPhrases[0].durationInTicks is -1000",
            None,
        ),
        (
            "unknown_shape.json",
            "syntax",
            "JSON of unknown shape",
            None,
        ),
        // Read as plain text it would fail on its missing speaker label.
        (
            "array_of_transcripts.json",
            "syntax",
            "JSON array, not an object",
            None,
        ),
        ("bad_timing.vtt", "syntax", "no timing line", Some(6)),
        ("header_only.vtt", "empty", "no cues", None),
        ("missing_timing.srt", "syntax", "timing line", Some(5)),
    ];
    for (name, kind, needle, line) in cases {
        let err = read_with(&format!("bad/{name}"), &ReadOptions::default()).expect_err(name);
        assert_eq!(err.kind, *kind, "{name}: {err}");
        assert!(err.message.contains(needle), "{name}: {err}");
        assert_eq!(err.line, *line, "{name}: {err}");
    }
    // A forced format says which reading failed and what it missed.
    let forced = |format| ReadOptions {
        format: Some(format),
        ..ReadOptions::default()
    };
    let err = read_with("deepgram.json", &forced(InputFormat::Whisper)).unwrap_err();
    assert!(
        err.message
            .starts_with("Whisper transcript: missing field `segments`"),
        "{err}"
    );
    let err = read_with("bad/no_header.vtt", &forced(InputFormat::Vtt)).unwrap_err();
    assert_eq!((err.kind, err.line), ("syntax", Some(1)), "{err}");
}

#[test]
fn cli_errors_name_the_file() {
    let out = assert_cmd::Command::cargo_bin("callqa")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["analyze", "--quiet", "--rules"])
        .arg(STUB_PACK.path())
        .args([
            "tests/formats/bad/whisperx_missing_end.json",
            "tests/formats/teams.vtt",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "tests/formats/bad/whisperx_missing_end.json:15:3: Whisper transcript: segments[1]: missing field `end`"
        ),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Sanne Jansen is de medewerker"));
}

#[test]
fn roles_are_inferred_for_every_format_that_only_names_speakers() {
    let expected = [
        ("teams.vtt", "Sanne Jansen"),
        ("zoom.vtt", "Sanne Jansen"),
        ("amazon_standard.json", "spk_1"),
        ("whisperx.json", "SPEAKER_01"),
        ("deepgram.json", "0"),
        ("assemblyai.json", "A"),
        ("azure.json", "1"),
    ];
    for (name, agent) in expected {
        let report = analyze(name);
        let roles = &report.roles;
        assert_eq!(roles.source, RoleSource::Inferred, "{name}");
        assert_eq!(roles.agent.as_deref(), Some(agent), "{name}");
        assert!(roles.confidence.unwrap() >= 0.8, "{name}: {roles:?}");
        assert_eq!(roles.unknown_turns, 0, "{name}");
        for turn in &report.turns {
            let is_agent = turn.speaker_label.as_deref() == Some(agent);
            assert_eq!(
                turn.speaker == Role::Agent,
                is_agent,
                "{name} turn {}",
                turn.index
            );
        }
        let agent_entry = roles
            .speakers
            .iter()
            .find(|s| s.label.as_deref() == Some(agent))
            .unwrap();
        assert!(
            agent_entry.cues.contains_key("greeting"),
            "{name}: {agent_entry:?}"
        );
        assert_eq!(report.methodologies.len(), 2, "{name}");
    }
    // Formats that state roles keep them, with full confidence.
    for name in ["call.srt", "amazon_call_analytics.json"] {
        let roles = analyze(name).roles;
        assert_eq!(
            (roles.source, roles.confidence),
            (RoleSource::Input, Some(1.0)),
            "{name}"
        );
    }
}

#[test]
fn agent_option_overrides_inference() {
    let options = ReadOptions {
        agent: Some("pieter de boer".into()),
        ..ReadOptions::default()
    };
    let report = analyze_with("teams.vtt", &options).unwrap();
    assert_eq!(report.roles.source, RoleSource::Override);
    assert_eq!(report.roles.agent.as_deref(), Some("Pieter de Boer"));
    assert_eq!(report.turns[0].speaker, Role::Customer);
    assert_eq!(report.turns[1].speaker, Role::Agent);

    let options = ReadOptions {
        agent: Some("SPEAKER_07".into()),
        ..ReadOptions::default()
    };
    let err = analyze_with("whisperx.json", &options).unwrap_err();
    assert_eq!(err.kind, "speaker");
    assert!(err.message.contains("SPEAKER_01, SPEAKER_00"), "{err}");
}

#[test]
fn without_speakers_roles_are_unknown_and_nothing_is_scored() {
    let report = analyze("whisper.json");
    assert_eq!(report.roles.source, RoleSource::None);
    assert_eq!(report.roles.confidence, None);
    assert_eq!(report.roles.unknown_turns, 19);
    assert!(report.roles.message.contains("rollen zijn onbekend"));
    assert!(report.methodologies.is_empty());
    assert!(
        report
            .turns
            .iter()
            .all(|t| t.speaker == Role::Unknown && t.techniques.is_empty())
    );
    // What needs no roles is still measured.
    let metrics = report.metrics.expect("timed");
    assert_eq!((metrics.talk_ms.agent, metrics.talk_ms.customer), (0, 0));
    assert!(metrics.talk_ms.unknown > 0);
    assert_eq!(metrics.silences.count, 2);
    assert_eq!(metrics.talk_ratio, None);
    assert_eq!(
        metrics.interruptions.count, 0,
        "nothing tells the speakers apart"
    );
    let json = serde_json::to_value(analyze("whisper.json")).unwrap();
    assert_eq!(json["roles"]["source"], "none");
    assert_eq!(json["turns"][0]["speaker"], "unknown");
}

/// The metrics of the Call Analytics file agree with what Amazon computed for it.
#[test]
fn metrics_match_amazon_call_analytics() {
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path("amazon_call_analytics.json")).unwrap())
            .unwrap();
    let amazon = &doc["ConversationCharacteristics"];
    let m = analyze("amazon_call_analytics.json").metrics.unwrap();
    let talk = &amazon["TalkTime"]["DetailsByParticipant"];
    assert_eq!(m.talk_ms.agent, talk["AGENT"]["TotalTimeMillis"]);
    assert_eq!(m.talk_ms.customer, talk["CUSTOMER"]["TotalTimeMillis"]);
    assert_eq!(m.interruptions.count, amazon["Interruptions"]["TotalCount"]);
    assert_eq!(
        m.interruptions.overlap_ms,
        amazon["Interruptions"]["TotalTimeMillis"]
    );
    let by_agent = &amazon["Interruptions"]["InterruptionsByInterrupter"]["AGENT"][0];
    assert_eq!(
        m.interruptions.items[0].start_ms,
        by_agent["BeginOffsetMillis"]
    );
    assert_eq!(m.interruptions.by.agent.count, 1);
    let non_talk = &amazon["NonTalkTime"];
    assert_eq!(m.silences.total_ms, non_talk["TotalTimeMillis"]);
    for (ours, theirs) in m
        .silences
        .items
        .iter()
        .zip(non_talk["Instances"].as_array().unwrap())
    {
        assert_eq!(ours.start_ms, theirs["BeginOffsetMillis"]);
        assert_eq!(ours.duration_ms, theirs["DurationMillis"]);
    }
    // Amazon counts words its own way; speeds agree within a few per cent.
    let speed = &amazon["TalkSpeed"]["DetailsByParticipant"];
    for (ours, theirs) in [
        (m.words_per_minute.agent, &speed["AGENT"]),
        (m.words_per_minute.customer, &speed["CUSTOMER"]),
    ] {
        let theirs = theirs["AverageWordsPerMinute"].as_f64().unwrap();
        assert!(
            (ours.unwrap() - theirs).abs() / theirs < 0.05,
            "{ours:?} vs {theirs}"
        );
    }
    // And further: ratio, lead-in and the customer's longest stretch.
    assert_eq!(m.talk_ratio, Some(1.48));
    assert_eq!(m.duration_ms, 110_000);
    let monologue = m.longest_monologue.customer.unwrap();
    assert_eq!((monologue.first_turn, monologue.duration_ms), (1, 8_200));
}

#[test]
fn interruptions_and_unannounced_silences_are_findings() {
    let report = analyze("deepgram.json");
    for (methodology, listen) in [("clear", "listen"), ("lasso", "luisteren")] {
        let m = report
            .methodologies
            .iter()
            .find(|m| m.id == methodology)
            .unwrap();
        let of = |kind: &str| {
            m.findings
                .iter()
                .filter(|f| f.kind == kind)
                .collect::<Vec<_>>()
        };
        let interruptions = of("interruption");
        assert_eq!(interruptions.len(), 1, "{methodology}");
        let f = interruptions[0];
        assert_eq!((f.turn, f.phase.as_deref()), (Some(5), Some(listen)));
        assert_eq!(
            f.quote.as_deref(),
            Some("Heeft u gisteren een update op de laptop geïnstalleerd?")
        );
        assert!(f.penalty > 0);
        // 42-54 s follows a question for the customer number: a finding. 67-79 s follows
        // "Ik zoek het even voor u op": announced, so none.
        let silences = of("silence");
        assert_eq!(silences.len(), 1, "{methodology}");
        assert_eq!(silences[0].turn, Some(8));
        assert!(
            silences[0].message.contains("12,0 s"),
            "{}",
            silences[0].message
        );
    }
    // No timestamps, no timing findings (and no metrics).
    let plain = ENGINE
        .analyze_bytes(
            "plain",
            b"[00:00:01] Medewerker: Goedemorgen, u spreekt met Sanne.\n[00:00:20] Klant: Hallo.\n",
            &ReadOptions::default(),
        )
        .unwrap();
    assert!(plain.metrics.is_none());
    assert!(
        plain
            .methodologies
            .iter()
            .flat_map(|m| &m.findings)
            .all(|f| f.kind != "interruption" && f.kind != "silence")
    );
}

#[test]
fn report_json_carries_roles_and_metrics() {
    let json = serde_json::to_value(analyze("assemblyai.json")).unwrap();
    assert_eq!(json["roles"]["source"], "inferred");
    assert_eq!(json["roles"]["agent"], "A");
    assert_eq!(json["turns"][0]["speaker_label"], "A");
    assert_eq!(json["metrics"]["silences"]["count"], 2);
    assert_eq!(json["metrics"]["interruptions"]["items"][0]["turn"], 5);
    assert_eq!(json["metrics"]["talk_ms"]["customer"], 32_200);
}

/// The annotated corpus calls that carry only speaker ids: with the real rule pack, every
/// turn that the gold labels with a technique gets that technique's party.
#[test]
fn inferred_roles_agree_with_the_corpus_gold() {
    let rules = Rules::load_default().expect("built-in rules load");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let (calls, errors) = load_corpus(&rules, &root);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let mut checked = 0;
    for call in &calls {
        let named_only = call
            .transcript
            .turns
            .iter()
            .all(|t| t.speaker == Role::Unknown && t.speaker_label.is_some());
        if !named_only {
            continue;
        }
        checked += 1;
        let resolved = roles::infer(&rules, &call.transcript);
        assert_eq!(
            resolved.roles.source,
            RoleSource::Inferred,
            "{}",
            call.source
        );
        for (i, (turn, labels)) in resolved
            .transcript
            .turns
            .iter()
            .zip(&call.turn_labels)
            .enumerate()
        {
            for label in labels {
                let party = rules.techniques[rules.technique_index(label).unwrap()].speaker;
                assert_eq!(
                    turn.speaker, party,
                    "{} turn {i} ({label}): roles {:?}",
                    call.source, resolved.roles
                );
            }
        }
    }
    assert!(
        checked >= 4,
        "only {checked} corpus calls carry speaker ids alone"
    );
}

#[test]
fn named_speakers_beside_a_stated_agent_are_customers() {
    let srt = "1\n00:00:01,000 --> 00:00:04,000\nMedewerker: Goedemiddag, u spreekt met Sanne.\n\n\
               2\n00:00:04,500 --> 00:00:06,000\nJan: Hallo, met Jan.\n\n\
               3\n00:00:06,500 --> 00:00:08,000\nKlopt dat?\n";
    let report = ENGINE
        .analyze_bytes("mixed.srt", srt.as_bytes(), &ReadOptions::default())
        .unwrap();
    assert_eq!(report.roles.source, RoleSource::Inferred);
    assert_eq!(report.roles.agent, None);
    let speakers: Vec<Role> = report.turns.iter().map(|t| t.speaker).collect();
    // The third cue names nobody, so Jan, the previous cue's speaker, says it.
    assert_eq!(speakers, [Role::Agent, Role::Customer, Role::Customer]);
}

#[test]
fn utf16_with_a_byte_order_mark_reads_as_its_utf8_twin() {
    for name in ["teams.vtt", "whisper.json", "call.srt"] {
        let utf8 = std::fs::read_to_string(path(name)).unwrap();
        let (expected, expected_format) = read(name);
        for little_endian in [true, false] {
            let mut bytes = if little_endian {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            for unit in utf8.encode_utf16() {
                bytes.extend(if little_endian {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                });
            }
            let (t, format) = read_transcript(&bytes, &ReadOptions::default())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(format, expected_format, "{name}");
            assert_eq!(t.turns.len(), expected.turns.len(), "{name}");
            for (turn, expected) in t.turns.iter().zip(&expected.turns) {
                assert_eq!(turn.text, expected.text, "{name}");
            }
        }
    }
    // Without a BOM, UTF-16 is not guessed at: it is invalid UTF-8, located.
    let error = read_transcript(b"K\0l\0a\0n\0t\0:\0 \0\xff", &ReadOptions::default()).unwrap_err();
    assert_eq!(error.kind, "encoding");
    // An unpaired surrogate on line 2: located after the text decoded before it.
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "Klant: hallo\nKlant: ".encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    bytes.extend([0x00, 0xD8, b'x', 0x00]);
    let error = read_transcript(&bytes, &ReadOptions::default()).unwrap_err();
    assert_eq!(
        (error.kind, error.line, error.column),
        ("encoding", Some(2), Some(8))
    );
    assert!(error.message.contains("UTF-16"), "{}", error.message);
}
