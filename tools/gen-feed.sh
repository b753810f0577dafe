#!/usr/bin/env bash
# Writes a synthetic arlog feed (NDJSON, feed contract v1) with arlog-feedgen, building it first
# (release) when the binary is missing or older than its sources. Arguments go to the generator:
#
#   tools/gen-feed.sh --events 1000000 --customers 20000 --seed 1 --output /tmp/feed.ndjson
#
# ARLOG_SCRATCH_PATH chooses the build directory (default: .build). Build output goes to stderr,
# so that the feed alone is on stdout when no --output is given.
set -euo pipefail

caller_dir="$PWD"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scratch="${ARLOG_SCRATCH_PATH:-.build}"
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/arlog-feedgen"
if [[ ! -x "$bin" ]] || [[ -n "$(find Package.swift Sources/arlog-feedgen Sources/ArlogDomain -newer "$bin" -print -quit)" ]]; then
    swift build -c release --scratch-path "$scratch" --product arlog-feedgen >&2
fi

# Relative paths in the arguments (--output) mean what they meant to the caller.
cd "$caller_dir"
exec "$bin" "$@"
