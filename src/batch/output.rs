//! `--output FILE` and `--summary FILE`: written atomically.
//!
//! The bytes go to a temporary file beside the target (`.NAME.XXXXXX.part`, same
//! directory so the final rename stays on one file system), which is synced and then
//! renamed over the target by [`OutputFile::commit`] (tempfile's `persist`). A run that is
//! interrupted or fails leaves the previous file untouched and never a half-written file
//! under the target's name; dropping an uncommitted `OutputFile` removes the temporary
//! file. A target that exists and is not a regular file (`/dev/null`, a named pipe) is
//! written directly: renaming over it would replace the device or pipe.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

pub enum OutputFile {
    Atomic {
        temp: NamedTempFile,
        target: PathBuf,
    },
    Direct(File),
}

impl OutputFile {
    pub fn create(target: &Path) -> io::Result<OutputFile> {
        if std::fs::metadata(target).is_ok_and(|m| !m.is_file()) {
            return std::fs::OpenOptions::new()
                .write(true)
                .open(target)
                .map(OutputFile::Direct);
        }
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .map_or("output".into(), |n| n.to_string_lossy().into_owned());
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".part");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // As a plainly created file would be (the umask still applies), not 0600.
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let temp = builder.tempfile_in(dir).map_err(|e| {
            // tempfile names its random temporary path ("... at path \"dir/.x.Ab3dEf.part\""):
            // noise to someone who asked for `target`, and different on every run.
            let message = e.to_string();
            let cause = message.split(" at path ").next().unwrap_or(&message);
            io::Error::new(e.kind(), cause.to_string())
        })?;
        Ok(OutputFile::Atomic {
            temp,
            target: target.to_path_buf(),
        })
    }

    /// Makes the written bytes the target's content, all at once.
    pub fn commit(self) -> io::Result<()> {
        match self {
            OutputFile::Atomic { mut temp, target } => {
                temp.flush()?;
                temp.as_file().sync_all()?;
                temp.persist(&target).map(drop).map_err(|e| e.error)
            }
            OutputFile::Direct(mut file) => file.flush(),
        }
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            OutputFile::Atomic { temp, .. } => temp.write(buf),
            OutputFile::Direct(file) => file.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            OutputFile::Atomic { temp, .. } => temp.write_all(buf),
            OutputFile::Direct(file) => file.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            OutputFile::Atomic { temp, .. } => temp.flush(),
            OutputFile::Direct(file) => file.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_appears_until_commit_and_an_abandoned_file_leaves_no_trace() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jsonl");
        std::fs::write(&target, "old\n").unwrap();
        let mut out = OutputFile::create(&target).unwrap();
        out.write_all(b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old\n");
        out.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");

        let mut out = OutputFile::create(&target).unwrap();
        out.write_all(b"half").unwrap();
        drop(out);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_not_replaced() {
        let mut out = OutputFile::create(Path::new("/dev/null")).unwrap();
        out.write_all(b"x").unwrap();
        out.commit().unwrap();
        assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
    }
}
