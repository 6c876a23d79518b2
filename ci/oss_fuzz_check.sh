#!/usr/bin/env bash
# Checks the OSS-Fuzz / ClusterFuzzLite build (fuzz/oss-fuzz-build.sh) the way the
# infrastructure runs it for libFuzzer + AddressSanitizer, without Docker: the same variables,
# the same compiler flags. Then checks that $OUT holds every fuzz target with its dictionary,
# its .options file (when fuzz/ has one) and seed corpus, and that each target runs 100 inputs from its seed corpus cleanly.
#   ci/oss_fuzz_check.sh     (OUT and WORK default to build-oss-fuzz/out and build-oss-fuzz/work)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# As OSS-Fuzz's base-builder sets them for `--sanitizer address --engine libfuzzer`
# (the base image also adds -stdlib=libc++ to CXXFLAGS; here the default library is used).
flags="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
flags+=" -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
export CC=clang CXX=clang++ CFLAGS="$flags" CXXFLAGS="$flags"
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
export OUT="${OUT:-$root/build-oss-fuzz/out}" WORK="${WORK:-$root/build-oss-fuzz/work}"
export SRC="${SRC:-$(dirname "$root")}"
rm -rf "$OUT" && mkdir -p "$OUT" "$WORK"

bash "$root/fuzz/oss-fuzz-build.sh"

status=0
for f in "$root"/fuzz/fuzz_*.cpp; do
    t="$(basename "$f" .cpp)"
    n="${t#fuzz_}"
    missing=()
    [ -x "$OUT/$t" ] || missing+=("$t")
    [ ! -f "$root/fuzz/dict/$n.dict" ] || [ -f "$OUT/$t.dict" ] || missing+=("$t.dict")
    [ ! -d "$root/fuzz/corpus/$n" ] || [ -f "$OUT/${t}_seed_corpus.zip" ] || missing+=("${t}_seed_corpus.zip")
    [ ! -f "$root/fuzz/$t.options" ] || cmp -s "$root/fuzz/$t.options" "$OUT/$t.options" || missing+=("$t.options")
    if ((${#missing[@]})); then
        echo "ci/oss_fuzz_check.sh: \$OUT lacks ${missing[*]}" >&2
        status=1
        continue
    fi
    # What the infrastructure does with the files: unpack the seeds, run with the dictionary.
    seeds="$WORK/check-seeds/$t"
    rm -rf "$seeds" && mkdir -p "$seeds"
    [ ! -f "$OUT/${t}_seed_corpus.zip" ] || unzip -q "$OUT/${t}_seed_corpus.zip" -d "$seeds"
    count="$(find "$seeds" -type f | wc -l)"
    args=()
    [ ! -f "$OUT/$t.dict" ] || args=(-dict="$OUT/$t.dict")
    # The infrastructure passes the [libfuzzer] section of $OUT/<target>.options as flags.
    if [ -f "$OUT/$t.options" ]; then
        while IFS= read -r flag; do args+=("$flag"); done < <(
            sed -n '/^\[libfuzzer\]/,/^\[/s/^[ \t]*\([a-z_]*\)[ \t]*=[ \t]*\([^ \t]*\)[ \t]*$/-\1=\2/p' "$OUT/$t.options")
    fi
    log="$WORK/check-$t.log"
    if timeout 300 "$OUT/$t" "${args[@]}" -runs=100 -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix="$WORK/check-" "$seeds" >"$log" 2>&1; then
        echo "-- $t: $count seeds, $(grep -Eo 'Done [0-9]+ runs' "$log" || echo 'done')"
    else
        echo "ci/oss_fuzz_check.sh: $t failed on its seed corpus; see $log" >&2
        tail -n 20 "$log" >&2
        status=1
    fi
done
exit $status
