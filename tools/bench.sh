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
source tools/bench-lib.sh
store="$work/store"
rm -rf "$store"

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
