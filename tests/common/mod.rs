//! Helpers shared by the integration tests: copies of the built-in pack to edit.

// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use std::path::Path;

/// Copies the built-in pack into `dir` and appends each `(technique, text)` to that
/// technique's file (a `[[rule]]` appended after `[examples]` is still a rule).
pub fn edited_pack(dir: &Path, extra: &[(&str, &str)]) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    copy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"), dir);
    for (technique, text) in extra {
        let file = dir.join("techniques").join(format!("{technique}.toml"));
        let mut content = std::fs::read_to_string(&file).unwrap();
        content.push_str(text);
        std::fs::write(file, content).unwrap();
    }
}

/// A temporary copy of the built-in pack with `extra` appended (see [`edited_pack`]).
pub fn edited_pack_dir(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    edited_pack(dir.path(), extra);
    dir
}
