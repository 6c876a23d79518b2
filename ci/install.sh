#!/usr/bin/env bash
# Installs everything wscheck needs to build, test, benchmark and fuzz on Debian 12 (bookworm).
# Idempotent: packages already present are skipped, so a second run costs only the dpkg query.
set -euo pipefail

apt_packages=(
    # toolchain
    g++ clang cmake ninja-build pkg-config libclang-rt-14-dev
    # libraries (found with find_package)
    libboost-dev libboost-system-dev libssl-dev nlohmann-json3-dev libgtest-dev libgmock-dev
    zlib1g-dev libcli11-dev libbenchmark-dev
    # tools used by tests
    openssl python3 python3-websockets libxml2-utils
    # the HTML report is opened and driven in headless Chromium (tests/reports/html_browser_test.py)
    chromium
    # packs the seed corpora of the OSS-Fuzz build (fuzz/oss-fuzz-build.sh)
    zip unzip
)
# Node may come from another source that bundles npm (and conflicts with Debian's npm package).
command -v node >/dev/null || apt_packages+=(nodejs)
command -v npm >/dev/null || apt_packages+=(npm)

missing=()
for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
    echo "ci/install.sh: installing ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

# Node's `ws` library, a third-party peer for the integration tests. Installed into the
# project's own folder (ignored by git) so nothing global is touched. Its version is pinned:
# the peer tables (tests/harness/peers_conformance, docs/peers.md) list its verdicts, and a
# release that fixes a fault changes them (8.23.1 started refusing window bits with a leading
# zero).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
peers="$here/../build-peers/node"
ws_version=8.23.1
if ! grep -q "\"version\": \"$ws_version\"" "$peers/node_modules/ws/package.json" 2>/dev/null; then
    mkdir -p "$peers"
    (cd "$peers" && npm install --silent --no-audit --no-fund --prefix . "ws@$ws_version" >/dev/null)
fi
