// The console reporter plus, at the end, the table the benchmark exists for: each wscheck row
// as a ratio to the reference row of the same case (Beast's, unless the program names
// another), measured in the same run.
//
// Benchmark names are "<group>/<case>/<implementation>"; the implementation whose name starts
// with the comparison's reference ("beast") is the reference of its case. With
// --benchmark_repetitions=N (N > 1) the median of the N runs is used, otherwise the single
// run. A ratio above 1 means the row is faster than the reference. Rows in groups starting
// with "frames_small" are shown in frames/s, the others in bytes/s (GB = 10^9 bytes, or MB =
// 10^6 when the comparison asks for it).
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace wscheck::bench {

/// What the ratio table compares.
struct comparison {
    std::string_view reference = "beast"; ///< the prefix of the reference implementation's name
    std::string_view ours = "wscheck";    ///< the column of the other rows
    std::string_view theirs = "Beast";    ///< the column of the reference
    bool megabytes = false;               ///< byte rates in MB/s rather than GB/s
};

class ratio_reporter : public benchmark::ConsoleReporter {
public:
    explicit ratio_reporter(const comparison& c = {}) : benchmark::ConsoleReporter{OO_None}, comparison_(c) {}

    void ReportRuns(const std::vector<Run>& runs) override;
    void Finalize() override;

    /// True when some benchmark reported an error (SkipWithError).
    bool any_error() const noexcept { return any_error_; }

private:
    struct rates {
        double items_per_second = 0;
        double bytes_per_second = 0;
    };
    struct case_results {
        std::int64_t first_family = 0; ///< registration order, for the table's row order
        std::map<std::string, rates> by_implementation;
    };
    std::map<std::string, case_results> results_; ///< by "<group>/<case>"
    comparison comparison_;
    bool any_error_ = false;
};

/// The main() of a benchmark program: registers with `register_benchmarks`, runs what the
/// command line selects with a ratio_reporter. Returns the exit status: 2 for an unknown
/// argument, 1 when a benchmark reported an error, else 0.
int run_benchmarks(int argc, char** argv, void (*register_benchmarks)(), const comparison& c = {});

} // namespace wscheck::bench
