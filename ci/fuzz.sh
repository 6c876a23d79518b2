#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time.
#   ci/fuzz.sh [--seconds N]    (default 60 per target)
# Each target runs with its dictionary (fuzz/dict/<name>.dict) and the libFuzzer flags of
# fuzz/fuzz_<name>.options (e.g. max_len), as OSS-Fuzz runs it: the fuzz_<name>_run targets of
# cmake/fuzzing.cmake pass both.
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
summary=""
for t in $targets; do
    echo "-- $t (${seconds}s)"
    if ! cmake --build "$root/build-fuzz" --target "$t" >"$root/build-fuzz/$t.log" 2>&1; then
        echo "ci/fuzz.sh: $t found a problem; see build-fuzz/$t.log and build-fuzz/fuzz-artifacts/" >&2
        tail -n 30 "$root/build-fuzz/$t.log" >&2
        status=1
    else
        grep -E '^(Done|#[0-9]+ *DONE)' "$root/build-fuzz/$t.log" | tail -n 1 || true
    fi
    # libFuzzer's last status line: "#<executions> DONE cov: ... exec/s: <rate> ..."
    line=$(grep -E '^#[0-9]+' "$root/build-fuzz/$t.log" | tail -n 1 || true)
    execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$line")
    rate=$(sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p' <<<"$line")
    summary+=$(printf '%-34s %12s %10s' "${t%_run}" "${execs:--}" "${rate:--}")$'\n'
done
echo "== executions per target (${seconds}s each, load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-34s %12s %10s\n' target executions exec/s
printf '%s' "$summary"
exit $status
