// The report of a `wscheck fuzz` run: fuzz.json (settings, seed, throughput, findings with
// their reproducer files) and fuzz.html (one self-contained page listing the findings), both
// written atomically into the run's output directory.
//
// fuzz.json (format "wscheck-fuzz-report", version 1):
//   {"format", "format_version", "wscheck_version", "target", "exec", "seed", "seed_given",
//    "settings": {"count", "time_s", "jobs", "probe_timeout_ms", "close_timeout_ms", "shrink",
//                 "deflate"},
//    "started", "finished" (RFC 3339), "end_reason", "interrupted", "inputs_sent", "bytes_sent",
//    "fuzzing_seconds", "inputs_per_second", "strategies": {name: inputs}, "restarts",
//    "findings": [{"kind", "detail", "input_index", "strategy", "file", "writes", "bytes",
//                  "original_writes", "original_bytes", "shrunk", "reproduced", "preview_hex",
//                  "signature", "occurrences", "occurrence_inputs"}],
//    "notes": [...]}
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace wscheck::reports {

struct fuzz_report_finding {
    std::string kind;        ///< crash, hang, disconnect
    std::string detail;
    std::uint64_t input_index = 0;
    std::string strategy;
    std::string file;        ///< the replayable finding file, as a path
    std::size_t writes = 0;
    std::size_t bytes = 0;
    std::size_t original_writes = 0;
    std::size_t original_bytes = 0;
    bool shrunk = false;
    bool reproduced = false;
    std::string preview_hex; ///< the reproducer's first bytes, hex
    /// What identifies the bug (fuzz/live/finding.hpp): the same bug found again is counted
    /// here instead of being listed twice.
    std::string signature;
    std::uint64_t occurrences = 1;
    std::vector<std::uint64_t> occurrence_inputs; ///< the inputs that caused it, in the order found
};

struct fuzz_report {
    std::string target;
    std::string exec;                ///< the --exec command, "" without
    std::uint64_t seed = 0;
    bool seed_given = false;
    std::uint64_t count = 0;
    double time_s = 0;
    unsigned jobs = 1;
    long long probe_timeout_ms = 0;
    long long close_timeout_ms = 0;
    bool shrink = true;
    bool deflate = false;            ///< --deflate: permessage-deflate offered and fuzzed
    std::chrono::system_clock::time_point started;
    std::chrono::system_clock::time_point finished;
    std::string end_reason;
    bool interrupted = false;
    std::uint64_t inputs_sent = 0;
    std::uint64_t bytes_sent = 0;
    double fuzzing_seconds = 0;
    std::map<std::string, std::uint64_t> strategies;
    unsigned restarts = 0;
    std::vector<fuzz_report_finding> findings;
    std::vector<std::string> notes;

    /// inputs_sent / fuzzing_seconds (0 when no time passed).
    double inputs_per_second() const noexcept {
        return fuzzing_seconds > 0 ? static_cast<double>(inputs_sent) / fuzzing_seconds : 0;
    }
};

std::string fuzz_report_json(const fuzz_report& r);
/// One page, inline CSS, no script, every value escaped.
std::string fuzz_report_html(const fuzz_report& r);

/// Writes DIR/fuzz.json and DIR/fuzz.html atomically. "" on success, else one sentence.
std::string write_fuzz_report(const fuzz_report& r, const std::filesystem::path& dir);

} // namespace wscheck::reports
