#!/usr/bin/env bash
# Installs what is missing, then builds and runs every test of the package.
# Usage: tools/test.sh [extra swift test arguments]
# ARLOG_SKIP_CHROMIUM=1: do not install Debian's chromium (the report's end-to-end test,
# ReportCLITests.rendersInChromium, then skips). Installing it is about 155 MB of packages
# and took under 5 minutes here, once; the test itself takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
if [ "${ARLOG_SKIP_CHROMIUM:-0}" != 1 ] && ! command -v chromium >/dev/null; then
    sudo=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then sudo="sudo"; fi
    if [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; then
        echo "test: installing chromium for the report's end-to-end test (ARLOG_SKIP_CHROMIUM=1 to skip)" >&2
        { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null; } ||
            echo "test: chromium could not be installed; the report's end-to-end test will be skipped" >&2
    else
        echo "test: no root or sudo to install chromium; the report's end-to-end test will be skipped" >&2
    fi
fi
# Two jobs: the machines this runs on (CI included) have two cores.
swift build --build-tests -j 2
swift test --skip-build --parallel --num-workers 2 "$@"
