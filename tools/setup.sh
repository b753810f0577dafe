#!/usr/bin/env bash
# Installs what arlog needs from Debian's packages, when it is missing: LMDB's headers and
# library (liblmdb-dev) and pkg-config, which SwiftPM uses to find them. Swift itself must
# already be on PATH (the toolchain is not a Debian package).
set -euo pipefail

need=()
for pkg in liblmdb-dev pkg-config; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
    echo "setup: installing ${need[*]}" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "setup: need root (or sudo) to apt-get install ${need[*]}" >&2; exit 2; }
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: swift is not on PATH (install the Swift 6 toolchain first)" >&2; exit 2; }
