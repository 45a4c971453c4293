//! CLI contract tests as data: each `tests/cmd/*.toml` names the arguments, and its
//! `.stdout` / `.stderr` files and `status` are the exact expected result.

#[test]
fn cli_contract() {
    trycmd::TestCases::new().case("tests/cmd/*.toml");
}
