#!/usr/bin/env bash
# Configures and builds one flavour of wscheck.
#   ci/build.sh [release|asan|fuzz] [--target NAME]... [extra CMake configure arguments...]
# The flavour defaults to release; build trees: build/ (release), build-asan/, build-fuzz/.
# Without --target every target is built; with it, only the named ones and what they need
# (the main job needs only `wscheck`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
flavour="${1:-release}"
shift || true

targets=()
while [[ $# -gt 0 && "$1" == "--target" ]]; do
    [[ $# -ge 2 ]] || { echo "ci/build.sh: --target needs a target name" >&2; exit 2; }
    targets+=(--target "$2")
    shift 2
done

case "$flavour" in
    release) dir=build;      args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
    asan)    dir=build-asan; args=(-DCMAKE_BUILD_TYPE=Debug -DWSCHECK_SANITIZE=ON) ;;
    fuzz)    dir=build-fuzz; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DWSCHECK_BUILD_FUZZERS=ON
                                   -DWSCHECK_BUILD_TESTS=OFF -DCMAKE_CXX_COMPILER=clang++) ;;
    *) echo "ci/build.sh: unknown flavour '$flavour' (release, asan or fuzz)" >&2; exit 2 ;;
esac

cmake -S "$root" -B "$root/$dir" -G Ninja -DWSCHECK_WARNINGS_AS_ERRORS=ON "${args[@]}" "$@" >/dev/null
cmake --build "$root/$dir" -j "$(nproc)" "${targets[@]}"
