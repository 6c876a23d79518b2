#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time.
#   ci/fuzz.sh [--seconds N]    (default 60 per target)
# Fails on any crash, leak, timeout or out-of-memory. Crashing inputs are kept in
# build-fuzz/fuzz-artifacts/<target>/; copy one into fuzz/corpus/<target>/regressions/ once
# fixed so every ctest replays it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=60
while (($#)); do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        *) echo "ci/fuzz.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done

bash "$root/ci/build.sh" fuzz -DWSCHECK_FUZZ_SECONDS="$seconds"
targets=$(cd "$root/build-fuzz" && ninja -t targets all | sed -n 's/^\(fuzz_[a-z0-9_]*_run\):.*/\1/p' | sort -u)
status=0
for t in $targets; do
    echo "-- $t (${seconds}s)"
    if ! cmake --build "$root/build-fuzz" --target "$t" >"$root/build-fuzz/$t.log" 2>&1; then
        echo "ci/fuzz.sh: $t found a problem; see build-fuzz/$t.log and build-fuzz/fuzz-artifacts/" >&2
        tail -n 30 "$root/build-fuzz/$t.log" >&2
        status=1
    else
        grep -E '^(Done|#[0-9]+ *DONE)' "$root/build-fuzz/$t.log" | tail -n 1 || true
    fi
done
exit $status
