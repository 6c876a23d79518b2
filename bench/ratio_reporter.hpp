// The console reporter plus, at the end, the table the benchmark exists for: each wscheck row
// as a ratio to the Beast row of the same case, measured in the same run.
//
// Benchmark names are "<group>/<case>/<implementation>"; the implementation whose name starts
// with "beast" is the reference of its case. With --benchmark_repetitions=N (N > 1) the
// median of the N runs is used, otherwise the single run. A ratio above 1 means wscheck is
// faster. Rows in groups starting with "frames_small" are shown in frames/s, the others in
// bytes/s (GB = 10^9 bytes).
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace wscheck::bench {

class ratio_reporter : public benchmark::ConsoleReporter {
public:
    ratio_reporter() : benchmark::ConsoleReporter{OO_None} {}

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
    bool any_error_ = false;
};

/// The main() of a benchmark program: registers with `register_benchmarks`, runs what the
/// command line selects with a ratio_reporter. Returns the exit status: 2 for an unknown
/// argument, 1 when a benchmark reported an error, else 0.
int run_benchmarks(int argc, char** argv, void (*register_benchmarks)());

} // namespace wscheck::bench
