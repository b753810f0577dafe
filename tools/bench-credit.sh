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
tools/setup.sh
command -v /usr/bin/time >/dev/null || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
swift build -c release -j 2 --product arlog >/dev/null
swift build -c release -j 2 --product arlog-feedgen >/dev/null
bin="$(swift build -c release --show-bin-path)"
work="${BENCH_DIR:-/tmp/arlog-bench}"
mkdir -p "$work"
feed="$work/feed-$events-$customers.ndjson"
store="$work/credit-store"
[ -s "$feed" ] || "$bin/arlog-feedgen" --events "$events" --customers "$customers" --seed 1 --output "$feed"
rm -rf "$store"

measure() {
    local name="$1"; shift
    local rc=0 secs kb
    /usr/bin/time -o "$work/time" -f "%e %M" "$@" >"$work/stdout" 2>"$work/stderr" || rc=$?
    read -r secs kb < <(tail -n 1 "$work/time")
    printf '%-40s %8.2f s  peak RSS %6d MiB  (exit %d)\n' "$name" "$secs" "$((kb / 1024))" "$rc"
}

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
measure "grade (one process)" "$bin/arlog" grade "$first" --store "$store"
measure "check (one process)" "$bin/arlog" check "$first" --amount 100 --store "$store" || true
measure "customers --grade D,E" "$bin/arlog" customers --grade D,E --store "$store"
echo "  $(wc -l < "$work/stdout") lines"
measure "limits (review every customer)" "$bin/arlog" limits --store "$store"
echo "  $(wc -l < "$work/stdout") lines"
measure "alerts (list all)" "$bin/arlog" alerts --store "$store" --format json
echo "  $(wc -l < "$work/stdout") alerts"
measure "verify (incl. risk replay)" "$bin/arlog" verify --store "$store"
