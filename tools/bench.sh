#!/usr/bin/env bash
# End-to-end benchmark of the release binaries on a generated feed: ingest (file → validated →
# logged → projected), rebuild, verify, audit verify, export, one `arlog balance` process,
# aging over all customers.
# Prints one line per measurement; docs/performance.md quotes its output.
# Usage: tools/bench.sh [EVENTS] [CUSTOMERS]   (default 1000000 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
events="${1:-1000000}"
customers="${2:-20000}"
tools/setup.sh
command -v /usr/bin/time >/dev/null || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
swift build -c release -j 2 --product arlog >/dev/null
swift build -c release -j 2 --product arlog-feedgen >/dev/null
bin="$(swift build -c release --show-bin-path)"
work="${BENCH_DIR:-/tmp/arlog-bench}"
mkdir -p "$work"
feed="$work/feed-$events-$customers.ndjson"
store="$work/store"
[ -s "$feed" ] || "$bin/arlog-feedgen" --events "$events" --customers "$customers" --seed 1 --output "$feed"
rm -rf "$store"

# measure NAME CMD...: wall seconds and peak RSS of one command.
measure() {
    local name="$1"; shift
    local rc=0 secs kb
    /usr/bin/time -o "$work/time" -f "%e %M" "$@" >/dev/null 2>"$work/stderr" || rc=$?
    read -r secs kb < <(tail -n 1 "$work/time")
    printf '%-34s %8.2f s  peak RSS %6d MiB  (exit %d)\n' "$name" "$secs" "$((kb / 1024))" "$rc"
}

echo "feed: $events events, $customers customers, $(du -h "$feed" | cut -f1); machine: $(nproc) cores"
measure "ingest" "$bin/arlog" ingest --store "$store" "$feed"
tail -n 1 "$work/stderr"
measure "rebuild" "$bin/arlog" rebuild --store "$store"
measure "verify" "$bin/arlog" verify --store "$store"
measure "audit verify" "$bin/arlog" audit verify --store "$store"
measure "export" "$bin/arlog" export --store "$store"
first="$(head -c 400 "$feed" | sed -n 's/.*"customer":"\([^"]*\)".*/\1/p' | head -1)"
measure "balance (one process)" "$bin/arlog" balance "$first" --store "$store"
measure "balance --as-of (one process)" "$bin/arlog" balance "$first" --as-of 2023-04-15 --store "$store"
measure "aging, all customers" "$bin/arlog" aging --store "$store" --format json
measure "aging --as-of, all customers" "$bin/arlog" aging --as-of 2023-04-15 --store "$store" --format json
measure "customers --sort balance" "$bin/arlog" customers --sort balance --store "$store" --format csv
du -sh "$store" | awk '{print "store size: " $1}'
