#!/usr/bin/env bash
# Benchmark of the dunning ladder with the release binaries, in two parts.
#
# 1. Backlog: a store of CUSTOMERS customers from the generator's default feed, whose history
#    ends in 2023. `dunning plan` today (years after the feed: nearly every customer long
#    overdue, ~100,000 actions) and as of the feed's last day, and `daily` (the credit review,
#    the dunning run, the summary) as of that day: the first run, which logs that day's actions,
#    and a second the same day, which appends nothing.
# 2. Recent ("today" in daily use): the same feed moved by --start so that it ends yesterday
#    (bench_recent in bench-lib.sh). `dunning plan` and `daily` without --as-of, as cron runs
#    them: the first run on a copy of the store, then again the same day.
#
# Prints one line per measurement; docs/collections.md quotes its output.
# Usage: tools/bench-dunning.sh [EVENTS] [CUSTOMERS]   (default 1000000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
events="${1:-1000000}"
customers="${2:-100000}"
source tools/bench-lib.sh
store="$work/dunning-store"
rm -rf "$store"

echo "feed: $events events, $customers customers; machine: $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "-- backlog: the feed ends on $(feed_last_day "$feed"), today is $(date -u +%F)"
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

echo "-- recent: the feed moved to end yesterday"
bench_recent
echo "  feed ends $recent_last, today is $(date -u +%F); load: $(cut -d' ' -f1-3 /proc/loadavg)"
measure "dunning plan (today)" "$bin/arlog" dunning plan --store "$recent_store" --format csv
echo "  $(($(wc -l < "$work/stdout") - 1)) actions due today"
scratch="$work/recent-scratch"
rm -rf "$scratch"
cp -r "$recent_store" "$scratch"
measure "daily (today, first run)" "$bin/arlog" daily --store "$scratch" --format json
echo "  $(grep -o '"appended":[0-9]*}$' "$work/stdout")"
measure "daily (today, again)" "$bin/arlog" daily --store "$scratch" --format json
echo "  $(grep -o '"appended":[0-9]*}$' "$work/stdout")"
measure "dunning plan (today, after)" "$bin/arlog" dunning plan --store "$scratch" --format csv
echo "  $(($(wc -l < "$work/stdout") - 1)) actions due"
rm -rf "$scratch"
