#!/usr/bin/env bash
# Installs what is missing, then builds and runs every test of the package.
# Usage: tools/test.sh [extra swift test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
# Two jobs: the machines this runs on (CI included) have two cores.
swift build --build-tests -j 2
swift test --skip-build --parallel --num-workers 2 "$@"
