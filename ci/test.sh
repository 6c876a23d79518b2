#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test.
#   ci/test.sh           release tests, then the sanitizer build's tests, the fuzz smoke run
#                        and the OSS-Fuzz build check
#   ci/test.sh --quick   release tests only
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
quick=0
[ "${1:-}" = "--quick" ] && quick=1

bash "$root/ci/install.sh"

echo "== release build and tests"
bash "$root/ci/build.sh" release
ctest --test-dir "$root/build" --output-on-failure -j "$(nproc)"

if ((quick)); then exit 0; fi

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build and tests"
bash "$root/ci/build.sh" asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$root/build-asan" --output-on-failure -j "$(nproc)"

if [ -x "$root/ci/fuzz.sh" ]; then
    echo "== fuzz targets, a short bounded run each"
    bash "$root/ci/fuzz.sh" --seconds 20
fi

echo "== OSS-Fuzz / ClusterFuzzLite build, as the infrastructure runs it (libFuzzer + ASan)"
bash "$root/ci/oss_fuzz_check.sh"

