#!/usr/bin/env bash
# Benchmark of the dunning ladder with the release binaries: a store of CUSTOMERS customers
# (arlog-feedgen), then `dunning plan` (today and as of the feed's last day) and `daily` (the
# credit review, the dunning run, the summary) as of that day: the first run, which logs the
# whole backlog, and a second the same day, which appends nothing (what cron does every day).
# Prints one line per measurement; docs/collections.md quotes its output.
# Usage: tools/bench-dunning.sh [EVENTS] [CUSTOMERS]   (default 1000000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
events="${1:-1000000}"
customers="${2:-100000}"
source tools/bench-lib.sh
store="$work/dunning-store"
rm -rf "$store"

echo "feed: $events events, $customers customers; machine: $(nproc) cores"
measure "ingest" "$bin/arlog" ingest --store "$store" "$feed"
tail -n 1 "$work/stderr"
# The feed's last business day: the generated history ends years before today.
asof="$(tail -n 1 "$feed" | sed -n 's/.*"at":"\([0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}\).*/\1/p')"
measure "dunning plan (today)" "$bin/arlog" dunning plan --store "$store" --format csv
echo "  $(($(wc -l < "$work/stdout") - 1)) actions due today"
measure "dunning plan --as-of $asof" "$bin/arlog" dunning plan --as-of "$asof" --store "$store" --format csv
echo "  $(($(wc -l < "$work/stdout") - 1)) actions due as of $asof"
measure "daily --as-of $asof (first run)" "$bin/arlog" daily --as-of "$asof" --store "$store" --format json
echo "  $(grep -o '"appended":[0-9]*}$' "$work/stdout")"
measure "daily --as-of $asof (again)" "$bin/arlog" daily --as-of "$asof" --store "$store" --format json
echo "  $(grep -o '"appended":[0-9]*}$' "$work/stdout")"
measure "dunning plan --as-of $asof (after)" "$bin/arlog" dunning plan --as-of "$asof" --store "$store" --format csv
echo "  $(($(wc -l < "$work/stdout") - 1)) actions due"
letters="$work/letters"
rm -rf "$letters"
next="$(date -u -d "$asof + 30 days" +%F)"
measure "daily --as-of $next --letters" "$bin/arlog" daily --as-of "$next" --store "$store" --letters "$letters" --format json
echo "  $(grep -o '"appended":[0-9]*}$' "$work/stdout"), $(ls "$letters" | wc -l) letters"
