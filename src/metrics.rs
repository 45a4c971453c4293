//! Conversation metrics from turn timings: who talks how long and how fast, the
//! stretches nobody speaks, who talks over whom, and the longest uninterrupted stretch
//! per party.
//!
//! [`measure`] is a pure function of the role-resolved transcript and the pack's
//! [`MetricSettings`]; only turns with both a start and an end count (plain text gives
//! only starts, so it has no metrics). [`silences`] and [`interruptions`] are also what
//! the `silence` and `interruption` checks use, each with its own threshold. Times are
//! milliseconds from the start of the recording; ratios are rounded to two decimals so
//! reports are stable across platforms.

use crate::rules::MetricSettings;
use crate::transcript::{Role, Transcript, Turn};
use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

/// One value per role a turn can have.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PerRole<T> {
    pub agent: T,
    pub customer: T,
    pub unknown: T,
}

impl<T> PerRole<T> {
    fn get_mut(&mut self, role: Role) -> &mut T {
        match role {
            Role::Agent => &mut self.agent,
            Role::Customer => &mut self.customer,
            Role::Unknown => &mut self.unknown,
        }
    }

    fn map<U>(&self, f: impl Fn(&T, Role) -> U) -> PerRole<U> {
        PerRole {
            agent: f(&self.agent, Role::Agent),
            customer: f(&self.customer, Role::Customer),
            unknown: f(&self.unknown, Role::Unknown),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// Turns with a start and an end: the ones measured.
    pub timed_turns: usize,
    /// From the start of the recording to the end of the last turn.
    pub duration_ms: u64,
    /// Sum of each role's turn durations (overlapping speech counts for both speakers).
    pub talk_ms: PerRole<u64>,
    /// Agent talk time divided by customer talk time; absent when the customer is silent.
    pub talk_ratio: Option<f64>,
    /// Time in which nobody speaks, lead-in included.
    pub non_talk_ms: u64,
    pub silences: Silences,
    pub interruptions: Interruptions,
    /// Words per minute of the role's own talk time; absent when the role never talks.
    pub words_per_minute: PerRole<Option<f64>>,
    /// The longest stretch in which one role holds the floor: its turns in a row, with
    /// only the other side's speech that falls inside it (backchannels) in between.
    pub longest_monologue: PerRole<Option<Stretch>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Silences {
    /// Gaps at least this long are listed.
    pub threshold_ms: u64,
    pub count: usize,
    pub total_ms: u64,
    pub longest_ms: u64,
    pub items: Vec<Silence>,
}

/// A stretch between two turns in which nobody speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Silence {
    pub start_ms: u64,
    pub end_ms: u64,
    pub duration_ms: u64,
    /// The turn whose end starts the silence.
    pub after_turn: usize,
    /// The turn whose start ends it.
    pub before_turn: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interruptions {
    /// Overlaps shorter than this are not counted.
    pub min_overlap_ms: u64,
    pub count: usize,
    pub overlap_ms: u64,
    /// Count and overlap per interrupting role.
    pub by: PerRole<Tally>,
    pub items: Vec<Interruption>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub count: usize,
    pub overlap_ms: u64,
}

/// A turn that starts while another speaker's turn is still going, and outlasts it: the
/// new speaker takes the floor. (Speech that starts and ends inside the other's turn, such
/// as "hm-hm", is overlap but no interruption.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Interruption {
    /// The interrupting turn.
    pub turn: usize,
    pub speaker: Role,
    /// The turn cut off.
    pub interrupted_turn: usize,
    pub start_ms: u64,
    pub overlap_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Stretch {
    pub first_turn: usize,
    pub last_turn: usize,
    pub start_ms: u64,
    pub end_ms: u64,
    pub duration_ms: u64,
}

/// A turn with both times, and who speaks it for telling speakers apart.
struct Timed<'a> {
    index: usize,
    turn: &'a Turn,
    start: u64,
    end: u64,
}

impl Timed<'_> {
    /// Who speaks, for deciding whether two turns are different speakers: the role when
    /// known, else the name. `None` when nothing tells speakers apart.
    fn who(&self) -> Option<Result<Role, &str>> {
        match self.turn.speaker {
            Role::Unknown => self.turn.speaker_label.as_deref().map(Err),
            role => Some(Ok(role)),
        }
    }
}

/// The timed turns, ordered by start (then input order).
fn timed(transcript: &Transcript) -> Vec<Timed<'_>> {
    let mut turns: Vec<Timed<'_>> = transcript
        .turns
        .iter()
        .enumerate()
        .filter_map(|(index, turn)| match (turn.start_ms, turn.end_ms) {
            (Some(start), Some(end)) => Some(Timed {
                index,
                turn,
                start,
                end: end.max(start),
            }),
            _ => None,
        })
        .collect();
    turns.sort_by_key(|t| (t.start, t.index));
    turns
}

/// The call's metrics, or `None` when no turn has both a start and an end.
pub fn measure(transcript: &Transcript, settings: &MetricSettings) -> Option<Metrics> {
    let turns = timed(transcript);
    if turns.is_empty() {
        return None;
    }
    let duration_ms = turns.iter().map(|t| t.end).max().unwrap_or(0);
    let mut talk_ms = PerRole::<u64>::default();
    let mut words = PerRole::<usize>::default();
    for t in &turns {
        *talk_ms.get_mut(t.turn.speaker) += t.end - t.start;
        *words.get_mut(t.turn.speaker) += t.turn.text.unicode_words().count();
    }
    let speech_ms: u64 = speech(&turns).iter().map(|s| s.end - s.start).sum();
    let silences = silences(transcript, settings.silence_ms);
    let interruptions = interruptions(transcript, settings.min_overlap_ms);
    let mut by = PerRole::<Tally>::default();
    for i in &interruptions {
        let tally = by.get_mut(i.speaker);
        tally.count += 1;
        tally.overlap_ms += i.overlap_ms;
    }
    Some(Metrics {
        timed_turns: turns.len(),
        duration_ms,
        talk_ratio: (talk_ms.customer > 0)
            .then(|| round2(talk_ms.agent as f64 / talk_ms.customer as f64)),
        non_talk_ms: duration_ms - speech_ms,
        silences: Silences {
            threshold_ms: settings.silence_ms,
            count: silences.len(),
            total_ms: silences.iter().map(|s| s.duration_ms).sum(),
            longest_ms: silences.iter().map(|s| s.duration_ms).max().unwrap_or(0),
            items: silences,
        },
        interruptions: Interruptions {
            min_overlap_ms: settings.min_overlap_ms,
            count: interruptions.len(),
            overlap_ms: interruptions.iter().map(|i| i.overlap_ms).sum(),
            by,
            items: interruptions,
        },
        words_per_minute: talk_ms.map(|&ms, role| {
            let count = match role {
                Role::Agent => words.agent,
                Role::Customer => words.customer,
                Role::Unknown => words.unknown,
            };
            (ms > 0).then(|| round2(count as f64 * 60_000.0 / ms as f64))
        }),
        longest_monologue: talk_ms.map(|_, role| longest_monologue(&turns, role)),
        talk_ms,
    })
}

/// Rounds a ratio to two decimals, the precision reports give.
pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A stretch of merged speech: from `start` to `end` someone is talking.
struct Speech {
    start: u64,
    end: u64,
    /// The turn that starts it and the turn that ends last in it.
    first_turn: usize,
    last_turn: usize,
}

/// The union of all speech, in time order.
fn speech(turns: &[Timed<'_>]) -> Vec<Speech> {
    let mut merged: Vec<Speech> = Vec::new();
    for t in turns {
        match merged.last_mut() {
            Some(s) if t.start <= s.end => {
                if t.end > s.end {
                    s.end = t.end;
                    s.last_turn = t.index;
                }
            }
            _ => merged.push(Speech {
                start: t.start,
                end: t.end,
                first_turn: t.index,
                last_turn: t.index,
            }),
        }
    }
    merged
}

/// The stretches between turns at least `min_ms` long in which nobody speaks.
pub fn silences(transcript: &Transcript, min_ms: u64) -> Vec<Silence> {
    let merged = speech(&timed(transcript));
    merged
        .windows(2)
        .filter_map(|pair| {
            let duration_ms = pair[1].start - pair[0].end;
            (duration_ms >= min_ms.max(1)).then_some(Silence {
                start_ms: pair[0].end,
                end_ms: pair[1].start,
                duration_ms,
                after_turn: pair[0].last_turn,
                before_turn: pair[1].first_turn,
            })
        })
        .collect()
}

/// Every turn that takes the floor from another speaker with at least `min_overlap_ms`
/// of overlap, in time order. Each interrupting turn counts once, against the turn it
/// overlaps most.
pub fn interruptions(transcript: &Transcript, min_overlap_ms: u64) -> Vec<Interruption> {
    let turns = timed(transcript);
    let mut found = Vec::new();
    for (j, late) in turns.iter().enumerate() {
        let Some(late_who) = late.who() else {
            continue;
        };
        let cut = turns[..j]
            .iter()
            .filter(|early| {
                early.who().is_some_and(|who| who != late_who)
                    && early.start < late.start
                    && late.start < early.end
                    && early.end < late.end
            })
            .map(|early| (early.end - late.start, early.index))
            .filter(|&(overlap, _)| overlap >= min_overlap_ms.max(1))
            .max_by_key(|&(overlap, index)| (overlap, std::cmp::Reverse(index)));
        if let Some((overlap_ms, interrupted_turn)) = cut {
            found.push(Interruption {
                turn: late.index,
                speaker: late.turn.speaker,
                interrupted_turn,
                start_ms: late.start,
                overlap_ms,
            });
        }
    }
    found
}

/// The longest stretch in which `role` holds the floor.
fn longest_monologue(turns: &[Timed<'_>], role: Role) -> Option<Stretch> {
    let mut best: Option<Stretch> = None;
    let mut run: Option<Stretch> = None;
    let mut close = |run: &mut Option<Stretch>| {
        if let Some(r) = run.take()
            && best.is_none_or(|b| r.duration_ms > b.duration_ms)
        {
            best = Some(r);
        }
    };
    // How far the other side's speech reaches: a turn of `role` inside it is a
    // backchannel, which holds no floor.
    let mut others_end = 0;
    for t in turns {
        if t.turn.speaker == role {
            if run.is_none() && t.end <= others_end {
                continue;
            }
            match &mut run {
                Some(r) => {
                    r.last_turn = t.index;
                    r.end_ms = r.end_ms.max(t.end);
                    r.duration_ms = r.end_ms - r.start_ms;
                }
                None => {
                    run = Some(Stretch {
                        first_turn: t.index,
                        last_turn: t.index,
                        start_ms: t.start,
                        end_ms: t.end,
                        duration_ms: t.end - t.start,
                    })
                }
            }
        } else {
            others_end = others_end.max(t.end);
            if run.is_some_and(|r| t.end > r.end_ms) {
                close(&mut run);
            }
        }
    }
    close(&mut run);
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(speaker: Role, start: u64, end: u64, text: &str) -> Turn {
        Turn {
            speaker,
            speaker_label: None,
            start_ms: Some(start),
            end_ms: Some(end),
            text: text.into(),
            line: None,
        }
    }

    fn call(turns: Vec<Turn>) -> Transcript {
        Transcript {
            turns,
            ..Transcript::default()
        }
    }

    #[test]
    fn talk_silence_interruption_and_monologue() {
        use Role::{Agent, Customer};
        let t = call(vec![
            turn(Agent, 1_000, 4_000, "Goedemorgen u spreekt met Sanne"),
            turn(
                Customer,
                4_500,
                16_000,
                "mijn internet doet het niet en ik heb al van alles geprobeerd",
            ),
            turn(Agent, 9_000, 9_400, "hm-hm"),
            turn(Agent, 15_000, 20_000, "ik ga het even voor u bekijken"),
            turn(Customer, 30_000, 31_000, "oke"),
        ]);
        let m = measure(&t, &MetricSettings::default()).unwrap();
        assert_eq!(m.duration_ms, 31_000);
        assert_eq!(m.talk_ms.agent, 3_000 + 400 + 5_000);
        assert_eq!(m.talk_ms.customer, 11_500 + 1_000);
        assert_eq!(m.talk_ratio, Some(0.67));
        // Speech covers 1-4 s, 4.5-20 s, 30-31 s.
        assert_eq!(m.non_talk_ms, 31_000 - 3_000 - 15_500 - 1_000);
        assert_eq!(m.silences.count, 1);
        assert_eq!(
            m.silences.items[0],
            Silence {
                start_ms: 20_000,
                end_ms: 30_000,
                duration_ms: 10_000,
                after_turn: 3,
                before_turn: 4
            }
        );
        // The backchannel inside the customer's turn is no interruption; turn 3 is.
        assert_eq!(m.interruptions.count, 1);
        assert_eq!(
            m.interruptions.items[0],
            Interruption {
                turn: 3,
                speaker: Agent,
                interrupted_turn: 1,
                start_ms: 15_000,
                overlap_ms: 1_000
            }
        );
        assert_eq!(m.interruptions.by.agent.count, 1);
        // The "hm-hm" inside the customer's turn opens no agent stretch.
        let agent = m.longest_monologue.agent.unwrap();
        assert_eq!(
            (agent.first_turn, agent.last_turn, agent.start_ms),
            (3, 3, 15_000)
        );
        let monologue = m.longest_monologue.customer.unwrap();
        assert_eq!(
            (
                monologue.first_turn,
                monologue.last_turn,
                monologue.duration_ms
            ),
            (1, 1, 11_500)
        );
        assert_eq!(
            m.words_per_minute.customer,
            Some(round2(13.0 * 60_000.0 / 12_500.0))
        );
        assert_eq!(m.longest_monologue.unknown, None);
    }

    #[test]
    fn no_timing_no_metrics_and_unnamed_speakers_never_interrupt() {
        let mut untimed = turn(Role::Agent, 0, 0, "x");
        untimed.end_ms = None;
        assert_eq!(
            measure(&call(vec![untimed]), &MetricSettings::default()),
            None
        );
        let t = call(vec![
            turn(Role::Unknown, 0, 5_000, "a"),
            turn(Role::Unknown, 2_000, 8_000, "b"),
        ]);
        assert!(interruptions(&t, 1).is_empty());
        let mut named = t.clone();
        named.turns[0].speaker_label = Some("A".into());
        named.turns[1].speaker_label = Some("B".into());
        assert_eq!(interruptions(&named, 1).len(), 1);
    }
}
