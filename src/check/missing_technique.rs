//! `missing_technique`: a technique the methodology expects somewhere in the call (e.g.
//! thanking the customer at the close) occurs in no turn.

use super::{Call, Finding};
use crate::rules::Check;

pub fn run(call: &Call<'_>, check: &Check) -> Vec<Finding> {
    if (0..call.tagged.len()).any(|turn| call.has(turn, &check.techniques)) {
        return Vec::new();
    }
    let mut f = Finding::new(
        "missing_technique",
        format!(
            "Geen enkele beurt toont {}.",
            call.technique_ids(&check.techniques)
        ),
        &check.advice,
    );
    f.technique = Some(call.technique_ids(&check.techniques));
    vec![f]
}
