#!/usr/bin/env bash
# Configures and builds one flavour of wscheck.
#   ci/build.sh [release|asan|fuzz]   (default: release)
# Build trees: build/ (release), build-asan/, build-fuzz/. Extra CMake arguments may follow.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
flavour="${1:-release}"
shift || true

case "$flavour" in
    release) dir=build;      args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
    asan)    dir=build-asan; args=(-DCMAKE_BUILD_TYPE=Debug -DWSCHECK_SANITIZE=ON) ;;
    fuzz)    dir=build-fuzz; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DWSCHECK_BUILD_FUZZERS=ON
                                   -DWSCHECK_BUILD_TESTS=OFF -DCMAKE_CXX_COMPILER=clang++) ;;
    *) echo "ci/build.sh: unknown flavour '$flavour' (release, asan or fuzz)" >&2; exit 2 ;;
esac

cmake -S "$root" -B "$root/$dir" -G Ninja -DWSCHECK_WARNINGS_AS_ERRORS=ON "${args[@]}" "$@" >/dev/null
cmake --build "$root/$dir" -j "$(nproc)"
