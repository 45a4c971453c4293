//! The generated rule reference must match the rules: regenerate it with
//! `cargo run --release -- explain --markdown > docs/rules.md` after editing a pack.

use callqa::explain::reference;
use callqa::rules::Rules;

#[test]
fn docs_rules_md_is_generated_from_the_current_rules() {
    let rules = Rules::load_default().unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
    let written = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        written == reference(&rules),
        "docs/rules.md is stale: run `cargo run --release -- explain --markdown > docs/rules.md`"
    );
}

#[test]
fn every_id_can_be_explained() {
    let rules = Rules::load_default().unwrap();
    for t in &rules.techniques {
        let text = callqa::explain::explain(&rules, &t.id).unwrap();
        assert!(text.contains(&t.summary), "{}", t.id);
        for &r in &t.rules {
            assert!(callqa::explain::explain(&rules, &rules.rules[r].code).is_some());
        }
    }
    for m in &rules.methodologies {
        assert!(
            callqa::explain::explain(&rules, &m.id)
                .unwrap()
                .contains(&m.name)
        );
    }
    for (kind, _) in callqa::explain::FINDING_KINDS {
        assert!(callqa::explain::explain(&rules, kind).is_some());
    }
    assert!(callqa::explain::explain(&rules, "no_such_id").is_none());
}
