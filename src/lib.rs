//! callqa: scores Dutch support-call transcripts against call methodologies (CLEAR, LASSO).
//!
//! Data flows one way, each stage a pure function of the one before plus the compiled
//! [`rules::Rules`]:
//!
//! ```text
//! input (read) -> roles -> segment -> normalize -> matcher -> tag -> check -> score -> report
//!                       `-> metrics (timings) ----------------------^ (checks use them too)
//! ```
//!
//! The library never prints. [`Engine`] holds the rules (built once, shared read-only
//! across threads) and turns the bytes of one input into a [`report::Report`] or an
//! [`input::InputError`]. [`roles`] decides who the agent is when the input only names
//! speakers; with no speaker information at all, no methodology is scored.
//!
//! ```
//! use callqa::{Engine, input::ReadOptions, rules::Rules};
//!
//! let engine = Engine::new(Rules::load_default().expect("built-in rules"));
//! let call = "Medewerker: Goedemorgen, u spreekt met Sanne van Telnet. Waarmee kan ik u helpen?\n\
//!             Klant: Mijn wifi doet het al twee dagen niet, ik word er gek van.\n";
//! let report = engine.analyze_bytes("call.txt", call.as_bytes(), &ReadOptions::default()).unwrap();
//! assert_eq!(report.turns[0].techniques, ["greeting"]);
//! assert_eq!(report.turns[1].techniques, ["customer_emotion"]);
//! let clear = &report.methodologies[0];
//! assert!(clear.findings.iter().any(|f| f.kind == "unanswered_emotion"));
//! ```

pub mod batch;
pub mod check;
pub mod eval;
pub mod examples;
pub mod explain;
pub mod input;
pub mod location;
pub mod matcher;
pub mod metrics;
pub mod normalize;
pub mod report;
pub mod roles;
pub mod rules;
pub mod score;
pub mod segment;
pub mod tag;
pub mod transcript;

use input::{InputError, ReadOptions};
use report::Report;
use rules::{Methodology, Rules};

/// Compiled rules plus the choice of methodologies to score.
#[derive(Debug)]
pub struct Engine {
    rules: Rules,
    /// Indices into `rules.methodologies`, in the order reports list them.
    selected: Vec<usize>,
}

impl Engine {
    /// Scores every methodology of the pack.
    pub fn new(rules: Rules) -> Engine {
        let selected = (0..rules.methodologies.len()).collect();
        Engine { rules, selected }
    }

    /// Scores only the named methodologies, in the given order. Errors name the unknown id.
    pub fn with_methodologies(rules: Rules, ids: &[String]) -> Result<Engine, String> {
        let mut selected = Vec::new();
        for id in ids {
            let index = rules
                .methodologies
                .iter()
                .position(|m| &m.id == id)
                .ok_or_else(|| {
                    let known: Vec<&str> =
                        rules.methodologies.iter().map(|m| m.id.as_str()).collect();
                    format!("unknown methodology `{id}` (known: {})", known.join(", "))
                })?;
            if !selected.contains(&index) {
                selected.push(index);
            }
        }
        Ok(Engine { rules, selected })
    }

    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    pub fn methodologies(&self) -> impl Iterator<Item = &Methodology> {
        self.selected.iter().map(|&i| &self.rules.methodologies[i])
    }

    /// Reads and analyses one input. `source` is how reports name it.
    pub fn analyze_bytes(
        &self,
        source: &str,
        bytes: &[u8],
        options: &ReadOptions,
    ) -> Result<Report, InputError> {
        let (transcript, format) = input::read_transcript(bytes, options)?;
        let resolved = roles::resolve(&self.rules, &transcript, options)?;
        let tagged = tag::tag_transcript(&self.rules, resolved.transcript.as_ref());
        Ok(self.report(source, format.name(), resolved, &tagged))
    }

    /// Analyses a transcript already read, inferring roles the input does not state.
    pub fn analyze(
        &self,
        source: &str,
        format: &'static str,
        transcript: &transcript::Transcript,
    ) -> Report {
        let resolved = roles::infer(&self.rules, transcript);
        let tagged = tag::tag_transcript(&self.rules, resolved.transcript.as_ref());
        self.report(source, format, resolved, &tagged)
    }

    /// Like [`Engine::analyze`], and also, per turn, the rule matches the tagger's
    /// conditions turned down (for `callqa eval`'s miss causes).
    pub fn analyze_traced(
        &self,
        source: &str,
        format: &'static str,
        transcript: &transcript::Transcript,
    ) -> (Report, Vec<Vec<tag::Rejection>>) {
        let resolved = roles::infer(&self.rules, transcript);
        let (tagged, rejected) = tag::trace_transcript(&self.rules, resolved.transcript.as_ref());
        (self.report(source, format, resolved, &tagged), rejected)
    }

    /// Checks, scores and reports a tagged transcript.
    fn report(
        &self,
        source: &str,
        format: &'static str,
        resolved: roles::Resolved<'_>,
        tagged: &[tag::TaggedTurn],
    ) -> Report {
        let transcript = resolved.transcript.as_ref();
        let call = check::Call {
            rules: &self.rules,
            transcript,
            tagged,
        };
        // Without roles every phase would look missing: say nothing rather than score 0.
        let checked: Vec<_> = if resolved.roles.known() {
            self.methodologies()
                .map(|m| (m, check::run(&call, m)))
                .collect()
        } else {
            Vec::new()
        };
        report::build(
            &self.rules,
            source,
            format,
            report::Stages {
                transcript,
                roles: resolved.roles,
                metrics: metrics::measure(transcript, &self.rules.conversation.metrics),
                tagged,
                checked,
            },
        )
    }
}
