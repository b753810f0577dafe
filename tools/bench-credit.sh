#!/usr/bin/env bash
# Benchmark of the credit-risk projection with the release binaries: a store of CUSTOMERS
# customers, then one credit policy change (which regrades every customer in the transaction
# that logs it), one credit review (the same work under the same policy), and the read side:
# grade, check, customers --grade, limits, alerts.
# Prints one line per measurement; docs/performance.md quotes its output.
# Usage: tools/bench-credit.sh [EVENTS] [CUSTOMERS]   (default 1000000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
events="${1:-1000000}"
customers="${2:-100000}"
source tools/bench-lib.sh
store="$work/credit-store"
rm -rf "$store"

# A stricter policy: every grade boundary 5 points higher than the default's.
"$bin/arlog" policy show --default --format json \
    | sed -e 's/"A": *85/"A": 90/' -e 's/"B": *70/"B": 75/' -e 's/"C": *55/"C": 60/' -e 's/"D": *40/"D": 45/' \
          -e 's/"name": *"[^"]*"/"name": "bench strict"/' > "$work/strict-policy.json"

echo "feed: $events events, $customers customers; machine: $(nproc) cores"
measure "ingest (with the risk projection)" "$bin/arlog" ingest --store "$store" "$feed"
tail -n 1 "$work/stderr"
measure "policy set (regrade $customers customers)" "$bin/arlog" policy set "$work/strict-policy.json" --store "$store" --actor bench --note benchmark
measure "review (regrade $customers customers)" "$bin/arlog" review --store "$store" --actor bench
first="$(head -c 400 "$feed" | sed -n 's/.*"customer":"\([^"]*\)".*/\1/p' | head -1)"
# The feed's last business day: the generated history ends years before today, so "today"
# finds nearly everyone long overdue and without recent sales; as of this day it does not.
asof="$(tail -n 1 "$feed" | sed -n 's/.*"at":"\([0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}\).*/\1/p')"
measure "grade (one process)" "$bin/arlog" grade "$first" --store "$store"
measure "grade --as-of (one process)" "$bin/arlog" grade "$first" --as-of "$asof" --store "$store"
measure "check (one process)" "$bin/arlog" check "$first" --amount 100 --store "$store"
measure "customers --grade D,E" "$bin/arlog" customers --grade D,E --store "$store" --format csv
echo "  $(($(wc -l < "$work/stdout") - 1)) customers graded D or E now"
measure "limits (review every customer, today)" "$bin/arlog" limits --store "$store" --format csv
echo "  $(($(wc -l < "$work/stdout") - 1)) limits to review today"
measure "limits --as-of $asof" "$bin/arlog" limits --as-of "$asof" --store "$store" --format csv
echo "  $(($(wc -l < "$work/stdout") - 1)) limits to review as of $asof"
measure "alerts (the latest 1000)" "$bin/arlog" alerts --store "$store"
echo "  $(tail -n 1 "$work/stderr")"
measure "verify (incl. risk replay)" "$bin/arlog" verify --store "$store"
