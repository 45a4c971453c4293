//! The inputs of a batch run, read one after another in a fixed order.
//!
//! [`walk`] expands the PATH arguments into a stream of [`Input`]s and hands each to a
//! callback as soon as its bytes are read, so nothing waits for the whole archive:
//!
//! - a file is one input; `-` is standard input;
//! - a directory is walked recursively in name order, taking the files whose extension is
//!   a transcript extension, an archive or a JSONL stream, narrowed by `--glob` (matched
//!   against the path below the directory, or the member path inside an archive); the
//!   files of other types that `--glob` would take are counted ([`Skipped`]) so the run
//!   can say what it did not read;
//! - `.gz` and `.zst` are decompressed while reading; `.tar` (`.tar.gz`, `.tgz`, `.tar.zst`)
//!   and `.zip` archives are read in place, each transcript member one input named
//!   `archive.zip!member/path.json`;
//! - a JSONL stream (`.jsonl`, `.ndjson`, or every input with `--input-format jsonl`) is one
//!   transcript object per line, each line one input named `calls.jsonl:LINE`.
//!
//! Nothing here stops a run: an unreadable file, a corrupt archive, an input larger than
//! `max_input_bytes` becomes an [`Input`] whose content is the [`InputError`], in its place
//! in the order, so every input is accounted for. Memory is bounded by one input (a
//! nested zip archive is the exception: it is buffered, within `max_input_bytes`).

use super::shard::Shard;
use crate::Engine;
use crate::input::{InputError, ReadOptions};
use crate::report::Report;
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Default for `--max-input-bytes`: far above any real call (a 6-minute call is ~6 KB of
/// text), small enough that one broken or hostile input cannot exhaust memory.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// One input, read.
#[derive(Debug)]
pub struct Input {
    /// How reports name it: a path, `-`, `archive.zip!member/path.json` or `calls.jsonl:12`.
    pub source: String,
    /// Its bytes, or why they could not be read.
    pub content: Result<Vec<u8>, InputError>,
    /// For a line of a JSONL stream: the line's 1-based number in the stream.
    pub stream_line: Option<usize>,
}

impl Input {
    /// Reads and analyses this input. Errors inside a JSONL line are moved to that line of
    /// the stream, so `line` always counts lines of the file the user has.
    pub fn analyze(&self, engine: &Engine, options: &ReadOptions) -> Result<Report, InputError> {
        let bytes = self.content.as_ref().map_err(Clone::clone)?;
        engine
            .analyze_bytes(&self.source, bytes, options)
            .map_err(|mut error| {
                if let Some(line) = self.stream_line {
                    // The reader saw one line as a whole document: its "line 1" is this
                    // line of the stream, which the location now says.
                    if let Some(column) = error.column {
                        let inner = format!(" at line 1 column {column}");
                        if let Some(message) = error.message.strip_suffix(&inner) {
                            error.message = message.to_string();
                        }
                    }
                    error.line = Some(line);
                }
                error
            })
    }

    /// `file:line:col: problem`: the one line a user needs to find the problem. A JSONL
    /// line is located in its stream (`calls.jsonl:12:5: ...`).
    pub fn locate(&self, error: &InputError) -> String {
        let stream = self.stream_line.and_then(|line| {
            self.source
                .strip_suffix(&format!(":{line}"))
                .filter(|_| error.line == Some(line))
        });
        match stream {
            Some(stream) => error.located(stream),
            None => error.located(&self.source),
        }
    }

    /// The number of bytes this input holds in memory.
    pub fn weight(&self) -> usize {
        self.content.as_ref().map_or(0, Vec::len) + self.source.len()
    }
}

/// Which files of a directory or archive are taken.
#[derive(Debug, Clone, Default)]
pub struct PathFilter {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

impl PathFilter {
    /// Globs as given to `--glob`; a leading `!` excludes. Errors name the bad glob.
    pub fn new(globs: &[String]) -> Result<PathFilter, String> {
        let (mut include, mut exclude) = (GlobSetBuilder::new(), GlobSetBuilder::new());
        let (mut includes, mut excludes) = (0, 0);
        for pattern in globs {
            let (builder, text) = match pattern.strip_prefix('!') {
                Some(rest) => {
                    excludes += 1;
                    (&mut exclude, rest)
                }
                None => {
                    includes += 1;
                    (&mut include, pattern.as_str())
                }
            };
            builder.add(Glob::new(text).map_err(|e| format!("invalid --glob `{pattern}`: {e}"))?);
        }
        let build = |builder: GlobSetBuilder, count: usize| -> Result<Option<GlobSet>, String> {
            if count == 0 {
                return Ok(None);
            }
            builder
                .build()
                .map(Some)
                .map_err(|e| format!("invalid --glob: {e}"))
        };
        Ok(PathFilter {
            include: build(include, includes)?,
            exclude: build(exclude, excludes)?,
        })
    }
}

/// How inputs are found and read.
#[derive(Debug, Clone)]
pub struct SourceOptions {
    /// Transcript file extensions taken from directories and archives (without the dot).
    pub extensions: Vec<String>,
    pub filter: PathFilter,
    /// Inputs larger than this are an error (`too_large`), never read whole.
    pub max_input_bytes: u64,
    /// Read every input as a JSONL stream (`--input-format jsonl`).
    pub all_jsonl: bool,
    /// Only the inputs of this shard.
    pub shard: Option<Shard>,
    /// Counts the bytes read from files and standard input, for progress display.
    pub bytes_read: Option<Arc<AtomicU64>>,
    /// The files this run writes: a directory walk passes over them.
    pub own_outputs: OwnOutputs,
    /// A JSONL stream of callqa reports (what `analyze --format jsonl` writes) is one
    /// failed input, not a failed transcript per line; `summarize`, which reads reports,
    /// turns this off.
    pub refuse_reports: bool,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            extensions: vec!["txt".into(), "json".into()],
            filter: PathFilter::default(),
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
            all_jsonl: false,
            shard: None,
            bytes_read: None,
            own_outputs: OwnOutputs::default(),
            refuse_reports: true,
        }
    }
}

/// The files a run writes (`--output`, `--summary`) and their temporary files
/// (`.NAME.XXXXXX.part`, see [`super::output`]). A nightly run over an archive that keeps
/// its reports beside the calls would otherwise read the last run's reports and summary
/// back as transcripts, each line one more failed input.
#[derive(Debug, Clone, Default)]
pub struct OwnOutputs {
    /// (file name, canonical directory) of each.
    files: Vec<(std::ffi::OsString, PathBuf)>,
}

impl OwnOutputs {
    /// The files at `targets`; a target whose directory does not exist is left out (the run
    /// cannot create it, and says so).
    pub fn new<'a>(targets: impl IntoIterator<Item = &'a Path>) -> OwnOutputs {
        let files = targets
            .into_iter()
            .filter_map(|target| {
                let name = target.file_name()?.to_os_string();
                let dir = match target.parent() {
                    Some(dir) if !dir.as_os_str().is_empty() => dir,
                    _ => Path::new("."),
                };
                Some((name, dir.canonicalize().ok()?))
            })
            .collect();
        OwnOutputs { files }
    }

    /// Whether `path` (a file found in a directory walk) is one of them or a temporary file
    /// of one.
    fn holds(&self, path: &Path) -> bool {
        let Some(name) = path.file_name() else {
            return false;
        };
        let name = name.to_string_lossy();
        self.files.iter().any(|(own, dir)| {
            let own = own.to_string_lossy();
            let temporary = || {
                name.strip_prefix('.')
                    .and_then(|rest| rest.strip_prefix(own.as_ref()))
                    .is_some_and(|rest| rest.starts_with('.') && rest.ends_with(".part"))
            };
            (name == own || temporary())
                && path
                    .parent()
                    .and_then(|parent| parent.canonicalize().ok())
                    .is_some_and(|parent| &parent == dir)
        })
    }
}

/// Files a walk found and did not read because their names are of no input type
/// (`notes.md`, `call.docx`, a member `readme.md`); files left out by `--glob` are not counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skipped {
    /// How many of them end in each extension (lower case, without the dot; "" for none):
    /// a run over an annotated corpus skips its `.toml` sidecars, one over an export
    /// perhaps transcripts saved as `.docx`.
    pub by_extension: BTreeMap<String, u64>,
    /// The first of them, named as an input would be.
    pub first: Option<String>,
}

impl Skipped {
    /// How many files were passed over.
    pub fn files(&self) -> u64 {
        self.by_extension.values().sum()
    }
}

/// Reads every input under `paths` in order, handing each to `emit`; stops early when
/// `emit` returns false. Returns the files it passed over.
pub fn walk(
    paths: &[PathBuf],
    options: &SourceOptions,
    emit: &mut dyn FnMut(Input) -> bool,
) -> Skipped {
    let mut walker = Walker {
        options,
        emit,
        stdin_used: false,
        skipped: Skipped::default(),
    };
    for path in paths {
        if walker.path(path).is_err() {
            break;
        }
    }
    walker.skipped
}

/// The on-disk size of the files `walk` would open (an estimate of the work for progress
/// display), or `None` when standard input is among the paths.
pub fn disk_size(paths: &[PathBuf], options: &SourceOptions) -> Option<u64> {
    let mut total = 0;
    for path in paths {
        if path.as_os_str() == "-" {
            return None;
        }
        if path.is_dir() {
            for entry in walkdir::WalkDir::new(path)
                .follow_links(true)
                .into_iter()
                .flatten()
            {
                let relative = relative_name(entry.path(), path);
                if entry.file_type().is_file()
                    && choose(options, &relative) == Choice::Take
                    && !options.own_outputs.holds(entry.path())
                {
                    total += entry.metadata().map_or(0, |m| m.len());
                }
            }
        } else {
            total += std::fs::metadata(path).map_or(0, |m| m.len());
        }
    }
    Some(total)
}

/// The emit callback asked to stop.
struct Stop;

type Flow = Result<(), Stop>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// One transcript.
    Single,
    Tar,
    Zip,
    Jsonl,
}

/// What a name stands for, by its endings: `calls.tar.gz` is a gzip-compressed tar.
fn classify(name: &str, all_jsonl: bool) -> (Compression, Layout) {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tgz") {
        return (Compression::Gzip, Layout::Tar);
    }
    if lower.ends_with(".tzst") {
        return (Compression::Zstd, Layout::Tar);
    }
    let (compression, inner) = if let Some(inner) = lower.strip_suffix(".gz") {
        (Compression::Gzip, inner)
    } else if let Some(inner) = lower.strip_suffix(".zst") {
        (Compression::Zstd, inner)
    } else {
        (Compression::None, lower.as_str())
    };
    let layout = if inner.ends_with(".tar") {
        Layout::Tar
    } else if inner.ends_with(".zip") {
        Layout::Zip
    } else if all_jsonl || inner.ends_with(".jsonl") || inner.ends_with(".ndjson") {
        Layout::Jsonl
    } else {
        Layout::Single
    };
    (compression, layout)
}

/// The extension of a name once `.gz` / `.zst` is taken off: `a.json.gz` -> `json`.
fn inner_extension(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let inner = lower
        .strip_suffix(".gz")
        .or_else(|| lower.strip_suffix(".zst"))
        .unwrap_or(&lower);
    extension(inner)
}

/// The lower-case extension of a path's file name (`dir.v2/a.JSON` -> `json`; a hidden
/// `.profile` has none: "").
fn extension(path: &str) -> String {
    let file = path.rsplit('/').next().unwrap_or(path);
    match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// What a directory walk or an archive does with a file it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    Take,
    /// Left out by `--glob`: the user asked for that.
    Filtered,
    /// Not a transcript, archive or JSONL name (`notes.md`, `call.docx`): left out, but
    /// counted, so a run over an archive says what it did not read.
    OtherType,
}

/// What happens to a file found in a directory or archive (`relative`: its path below the
/// directory, or its member path).
fn choose(options: &SourceOptions, relative: &str) -> Choice {
    let filter = &options.filter;
    let selected = filter.include.as_ref().is_none_or(|g| g.is_match(relative))
        && !filter
            .exclude
            .as_ref()
            .is_some_and(|g| g.is_match(relative));
    let known = match classify(relative, false) {
        (_, Layout::Single) => {
            let ext = inner_extension(relative);
            options
                .extensions
                .iter()
                .any(|e| e.eq_ignore_ascii_case(&ext))
        }
        _ => true,
    };
    match (selected, known) {
        (false, _) => Choice::Filtered,
        (true, false) => Choice::OtherType,
        (true, true) => Choice::Take,
    }
}

fn relative_name(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Counts the bytes read through it (for progress display).
struct Counting<R> {
    inner: R,
    counter: Option<Arc<AtomicU64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(counter) = &self.counter {
            counter.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

impl<R: Seek> Seek for Counting<R> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

fn io_error(e: &io::Error) -> InputError {
    InputError::new("io", format!("cannot read: {e}"))
}

fn too_large(limit: u64) -> InputError {
    InputError::new(
        "too_large",
        format!("input is larger than --max-input-bytes ({limit} bytes)"),
    )
}

/// Whether a JSONL line is one of the records `analyze --format jsonl` writes: a report
/// (its first key is the schema) or an error record.
fn is_report(line: &[u8]) -> bool {
    let text = String::from_utf8_lossy(line);
    let text = text.trim_start();
    text.starts_with(r#"{"schema":"callqa.report/"#)
        || (text.starts_with(r#"{"source":"#) && text.contains(r#","error":{"kind":"#))
}

/// Reads a whole input, refusing more than `limit` bytes.
fn read_limited(
    reader: &mut dyn Read,
    limit: u64,
    size: Option<u64>,
) -> Result<Vec<u8>, InputError> {
    if size.is_some_and(|s| s > limit) {
        return Err(too_large(limit));
    }
    let mut bytes = Vec::with_capacity(size.unwrap_or(0).min(limit) as usize);
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(&e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

/// One line of a JSONL stream, without its line ending; `Ok(None)` at the end. A line
/// longer than `limit` is skipped to its end and returned as `Err(too_large)` inside `Ok`.
fn read_line(
    reader: &mut dyn BufRead,
    limit: u64,
    line: &mut Vec<u8>,
) -> io::Result<Option<Result<(), InputError>>> {
    line.clear();
    let (mut any, mut over) = (false, false);
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        any = true;
        let (chunk, used, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (&available[..i], i + 1, true),
            None => (available, available.len(), false),
        };
        if !over {
            if (line.len() + chunk.len()) as u64 > limit {
                over = true;
                line.clear();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        reader.consume(used);
        if done {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(if over { Err(too_large(limit)) } else { Ok(()) }))
}

struct Walker<'a> {
    options: &'a SourceOptions,
    emit: &'a mut dyn FnMut(Input) -> bool,
    stdin_used: bool,
    skipped: Skipped,
}

impl Walker<'_> {
    /// Whether to read a file found at `relative` (the part globs match), counting the ones
    /// of another type; `name` names it as an input would be, built only for the first.
    fn take(&mut self, relative: &str, name: impl FnOnce() -> String) -> bool {
        match choose(self.options, relative) {
            Choice::Take => true,
            Choice::Filtered => false,
            Choice::OtherType => {
                *self
                    .skipped
                    .by_extension
                    .entry(extension(relative))
                    .or_default() += 1;
                self.skipped.first.get_or_insert_with(name);
                false
            }
        }
    }

    fn in_shard(&self, source: &str) -> bool {
        self.options.shard.is_none_or(|s| s.contains(source))
    }

    fn send(&mut self, input: Input) -> Flow {
        if !self.in_shard(&input.source) {
            return Ok(());
        }
        if (self.emit)(input) {
            Ok(())
        } else {
            Err(Stop)
        }
    }

    fn fail(&mut self, source: &str, error: InputError) -> Flow {
        self.send(Input {
            source: source.to_string(),
            content: Err(error),
            stream_line: None,
        })
    }

    fn path(&mut self, path: &Path) -> Flow {
        if path.as_os_str() == "-" {
            return self.stdin();
        }
        if path.is_dir() {
            return self.dir(path);
        }
        self.file(path, &path.display().to_string())
    }

    fn dir(&mut self, root: &Path) -> Flow {
        for entry in walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
        {
            match entry {
                Ok(entry) => {
                    let path = entry.path();
                    if entry.file_type().is_file()
                        && !self.options.own_outputs.holds(path)
                        && self.take(&relative_name(path, root), || path.display().to_string())
                    {
                        self.file(path, &path.display().to_string())?;
                    }
                }
                Err(e) => {
                    let at = e.path().unwrap_or(root);
                    let message = match (e.loop_ancestor(), at.read_link()) {
                        (Some(ancestor), _) => format!(
                            "symbolic link loop: not followed (it leads back to {})",
                            ancestor.display()
                        ),
                        // A link to nothing is an input only if its name is one.
                        (None, Ok(target)) => {
                            let name = || at.display().to_string();
                            if !self.take(&relative_name(at, root), name) {
                                continue;
                            }
                            format!("broken symbolic link (to {})", target.display())
                        }
                        (None, Err(_)) => format!("cannot read directory entry: {e}"),
                    };
                    self.fail(&at.display().to_string(), InputError::new("io", message))?;
                }
            }
        }
        Ok(())
    }

    fn file(&mut self, path: &Path, source: &str) -> Flow {
        let (compression, layout) = classify(source, self.options.all_jsonl);
        if layout == Layout::Single && !self.in_shard(source) {
            return Ok(());
        }
        let file = match File::open(path) {
            Ok(file) => file,
            Err(e) => return self.fail(source, io_error(&e)),
        };
        let size = file.metadata().ok().map(|m| m.len());
        let counting = Counting {
            inner: file,
            counter: self.options.bytes_read.clone(),
        };
        if (compression, layout) == (Compression::None, Layout::Zip) {
            return self.zip(source, counting);
        }
        self.stream(source, source, Box::new(counting), size)
    }

    fn stdin(&mut self) -> Flow {
        if std::mem::replace(&mut self.stdin_used, true) {
            return self.fail(
                "-",
                InputError::new("io", "standard input was already read: give `-` only once"),
            );
        }
        let stdin = Counting {
            inner: io::stdin().lock(),
            counter: self.options.bytes_read.clone(),
        };
        if self.options.all_jsonl {
            return self.jsonl("-", Box::new(stdin));
        }
        self.single("-", Box::new(stdin), None)
    }

    /// Reads `reader`, named `name` (whose endings say what it is) and reported as `source`.
    fn stream(
        &mut self,
        name: &str,
        source: &str,
        reader: Box<dyn Read + '_>,
        size: Option<u64>,
    ) -> Flow {
        let (compression, layout) = classify(name, self.options.all_jsonl);
        if layout == Layout::Single && !self.in_shard(source) {
            return Ok(());
        }
        let (reader, size): (Box<dyn Read + '_>, _) = match compression {
            Compression::None => (reader, size),
            Compression::Gzip => (Box::new(flate2::read::MultiGzDecoder::new(reader)), None),
            Compression::Zstd => match zstd::Decoder::new(reader) {
                Ok(decoder) => (Box::new(decoder), None),
                Err(e) => return self.fail(source, io_error(&e)),
            },
        };
        match layout {
            Layout::Single => self.single(source, reader, size),
            Layout::Jsonl => self.jsonl(source, reader),
            Layout::Tar => self.tar(source, reader),
            Layout::Zip => {
                // A zip needs random access: one inside another archive or compressed is
                // buffered, within the input size limit.
                let mut reader = reader;
                match read_limited(&mut reader, self.options.max_input_bytes, size) {
                    Ok(bytes) => self.zip(source, io::Cursor::new(bytes)),
                    Err(e) => self.fail(source, e),
                }
            }
        }
    }

    fn single(&mut self, source: &str, mut reader: Box<dyn Read + '_>, size: Option<u64>) -> Flow {
        let content = read_limited(&mut reader, self.options.max_input_bytes, size);
        self.send(Input {
            source: source.to_string(),
            content,
            stream_line: None,
        })
    }

    fn jsonl(&mut self, source: &str, reader: Box<dyn Read + '_>) -> Flow {
        let mut reader = BufReader::with_capacity(256 * 1024, reader);
        let mut line = Vec::new();
        let mut number = 0;
        let mut first_content = true;
        loop {
            number += 1;
            let read = match read_line(&mut reader, self.options.max_input_bytes, &mut line) {
                Ok(Some(read)) => read,
                Ok(None) => return Ok(()),
                Err(e) => {
                    let error = InputError::new(
                        "io",
                        format!("cannot read the stream past line {}: {e}", number - 1),
                    );
                    return self.fail(source, error);
                }
            };
            if read.is_ok() && line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            // A stream that is not one of transcripts would be an error per line: it is
            // one failed input, named as the stream. A JSON array (such as `analyze
            // --format json` writes) spread over many lines, or analyze's own reports.
            if std::mem::take(&mut first_content) {
                let not_transcripts =
                    if line.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
                        Some(
                            "a JSON array, not JSONL: a JSONL stream holds one JSON object per \
                             line (reports: analyze --format jsonl)",
                        )
                    } else if self.options.refuse_reports && is_report(&line) {
                        Some(
                            "callqa reports (analyze --format jsonl output), not transcripts: \
                             `callqa summarize` reads them",
                        )
                    } else {
                        None
                    };
                if let Some(message) = not_transcripts {
                    let error = InputError::new("syntax", message)
                        .at_line(number)
                        .at_column(1);
                    return self.fail(source, error);
                }
            }
            let name = format!("{source}:{number}");
            if !self.in_shard(&name) {
                continue;
            }
            let content = read.and_then(|()| {
                let first = line.iter().find(|b| !b.is_ascii_whitespace());
                if first == Some(&b'{') {
                    Ok(std::mem::take(&mut line))
                } else {
                    Err(InputError::new(
                        "syntax",
                        "not a JSON object: each line of a JSONL stream must be one JSON object",
                    )
                    .at_column(1))
                }
            });
            self.send(Input {
                source: name,
                content: content.map_err(|e| e.at_line(number)),
                stream_line: Some(number),
            })?;
        }
    }

    fn tar(&mut self, source: &str, reader: Box<dyn Read + '_>) -> Flow {
        let mut archive = tar::Archive::new(reader);
        let entries = match archive.entries() {
            Ok(entries) => entries,
            Err(e) => return self.fail(source, archive_error(&e, None)),
        };
        let mut last: Option<String> = None;
        for entry in entries {
            let mut entry = match entry {
                Ok(entry) => entry,
                Err(e) => return self.fail(source, archive_error(&e, last.as_deref())),
            };
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let member = entry.path_bytes();
            let member = String::from_utf8_lossy(&member).into_owned();
            last = Some(member.clone());
            if !self.take(&member, || format!("{source}!{member}")) {
                continue;
            }
            let size = entry.header().size().ok();
            self.stream(
                &member,
                &format!("{source}!{member}"),
                Box::new(&mut entry),
                size,
            )?;
        }
        Ok(())
    }

    fn zip<R: Read + Seek>(&mut self, source: &str, reader: R) -> Flow {
        let mut archive = match zip::ZipArchive::new(reader) {
            Ok(archive) => archive,
            Err(e) => {
                return self.fail(
                    source,
                    InputError::new("archive", format!("cannot read zip archive: {e}")),
                );
            }
        };
        for index in 0..archive.len() {
            let name = match archive.name_for_index(index) {
                Some(Ok(name)) => name.into_owned(),
                _ => format!("#{index}"),
            };
            if name.ends_with('/') || !self.take(&name, || format!("{source}!{name}")) {
                continue;
            }
            let member_source = format!("{source}!{name}");
            if classify(&name, self.options.all_jsonl).1 == Layout::Single
                && !self.in_shard(&member_source)
            {
                continue;
            }
            match archive.by_index(index) {
                Ok(file) if !file.is_file() => {}
                Ok(file) => {
                    let size = Some(file.size());
                    self.stream(&name, &member_source, Box::new(file), size)?;
                }
                Err(e) => self.fail(
                    &member_source,
                    InputError::new("archive", format!("cannot read zip member: {e}")),
                )?,
            }
        }
        Ok(())
    }
}

fn archive_error(e: &io::Error, after: Option<&str>) -> InputError {
    let at = after.map_or(String::from("at the start"), |m| {
        format!("after member `{m}`")
    });
    InputError::new("archive", format!("corrupt tar archive {at}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_endings() {
        use Compression as C;
        use Layout as L;
        assert_eq!(classify("a/b.txt", false), (C::None, L::Single));
        assert_eq!(classify("b.JSON.GZ", false), (C::Gzip, L::Single));
        assert_eq!(classify("calls.tar.gz", false), (C::Gzip, L::Tar));
        assert_eq!(classify("calls.tgz", false), (C::Gzip, L::Tar));
        assert_eq!(classify("calls.tar.zst", false), (C::Zstd, L::Tar));
        assert_eq!(classify("calls.zip", false), (C::None, L::Zip));
        assert_eq!(classify("calls.jsonl.zst", false), (C::Zstd, L::Jsonl));
        assert_eq!(classify("calls.txt", true), (C::None, L::Jsonl));
        assert_eq!(inner_extension("dir.v2/a.json.gz"), "json");
        assert_eq!(inner_extension(".hidden"), "");
    }

    #[test]
    fn filters_by_extension_or_glob() {
        let mut options = SourceOptions::default();
        assert_eq!(choose(&options, "x/a.txt"), Choice::Take);
        assert_eq!(choose(&options, "x/a.json.zst"), Choice::Take);
        assert_eq!(choose(&options, "x/a.tar.gz"), Choice::Take);
        assert_eq!(choose(&options, "x/readme.md"), Choice::OtherType);
        assert_eq!(choose(&options, "x/a.gz"), Choice::OtherType);
        options.filter = PathFilter::new(&["2024-03/**".into(), "!**/*.json".into()]).unwrap();
        assert_eq!(choose(&options, "2024-03/a/b.txt"), Choice::Take);
        assert_eq!(choose(&options, "2024-03/a/readme.md"), Choice::OtherType);
        assert_eq!(choose(&options, "2024-03/a.json"), Choice::Filtered);
        assert_eq!(choose(&options, "2024-04/a.txt"), Choice::Filtered);
        assert_eq!(choose(&options, "2024-04/readme.md"), Choice::Filtered);
        assert!(PathFilter::new(&["a[".into()]).unwrap_err().contains("a["));
    }

    #[test]
    fn counts_the_files_of_other_types_it_passes_over() {
        let fixtures = Path::new("tests/cmd/fixtures/batch");
        let paths = [fixtures.join("calls"), fixtures.join("archive.zip")];
        let mut sources = Vec::new();
        let skipped = walk(&paths, &SourceOptions::default(), &mut |input| {
            sources.push(input.source);
            true
        });
        assert_eq!(sources.len(), 6);
        assert_eq!(
            skipped.files(),
            2,
            "calls/team_b/notes.md and archive.zip!readme.md"
        );
        assert_eq!(
            skipped.by_extension,
            BTreeMap::from([("md".to_string(), 2)])
        );
        let first = skipped.first.unwrap();
        assert!(first.ends_with("notes.md"), "{first}");
        let options = SourceOptions {
            filter: PathFilter::new(&["!**/*.md".into()]).unwrap(),
            ..SourceOptions::default()
        };
        let skipped = walk(&paths, &options, &mut |_| true);
        assert_eq!(skipped, Skipped::default());
    }

    #[test]
    fn a_json_array_read_as_jsonl_is_one_failed_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reports.jsonl");
        std::fs::write(
            &path,
            "\n[\n  {\"source\": \"a\"},\n  {\"source\": \"b\"}\n]\n",
        )
        .unwrap();
        let mut inputs = Vec::new();
        walk(&[path], &SourceOptions::default(), &mut |input| {
            inputs.push(input);
            true
        });
        assert_eq!(inputs.len(), 1);
        assert!(
            inputs[0].source.ends_with("reports.jsonl"),
            "{}",
            inputs[0].source
        );
        let error = inputs[0].content.as_ref().unwrap_err();
        assert_eq!((error.line, error.column), (Some(2), Some(1)));
        assert!(
            error.message.starts_with("a JSON array, not JSONL"),
            "{}",
            error.message
        );
    }

    #[test]
    fn a_report_stream_is_one_failed_input_unless_reports_are_wanted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        for first in [
            r#"{"schema":"callqa.report/1","source":"a.txt","turns":[]}"#,
            r#"{"source":"b.txt","error":{"kind":"encoding","message":"x"}}"#,
        ] {
            std::fs::write(&path, format!("\n{first}\n{first}\n")).unwrap();
            let mut inputs = Vec::new();
            walk(
                std::slice::from_ref(&path),
                &SourceOptions::default(),
                &mut |input| {
                    inputs.push(input);
                    true
                },
            );
            assert_eq!(inputs.len(), 1, "{first}");
            let error = inputs[0].content.as_ref().unwrap_err();
            assert_eq!((error.line, error.column), (Some(2), Some(1)));
            assert!(
                error.message.starts_with("callqa reports"),
                "{}",
                error.message
            );
            let wanted = SourceOptions {
                refuse_reports: false,
                ..SourceOptions::default()
            };
            let mut count = 0;
            walk(std::slice::from_ref(&path), &wanted, &mut |input| {
                count += usize::from(input.content.is_ok());
                true
            });
            assert_eq!(count, 2, "{first}");
        }
        // A transcript that merely has a `source` field is a transcript.
        assert!(!is_report(br#"{"source":"x","turns":[{"text":"error"}]}"#));
    }

    #[test]
    fn own_outputs_and_their_temporary_files_are_passed_over() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for name in [
            "a.txt",
            "out.jsonl",
            ".out.jsonl.x1Y2z3.part",
            "sum.txt",
            "out.jsonl.txt",
        ] {
            std::fs::write(d.join(name), "Medewerker: goedemorgen\n").unwrap();
        }
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("sub/out.jsonl"), "{}\n").unwrap();
        let options = SourceOptions {
            own_outputs: OwnOutputs::new([d.join("out.jsonl").as_path(), &d.join("sum.txt")]),
            ..SourceOptions::default()
        };
        let mut sources = Vec::new();
        let skipped = walk(&[d.to_path_buf()], &options, &mut |input| {
            sources.push(input.source.rsplit('/').next().unwrap().to_string());
            true
        });
        // sub/out.jsonl has the name but another directory: it is an input (line 1).
        assert_eq!(sources, ["a.txt", "out.jsonl.txt", "out.jsonl:1"]);
        assert_eq!(skipped, Skipped::default());
        assert_eq!(disk_size(&[d.to_path_buf()], &options), Some(24 * 2 + 3));
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_followed_and_broken_ones_or_loops_are_failed_inputs() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let (calls, walked) = (dir.path().join("calls"), dir.path().join("walked"));
        std::fs::create_dir_all(&calls).unwrap();
        std::fs::create_dir_all(&walked).unwrap();
        std::fs::write(calls.join("a.txt"), "Medewerker: goedemorgen\n").unwrap();
        symlink(calls.join("a.txt"), walked.join("file.txt")).unwrap();
        symlink(&calls, walked.join("linked")).unwrap();
        symlink(dir.path().join("nothing"), walked.join("broken.txt")).unwrap();
        symlink(dir.path().join("nothing"), walked.join("broken.png")).unwrap();
        symlink(&walked, walked.join("loop")).unwrap();
        let mut inputs = Vec::new();
        let skipped = walk(
            std::slice::from_ref(&walked),
            &SourceOptions::default(),
            &mut |input| {
                let name = input.source.rsplit_once("walked/").unwrap().1.to_string();
                inputs.push((name, input.content.map_err(|e| e.message)));
                true
            },
        );
        let message = |i: usize| inputs[i].1.as_ref().unwrap_err().as_str();
        let names: Vec<&str> = inputs.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["broken.txt", "file.txt", "linked/a.txt", "loop"]);
        assert!(
            message(0).starts_with("broken symbolic link (to "),
            "{}",
            message(0)
        );
        assert!(inputs[1].1.is_ok() && inputs[2].1.is_ok());
        assert!(
            message(3).starts_with("symbolic link loop"),
            "{}",
            message(3)
        );
        assert_eq!(skipped.files(), 1, "broken.png: of another type");
    }

    #[test]
    fn reads_lines_with_a_limit() {
        let mut reader: &[u8] = b"{\"a\":1}\r\n\n0123456789abc\nlast";
        let mut line = Vec::new();
        let mut out = Vec::new();
        while let Some(read) = read_line(&mut reader, 10, &mut line).unwrap() {
            out.push(read.map(|()| String::from_utf8(line.clone()).unwrap()));
        }
        assert_eq!(out.len(), 4);
        assert_eq!(out[0].as_deref(), Ok("{\"a\":1}"));
        assert_eq!(out[1].as_deref(), Ok(""));
        assert_eq!(out[2].as_ref().unwrap_err().kind, "too_large");
        assert_eq!(out[3].as_deref(), Ok("last"));
    }
}
