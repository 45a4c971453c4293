#!/usr/bin/env python3
"""Runs a rule pack's own examples rewritten the ways Dutch calls differ from them.

An experiment outside callqa (see README, Accuracy): how much of a pack depends on the
punctuation, register and region its examples were written in. Each positive example's
last line is rewritten:

- asr:      lower case, no punctuation, no accents (what speech-to-text gives);
- informal: `u` -> `je` with the verb form that goes with it (`kunt u` -> `kun je`,
            `u heeft` -> `je hebt`, `uw` -> `je`);
- flemish:  `heeft u` -> `hebt ge`, `u kunt` -> `ge kunt`, `het` -> `'t`, `even` -> `efkes`;
- informal+asr, flemish+asr: both;
- run-on:   ASR text after an earlier sentence of the same turn ("oke dat is duidelijk ..."),
            as speech-to-text runs a speaker's sentences together into one utterance.

The rewrites are mechanical: a verb missing from the tables below is left as it is, so a
variant may be stilted, never wrong in a way the rules should accept. Variants equal to an
existing example are skipped. The rewritten examples replace the pack's examples in a copy
of the pack, and `callqa check --rules COPY` reports every variant the rules miss.

With --negative, the negative examples that are not questions are rewritten instead (a
question mark is what tells a question from a statement, so dropping it from a negative
question may rightly change its tags): a variant tagged is a new false tag.

Usage (after `cargo build --release`):
    python3 tools/example_variants.py asr [--rules rules/] [--negative] [--list]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import unicodedata

LABEL = re.compile(r"^(medewerker|klant|agent|customer|beller|operator)\s*:\s*", re.I)

# Formal verb form before `u` -> informal form before `je` (inversion drops the -t).
INFORMAL = {
    "kunt": "kun", "heeft": "heb", "hebt": "heb", "bent": "ben", "wilt": "wil",
    "ziet": "zie", "krijgt": "krijg", "gaat": "ga", "doet": "doe", "komt": "kom",
    "staat": "sta", "weet": "weet", "vindt": "vind", "merkt": "merk", "hoort": "hoor",
    "zit": "zit", "mag": "mag", "moet": "moet", "zou": "zou", "zal": "zal", "kan": "kan",
    "klikt": "klik", "drukt": "druk", "probeert": "probeer", "opent": "open", "typt": "typ",
    "kiest": "kies", "zet": "zet", "houdt": "hou", "haalt": "haal", "tikt": "tik",
    "kijkt": "kijk", "start": "start", "blijft": "blijf", "leest": "lees", "geeft": "geef",
    "belt": "bel", "stuurt": "stuur", "vult": "vul", "ontvangt": "ontvang",
    "gebruikt": "gebruik", "herkent": "herken", "begrijpt": "begrijp", "snapt": "snap",
    "neemt": "neem", "laat": "laat", "werkt": "werk", "denkt": "denk", "bedoelt": "bedoel",
    "vraagt": "vraag", "wacht": "wacht", "zegt": "zeg", "trekt": "trek", "schuift": "schuif",
    "logt": "log", "sluit": "sluit",
}
# Declarative `u heeft` -> `je hebt`.
INFORMAL_DECLARATIVE = {"heeft": "hebt", "kan": "kunt"}
# Flemish keeps the -t before `ge` but has its own forms of a few verbs.
FLEMISH = {"heeft": "hebt", "bent": "zijt", "kan": "kunt", "zou": "zoudt", "zal": "zult"}
DECLARATIVE_VERBS = (
    "heeft|kan|bent|hebt|kunt|wilt|ziet|krijgt|gaat|doet|moet|mag|zou|zal"
)


def capitalised_like(model, word):
    return word[0].upper() + word[1:] if model[0].isupper() else word


def asr(text):
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[.,?!;:\"()…]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def informal(text):
    def inverted(m):
        verb = INFORMAL.get(m.group(1).lower())
        return m.group(0) if verb is None else capitalised_like(m.group(1), verb) + " je"

    text = re.sub(r"\b(\w+) u\b", inverted, text)
    text = re.sub(
        rf"\b([Uu]) ({DECLARATIVE_VERBS})\b",
        lambda m: capitalised_like(m.group(1), "je")
        + " "
        + INFORMAL_DECLARATIVE.get(m.group(2), m.group(2)),
        text,
    )
    text = re.sub(r"\b([Uu])w\b", lambda m: capitalised_like(m.group(1), "je"), text)
    return re.sub(r"\b([Uu])\b", lambda m: capitalised_like(m.group(1), "je"), text)


def flemish(text):
    def inverted(m):
        verb = m.group(1).lower()
        if verb not in INFORMAL:
            return m.group(0)
        return capitalised_like(m.group(1), FLEMISH.get(verb, verb)) + " ge"

    text = re.sub(r"\b(\w+) u\b", inverted, text)
    text = re.sub(
        rf"\b([Uu]) ({DECLARATIVE_VERBS})\b",
        lambda m: capitalised_like(m.group(1), "ge") + " " + FLEMISH.get(m.group(2), m.group(2)),
        text,
    )
    text = re.sub(r"\b([Ee])ven ", lambda m: capitalised_like(m.group(1), "efkes") + " ", text)
    return re.sub(r"\bhet\b", "'t", text)


def run_on(text):
    """ASR text that runs on from an earlier sentence of the same turn."""
    return "oke dat is duidelijk " + asr(text)


REWRITES = {
    "asr": asr,
    "run-on": run_on,
    "informal": informal,
    "flemish": flemish,
    "informal+asr": lambda t: asr(informal(t)),
    "flemish+asr": lambda t: asr(flemish(t)),
}


def rewrite_last_line(example, rewrite):
    """The example with its last line's text rewritten, or None when nothing changed."""
    *before, last = example.split("\n")
    label = LABEL.match(last)
    prefix = label.group(0) if label else ""
    text = last[len(prefix):]
    new = rewrite(text)
    return None if new == text else "\n".join(before + [prefix + new])


def write_variants(pack, kind, negative):
    """Rewrites every technique file's examples in `pack`; returns the variant count."""
    rewrite = REWRITES[kind]
    total = 0
    techniques = os.path.join(pack, "techniques")
    for name in sorted(os.listdir(techniques)):
        path = os.path.join(techniques, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        examples = tomllib.loads(text).get("examples", {})
        originals = examples.get("negative" if negative else "positive", [])
        if negative:
            originals = [e for e in originals if "?" not in e.split("\n")[-1]]
        seen = set(originals)
        variants = []
        for example in originals:
            variant = rewrite_last_line(example, rewrite)
            if variant is not None and variant not in seen:
                seen.add(variant)
                variants.append(variant)
        total += len(variants)
        listed = "".join(f"  {json.dumps(v, ensure_ascii=False)},\n" for v in variants)
        examples_table = (
            f"\n[examples]\npositive = []\nnegative = [\n{listed}]\n"
            if negative
            else f"\n[examples]\npositive = [\n{listed}]\nnegative = []\n"
        )
        head = text[: text.index("\n[examples]")] if "\n[examples]" in text else text
        with open(path, "w", encoding="utf-8") as f:
            f.write(head + examples_table)
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=sorted(REWRITES))
    parser.add_argument("--rules", default="rules", help="the pack to rewrite (default: rules)")
    parser.add_argument("--negative", action="store_true", help="rewrite negative examples")
    parser.add_argument("--list", action="store_true", help="print every variant missed")
    parser.add_argument("--callqa", default="target/release/callqa")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pack = os.path.join(tmp, "rules")
        shutil.copytree(args.rules, pack)
        total = write_variants(pack, args.kind, args.negative)
        run = subprocess.run(
            [args.callqa, "check", "--rules", pack], capture_output=True, text=True
        )
    failures = [
        line
        for line in (run.stdout + run.stderr).splitlines()
        if "example NOT tagged" in line or "example tagged" in line
    ]
    per_technique = {}
    for line in failures:
        technique = line.split(": ")[1]
        per_technique[technique] = per_technique.get(technique, 0) + 1
    side = "negative" if args.negative else "positive"
    print(f"{args.kind} variants of {side} examples: {total}, failed: {len(failures)}")
    for technique, count in sorted(per_technique.items(), key=lambda kv: -kv[1]):
        print(f"  {technique:30} {count}")
    if args.list:
        for line in failures:
            # "<file>:<line>: technique: positive example NOT tagged: ..." without the copy's path
            print(line.split(": ", 1)[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
