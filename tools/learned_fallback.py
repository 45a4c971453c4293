#!/usr/bin/env python3
"""Measures what a learned fallback would add to the rules (an experiment, not part of callqa).

For each technique a logistic regression over the turn's word 1-3-grams, character 3-5-grams
and the previous turn's word 1-2-grams (tf-idf) is trained on the gold turns of TRAIN (the
tuning part) and run on TEST (held-back calls it never saw). A turn gets a technique when the
rules give it (callqa's own tags) OR the model's probability exceeds the threshold. Prints
micro/macro F1, techniques below 0.80 and phase presence (a phase is present when any of its
evidence techniques is; the mapping below copies rules/methodologies) for the rules alone, the model alone and
both together.

    pip install scikit-learn
    cargo build --release
    python3 tools/learned_fallback.py corpus/tuning corpus/holdout [--thr 0.4 0.5] [--train-fraction 0.5]
"""
import argparse, collections, json, os, random, re, subprocess, tomllib, unicodedata

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

PHASES = {
    "clear": {
        "clarify": ["open_question", "detail_question", "paraphrase", "check_understanding"],
        "listen": ["backchannel", "note_taking"],
        "empathize": ["empathy_statement", "apology", "reassurance"],
        "act": ["step_instruction", "agent_action", "alternative_solution", "check_step"],
        "resolve": ["confirm_resolution", "offer_more_help", "solution_summary", "preventive_advice"],
    },
    "lasso": {
        "luisteren": ["backchannel", "note_taking"],
        "analyseren": ["detail_question", "knowledge_consult"],
        "samenvatten": ["paraphrase", "check_understanding", "invite_additions"],
        "oplossing": ["step_instruction", "agent_action", "alternative_solution", "check_step"],
        "opvolgen": ["confirm_resolution", "offer_more_help", "solution_summary", "escalation",
                     "reference_number", "feedback_request"],
    },
}


def turns(directory, binary):
    """Every turn of the annotated calls in DIRECTORY with its gold and rule tags."""
    out = subprocess.run([binary, "analyze", "--quiet", "--format", "jsonl", directory],
                         capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        report = json.loads(line)
        if "turns" not in report:
            continue
        base = os.path.splitext(report["source"])[0]
        if not os.path.exists(base + ".gold.toml"):
            continue
        gold = tomllib.load(open(base + ".gold.toml", "rb")).get("turns", {})
        previous = ""
        for turn in report["turns"]:
            rows.append({"call": base, "speaker": turn["speaker"], "text": turn["text"],
                         "previous": previous, "gold": set(gold.get(str(turn["index"]), [])),
                         "rules": set(turn["techniques"])})
            previous = turn["text"]
    return rows


def fold(text):
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9' ]+", " ", text)


def probabilities(train, test):
    """(test row, technique) -> probability, one model per technique over its speaker's turns."""
    views = [
        (TfidfVectorizer(ngram_range=(1, 3), min_df=2, sublinear_tf=True), "text", 1.0),
        (TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=3, sublinear_tf=True,
                         max_features=100000), "text", 1.0),
        (TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True), "previous", 0.5),
    ]
    x_train = hstack([w * v.fit_transform([fold(r[f]) for r in train]) for v, f, w in views]).tocsr()
    x_test = hstack([w * v.transform([fold(r[f]) for r in test]) for v, f, w in views]).tocsr()
    speakers = collections.defaultdict(collections.Counter)
    for row in train:
        for technique in row["gold"]:
            speakers[technique][row["speaker"]] += 1
    result = {}
    for technique in sorted(speakers):
        speaker = speakers[technique].most_common(1)[0][0]
        tr = [i for i, r in enumerate(train) if r["speaker"] == speaker]
        te = [i for i, r in enumerate(test) if r["speaker"] == speaker]
        labels = np.array([technique in train[i]["gold"] for i in tr])
        model = LogisticRegression(C=4.0, max_iter=3000).fit(x_train[tr], labels)
        for i, p in zip(te, model.predict_proba(x_test[te])[:, 1]):
            result[(i, technique)] = p
    return result


def score(test, probability, threshold, mode):
    counts = collections.defaultdict(lambda: [0, 0, 0])
    calls = collections.defaultdict(lambda: (set(), set()))
    techniques = sorted({t for _, t in probability})
    for i, row in enumerate(test):
        found = set(row["rules"]) if mode != "model" else set()
        if mode != "rules":
            found |= {t for t in techniques if probability.get((i, t), 0) > threshold}
        for t in row["gold"] | found:
            counts[t][0 if t in row["gold"] and t in found else 1 if t in found else 2] += 1
        calls[row["call"]][0].update(row["gold"])
        calls[row["call"]][1].update(found)
    tp, fp, fn = (sum(c[k] for c in counts.values()) for k in range(3))
    f1 = {t: 2 * c[0] / (2 * c[0] + c[1] + c[2]) for t, c in counts.items()}
    presence = {}
    for methodology, phases in PHASES.items():
        agree = [bool(g & set(ev)) == bool(f & set(ev)) for g, f in calls.values() for ev in phases.values()]
        presence[methodology] = sum(agree) / len(agree)
    return (f"{mode:<13} micro P {tp / (tp + fp):.3f} R {tp / (tp + fn):.3f} F1 {2 * tp / (2 * tp + fp + fn):.3f}"
            f"  macro {np.mean(list(f1.values())):.3f}  below 0.80: {sum(v < 0.8 for v in f1.values()):2}"
            f"  phase presence clear {presence['clear']:.3f} lasso {presence['lasso']:.3f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train")
    parser.add_argument("test")
    parser.add_argument("--thr", type=float, nargs="+", default=[0.4, 0.5])
    parser.add_argument("--train-fraction", type=float, default=1.0,
                        help="train on this share of the TRAIN calls (a learning curve)")
    parser.add_argument("--bin", default="target/release/callqa")
    args = parser.parse_args()
    train, test = turns(args.train, args.bin), turns(args.test, args.bin)
    if args.train_fraction < 1.0:
        calls = sorted({r["call"] for r in train})
        random.Random(2).shuffle(calls)
        keep = set(calls[: int(len(calls) * args.train_fraction)])
        train = [r for r in train if r["call"] in keep]
    print(f"train: {len({r['call'] for r in train})} calls, {len(train)} turns; "
          f"test: {len({r['call'] for r in test})} calls, {len(test)} turns")
    probability = probabilities(train, test)
    print(score(test, probability, 0, "rules"))
    for threshold in args.thr:
        print(f"threshold {threshold}")
        print(score(test, probability, threshold, "model"))
        print(score(test, probability, threshold, "rules + model"))


if __name__ == "__main__":
    main()
