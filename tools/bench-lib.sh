# Shared by tools/bench.sh and tools/bench-credit.sh (sourced, not run): sets up the machine,
# builds the release binaries, makes the generated feed, and defines `measure`.
# Expects: events, customers. Defines: bin, work, feed.

tools/setup.sh
command -v /usr/bin/time >/dev/null || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
swift build -c release -j 2 --product arlog >/dev/null
swift build -c release -j 2 --product arlog-feedgen >/dev/null
bin="$(swift build -c release --show-bin-path)"
work="${BENCH_DIR:-/tmp/arlog-bench}"
mkdir -p "$work"
feed="$work/feed-$events-$customers.ndjson"
[ -s "$feed" ] || "$bin/arlog-feedgen" --events "$events" --customers "$customers" --seed 1 --output "$feed"

# measure NAME CMD...: wall seconds and peak RSS of one command; its stdout and stderr are
# kept in $work/stdout and $work/stderr.
measure() {
    local name="$1"; shift
    local rc=0 secs kb
    /usr/bin/time -o "$work/time" -f "%e %M" "$@" >"$work/stdout" 2>"$work/stderr" || rc=$?
    read -r secs kb < <(tail -n 1 "$work/time")
    printf '%-40s %8.2f s  peak RSS %6d MiB  (exit %d)\n' "$name" "$secs" "$((kb / 1024))" "$rc"
}
