//! QA summaries over many calls: what a team lead reads instead of 30,000 reports.
//!
//! [`Summary`] takes one [`CallRecord`] per analysed call (built from a [`Report`], or
//! read back from a line of `--format jsonl` output, with the same result) and one
//! [`Summary::add_failure`] per input that could not be read. Per methodology, overall and
//! per `--group-by` group (metadata fields such as `agent_id`, `team`, `date`), it keeps:
//! the score distribution (mean, median, p10, p90, histogram), phase coverage, the most
//! often missing phases and techniques, out-of-order counts and the unanswered-emotion
//! rate. Scores are whole numbers 0-100, so a 101-slot count per methodology gives exact
//! quantiles in constant memory: memory grows with the number of groups, never with the
//! number of calls. Rendering for people is in [`text`].
//!
//! Quantiles use the nearest-rank method (the median of 1, 2, 3, 4 is 2); percentages and
//! the mean are rounded to one decimal in integer arithmetic, so every platform prints the
//! same numbers.

pub mod text;

use super::group_value;
use crate::report::Report;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;

/// Version of the summary shape; bumped on any incompatible change.
pub const SCHEMA: &str = "callqa.summary/1";

/// What a summary reads from one report: the fields of the report's JSON it needs.
#[derive(Debug, Clone, Deserialize)]
pub struct CallRecord {
    pub source: String,
    #[serde(default)]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    pub methodologies: Vec<MethodologyRecord>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MethodologyRecord {
    pub id: String,
    pub name: String,
    pub score: u32,
    pub phases: Vec<PhaseRecord>,
    pub findings: Vec<FindingRecord>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PhaseRecord {
    pub id: String,
    pub name: String,
    pub status: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FindingRecord {
    pub kind: String,
    #[serde(default)]
    pub phase: Option<String>,
    #[serde(default)]
    pub expected_after: Option<String>,
    #[serde(default)]
    pub technique: Option<String>,
}

impl CallRecord {
    /// The record of a report; of the metadata only the `group_by` fields are kept.
    pub fn from_report(report: &Report, group_by: &[String]) -> CallRecord {
        CallRecord {
            source: report.source.clone(),
            metadata: group_by
                .iter()
                .filter_map(|f| report.metadata.get(f).map(|v| (f.clone(), v.clone())))
                .collect(),
            methodologies: report
                .methodologies
                .iter()
                .map(|m| MethodologyRecord {
                    id: m.id.clone(),
                    name: m.name.clone(),
                    score: m.score,
                    phases: m
                        .phases
                        .iter()
                        .map(|p| PhaseRecord {
                            id: p.id.clone(),
                            name: p.name.clone(),
                            status: p.status.to_string(),
                        })
                        .collect(),
                    findings: m
                        .findings
                        .iter()
                        .map(|f| FindingRecord {
                            kind: f.kind.to_string(),
                            phase: f.phase.clone(),
                            expected_after: f.expected_after.clone(),
                            technique: f.technique.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Accumulates the summary of a run, in input order.
#[derive(Debug, Clone)]
pub struct Summary {
    group_by: Vec<String>,
    top: usize,
    inputs: Inputs,
    overall: Group,
    groups: BTreeMap<Vec<String>, Group>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Inputs {
    /// Every input seen: `analysed + failed`.
    pub given: u64,
    pub analysed: u64,
    pub failed: u64,
    /// Failed inputs by error kind (`io`, `syntax`, `too_large`, ...).
    pub failed_by_kind: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Default)]
struct Group {
    calls: u64,
    methodologies: Vec<Tally>,
}

/// The running counts of one methodology in one group.
#[derive(Debug, Clone)]
struct Tally {
    id: String,
    name: String,
    calls: u64,
    score_counts: [u64; 101],
    score_sum: u64,
    /// (id, name, calls where present), in the methodology's phase order.
    phases: Vec<(String, String, u64)>,
    missing_techniques: BTreeMap<String, u64>,
    out_of_order: BTreeMap<(String, String), u64>,
    out_of_order_calls: u64,
    emotion_calls: u64,
    emotion_findings: u64,
    findings: BTreeMap<String, u64>,
}

impl Tally {
    fn new(id: &str, name: &str) -> Tally {
        Tally {
            id: id.to_string(),
            name: name.to_string(),
            calls: 0,
            score_counts: [0; 101],
            score_sum: 0,
            phases: Vec::new(),
            missing_techniques: BTreeMap::new(),
            out_of_order: BTreeMap::new(),
            out_of_order_calls: 0,
            emotion_calls: 0,
            emotion_findings: 0,
            findings: BTreeMap::new(),
        }
    }

    fn add(&mut self, m: &MethodologyRecord) {
        self.calls += 1;
        let score = m.score.min(100);
        self.score_counts[score as usize] += 1;
        self.score_sum += u64::from(score);
        for phase in &m.phases {
            let at = match self.phases.iter().position(|(id, _, _)| id == &phase.id) {
                Some(at) => at,
                None => {
                    self.phases.push((phase.id.clone(), phase.name.clone(), 0));
                    self.phases.len() - 1
                }
            };
            if phase.status == "present" {
                self.phases[at].2 += 1;
            }
        }
        let (mut out_of_order, mut emotion) = (0, 0);
        for f in &m.findings {
            *self.findings.entry(f.kind.clone()).or_default() += 1;
            match f.kind.as_str() {
                "missing_technique" => {
                    let technique = f.technique.clone().unwrap_or_default();
                    *self.missing_techniques.entry(technique).or_default() += 1;
                }
                "out_of_order" => {
                    out_of_order += 1;
                    let pair = (
                        f.phase.clone().unwrap_or_default(),
                        f.expected_after.clone().unwrap_or_default(),
                    );
                    *self.out_of_order.entry(pair).or_default() += 1;
                }
                "unanswered_emotion" => emotion += 1,
                _ => {}
            }
        }
        self.out_of_order_calls += u64::from(out_of_order > 0);
        self.emotion_calls += u64::from(emotion > 0);
        self.emotion_findings += emotion;
    }
}

impl Group {
    fn add(&mut self, record: &CallRecord) {
        self.calls += 1;
        for m in &record.methodologies {
            let at = match self.methodologies.iter().position(|t| t.id == m.id) {
                Some(at) => at,
                None => {
                    self.methodologies.push(Tally::new(&m.id, &m.name));
                    self.methodologies.len() - 1
                }
            };
            self.methodologies[at].add(m);
        }
    }
}

impl Summary {
    /// `group_by`: metadata fields to group by (none: only the overall summary); `top`:
    /// how many of the most often missing phases and techniques to list.
    pub fn new(group_by: &[String], top: usize) -> Summary {
        Summary {
            group_by: group_by.to_vec(),
            top,
            inputs: Inputs::default(),
            overall: Group::default(),
            groups: BTreeMap::new(),
        }
    }

    pub fn group_by(&self) -> &[String] {
        &self.group_by
    }

    /// One analysed call.
    pub fn add(&mut self, record: &CallRecord) {
        self.inputs.given += 1;
        self.inputs.analysed += 1;
        self.overall.add(record);
        if !self.group_by.is_empty() {
            let key = self
                .group_by
                .iter()
                .map(|f| group_value(&record.metadata, f))
                .collect();
            self.groups.entry(key).or_default().add(record);
        }
    }

    /// The `--group-by` fields that no analysed call had a value for: most likely a typo
    /// (`agentid`), which would otherwise only show as one `(none)` group.
    pub fn fields_never_seen(&self) -> Vec<&str> {
        if self.groups.is_empty() {
            return Vec::new();
        }
        self.group_by
            .iter()
            .enumerate()
            .filter(|(i, _)| self.groups.keys().all(|key| key[*i].is_empty()))
            .map(|(_, field)| field.as_str())
            .collect()
    }

    /// One input that could not be read, by its error kind.
    pub fn add_failure(&mut self, kind: &str) {
        self.inputs.given += 1;
        self.inputs.failed += 1;
        *self
            .inputs
            .failed_by_kind
            .entry(kind.to_string())
            .or_default() += 1;
    }

    pub fn inputs(&self) -> &Inputs {
        &self.inputs
    }

    /// The summary as data (serialises to the `callqa.summary/1` JSON).
    pub fn report(&self) -> SummaryReport {
        SummaryReport {
            schema: SCHEMA,
            group_by: self.group_by.clone(),
            inputs: self.inputs.clone(),
            overall: self.group_report(GroupKey(Vec::new()), &self.overall),
            groups: self
                .groups
                .iter()
                .map(|(values, group)| {
                    let key = self.group_by.iter().cloned().zip(values.iter().cloned());
                    self.group_report(GroupKey(key.collect()), group)
                })
                .collect(),
        }
    }

    fn group_report(&self, key: GroupKey, group: &Group) -> GroupReport {
        GroupReport {
            group: key,
            calls: group.calls,
            methodologies: group
                .methodologies
                .iter()
                .map(|t| methodology_summary(t, self.top))
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SummaryReport {
    pub schema: &'static str,
    pub group_by: Vec<String>,
    pub inputs: Inputs,
    pub overall: GroupReport,
    /// One per distinct combination of the group-by values, sorted by them.
    pub groups: Vec<GroupReport>,
}

/// The group-by values of a group, in `--group-by` order (serialised as a JSON object).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupKey(pub Vec<(String, String)>);

impl Serialize for GroupKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupReport {
    pub group: GroupKey,
    pub calls: u64,
    pub methodologies: Vec<MethodologySummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MethodologySummary {
    pub id: String,
    pub name: String,
    pub calls: u64,
    pub score: ScoreStats,
    pub phases: Vec<PhaseCoverage>,
    /// The phase present in the fewest calls (none when every phase is always present).
    pub weakest_phase: Option<String>,
    pub missing_phases: Vec<Ranked>,
    pub missing_techniques: Vec<Ranked>,
    pub out_of_order: OutOfOrder,
    pub unanswered_emotion: Rate,
    /// Number of findings per kind.
    pub findings: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoreStats {
    pub mean: f64,
    pub median: u32,
    pub p10: u32,
    pub p90: u32,
    pub min: u32,
    pub max: u32,
    /// Ten buckets: 0-9, 10-19, ..., 90-100.
    pub histogram: Vec<Bucket>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bucket {
    pub from: u32,
    pub to: u32,
    pub calls: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhaseCoverage {
    pub id: String,
    pub name: String,
    pub present: u64,
    pub coverage_pct: f64,
}

/// An id with the number (and share) of calls it applies to.
#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    pub id: String,
    pub calls: u64,
    pub pct: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutOfOrder {
    /// Calls with at least one out-of-order finding.
    pub calls: u64,
    pub pct: f64,
    pub pairs: Vec<OrderPair>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrderPair {
    /// The phase that came too early...
    pub phase: String,
    /// ...before this one.
    pub expected_after: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rate {
    /// Calls with at least one such finding.
    pub calls: u64,
    pub pct: f64,
    pub findings: u64,
}

/// `part / whole` as a percentage with one decimal, rounded half up in integers.
pub fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    ((part * 1000 + whole / 2) / whole) as f64 / 10.0
}

/// The nearest-rank `p`-quantile (`p` in per cent) of a score histogram.
fn quantile(counts: &[u64; 101], total: u64, p: u64) -> u32 {
    let rank = (total * p).div_ceil(100).max(1);
    let mut seen = 0;
    for (score, &count) in counts.iter().enumerate() {
        seen += count;
        if seen >= rank {
            return score as u32;
        }
    }
    100
}

/// The `top` ids with the most calls (ties keep their order), with their share of `n`.
fn ranked<'a>(items: impl Iterator<Item = (&'a String, u64)>, n: u64, top: usize) -> Vec<Ranked> {
    let mut items: Vec<Ranked> = items
        .map(|(id, calls)| Ranked {
            id: id.clone(),
            calls,
            pct: pct(calls, n),
        })
        .collect();
    items.sort_by_key(|r| std::cmp::Reverse(r.calls));
    items.truncate(top);
    items
}

fn methodology_summary(t: &Tally, top: usize) -> MethodologySummary {
    let n = t.calls;
    let scores = &t.score_counts;
    let present = |s: usize| scores[s] > 0;
    let score = ScoreStats {
        mean: (t.score_sum * 10 + n / 2)
            .checked_div(n)
            .map_or(0.0, |m| m as f64 / 10.0),
        median: quantile(scores, n, 50),
        p10: quantile(scores, n, 10),
        p90: quantile(scores, n, 90),
        min: (0..=100).find(|&s| present(s)).unwrap_or(0) as u32,
        max: (0..=100).rev().find(|&s| present(s)).unwrap_or(0) as u32,
        histogram: (0..10)
            .map(|b| {
                let (from, to) = (b * 10, if b == 9 { 100 } else { b * 10 + 9 });
                Bucket {
                    from,
                    to,
                    calls: scores[from as usize..=to as usize].iter().sum(),
                }
            })
            .collect(),
    };
    let phases: Vec<PhaseCoverage> = t
        .phases
        .iter()
        .map(|(id, name, present)| PhaseCoverage {
            id: id.clone(),
            name: name.clone(),
            present: *present,
            coverage_pct: pct(*present, n),
        })
        .collect();
    let weakest_phase = phases
        .iter()
        .filter(|p| p.present < n)
        .min_by_key(|p| p.present)
        .map(|p| p.id.clone());
    let missing_phases = ranked(
        phases
            .iter()
            .filter(|p| p.present < n)
            .map(|p| (&p.id, n - p.present)),
        n,
        top,
    );
    let missing_techniques = ranked(
        t.missing_techniques.iter().map(|(id, &calls)| (id, calls)),
        n,
        top,
    );
    let mut pairs: Vec<OrderPair> = t
        .out_of_order
        .iter()
        .map(|((phase, after), &count)| OrderPair {
            phase: phase.clone(),
            expected_after: after.clone(),
            count,
        })
        .collect();
    pairs.sort_by_key(|p| std::cmp::Reverse(p.count));
    MethodologySummary {
        id: t.id.clone(),
        name: t.name.clone(),
        calls: n,
        score,
        phases,
        weakest_phase,
        missing_phases,
        missing_techniques,
        out_of_order: OutOfOrder {
            calls: t.out_of_order_calls,
            pct: pct(t.out_of_order_calls, n),
            pairs,
        },
        unanswered_emotion: Rate {
            calls: t.emotion_calls,
            pct: pct(t.emotion_calls, n),
            findings: t.emotion_findings,
        },
        findings: t.findings.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(agent: &str, score: u32, present: [bool; 3], findings: &[&str]) -> CallRecord {
        let ids = ["clarify", "empathize", "act"];
        CallRecord {
            source: format!("{agent}-{score}"),
            metadata: serde_json::json!({ "agent_id": agent })
                .as_object()
                .unwrap()
                .clone(),
            methodologies: vec![MethodologyRecord {
                id: "clear".into(),
                name: "CLEAR".into(),
                score,
                phases: ids
                    .iter()
                    .zip(present)
                    .map(|(id, p)| PhaseRecord {
                        id: id.to_string(),
                        name: id.to_uppercase(),
                        status: if p { "present" } else { "missing" }.into(),
                    })
                    .collect(),
                findings: findings
                    .iter()
                    .map(|k| FindingRecord {
                        kind: k.to_string(),
                        phase: Some("act".into()),
                        expected_after: Some("clarify".into()),
                        technique: Some("thank".into()),
                    })
                    .collect(),
            }],
        }
    }

    #[test]
    fn quantiles_use_nearest_rank() {
        let mut counts = [0; 101];
        for s in [1, 2, 3, 4] {
            counts[s] += 1;
        }
        assert_eq!(quantile(&counts, 4, 50), 2);
        assert_eq!(quantile(&counts, 4, 10), 1);
        assert_eq!(quantile(&counts, 4, 90), 4);
        assert_eq!(pct(1, 3), 33.3);
        assert_eq!(pct(2, 3), 66.7);
        assert_eq!(pct(0, 0), 0.0);
    }

    #[test]
    fn names_the_group_fields_no_call_has() {
        let fields = ["agentid".to_string(), "agent_id".to_string()];
        let mut summary = Summary::new(&fields, 5);
        assert!(
            summary.fields_never_seen().is_empty(),
            "no call yet: nothing to say"
        );
        summary.add(&record("a1", 80, [true, true, true], &[]));
        summary.add(&record("a2", 60, [true, true, true], &[]));
        assert_eq!(summary.fields_never_seen(), ["agentid"]);
        assert!(Summary::new(&[], 5).fields_never_seen().is_empty());
    }

    #[test]
    fn counts_per_group_and_overall() {
        let mut summary = Summary::new(&["agent_id".into()], 5);
        summary.add(&record("a1", 80, [true, false, true], &["missing_phase"]));
        summary.add(&record(
            "a1",
            40,
            [true, false, true],
            &["out_of_order", "unanswered_emotion", "unanswered_emotion"],
        ));
        summary.add(&record("a2", 100, [true, true, true], &[]));
        summary.add_failure("syntax");
        let report = summary.report();
        assert_eq!(report.inputs.given, 4);
        assert_eq!(report.inputs.analysed + report.inputs.failed, 4);
        let all = &report.overall.methodologies[0];
        assert_eq!(all.calls, 3);
        assert_eq!(all.score.mean, 73.3);
        assert_eq!(all.score.median, 80);
        assert_eq!((all.score.min, all.score.max), (40, 100));
        assert_eq!(all.score.histogram[4].calls, 1);
        assert_eq!(all.score.histogram[9].calls, 1);
        assert_eq!(all.phases[1].coverage_pct, 33.3);
        assert_eq!(all.weakest_phase.as_deref(), Some("empathize"));
        assert_eq!(all.missing_phases[0].calls, 2);
        assert_eq!(all.out_of_order.calls, 1);
        assert_eq!(all.out_of_order.pairs[0].phase, "act");
        assert_eq!(all.unanswered_emotion.calls, 1);
        assert_eq!(all.unanswered_emotion.findings, 2);
        assert_eq!(report.groups.len(), 2);
        assert_eq!(
            report.groups[0].group,
            GroupKey(vec![("agent_id".into(), "a1".into())])
        );
        assert_eq!(report.groups[1].methodologies[0].weakest_phase, None);
        let json = serde_json::to_string(&report.groups[0].group).unwrap();
        assert_eq!(json, r#"{"agent_id":"a1"}"#);
    }
}
