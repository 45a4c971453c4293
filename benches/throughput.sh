#!/usr/bin/env bash
# Throughput of archive-scale batch runs: MB/s, calls/s and peak RSS of
# `callqa analyze --format jsonl` on 1 and all threads, next to the speed-of-scanning
# baseline of ripgrep over the same bytes with the pack's own normalised phrase list
# (`rg -c -F -f phrases.txt`, case-sensitive so ripgrep keeps its Aho-Corasick fast path).
#
#   benches/throughput.sh [CALLS]        # plain text, JSON files and a JSONL stream (default 20000 calls),
#                                        # then the hand-written annotated corpus/ (once, and three
#                                        # times over in one run: the warmed-up rate)
#   benches/throughput.sh --rss          # peak RSS at 1,000 vs 100,000 calls (JSONL stream)
#
# Not run by CI. Needs cargo and GNU time (/usr/bin/time); ripgrep (`apt-get install
# ripgrep`) and spaCy (`pip install spacy`, for its PhraseMatcher) are measured when present.
# Each figure is the best of $RUNS (default 3) runs with a warm page cache. MB = 10^6
# bytes of input.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet --bin callqa --example gen_corpus
BIN=${CALLQA_BIN:-$PWD/target/release/callqa}   # CALLQA_BIN: measure another build
GEN=$PWD/target/release/examples/gen_corpus
ALL=$(nproc)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# best_of CMD...: runs CMD $RUNS times (default 3), leaves the fastest "seconds max_rss_kib" in $BEST.
RUNS=${RUNS:-3}
best_of() {
  BEST=""
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr" || {
      # callqa exits 1 when an input failed; anything else is a broken run.
      [ $? -eq 1 ] || { cat "$WORK/stderr"; exit 1; }
    }
    read -r secs kib <"$WORK/time"
    if [ -z "$BEST" ] || awk -v a="$secs" -v b="${BEST%% *}" 'BEGIN{exit !(a<b)}'; then
      BEST="$secs $kib"
    fi
  done
}

bytes_of() { find "$@" -type f \( -name '*.txt' -o -name '*.json' -o -name '*.jsonl' \) -printf '%s\n' | awk '{s+=$1} END{print s}'; }

row() { # label threads bytes calls seconds kib [baseline_seconds]
  awk -v l="$1" -v t="$2" -v b="$3" -v c="$4" -v s="$5" -v k="$6" -v r="${7:-}" 'BEGIN{
    s = (s < 0.01) ? 0.01 : s;
    ratio = (r == "") ? "" : sprintf("%.2fx rg", s / ((r < 0.01) ? 0.01 : r));
    printf "%-28s %2s thr  %8.2f MB/s  %9.0f calls/s  %7.1f MiB peak  %s\n", l, t, b/s/1e6, c/s, k/1024, ratio }'
}

if [ "${1:-}" = "--rss" ]; then
  RUNS=1
  echo "== peak RSS, callqa analyze --format jsonl on all $ALL threads, JSONL stream"
  for calls in 1000 100000; do
    "$GEN" --calls "$calls" --layout jsonl --out "$WORK/rss$calls" 2>/dev/null
    best_of "$BIN" analyze --quiet --format jsonl --threads "$ALL" -o "$WORK/out.jsonl" "$WORK/rss$calls/calls.jsonl"
    read -r secs kib <<<"$BEST"
    row "$calls calls" "$ALL" "$(bytes_of "$WORK/rss$calls")" "$calls" "$secs" "$kib"
    rm -rf "$WORK/rss$calls" "$WORK/out.jsonl"
  done
  exit 0
fi

CALLS=${1:-20000}
"$GEN" --calls "$CALLS" --format plain --layout files --out "$WORK/plain" --phrases "$WORK/phrases.txt"
"$GEN" --calls "$CALLS" --format json --layout files --out "$WORK/json" 2>/dev/null
"$GEN" --calls "$CALLS" --layout jsonl --out "$WORK/jsonl" 2>/dev/null
cat "$WORK"/plain/calls/*/* "$WORK"/json/calls/*/* "$WORK/jsonl/calls.jsonl" >/dev/null
echo "== $CALLS calls, $(wc -l <"$WORK/phrases.txt") phrases; $ALL cores"

for corpus in plain json jsonl; do
  dir="$WORK/$corpus"
  bytes=$(bytes_of "$dir")
  for threads in 1 "$ALL"; do
    rg_secs=""
    if command -v rg >/dev/null; then
      best_of rg -c -F -f "$WORK/phrases.txt" -j "$threads" "$dir"
      read -r rg_secs rg_kib <<<"$BEST"
      row "rg -c -F -f ($corpus)" "$threads" "$bytes" "$CALLS" "$rg_secs" "$rg_kib"
    fi
    best_of "$BIN" analyze --quiet --format jsonl --threads "$threads" -o "$WORK/out.jsonl" "$dir"
    read -r secs kib <<<"$BEST"
    row "callqa analyze ($corpus)" "$threads" "$bytes" "$CALLS" "$secs" "$kib" "$rg_secs"
  done
done

# The synthetic archive repeats its generator's phrasings, so the patterns' lazy DFAs soon
# have every state they need. The annotated corpus is hand-written by many writers and
# keeps them building new states: the figure a real archive is closer to.
calls=$(find corpus -name '*.gold.toml' | wc -l)
bytes=$(find corpus -name '*.txt' -printf '%s\n' | awk '{s+=$1} END{print s}')
for threads in 1 "$ALL"; do
  best_of "$BIN" analyze --quiet --format jsonl --threads "$threads" -o "$WORK/out.jsonl" corpus
  read -r secs kib <<<"$BEST"
  row "callqa analyze (corpus/)" "$threads" "$bytes" "$calls" "$secs" "$kib"
  [ "$threads" = 1 ] && secs1=$secs
done
# The same calls three times over in one run: past the first pass the patterns' states are
# built, so the difference between the two rows is the rate once a run has warmed up.
for copy in 1 2 3; do cp -r corpus "$WORK/corpus_x3_$copy"; done
best_of "$BIN" analyze --quiet --format jsonl --threads 1 -o "$WORK/out.jsonl" "$WORK"/corpus_x3_*
read -r secs3 kib3 <<<"$BEST"
row "callqa analyze (corpus/ x3)" 1 "$((bytes * 3))" "$((calls * 3))" "$secs3" "$kib3"
awk -v b="$bytes" -v s1="$secs1" -v s3="$secs3" 'BEGIN{
  d = s3 - s1; d = (d < 0.01) ? 0.01 : d;
  printf "  corpus/, warmed up (second and third pass, 1 thr): %.2f MB/s\n", 2 * b / d / 1e6 }'
rm -rf "$WORK"/corpus_x3_*

if python3 -c 'import spacy' 2>/dev/null; then
  files=$(find "$WORK/plain" -name '*.txt' | sort | sed -n '1,2000p')
  bytes=$(cat $files | wc -c)
  best_of python3 benches/spacy_phrasematcher.py "$WORK/phrases.txt" $files
  read -r secs kib <<<"$BEST"
  row "spaCy PhraseMatcher (plain)" 1 "$bytes" 2000 "$secs" "$kib"
fi
