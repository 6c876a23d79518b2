#!/usr/bin/env bash
# Builds every fuzz target the way OSS-Fuzz and ClusterFuzzLite expect (their build.sh calls
# this), with the compiler, flags and fuzzing engine the infrastructure chose:
#   CC, CXX              compilers (clang, clang++)
#   CFLAGS, CXXFLAGS     sanitizer and coverage instrumentation, e.g. -fsanitize=address
#                        -fsanitize=fuzzer-no-link; applied to every file, wscheck's libraries
#                        included, and nothing is added to them (WSCHECK_FUZZ_FLAGS_FROM_ENV)
#   LIB_FUZZING_ENGINE   what each target links as its engine and main() (-fsanitize=fuzzer,
#                        or a library for AFL++ / honggfuzz)
#   OUT                  where the targets go: $OUT/fuzz_<name>, $OUT/fuzz_<name>.dict,
#                        $OUT/fuzz_<name>.options (fuzz/fuzz_<name>.options: libFuzzer flags
#                        such as max_len) and $OUT/fuzz_<name>_seed_corpus.zip
#                        (fuzz/corpus/<name>/, flattened)
#   WORK                 scratch space: the CMake build tree is $WORK/wscheck-build
#   SRC                  where the infrastructure put the sources; this script builds the tree
#                        it lives in, which is $SRC/wscheck in the ClusterFuzzLite image
# Run by hand (ci/oss_fuzz_check.sh does) with those variables set as OSS-Fuzz sets them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

for v in CXX CXXFLAGS LIB_FUZZING_ENGINE OUT WORK; do
    if [ -z "${!v:-}" ]; then
        echo "fuzz/oss-fuzz-build.sh: \$$v is not set (OSS-Fuzz and ClusterFuzzLite set it)" >&2
        exit 2
    fi
done
echo "fuzz/oss-fuzz-build.sh: building $root (SRC=${SRC:-unset}) into $OUT"

build="$WORK/wscheck-build"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
# CMAKE_BUILD_TYPE=OssFuzz: a build type with no flags of its own, so that the optimisation
# and debug flags are exactly the infrastructure's (the project's default would add -O2 -g,
# and -DNDEBUG would turn off the assertions a fuzzer should reach). C is not a language of
# this project; CC and CFLAGS are honoured for any C a dependency might bring.
cmake -S "$root" -B "$build" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=OssFuzz \
    -DCMAKE_C_COMPILER="${CC:-clang}" -DCMAKE_C_FLAGS="${CFLAGS:-}" \
    -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
    -DWSCHECK_BUILD_FUZZERS=ON -DWSCHECK_FUZZ_FLAGS_FROM_ENV=ON \
    -DWSCHECK_FUZZING_ENGINE="$LIB_FUZZING_ENGINE" \
    -DWSCHECK_BUILD_TESTS=OFF -DBUILD_TESTING=OFF -DWSCHECK_BUILD_BENCHMARKS=OFF \
    -DWSCHECK_WARNINGS_AS_ERRORS=OFF \
    --no-warn-unused-cli >/dev/null

# Every fuzz/fuzz_<name>.cpp is a target (fuzz/CMakeLists.txt has one line per file).
names=()
for f in "$root"/fuzz/fuzz_*.cpp; do
    n="$(basename "$f" .cpp)"
    names+=("${n#fuzz_}")
done
targets=("${names[@]/#/fuzz_}")
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"

mkdir -p "$OUT"
for n in "${names[@]}"; do
    t="fuzz_$n"
    cp "$build/fuzz/$t" "$OUT/$t"
    if [ -f "$root/fuzz/dict/$n.dict" ]; then
        cp "$root/fuzz/dict/$n.dict" "$OUT/$t.dict"
    fi
    # The engine's flags for this target (e.g. max_len), read from beside the binary.
    if [ -f "$root/fuzz/$t.options" ]; then
        cp "$root/fuzz/$t.options" "$OUT/$t.options"
    fi
    if [ -d "$root/fuzz/corpus/$n" ]; then
        # The engine reads the zip as one flat folder: each file is stored under its path
        # inside corpus/<name>/ with '/' made '_', so seeds and regressions/ never collide.
        rm -f "$OUT/${t}_seed_corpus.zip"
        stage="$WORK/seed-$n"
        rm -rf "$stage" && mkdir -p "$stage"
        (cd "$root/fuzz/corpus/$n" && find . -type f -print0) |
            while IFS= read -r -d '' p; do
                p="${p#./}"
                cp "$root/fuzz/corpus/$n/$p" "$stage/${p//\//_}"
            done
        (cd "$stage" && zip -q -X "$OUT/${t}_seed_corpus.zip" ./*)
    fi
done
echo "fuzz/oss-fuzz-build.sh: ${#names[@]} targets in $OUT"
