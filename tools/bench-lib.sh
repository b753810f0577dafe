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
feed="$work/feed-$events-$customers.ndjson"
# Made again when the generator was rebuilt since (its output may have changed); written under
# another name first, so that an interrupted run never leaves a short feed behind.
if [ ! -s "$feed" ] || [ "$bin/arlog-feedgen" -nt "$feed" ]; then
    tools/gen-feed.sh --events "$events" --customers "$customers" --seed 1 --output "$feed.partial"
    mv "$feed.partial" "$feed"
fi

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
