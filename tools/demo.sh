#!/usr/bin/env bash
# Sets everything up and runs arlog's main job on a demo data set: builds arlog, generates a
# seeded demo feed with the project's own generator, ingests it into a fresh store, and
# prints the aging report and the top debtors; then runs the day's credit review and shows
# the risky customers, the critical alerts, one customer's score and a credit check; then the
# collector's morning: the day's calls, the dunning actions due, one customer's open items;
# last, that customer's report as an HTML page.
# Usage: tools/demo.sh [EVENTS] (default 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
events="${1:-200000}"
tools/setup.sh
swift build -c release --static-swift-stdlib -j 2 --product arlog
swift build -c release --static-swift-stdlib -j 2 --product arlog-feedgen
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)"
demo="demo"
rm -rf "$demo/store"
mkdir -p "$demo"
echo "== generating $events events" >&2
"$bin/arlog-feedgen" --events "$events" --customers $((events / 50 + 1)) --seed 42 --output "$demo/feed.ndjson"
echo "== ingesting" >&2
"$bin/arlog" ingest --store "$demo/store" "$demo/feed.ndjson"
# The feed's last business day: the date the books are read on.
asof="$(tail -n 1 "$demo/feed.ndjson" | sed -n 's/.*"at":"\([0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}\).*/\1/p')"
echo
echo "== aging as of $asof, totals by currency (per customer: arlog aging --as-of $asof --store $demo/store)"
"$bin/arlog" aging --as-of "$asof" --store "$demo/store" | awk 'NR <= 2 || /^TOTAL/'
echo
echo "== top 10 debtors in EUR as of $asof (no FX: rank within one currency)"
"$bin/arlog" customers --as-of "$asof" --currency EUR --sort balance --limit 10 --store "$demo/store"
echo
echo "== credit review on $asof (what a daily cron job runs: regrades everyone, raises time-driven alerts)"
"$bin/arlog" review --at "${asof}T23:59:59Z" --actor demo --note "demo review" --store "$demo/store"
echo
echo "== grade E customers in EUR as of $asof, largest balance first"
"$bin/arlog" customers --grade E --as-of "$asof" --currency EUR --sort balance --limit 10 --store "$demo/store"
echo
echo "== critical alerts raised on $asof (first 10; all: arlog alerts --since $asof --level critical)"
"$bin/arlog" alerts --since "$asof" --level critical --store "$demo/store" > "$demo/alerts.txt"
head -n 12 "$demo/alerts.txt"
top="$("$bin/arlog" customers --grade E --as-of "$asof" --currency EUR --sort balance --limit 1 --format csv --store "$demo/store" | sed -n '2s/,.*//p')"
if [ -n "$top" ]; then
    echo
    echo "== why $top is graded as it is"
    "$bin/arlog" grade "$top" --as-of "$asof" --store "$demo/store"
    echo
    echo "== may we ship $top an order of 1000.00? (exit 0 approve, 10 review, 11 hold)"
    rc=0
    "$bin/arlog" check "$top" --amount 1000.00 --as-of "$asof" --store "$demo/store" || rc=$?
    echo "exit $rc"
fi
echo
echo "== the collector's morning on $asof: the first 10 calls (arlog worklist --as-of $asof)"
"$bin/arlog" worklist --as-of "$asof" --limit 10 --store "$demo/store"
echo
echo "== dunning actions due on $asof (first 10; logged by: arlog daily --as-of $asof --letters DIR)"
"$bin/arlog" dunning plan --as-of "$asof" --store "$demo/store" > "$demo/dunning-plan.txt"
head -n 12 "$demo/dunning-plan.txt"
echo "..."
tail -n 1 "$demo/dunning-plan.txt"
echo "(the whole plan: $demo/dunning-plan.txt)"
if [ -n "$top" ]; then
    echo
    echo "== what $top owes, item by item"
    "$bin/arlog" open "$top" --as-of "$asof" --store "$demo/store"
    echo
    echo "== $top's credit file as one HTML page (charts, history, statement; prints to PDF)"
    "$bin/arlog" report --customer "$top" --as-of "$asof" --out "$demo/$top.html" --store "$demo/store"
    echo "written: $demo/$top.html"
fi
echo
echo "Store in $demo/store; try: $bin/arlog --help (credit risk: docs/credit.md; collections: docs/collections.md)"
