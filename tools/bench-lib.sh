# Shared by tools/bench.sh, tools/bench-credit.sh and tools/bench-ratios.sh (sourced, not run):
# sets up the machine, builds the release binaries, makes the generated feed, and defines
# `measure` and `bench_install`.
# Expects: events, customers. Defines: bin, work, feed.
# BENCH_DIR chooses where feeds and stores go (default /tmp/arlog-bench).

# bench_install PKG...: apt-get installs the Debian packages that are missing (as root, or with
# sudo), so that the benchmarks run on a fresh Debian machine with Swift.
bench_install() {
    local need=() pkg sudo=""
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
    done
    ((${#need[@]})) || return 0
    echo "bench: installing ${need[*]}" >&2
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "bench: need root (or sudo) to apt-get install ${need[*]}" >&2; exit 2; }
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
}

tools/setup.sh
bench_install time
swift build -c release --static-swift-stdlib -j 2 --product arlog >/dev/null
swift build -c release --static-swift-stdlib -j 2 --product arlog-feedgen >/dev/null
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)"
work="${BENCH_DIR:-/tmp/arlog-bench}"
mkdir -p "$work"
# bench_feed FILE [GENERATOR OPTIONS...]: makes FILE with the generator (seed 1, $events events,
# $customers customers, and the options given, e.g. --start), unless it is there already.
# Made again when the generator was rebuilt since (its output may have changed); written under
# another name first, so that an interrupted run never leaves a short feed behind.
bench_feed() {
    local file="$1"; shift
    if [ ! -s "$file" ] || [ "$bin/arlog-feedgen" -nt "$file" ]; then
        tools/gen-feed.sh --events "$events" --customers "$customers" --seed 1 "$@" --output "$file.partial"
        mv "$file.partial" "$file"
    fi
}
feed="$work/feed-$events-$customers.ndjson"
bench_feed "$feed"

# measure NAME CMD...: wall seconds and peak RSS of one command; its stdout and stderr are
# kept in $work/stdout and $work/stderr, and `measured` holds "SECONDS KB USER SYS EXIT".
measure() {
    local name="$1"; shift
    local rc=0 secs kb user sys
    /usr/bin/time -o "$work/time" -f "%e %M %U %S" "$@" >"$work/stdout" 2>"$work/stderr" || rc=$?
    read -r secs kb user sys < <(tail -n 1 "$work/time")
    measured="$secs $kb $user $sys $rc"
    printf '%-40s %8.2f s  peak RSS %6d MiB  (exit %d)\n' "$name" "$secs" "$((kb / 1024))" "$rc"
}

# The last day of a feed's events (YYYY-MM-DD of its last line's `at`).
feed_last_day() {
    tail -n 1 "$1" | sed -n 's/.*"at":"\([0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}\).*/\1/p'
}

# bench_recent: the "today" of a store in daily use. The default feed's history ends years
# ago (the generator starts on 2023-01-01), so "today" there is a backlog: nearly every
# customer long overdue. This makes the same feed (same seed, events, customers) moved by
# --start so that it ends yesterday, and ingests it once. Sets recent_feed, recent_store
# (do not write to it: copy it) and recent_last (the feed's last day).
bench_recent() {
    local last span start
    last="$(feed_last_day "$feed")"
    span=$(( ($(date -u -d "$last" +%s) - $(date -u -d 2023-01-01 +%s)) / 86400 ))
    start="$(date -u -d "today - $((span + 1)) days" +%F)"
    recent_feed="$work/feed-$events-$customers-from-$start.ndjson"
    bench_feed "$recent_feed" --start "$start"
    recent_last="$(feed_last_day "$recent_feed")"
    recent_store="$work/recent-store-$events-$customers-from-$start"
    if [ ! -d "$recent_store" ] || [ "$recent_feed" -nt "$recent_store" ]; then
        rm -rf "$recent_store"
        measure "ingest (feed ending $recent_last)" "$bin/arlog" ingest --store "$recent_store" "$recent_feed"
        tail -n 1 "$work/stderr"
    fi
}
