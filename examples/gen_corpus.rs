//! Generates a synthetic archive of Dutch support calls for batch runs and benchmarks.
//!
//! ```sh
//! cargo run --release --example gen_corpus -- --calls 10000 --out /tmp/calls
//! cargo run --release --example gen_corpus -- --calls 100000 --layout jsonl --out /tmp/big
//! cargo run --release --example gen_corpus -- --phrases /tmp/phrases.txt --calls 0 --out /tmp/x
//! ```
//!
//! Calls follow the shape of a real helpdesk call (greeting, problem, questions,
//! troubleshooting steps, resolution, closing) with varied topics, agents and habits: an
//! agent may skip empathy, act before asking, forget to check a step or to thank. Length
//! follows the call's duration at ~150 spoken words a minute (a 6-minute call is ~900
//! words). Deterministic for a given `--seed`.
//!
//! Options:
//! - `--calls N` (default 1000), `--out DIR` (required), `--seed S` (default 1)
//! - `--format plain|json|mixed` (default mixed: alternating plain text and JSON)
//! - `--layout files|jsonl|tar|tar.gz|tar.zst|zip|mixed` (default files): `files` writes
//!   `DIR/calls/NNN/ID.txt|json` (1,000 a folder); `jsonl` one `DIR/calls.jsonl` (JSON
//!   only); archives one `DIR/calls.<ext>`; `mixed` a bit of each
//! - `--phrases FILE`: also write the built-in pack's normalised phrase list, one a line
//!   (the baseline for `rg -c -F -f FILE`)

use callqa::rules::{RuleKind, Rules};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

struct Options {
    calls: usize,
    out: PathBuf,
    seed: u64,
    format: String,
    layout: String,
    phrases: Option<PathBuf>,
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        calls: 1000,
        out: PathBuf::new(),
        seed: 1,
        format: "mixed".into(),
        layout: "files".into(),
        phrases: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--calls" => options.calls = value()?.parse().map_err(|e| format!("--calls: {e}"))?,
            "--out" => options.out = PathBuf::from(value()?),
            "--seed" => options.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--format" => options.format = value()?,
            "--layout" => options.layout = value()?,
            "--phrases" => options.phrases = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown option {other}")),
        }
    }
    if options.out.as_os_str().is_empty() {
        return Err("--out DIR is required".into());
    }
    if !["plain", "json", "mixed"].contains(&options.format.as_str()) {
        return Err("--format is plain, json or mixed".into());
    }
    Ok(options)
}

fn main() {
    let options = match parse_args() {
        Ok(options) => options,
        Err(e) => {
            eprintln!("gen_corpus: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&options) {
        eprintln!("gen_corpus: {e}");
        std::process::exit(1);
    }
}

fn run(options: &Options) -> io::Result<()> {
    fs::create_dir_all(&options.out)?;
    if let Some(path) = &options.phrases {
        write_phrases(path)?;
    }
    let mut rng = fastrand::Rng::with_seed(options.seed);
    let mut sinks = Sinks::new(&options.out, &options.layout)?;
    let mut bytes = 0u64;
    let mut words = 0u64;
    for index in 0..options.calls {
        let call = generate(&mut rng, index);
        words += call.words() as u64;
        let json = match options.format.as_str() {
            "plain" => false,
            "json" => true,
            _ => index % 2 == 1,
        } || options.layout == "jsonl";
        let (ext, text) = if json {
            ("json", call.to_json())
        } else {
            ("txt", call.to_plain())
        };
        bytes += text.len() as u64;
        sinks.write(
            index,
            &format!("calls/{:03}/{}.{ext}", index / 1000, call.id),
            &text,
        )?;
    }
    sinks.finish()?;
    eprintln!(
        "gen_corpus: {} calls, {:.1} MB of transcript text, {:.0} words a call, in {} ({})",
        options.calls,
        bytes as f64 / 1e6,
        words as f64 / options.calls.max(1) as f64,
        options.out.display(),
        options.layout
    );
    Ok(())
}

/// The pack's phrases, normalised as the matcher sees them, one a line.
fn write_phrases(path: &Path) -> io::Result<()> {
    let rules = Rules::load_default().map_err(|e| io::Error::other(e.to_string()))?;
    let mut phrases: Vec<String> = rules
        .rules
        .iter()
        .filter(|r| matches!(r.kind, RuleKind::Phrase | RuleKind::Term))
        .flat_map(|r| r.source.iter())
        .map(|p| rules.language.normalizer.fold_phrase(p).trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    phrases.sort();
    phrases.dedup();
    fs::write(path, phrases.join("\n") + "\n")
}

// ---------------------------------------------------------------------------------------
// Where the calls go.

enum Sink {
    Files(PathBuf),
    Jsonl(BufWriter<File>),
    Tar(tar::Builder<Box<dyn Write>>),
    Zip(Box<zip::ZipWriter<File>>),
}

struct Sinks(Vec<Sink>);

impl Sinks {
    fn new(out: &Path, layout: &str) -> io::Result<Sinks> {
        let layouts: Vec<&str> = if layout == "mixed" {
            vec!["files", "jsonl", "tar.gz", "zip", "tar.zst"]
        } else {
            vec![layout]
        };
        let mut sinks = Vec::new();
        for layout in layouts {
            let path = out.join(format!("calls.{layout}"));
            sinks.push(match layout {
                "files" => Sink::Files(out.to_path_buf()),
                "jsonl" => Sink::Jsonl(BufWriter::new(File::create(path)?)),
                "tar" | "tar.gz" | "tar.zst" => {
                    let file = BufWriter::new(File::create(path)?);
                    let writer: Box<dyn Write> = match layout {
                        "tar.gz" => Box::new(flate2::write::GzEncoder::new(
                            file,
                            flate2::Compression::fast(),
                        )),
                        "tar.zst" => Box::new(zstd::Encoder::new(file, 3)?.auto_finish()),
                        _ => Box::new(file),
                    };
                    Sink::Tar(tar::Builder::new(writer))
                }
                "zip" => Sink::Zip(Box::new(zip::ZipWriter::new(File::create(path)?))),
                other => return Err(io::Error::other(format!("unknown layout {other}"))),
            });
        }
        Ok(Sinks(sinks))
    }

    fn write(&mut self, index: usize, name: &str, text: &str) -> io::Result<()> {
        let n = self.0.len();
        let sink = &mut self.0[index % n];
        match sink {
            Sink::Files(root) => {
                let path = root.join(name);
                if let Some(dir) = path.parent() {
                    fs::create_dir_all(dir)?;
                }
                fs::write(path, text)
            }
            Sink::Jsonl(out) => {
                // One object per line: JSON transcripts only (plain text is wrapped).
                let line = if text.starts_with('{') {
                    serde_json::from_str::<serde_json::Value>(text)
                        .map(|v| v.to_string())
                        .map_err(io::Error::other)?
                } else {
                    plain_as_json(text)
                };
                writeln!(out, "{line}")
            }
            Sink::Tar(builder) => {
                let mut header = tar::Header::new_gnu();
                header.set_size(text.len() as u64);
                header.set_mode(0o644);
                header.set_mtime(1_700_000_000);
                header.set_cksum();
                builder.append_data(&mut header, name, text.as_bytes())
            }
            Sink::Zip(zip) => {
                let options = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated);
                zip.start_file(name, options).map_err(io::Error::other)?;
                zip.write_all(text.as_bytes())
            }
        }
    }

    fn finish(self) -> io::Result<()> {
        for sink in self.0 {
            match sink {
                Sink::Files(_) => {}
                Sink::Jsonl(mut out) => out.flush()?,
                Sink::Tar(builder) => builder.into_inner()?.flush()?,
                Sink::Zip(zip) => {
                    zip.finish().map_err(io::Error::other)?;
                }
            }
        }
        Ok(())
    }
}

/// A plain-text call as a JSON transcript line (for the JSONL layout).
fn plain_as_json(text: &str) -> String {
    let turns: Vec<serde_json::Value> = text
        .lines()
        .filter_map(|l| l.split_once("] ").map(|(_, rest)| rest))
        .filter_map(|l| l.split_once(": "))
        .map(|(label, text)| {
            let speaker = if label == "Medewerker" {
                "agent"
            } else {
                "customer"
            };
            serde_json::json!({"speaker": speaker, "text": text})
        })
        .collect();
    serde_json::json!({ "turns": turns }).to_string()
}

// ---------------------------------------------------------------------------------------
// The calls.

struct Turn {
    agent: bool,
    start_ms: u64,
    end_ms: u64,
    text: String,
}

struct Call {
    id: String,
    agent_id: String,
    team: &'static str,
    date: String,
    queue: &'static str,
    turns: Vec<Turn>,
}

impl Call {
    fn words(&self) -> usize {
        self.turns
            .iter()
            .map(|t| t.text.split_whitespace().count())
            .sum()
    }

    fn to_plain(&self) -> String {
        let mut out = String::new();
        for t in &self.turns {
            let s = t.start_ms / 1000;
            let label = if t.agent { "Medewerker" } else { "Klant" };
            out.push_str(&format!(
                "[{:02}:{:02}:{:02}] {label}: {}\n",
                s / 3600,
                s / 60 % 60,
                s % 60,
                t.text
            ));
        }
        out
    }

    fn to_json(&self) -> String {
        let turns: Vec<serde_json::Value> = self
            .turns
            .iter()
            .map(|t| {
                serde_json::json!({
                    "speaker": if t.agent { "agent" } else { "customer" },
                    "start_ms": t.start_ms,
                    "end_ms": t.end_ms,
                    "text": t.text,
                })
            })
            .collect();
        let value = serde_json::json!({
            "id": self.id,
            "metadata": {
                "agent_id": self.agent_id,
                "team": self.team,
                "date": self.date,
                "queue": self.queue,
            },
            "turns": turns,
        });
        serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
    }
}

struct Topic {
    queue: &'static str,
    thing: &'static str,
    problem: &'static str,
    detail: &'static str,
    steps: &'static [&'static str],
    fix: &'static str,
}

const TOPICS: &[Topic] = &[
    Topic {
        queue: "internet",
        thing: "de wifi",
        problem: "het internet is heel traag en valt steeds weg",
        detail: "vooral 's avonds en boven op de slaapkamer",
        steps: &[
            "haal de stekker van het modem er even uit en wacht dertig seconden",
            "kijk of het lampje op het modem nu wit of oranje brandt",
            "ga in de app naar instellingen en kies het netwerk opnieuw",
            "zet de telefoon even in vliegtuigmodus en weer terug",
        ],
        fix: "ik heb het kanaal van uw modem op afstand aangepast",
    },
    Topic {
        queue: "printer",
        thing: "de printer",
        problem: "mijn printer geeft een foutcode en print helemaal niets meer",
        detail: "er staat E-04 op het schermpje",
        steps: &[
            "open de klep aan de voorkant en haal het papier eruit",
            "druk dan drie seconden op de knop met het driehoekje",
            "verwijder de printer op de laptop en voeg hem opnieuw toe",
            "print een testpagina vanuit het menu onderhoud",
        ],
        fix: "ik heb een nieuwe driver voor u klaargezet",
    },
    Topic {
        queue: "mail",
        thing: "de mail",
        problem: "ik kan sinds gisteren geen e-mail meer versturen",
        detail: "ik krijg een melding dat de server niet reageert",
        steps: &[
            "open de mailapp en ga naar accounts",
            "controleer of bij uitgaande server smtp.glasnet.nl staat",
            "zet de poort op 587 en kies voor beveiligde verbinding",
            "stuur uzelf een testbericht",
        ],
        fix: "ik heb uw wachtwoord voor de mailserver opnieuw ingesteld",
    },
    Topic {
        queue: "tv",
        thing: "de tv",
        problem: "een paar zenders doen het niet meer op de tv",
        detail: "het beeld blijft zwart met de melding geen signaal",
        steps: &[
            "pak de afstandsbediening en druk op menu",
            "kies installatie en dan zenders zoeken",
            "controleer of de kabel goed in de decoder zit",
            "herstart de decoder met de knop aan de achterkant",
        ],
        fix: "ik heb een nieuw signaal naar uw decoder gestuurd",
    },
    Topic {
        queue: "app",
        thing: "de app",
        problem: "ik kom niet meer in de app, hij blijft maar laden",
        detail: "ik heb hem al een keer opnieuw geopend",
        steps: &[
            "sluit de app helemaal af en veeg hem weg",
            "ga naar de winkel en installeer de nieuwste versie",
            "log opnieuw in met uw e-mailadres",
            "vraag een nieuwe inlogcode aan via de knop wachtwoord vergeten",
        ],
        fix: "ik heb uw account ontgrendeld",
    },
];

const TEAMS: &[&str] = &["noord", "zuid", "oost", "west", "nacht"];
const AGENT_NAMES: &[&str] = &[
    "Sanne", "Joris", "Fatima", "Pieter", "Lotte", "Daan", "Yusuf", "Emma", "Bram", "Noor",
];
const COMPANY: &[&str] = &["Glasnet", "Telvia", "Printwijs", "Mailhuis"];

/// Each agent's habits: how likely they are to do each thing well.
struct Habits {
    empathy: f32,
    clarify: f32,
    check: f32,
    thanks: f32,
    act_early: f32,
}

fn habits(agent: usize) -> Habits {
    let level = (agent * 37 % 10) as f32 / 10.0;
    Habits {
        empathy: 0.45 + 0.5 * level,
        clarify: 0.6 + 0.4 * level,
        check: 0.5 + 0.45 * level,
        thanks: 0.7 + 0.3 * level,
        act_early: 0.3 * (1.0 - level),
    }
}

fn pick<'a>(rng: &mut fastrand::Rng, items: &[&'a str]) -> &'a str {
    items[rng.usize(..items.len())]
}

struct Writer<'r> {
    rng: &'r mut fastrand::Rng,
    turns: Vec<Turn>,
    clock_ms: u64,
    words: usize,
}

impl Writer<'_> {
    fn say(&mut self, agent: bool, text: String) {
        let words = text.split_whitespace().count();
        // ~150 words a minute, plus a pause between turns.
        let duration = words as u64 * 400 + self.rng.u64(300..1500);
        self.turns.push(Turn {
            agent,
            start_ms: self.clock_ms,
            end_ms: self.clock_ms + duration,
            text,
        });
        self.clock_ms += duration + self.rng.u64(200..900);
        self.words += words;
    }

    fn chance(&mut self, p: f32) -> bool {
        self.rng.f32() < p
    }
}

impl Writer<'_> {
    fn pick(&mut self, items: &[&'static str]) -> &'static str {
        items[self.rng.usize(..items.len())]
    }

    /// Says one of `items`.
    fn say_one(&mut self, agent: bool, items: &[&'static str]) {
        let text = self.pick(items).to_string();
        self.say(agent, text);
    }
}

const SMALL_TALK: &[&str] = &[
    "Het is ook altijd op het verkeerde moment, hè. Ik zat net midden in een videogesprek met mijn dochter in Canada.",
    "Mijn buurman heeft hetzelfde abonnement en bij hem doet alles het gewoon, dus ik snap er niks van.",
    "Ik ben niet zo handig met die dingen, mijn kleinzoon regelt dat meestal voor me.",
    "Vorige keer kreeg ik iemand anders aan de lijn en die zei dat het aan mijn kant lag.",
];

const EXPLAIN: &[&str] = &[
    "Wat er gebeurt is dat het apparaat zijn instellingen opnieuw ophaalt, dat kan een minuutje duren.",
    "Ik leg even uit waarom we dit doen: zo weten we zeker dat het niet aan de instellingen ligt.",
    "Op mijn scherm zie ik dat de verbinding met uw apparaat nu even wegvalt, dat is de bedoeling.",
    "U hoeft verder niets te doen, ik houd het hier aan mijn kant in de gaten.",
];

fn generate(rng: &mut fastrand::Rng, index: usize) -> Call {
    let agent = rng.usize(..40);
    let habit = habits(agent);
    let topic = &TOPICS[rng.usize(..TOPICS.len())];
    let name = AGENT_NAMES[agent % AGENT_NAMES.len()];
    let company = pick(rng, COMPANY);
    // 3 to 9 minutes, so ~450 to ~1,350 words; 6 minutes on average.
    let budget = rng.usize(450..1350);
    let day = 1 + index % 28;
    let mut w = Writer {
        rng,
        turns: Vec::new(),
        clock_ms: 1000,
        words: 0,
    };

    let greeting = w.pick(&["Goedemorgen", "Goedemiddag", "Goedendag", "Hallo"]);
    w.say(
        true,
        format!("{greeting}, u spreekt met {name} van {company} klantenservice. Waarmee kan ik u helpen?"),
    );
    let mood = w.pick(&[
        "Het is echt heel vervelend.",
        "Ik word er een beetje gek van, eerlijk gezegd.",
        "Ik heb al van alles geprobeerd.",
        "En ik moet er vandaag mee werken.",
    ]);
    w.say(
        false,
        format!(
            "Ja, {}. Ik bel omdat {}. {mood}",
            greeting.to_lowercase(),
            topic.problem
        ),
    );
    if w.chance(0.4) {
        w.say_one(
            false,
            &[
                "Dit is al de derde keer deze maand, ik ben het echt zat.",
                "Ik ben hier behoorlijk boos over, ik betaal er wel elke maand voor.",
                "Het is zo frustrerend, ik heb vanmiddag een belangrijke afspraak.",
            ],
        );
    }
    if w.chance(habit.empathy) {
        w.say_one(true, &[
            "Dat begrijp ik, wat vervelend dat u hier last van heeft. We gaan er samen naar kijken.",
            "Ik kan me voorstellen dat dit heel frustrerend is. Sorry voor het ongemak, ik help u graag.",
            "Dat is ook niet prettig, zeker als u ermee moet werken. Geen zorgen, we lossen het op.",
        ]);
    }
    w.say(true, "Mag ik eerst even uw postcode en huisnummer?".into());
    let address = format!(
        "Dat is {} {}{}, nummer {}.",
        w.rng.u32(1000..9999),
        (b'A' + w.rng.u8(..26)) as char,
        (b'A' + w.rng.u8(..26)) as char,
        w.rng.u32(1..200)
    );
    w.say(false, address);
    w.say(true, "Dank u wel, ik heb uw gegevens gevonden.".into());
    if w.chance(habit.act_early) {
        w.say(true, format!("Oké, {} eerst.", topic.steps[0]));
        w.say(false, "Ja, dat heb ik gedaan, maar het helpt niet.".into());
    }
    if w.chance(habit.clarify) {
        w.say(
            true,
            format!(
                "Kunt u mij vertellen wat er precies gebeurt met {}?",
                topic.thing
            ),
        );
        w.say(
            false,
            format!(
                "Nou, {}. En {}. Het begon eigenlijk vorige week, daarvoor ging het altijd goed.",
                topic.problem, topic.detail
            ),
        );
        w.say(true, "Hm-hm, ja.".into());
        w.say_one(false, SMALL_TALK);
        w.say(
            true,
            format!(
                "Sinds wanneer merkt u dat precies? En heeft u {} onlangs nog ergens anders neergezet of iets veranderd?",
                topic.thing
            ),
        );
        w.say(
            false,
            "Sinds een dag of vijf. Ik heb niks veranderd voor zover ik weet.".into(),
        );
        w.say(
            true,
            format!(
                "Dus als ik het goed begrijp: {} en dat speelt sinds een paar dagen. Klopt dat?",
                topic.detail
            ),
        );
        w.say(false, "Ja, dat klopt precies.".into());
        w.say(true, "Ik noteer het even in uw dossier.".into());
    }
    // Troubleshooting until the call has its length.
    let mut step = 0;
    while w.words < budget.saturating_sub(120) {
        let instruction = topic.steps[step % topic.steps.len()];
        let lead = w.pick(&[
            "Wilt u het volgende doen:",
            "Dan vraag ik u om",
            "Probeert u eens:",
            "De volgende stap is:",
        ]);
        w.say(true, format!("{lead} {instruction}."));
        w.say_one(
            false,
            &[
                "Even kijken hoor... ja, dat heb ik gedaan.",
                "Wacht, ik moet even naar de andere kamer lopen. Zo, ik sta er nu bij. Ja, gedaan.",
                "Oké, momentje. Ja.",
                "Ik zie het niet meteen, waar zit dat precies? O, daar. Ja, gelukt.",
            ],
        );
        if w.chance(habit.check) {
            w.say_one(
                true,
                &[
                    "Lukt dat?",
                    "Ziet u dat scherm nu ook?",
                    "Is dat gelukt?",
                    "Wat ziet u nu?",
                ],
            );
            w.say_one(
                false,
                &[
                    "Ja, dat lukt.",
                    "Ik zie nu een groen vinkje.",
                    "Er staat nu iets anders, even lezen. Verbinding maken, staat er.",
                    "Nee, nog niet, hetzelfde als eerst.",
                ],
            );
        }
        match w.rng.u8(..6) {
            0 => w.say_one(true, EXPLAIN),
            1 => w.say_one(false, SMALL_TALK),
            2 => {
                w.say(
                    false,
                    "Het duurt wel lang allemaal, zeg. Ik had gehoopt dat het sneller zou gaan."
                        .into(),
                );
                if w.chance(habit.empathy) {
                    w.say(
                        true,
                        "Ik begrijp het, we zijn er bijna. Ik kijk ondertussen ook even mee in het systeem.".into(),
                    );
                }
            }
            _ => {}
        }
        step += 1;
    }
    w.say(
        true,
        format!(
            "Ik zie het probleem. {}. Dan zou het nu moeten werken.",
            capitalise(topic.fix)
        ),
    );
    w.say(false, "O, wacht... ja! Het doet het weer.".into());
    w.say(
        true,
        "Fijn om te horen. Kunt u even controleren of alles nu echt weer normaal werkt?".into(),
    );
    w.say(false, "Ja, alles werkt weer zoals het hoort.".into());
    w.say(
        true,
        format!(
            "Samengevat: {} en daarmee is het opgelost. Mocht het toch weer gebeuren, belt u ons dan gerust terug.",
            topic.fix
        ),
    );
    w.say(true, "Kan ik u verder nog ergens mee helpen?".into());
    w.say(false, "Nee, dat was het. Dank u wel.".into());
    if w.chance(habit.thanks) {
        w.say(
            true,
            "Graag gedaan. Bedankt voor uw geduld en nog een fijne dag verder.".into(),
        );
    } else {
        w.say(true, "Oké, dag.".into());
    }
    w.say(false, "Dag.".into());
    let turns = w.turns;
    Call {
        id: format!("call-{index:07}"),
        agent_id: format!("a{agent:02}"),
        team: TEAMS[agent % TEAMS.len()],
        date: format!("2024-03-{day:02}"),
        queue: topic.queue,
        turns,
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
