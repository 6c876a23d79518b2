# wscheck_add_fuzzer(NAME SOURCES... LIBS ...)
#
# Builds fuzz/<NAME>.cpp as `fuzz_<name>`:
#   - WSCHECK_BUILD_FUZZERS=ON with clang: a fuzzing-engine binary (by default libFuzzer, with
#     AddressSanitizer and UndefinedBehaviorSanitizer);
#   - otherwise: a plain executable linked with fuzz/replay_main.cpp that runs each file given.
# Either way a CTest `fuzz_<name>_regressions` replays fuzz/corpus/<name>/ (seeds and regressions),
# so every ctest run checks that no input that ever crashed a target crashes it again.
#
# Under OSS-Fuzz or ClusterFuzzLite (fuzz/oss-fuzz-build.sh) the infrastructure chooses the
# sanitizer and the engine: it passes the instrumentation in CFLAGS/CXXFLAGS and the engine in
# $LIB_FUZZING_ENGINE. WSCHECK_FUZZ_FLAGS_FROM_ENV=ON then keeps this file from adding
# sanitizer flags of its own (they would contradict e.g. a memory-sanitizer build), and
# WSCHECK_FUZZING_ENGINE, set from $LIB_FUZZING_ENGINE, replaces -fsanitize=fuzzer at link time.
set(WSCHECK_FUZZ_SECONDS 20 CACHE STRING "Seconds per target for the fuzz_<name>_run targets")
set(WSCHECK_FUZZING_ENGINE "-fsanitize=fuzzer" CACHE STRING
    "What fuzz targets link as their engine and main(): a flag or a library path ($LIB_FUZZING_ENGINE)")
option(WSCHECK_FUZZ_FLAGS_FROM_ENV
    "Sanitizer and coverage flags come from CMAKE_CXX_FLAGS (OSS-Fuzz's CXXFLAGS): add none" OFF)

if(WSCHECK_BUILD_FUZZERS AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "WSCHECK_BUILD_FUZZERS needs clang: configure with -DCMAKE_CXX_COMPILER=clang++")
endif()

# Coverage feedback must reach the code under test, not only the target's own file: every
# library a fuzz target links (wscheck_proto, ...) is compiled with the fuzzer's coverage
# instrumentation and the same sanitizers, through wscheck_options (cmake/sanitizers.cmake),
# which every wscheck target links. fuzzer-no-link instruments without pulling in libFuzzer's
# main, so the other executables of this build still link and run as themselves. With the
# flags from the environment, CMAKE_CXX_FLAGS already carries all of that for every file.
set(wscheck_fuzz_sanitizers)
if(WSCHECK_BUILD_FUZZERS AND NOT WSCHECK_FUZZ_FLAGS_FROM_ENV)
    set(wscheck_fuzz_sanitizers -fsanitize=address,undefined)
    target_compile_options(wscheck_options INTERFACE
        -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined)
    target_link_options(wscheck_options INTERFACE ${wscheck_fuzz_sanitizers})
endif()
# The engine as a list: "-fsanitize=fuzzer" is one flag, a path is a library to link last.
separate_arguments(wscheck_fuzzing_engine UNIX_COMMAND "${WSCHECK_FUZZING_ENGINE}")

# fuzz/fuzz_<name>.options, the file OSS-Fuzz and ClusterFuzzLite read beside the binary in
# $OUT, as libFuzzer flags: every `key = value` line of its [libfuzzer] section becomes
# -key=value, so the fuzz_<name>_run targets (ci/fuzz.sh) fuzz with the same limits
# (e.g. max_len) as the infrastructure does.
function(wscheck_fuzz_options_args name out_var)
    set(file ${PROJECT_SOURCE_DIR}/fuzz/fuzz_${name}.options)
    set(args)
    if(EXISTS ${file})
        set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
        file(STRINGS ${file} lines)
        set(section)
        foreach(line IN LISTS lines)
            string(STRIP "${line}" line)
            if(line MATCHES "^\\[(.*)\\]$")
                set(section ${CMAKE_MATCH_1})
            elseif(section STREQUAL "libfuzzer" AND line MATCHES "^([a-z_]+)[ \t]*=[ \t]*([^ \t]+)$")
                list(APPEND args -${CMAKE_MATCH_1}=${CMAKE_MATCH_2})
            endif()
        endforeach()
    endif()
    set(${out_var} ${args} PARENT_SCOPE)
endfunction()

function(wscheck_add_fuzzer name)
    cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})
    set(target fuzz_${name})
    set(corpus ${PROJECT_SOURCE_DIR}/fuzz/corpus/${name})
    add_executable(${target} ${PROJECT_SOURCE_DIR}/fuzz/fuzz_${name}.cpp)
    target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${target} PRIVATE ${ARG_LIBS} wscheck_options wscheck_warnings)
    if(WSCHECK_BUILD_FUZZERS)
        # The target's own file gets the same instrumentation as the libraries (above); the
        # engine brings main() and is linked after everything else.
        if(NOT WSCHECK_FUZZ_FLAGS_FROM_ENV)
            target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined
                                                     -fno-sanitize-recover=undefined)
        endif()
        target_link_libraries(${target} PRIVATE ${wscheck_fuzzing_engine} ${wscheck_fuzz_sanitizers})
        set(dict ${PROJECT_SOURCE_DIR}/fuzz/dict/${name}.dict)
        set(dict_arg)
        if(EXISTS ${dict})
            set(dict_arg -dict=${dict})
        endif()
        wscheck_fuzz_options_args(${name} options_args)
        # A bounded run from the seeds into a scratch corpus; crashers land in fuzz-artifacts/.
        add_custom_target(${target}_run
            COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/fuzz-corpus/${name}
                    ${CMAKE_BINARY_DIR}/fuzz-artifacts/${name}
            COMMAND $<TARGET_FILE:${target}> ${dict_arg} ${options_args} -max_total_time=${WSCHECK_FUZZ_SECONDS}
                    -rss_limit_mb=2048 -timeout=10
                    -artifact_prefix=${CMAKE_BINARY_DIR}/fuzz-artifacts/${name}/
                    ${CMAKE_BINARY_DIR}/fuzz-corpus/${name} ${corpus}
            DEPENDS ${target} USES_TERMINAL)
    else()
        target_sources(${target} PRIVATE ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cpp)
    endif()
    if(BUILD_TESTING AND EXISTS ${corpus})
        add_test(NAME ${target}_regressions COMMAND ${target} ${corpus})
    endif()
endfunction()
