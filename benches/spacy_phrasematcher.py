"""What a Python user would reach for: spaCy's PhraseMatcher over the same phrase list.

    python3 benches/spacy_phrasematcher.py phrases.txt call1.txt call2.txt ...

A blank Dutch pipeline (tokenizer only, no model download), LOWER attribute so matching is
case-insensitive like callqa's. Counts matches per file; used by benches/throughput.sh.
"""

import sys

import spacy
from spacy.matcher import PhraseMatcher


def main() -> None:
    nlp = spacy.blank("nl")
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    with open(sys.argv[1], encoding="utf-8") as f:
        phrases = [line.strip() for line in f if line.strip()]
    matcher.add("PHRASES", list(nlp.tokenizer.pipe(phrases)))
    total = 0
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            total += len(matcher(nlp.make_doc(f.read())))
    print(total)


if __name__ == "__main__":
    main()
