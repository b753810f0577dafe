#!/usr/bin/env bash
# Benchmark of the collector's views with the release binaries: `worklist` over a store of
# CUSTOMERS customers (every line, the first 50, as of the feed's last day, one collector's),
# and `aging` with the customers' names (table) against its JSON (no names).
# Then `worklist` today on a store whose feed ends yesterday (bench_recent in bench-lib.sh): the
# default feed's history ends in 2023, so its "today" is a backlog of nearly every customer.
# Prints one line per measurement (wall seconds and peak RSS of the whole process).
# Usage: tools/bench-worklist.sh [EVENTS] [CUSTOMERS]   (default 1000000 100000)
# The aim (issue 10): worklist under 1 s over 100,000 customers on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
events="${1:-1000000}"
customers="${2:-100000}"
source tools/bench-lib.sh
store="$work/worklist-store-$events-$customers"
if [ ! -d "$store" ] || [ "$feed" -nt "$store" ]; then
    rm -rf "$store"
    measure "ingest" "$bin/arlog" ingest --store "$store" "$feed"
    tail -n 1 "$work/stderr"
fi
# Three collectors by id prefix (the generator's ids are C000001...), the rest to a default.
cat > "$work/collectors.json" <<'JSON'
{"collectors": {"alice": {"prefixes": ["C00", "C01", "C02"]},
                "bob": {"prefixes": ["C03", "C04", "C05"]}},
 "default": "carol"}
JSON
asof="$(tail -n 1 "$feed" | sed -n 's/.*"at":"\([0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}\).*/\1/p')"

echo "feed: $events events, $customers customers; machine: $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "-- backlog: the feed ends on $asof, today is $(date -u +%F)"
measure "worklist (every line, csv)" "$bin/arlog" worklist --store "$store" --format csv
echo "  $(($(wc -l < "$work/stdout") - 1)) customers to call today"
measure "worklist --limit 50" "$bin/arlog" worklist --store "$store" --limit 50
measure "worklist --as-of $asof --limit 50" "$bin/arlog" worklist --store "$store" --as-of "$asof" --limit 50
measure "worklist --as-of $asof (every line)" "$bin/arlog" worklist --store "$store" --as-of "$asof" --format csv
echo "  $(($(wc -l < "$work/stdout") - 1)) customers to call as of $asof"
measure "worklist --collector alice --limit 50" "$bin/arlog" worklist --store "$store" --collector alice --assignments "$work/collectors.json" --limit 50
measure "aging (table, with names)" "$bin/arlog" aging --store "$store"
measure "aging (json, no names)" "$bin/arlog" aging --store "$store" --format json

echo "-- recent: the feed moved to end yesterday"
bench_recent
echo "  feed ends $recent_last, today is $(date -u +%F); load: $(cut -d' ' -f1-3 /proc/loadavg)"
measure "worklist --limit 50 (today)" "$bin/arlog" worklist --store "$recent_store" --limit 50
measure "worklist (today, every line, csv)" "$bin/arlog" worklist --store "$recent_store" --format csv
echo "  $(($(wc -l < "$work/stdout") - 1)) customers to call today"
