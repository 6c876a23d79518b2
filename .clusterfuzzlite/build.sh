#!/bin/bash -eu
# ClusterFuzzLite's build step: the base image has set CC, CXX, CFLAGS, CXXFLAGS,
# LIB_FUZZING_ENGINE, OUT, SRC and WORK for the sanitizer and engine of this run.
bash "$SRC/wscheck/fuzz/oss-fuzz-build.sh"
