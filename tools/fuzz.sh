#!/usr/bin/env bash
# Fuzzes what reads feed input (line reading, JSON, event decoding, intake, the folds and the
# risk projector) with libFuzzer, for a bounded time. See docs/fuzzing.md.
#
#   tools/fuzz.sh [SECONDS]            fuzz for SECONDS (default 600), one job
#   tools/fuzz.sh --repro FILE...      run the target once on each FILE (a saved crash)
#   tools/fuzz.sh --minimize FILE      shrink a crashing input (writes FILE.min)
#
# Everything it writes is under .build-fuzz/ (outside git): the build, the growing corpus
# (.build-fuzz/corpus, seeded from Fuzz/corpus-seed) and what it finds (.build-fuzz/crashes:
# crash-*, timeout-*, oom-*). Exit status: 0 when nothing was found, 1 when a crash, timeout or
# out-of-memory input was saved (its path is printed), 2 for a setup or build problem.
#
# Environment: ARLOG_FUZZ_STORE=1 also ingests every input into a real LMDB store (slower);
# ARLOG_FUZZ_ASAN=1 adds AddressSanitizer (its own build directory); ARLOG_FUZZ_ARGS adds
# libFuzzer options (e.g. "-only_ascii=1").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tools/setup.sh || exit 2

# libFuzzer ships with the Swift toolchain on Linux (clang's compiler-rt); nothing to install.
toolchain="$(dirname "$(readlink -f "$(command -v swift)")")/.."
if ! ls "$toolchain"/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a "$toolchain"/lib/swift/clang/lib/linux/libclang_rt.fuzzer*.a >/dev/null 2>&1; then
    echo "fuzz: this Swift toolchain has no libFuzzer runtime (libclang_rt.fuzzer); use the swift.org Linux toolchain" >&2
    exit 2
fi

work=.build-fuzz
# One -sanitize list: with two -sanitize options only the last one counts (the fuzzer's coverage
# instrumentation would be lost).
sanitize=fuzzer
scratch="$work/build"
if [ "${ARLOG_FUZZ_ASAN:-0}" = 1 ]; then
    sanitize=fuzzer,address
    scratch="$work/build-asan"
fi
flags=(-c release -Xswiftc -sanitize=$sanitize -Xswiftc -parse-as-library -Xswiftc -enable-testing)
# The Swift runtime's own crash backtracer would take the signal before libFuzzer's handler,
# which then could not save the crashing input: leave crashes to libFuzzer.
export SWIFT_BACKTRACE=enable=no
corpus="$work/corpus"
crashes="$work/crashes"
mkdir -p "$corpus" "$crashes"

echo "fuzz: building the fuzz target (Fuzz/, ${scratch})" >&2
swift build --package-path Fuzz --scratch-path "$scratch" -j 2 "${flags[@]}" >&2 || exit 2
bin="$(swift build --package-path Fuzz --scratch-path "$scratch" "${flags[@]}" --show-bin-path)/arlog-fuzz"

# Limits of one run. Inputs up to 8 KiB: a feed of a few dozen events, enough for every state
# rule, small enough to run thousands a second. An input that takes 10 s or 2 GiB is a finding.
common=(-max_len=8192 -timeout=10 -rss_limit_mb=2048 -dict=Fuzz/arlog.dict)
# shellcheck disable=SC2206
extra=(${ARLOG_FUZZ_ARGS:-})

case "${1:-}" in
--repro)
    shift
    exec "$bin" "${common[@]}" "${extra[@]}" "$@"
    ;;
--minimize)
    [ $# -eq 2 ] || { echo "usage: tools/fuzz.sh --minimize FILE" >&2; exit 2; }
    exec "$bin" "${common[@]}" "${extra[@]}" -minimize_crash=1 -max_total_time=120 -exact_artifact_path="$2.min" "$2"
    ;;
esac

seconds="${1:-600}"
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: tools/fuzz.sh [SECONDS] | --repro FILE... | --minimize FILE" >&2; exit 2; }

before="$(find "$crashes" -type f | sort)"
status=0
"$bin" "${common[@]}" "${extra[@]}" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$crashes/" "$corpus" Fuzz/corpus-seed || status=$?
found="$(comm -13 <(echo "$before") <(find "$crashes" -type f | sort))"

if [ "$status" -ne 0 ] || [ -n "$found" ]; then
    echo "fuzz: libFuzzer exited with $status; new findings:" >&2
    echo "${found:-  (none saved; see the output above)}" >&2
    echo "fuzz: reproduce with tools/fuzz.sh --repro FILE, shrink with tools/fuzz.sh --minimize FILE" >&2
    exit 1
fi
echo "fuzz: nothing found in ${seconds}s; corpus: $(find "$corpus" -type f | wc -l) inputs in $corpus" >&2
