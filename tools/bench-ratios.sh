#!/usr/bin/env bash
# Measures arlog (release build) against the raw LMDB reference in the same run, and prints each
# figure next to issue 9's target, as a ratio to the raw figure where the target is one, with
# PASS or FAIL. Not part of the test suite (CI runs tools/test.sh only); docs/performance.md,
# "How to measure: ratios against raw LMDB", says what each line means.
#
# Usage:
#   tools/bench-ratios.sh [--no-heap] [EVENTS [CUSTOMERS]]    default 1000000 22000
#   tools/bench-ratios.sh 10000000 220000                     the 10M case (disk and time: it
#                                                             prints an estimate and checks space)
#   tools/bench-ratios.sh --callgrind [EVENTS [CUSTOMERS]]    default 20000 440: instructions per
#                                                             event (valgrind), the stable figure
#
# What it does (ratio mode), every step a separate process:
#   1. builds arlog and arlog-feedgen (release), tools/raw-lmdb and tools/heap-peak (gcc), and
#      generates the feed with tools/gen-feed.sh (seed 1), all under BENCH_DIR (/tmp/arlog-bench);
#   2. raw LMDB reference on the same filesystem: EVENTS records of 200 bytes appended with
#      MDB_APPEND, 10,000 per synced transaction, then scanned with a cursor (and once without
#      sync, for reference). It runs before arlog and again after; the faster of the two runs
#      is the reference, so that a slow moment of the machine never flatters arlog's ratios;
#   3. arlog ingest (wall clock of the process; events/s = accepted / wall), arlog rebuild,
#      arlog audit verify, arlog aging --as-of D --format json for four dates (the first
#      month's end, the middle line's day, the last day, a year after the end: the maximum
#      counts), arlog balance C as a process (hyperfine: median of 20 runs after 3 warm-ups);
#   4. peak heap of ingest and rebuild: both again, into a fresh store, with the heap-peak
#      interposer preloaded (tools/heap-peak/heap-peak.c: live malloc'd bytes, by
#      malloc_usable_size, at their highest; also the number of allocations). Timed runs never
#      carry the interposer. Peak RSS (/usr/bin/time's maxresident) is reported beside it; it
#      also counts LMDB's mapped pages, which are not heap.
# Every arlog command must exit 0; anything else stops the script with its stderr.
#
# Callgrind mode: instructions (valgrind --tool=callgrind, Ir) of ingest, rebuild, audit verify
# on a small feed (default 20,000 events of 440 customers: the 1M/22k feed's ~45 events per
# customer), minus the same command on an empty store, per event; plus balance and aging as
# whole processes, and the top functions of ingest and rebuild by their own instructions.
# Instruction counts hardly move with the machine's load, so this is the figure to compare
# before and after a change. SWIFT_DETERMINISTIC_HASHING=1 keeps dictionary layouts the same
# from run to run.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=ratios
heap=1
while [ $# -gt 0 ]; do
    case "$1" in
        --callgrind) mode=callgrind; shift ;;
        --no-heap) heap=0; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
        -*) echo "bench-ratios: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) break ;;
    esac
done
if [ "$mode" = callgrind ]; then events="${1:-20000}"; customers="${2:-440}"; else events="${1:-1000000}"; customers="${2:-22000}"; fi
for n in "$events" "$customers"; do
    [[ "$n" =~ ^[1-9][0-9]{0,9}$ ]] || { echo "bench-ratios: EVENTS and CUSTOMERS must be whole numbers, not \"$n\"" >&2; exit 2; }
done

# Disk per event while the script runs: the feed (~210 B), one arlog store at a time (~1,300 B
# of data at 1M, and writers reserve their whole map on disk, up to about twice the data: 2,700)
# and the raw store (~250 B).
diskBytesPerEvent=3200
# Wall microseconds per event of a whole run at the engine's speed before issue 9, for the
# estimate printed before starting: 380 measured at 1M on the shared 2-core machine (load 6-10;
# docs/performance-baseline.txt), mostly ingest and rebuild (timed and heap runs), audit verify
# and the slow aging dates.
estimateMicrosPerEvent=400

work="${BENCH_DIR:-/tmp/arlog-bench}"
mkdir -p "$work"
need=$((events * diskBytesPerEvent))
avail=$(($(df -Pk "$work" | awk 'NR == 2 {print $4}') * 1024))
if [ "$mode" = ratios ]; then
    echo "bench-ratios: $events events, $customers customers in $work: needs about $((need / 1000000)) MB of disk ($((avail / 1000000)) MB free)," \
        "and at most about $(((events * estimateMicrosPerEvent / 1000000 + 59) / 60)) min at the engine's speed before issue 9 (less when faster)" >&2
fi
if [ "$need" -gt "$avail" ]; then
    echo "bench-ratios: not enough disk in $work: about $((need / 1000000)) MB needed, $((avail / 1000000)) MB free (set BENCH_DIR elsewhere)" >&2
    exit 2
fi

source tools/bench-lib.sh
bench_install gcc hyperfine
[ "$mode" = callgrind ] && bench_install valgrind
tooldir="$work/tools-bin"
mkdir -p "$tooldir"
gcc -O2 -Wall -o "$tooldir/raw-lmdb" tools/raw-lmdb/raw-lmdb.c -llmdb
gcc -O2 -Wall -shared -fPIC -o "$tooldir/heap-peak.so" tools/heap-peak/heap-peak.c
arlog="$bin/arlog"
store="$work/ratios-store"
keep="${BENCH_KEEP:-0}"

# fail MESSAGE: stop, with the last command's stderr.
fail() {
    echo "bench-ratios: $1" >&2
    [ -s "$work/stderr" ] && tail -n 5 "$work/stderr" >&2
    exit 2
}
# group N: 1234567 -> 1,234,567
group() { printf '%s' "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# The feed's dates: the first month's end, the middle line's day, the last day, a year later.
first_day="$(head -n 1 "$feed" | grep -o '"at":"[0-9-]\{10\}' | cut -c7-)"
middle_day="$(sed -n "$(((events + 1) / 2)){p;q}" "$feed" | grep -o '"at":"[0-9-]\{10\}' | cut -c7-)"
last_day="$(tail -n 1000 "$feed" | grep -o '"at":"[0-9-]\{10\}' | cut -c7- | sort | tail -n 1)"
first_month_end="$(date -u -d "$(date -u -d "$first_day" +%Y-%m-01) +1 month -1 day" +%F)"
after_end="$(date -u -d "$last_day +365 days" +%F)"
customer="$(head -c 2000 "$feed" | grep -o '"customer":"[^"]*"' | head -n 1 | cut -d'"' -f4)"
[ -n "$first_day" ] && [ -n "$middle_day" ] && [ -n "$last_day" ] && [ -n "$customer" ] || fail "cannot read dates and a customer from $feed"

machine() {
    echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); commit: $(git rev-parse --short HEAD), Sources last changed in $(git log -1 --format=%h -- Sources Package.swift)$(git diff --quiet HEAD -- Sources Package.swift || echo ' (and modified since)')"
    echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(free -g | awk '/^Mem:/ {print $2}') GiB; $(swift --version 2>/dev/null | head -n 1)"
    echo "filesystem of $work: $(df -PT "$work" | awk 'NR == 2 {print $1 " " $2}'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "feed: $feed, $events events, $customers customers, $(du -m "$feed" | cut -f1) MB, days $first_day to $last_day"
}

# ---------------------------------------------------------------------------------------------
if [ "$mode" = callgrind ]; then
    cg() { # cg NAME CMD...: runs CMD under callgrind; prints its total instructions
        local out="$work/callgrind.$1.out"; shift
        SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=callgrind --log-file="$out.log" --callgrind-out-file="$out" -- "$@" >"$work/stdout" 2>"$work/stderr" \
            || fail "$* failed under valgrind"
        sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$out" | head -n 1
    }
    top() { # top NAME: the functions with the most instructions of their own
        callgrind_annotate --inclusive=no "$work/callgrind.$1.out" 2>/dev/null \
            | sed -n '/file:function/,$p' | sed -n '3,17p' \
            | sed 's| \[/[^]]*/\([^/]*\)\]$| [\1]|' | swift demangle --simplified | cut -c1-150
    }
    # valgrind 3.19 (Debian 12) cannot read the DWARF 5 debug info Swift 6.3 writes ("unhandled
    # dwarf2 abbrev form code 0x25") and gives up: run a copy without it. The symbol table
    # stays, so functions keep their names.
    objcopy --strip-debug "$arlog" "$tooldir/arlog-nodebug"
    arlog="$tooldir/arlog-nodebug"
    machine
    rm -rf "$store" "$store-empty"
    : >"$work/empty.ndjson"
    base_ingest=$(cg empty-ingest "$arlog" ingest --store "$store-empty" "$work/empty.ndjson")
    base_rebuild=$(cg empty-rebuild "$arlog" rebuild --store "$store-empty")
    base_audit=$(cg empty-audit "$arlog" audit verify --store "$store-empty")
    ingest=$(cg ingest "$arlog" ingest --store "$store" "$feed")
    accepted="$(tail -n 1 "$work/stderr" | sed -n 's/^accepted \([0-9]*\),.*/\1/p')"
    [ "$accepted" = "$events" ] || fail "ingest accepted ${accepted:-?} of $events events"
    rebuild=$(cg rebuild "$arlog" rebuild --store "$store")
    audit=$(cg audit "$arlog" audit verify --store "$store")
    balance=$(cg balance "$arlog" balance "$customer" --store "$store" --format json)
    aging=$(cg aging "$arlog" aging --as-of "$last_day" --store "$store" --format json)
    echo
    echo "instructions (callgrind Ir), net of the same command on an empty store:"
    printf '%-34s %16s %14s\n' "" "instructions" "per event"
    for row in "ingest:$ingest:$base_ingest" "rebuild:$rebuild:$base_rebuild" "audit verify:$audit:$base_audit"; do
        IFS=: read -r name total base <<<"$row"
        printf '%-34s %16s %14s\n' "$name" "$(group $((total - base)))" "$(group $(((total - base) / events)))"
        echo "cg_${name// /_}_instructions_per_event $(((total - base) / events))" >>"$work/callgrind.lines"
    done
    printf '%-34s %16s\n' "empty-store ingest (process floor)" "$(group "$base_ingest")"
    printf '%-34s %16s\n' "balance C (whole process)" "$(group "$balance")"
    printf '%-34s %16s %14s\n' "aging --as-of $last_day (process)" "$(group "$aging")" "$(group $((aging / events)))"
    echo
    echo "machine-readable:"
    cat "$work/callgrind.lines"; rm -f "$work/callgrind.lines"
    echo "cg_balance_process_instructions $balance"
    echo "cg_aging_asof_process_instructions $aging"
    for name in ingest rebuild; do
        echo
        echo "top functions of $name by their own instructions (callgrind_annotate --inclusive=no $work/callgrind.$name.out):"
        top "$name"
    done
    [ "$keep" = 1 ] || rm -rf "$store" "$store-empty"
    exit 0
fi

# ---------------------------------------------------------------------------------------------
# Ratio mode.
raw() { # raw LABEL: the raw reference, its lines appended to $work/raw.LABEL
    "$tooldir/raw-lmdb" --records "$events" "$work/raw-lmdb-store" >"$work/raw.$1" || fail "raw-lmdb failed"
    "$tooldir/raw-lmdb" --records "$events" --no-sync --append-only "$work/raw-lmdb-store" >>"$work/raw.$1" || fail "raw-lmdb --no-sync failed"
    rm -rf "$work/raw-lmdb-store"
}
field() { sed -n "s/^$2 //p" "$work/raw.$1"; }
check_ok() { [ "${measured##* }" = 0 ] || fail "$1 exited with status ${measured##* }"; }
# median_seconds NAME RUNS WARMUP CMD...: hyperfine's median wall time of a process, and its mean
# CPU time (user + system), which a loaded machine disturbs less: "WALL CPU", in seconds.
median_seconds() {
    local name="$1" runs="$2" warmup="$3"; shift 3
    # -N: no shell; hyperfine splits the command as a POSIX shell would, so quote each word.
    hyperfine -N --style none --output pipe --runs "$runs" --warmup "$warmup" --export-csv "$work/hf.csv" "$(printf '%q ' "$@")" \
        >/dev/null 2>"$work/stderr" || fail "$name failed: $*"
    awk -F, 'NR == 2 {printf "%.6f %.6f\n", $4, $5 + $6}' "$work/hf.csv"
}

machine | tee "$work/ratios.header"
echo
rm -rf "$store"
raw before
echo "raw LMDB (before arlog): append $(group "$(field before raw_append_per_s)") records/s synced," \
    "$(group "$(field before raw_append_nosync_per_s)") unsynced; scan $(group "$(field before raw_scan_per_s)") records/s"

measure "ingest" "$arlog" ingest --store "$store" "$feed"; check_ok ingest
read -r ingest_s ingest_kb ingest_user ingest_sys _ <<<"$measured"
accepted="$(tail -n 1 "$work/stderr" | sed -n 's/^accepted \([0-9]*\),.*/\1/p')"
[ "$accepted" = "$events" ] || fail "ingest accepted ${accepted:-?} of $events events"
echo "  $(tail -n 1 "$work/stderr"); CPU user $ingest_user s, sys $ingest_sys s"

measure "rebuild" "$arlog" rebuild --store "$store"; check_ok rebuild
read -r rebuild_s rebuild_kb rebuild_user rebuild_sys _ <<<"$measured"
replayed="$(sed -n 's/^rebuilt: \([0-9]*\) events.*/\1/p' "$work/stdout")"
[ "$replayed" = "$events" ] || fail "rebuild replayed ${replayed:-?} of $events events"
echo "  $(cat "$work/stdout"); CPU user $rebuild_user s, sys $rebuild_sys s"

measure "audit verify" "$arlog" audit verify --store "$store"; check_ok "audit verify"
read -r audit_s audit_kb audit_user audit_sys _ <<<"$measured"
echo "  $(head -n 1 "$work/stdout"); CPU user $audit_user s, sys $audit_sys s"

aging_max=0
aging_detail=""
for day in "$first_month_end" "$middle_day" "$last_day" "$after_end"; do
    read -r s cpu < <(median_seconds "aging --as-of $day" 3 1 "$arlog" aging --as-of "$day" --store "$store" --format json)
    printf '%-40s %8.3f s  (median of 3 processes; CPU %.3f s)\n' "aging --as-of $day" "$s" "$cpu"
    aging_detail="$aging_detail $day:$s"
    aging_max=$(awk -v a="$aging_max" -v b="$s" 'BEGIN { print (b > a) ? b : a }')
done
read -r balance_s balance_cpu < <(median_seconds "balance" 20 3 "$arlog" balance "$customer" --store "$store" --format json)
printf '%-40s %8.4f s  (median of 20 processes; CPU %.4f s)\n' "balance $customer" "$balance_s" "$balance_cpu"

heap_ingest="" heap_rebuild="" allocs_ingest="" allocs_rebuild=""
if [ "$heap" = 1 ]; then
    rm -rf "$store"
    heapfile="$work/heap.txt"
    for step in ingest rebuild; do
        rm -f "$heapfile"
        if [ "$step" = ingest ]; then
            measure "ingest (heap-peak preloaded)" env HEAP_PEAK_OUTPUT="$heapfile" LD_PRELOAD="$tooldir/heap-peak.so" "$arlog" ingest --store "$store" "$feed"
        else
            measure "rebuild (heap-peak preloaded)" env HEAP_PEAK_OUTPUT="$heapfile" LD_PRELOAD="$tooldir/heap-peak.so" "$arlog" rebuild --store "$store"
        fi
        check_ok "$step with heap-peak"
        [ -s "$heapfile" ] || fail "heap-peak wrote nothing for $step"
        peak=$(sed -n 's/^heap_peak_bytes //p' "$heapfile")
        allocs=$(sed -n 's/^heap_allocations //p' "$heapfile")
        printf '  peak heap %s MB, %s allocations (%s per event)\n' "$(calc '%.1f' "$peak / 1e6")" "$(group "$allocs")" "$(calc '%.1f' "$allocs / $events")"
        if [ "$step" = ingest ]; then heap_ingest=$peak allocs_ingest=$allocs; else heap_rebuild=$peak allocs_rebuild=$allocs; fi
    done
fi
[ "$keep" = 1 ] || rm -rf "$store"

raw after
echo "raw LMDB (after arlog):  append $(group "$(field after raw_append_per_s)") records/s synced," \
    "$(group "$(field after raw_append_nosync_per_s)") unsynced; scan $(group "$(field after raw_scan_per_s)") records/s"
best() { awk -v a="$(field before "$1")" -v b="$(field after "$1")" 'BEGIN { print (b > a) ? b : a }'; }
raw_append=$(best raw_append_per_s)
raw_scan=$(best raw_scan_per_s)
raw_nosync=$(best raw_append_nosync_per_s)
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

ingest_rate=$(calc '%.0f' "$events / $ingest_s")
rebuild_rate=$(calc '%.0f' "$events / $rebuild_s")
audit_rate=$(calc '%.0f' "$events / $audit_s")
met=0 total=0
# verdict OK: sets `result` to PASS or FAIL and counts it (no subshell, so the counts stay)
verdict() { total=$((total + 1)); if [ "$1" = 1 ]; then met=$((met + 1)); result=PASS; else result=FAIL; fi; }
row() { printf '%-28s %-20s %-40s %-7s %s\n' "$@"; }

echo
echo "== issue 9 targets: $events events, $customers customers (raw reference: the faster of its two runs) =="
row "figure" "measured" "target" "ratio" "result"
row "raw append, synced" "$(group "$raw_append")/s" "reference (unsynced: $(group "$raw_nosync")/s)" "" ""
row "raw scan" "$(group "$raw_scan")/s" "reference" "" ""
is() { awk "BEGIN { print ($1) }"; }
r=$(calc '%.4f' "$ingest_rate / $raw_append"); verdict "$(is "$r >= 0.15")"
row "ingest, end to end" "$(group "$ingest_rate") events/s" ">= 0.15 x raw append = $(group "$(calc '%.0f' "0.15 * $raw_append")")" "$r" "$result"
r=$(calc '%.4f' "$rebuild_rate / $raw_scan"); verdict "$(is "$r >= 0.10")"
row "rebuild" "$(group "$rebuild_rate") events/s" ">= 0.10 x raw scan = $(group "$(calc '%.0f' "0.10 * $raw_scan")")" "$r" "$result"
verdict "$(is "$aging_max <= 0.5")"
row "aging --as-of D, max of 4" "$(calc '%.3f' "$aging_max") s" "<= 0.5 s" "" "$result"
verdict "$(is "$audit_rate >= 1000000")"
row "audit verify" "$(group "$audit_rate") events/s" ">= 1,000,000 events/s" "" "$result"
if [ "$heap" = 1 ]; then
    verdict "$(is "$heap_ingest < 200e6")"
    row "peak heap, ingest" "$(calc '%.1f' "$heap_ingest / 1e6") MB" "< 200 MB" "" "$result"
    verdict "$(is "$heap_rebuild < 200e6")"
    row "peak heap, rebuild" "$(calc '%.1f' "$heap_rebuild / 1e6") MB" "< 200 MB" "" "$result"
fi
verdict "$(is "$balance_s < 0.010")"
row "balance C, one process" "$(calc '%.2f' "$balance_s * 1000") ms" "< 10 ms (median of 20)" "" "$result"
echo "targets met: $met of $total (balance in process, < 5 µs: see Benchmarks/, 'Balance in process')"
echo "peak RSS (incl. LMDB's mapped pages): ingest $((ingest_kb / 1024)) MiB, rebuild $((rebuild_kb / 1024)) MiB, audit verify $((audit_kb / 1024)) MiB"

echo
echo "machine-readable:"
{
    echo "events $events"
    echo "customers $customers"
    echo "raw_append_per_s $raw_append"
    echo "raw_append_nosync_per_s $raw_nosync"
    echo "raw_scan_per_s $raw_scan"
    echo "ingest_seconds $ingest_s"
    echo "ingest_per_s $ingest_rate"
    echo "ingest_cpu_seconds $(calc '%.2f' "$ingest_user + $ingest_sys")"
    echo "ingest_ratio_to_raw_append $(calc '%.4f' "$ingest_rate / $raw_append")"
    echo "rebuild_seconds $rebuild_s"
    echo "rebuild_per_s $rebuild_rate"
    echo "rebuild_cpu_seconds $(calc '%.2f' "$rebuild_user + $rebuild_sys")"
    echo "rebuild_ratio_to_raw_scan $(calc '%.4f' "$rebuild_rate / $raw_scan")"
    echo "audit_verify_seconds $audit_s"
    echo "audit_verify_per_s $audit_rate"
    for d in $aging_detail; do echo "aging_asof_seconds_${d%%:*} ${d#*:}"; done
    echo "aging_asof_seconds_max $aging_max"
    echo "balance_process_seconds_median $balance_s"
    echo "balance_process_cpu_seconds_mean $balance_cpu"
    echo "ingest_peak_rss_kib $ingest_kb"
    echo "rebuild_peak_rss_kib $rebuild_kb"
    if [ "$heap" = 1 ]; then
        echo "ingest_peak_heap_bytes $heap_ingest"
        echo "ingest_allocations_per_event $(calc '%.1f' "$allocs_ingest / $events")"
        echo "rebuild_peak_heap_bytes $heap_rebuild"
        echo "rebuild_allocations_per_event $(calc '%.1f' "$allocs_rebuild / $events")"
    fi
} | tee "$work/ratios-$events-$customers.txt"
