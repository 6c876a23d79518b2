#include "bench/ratio_reporter.hpp"

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <string_view>
#include <utility>

namespace wscheck::bench {
namespace {

double counter(const benchmark::BenchmarkReporter::Run& run, const char* name) {
    const auto it = run.counters.find(name);
    return it == run.counters.end() ? 0.0 : it->second.value;
}

bool in_frames(std::string_view case_name) { return case_name.starts_with("frames_small"); }

std::string format_rate(std::string_view case_name, double items_per_second, double bytes_per_second,
                        bool megabytes) {
    char text[64];
    if (in_frames(case_name))
        std::snprintf(text, sizeof text, "%.2f M frames/s", items_per_second / 1e6);
    else if (megabytes)
        std::snprintf(text, sizeof text, "%.1f MB/s", bytes_per_second / 1e6);
    else
        std::snprintf(text, sizeof text, "%.2f GB/s", bytes_per_second / 1e9);
    return text;
}

} // namespace

void ratio_reporter::ReportRuns(const std::vector<Run>& runs) {
    benchmark::ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
        if (run.error_occurred) {
            any_error_ = true;
            continue;
        }
        // The median of several repetitions, or the only run.
        const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
        const bool single = run.run_type == Run::RT_Iteration && run.repetitions <= 1;
        if (!median && !single)
            continue;
        const std::string name = run.run_name.str();
        const std::size_t slash = name.rfind('/');
        if (slash == std::string::npos)
            continue;
        auto [it, inserted] = results_.try_emplace(name.substr(0, slash));
        if (inserted || run.family_index < it->second.first_family)
            it->second.first_family = run.family_index;
        it->second.by_implementation[name.substr(slash + 1)] =
            rates{counter(run, "items_per_second"), counter(run, "bytes_per_second")};
    }
}

void ratio_reporter::Finalize() {
    std::vector<std::pair<std::int64_t, std::string>> order;
    for (const auto& [name, results] : results_)
        order.emplace_back(results.first_family, name);
    std::sort(order.begin(), order.end());

    std::ostream& out = GetOutputStream();
    const comparison& c = comparison_;
    out << "\nRatios (" << c.ours << " / " << c.theirs << ", medians of the same run; > 1: " << c.ours
        << " is faster)\n\n"
        << "| case | implementation | " << c.ours << " | " << c.theirs << " | ratio |\n"
        << "|---|---|---:|---:|---:|\n";
    for (const auto& [family, name] : order) {
        const auto& impls = results_.at(name).by_implementation;
        const auto reference = std::find_if(impls.begin(), impls.end(), [&c](const auto& entry) {
            return std::string_view{entry.first}.starts_with(c.reference);
        });
        if (reference == impls.end())
            continue;
        const rates& theirs = reference->second;
        for (const auto& [impl, r] : impls) {
            if (impl == reference->first)
                continue;
            // Both counters are per second of the same work, so either gives the ratio; use
            // the one the row is shown in.
            const double ratio = in_frames(name) ? r.items_per_second / theirs.items_per_second
                                                 : r.bytes_per_second / theirs.bytes_per_second;
            char ratio_text[32];
            std::snprintf(ratio_text, sizeof ratio_text, "%.2f", ratio);
            out << "| " << name << " | " << impl << " | "
                << format_rate(name, r.items_per_second, r.bytes_per_second, c.megabytes) << " | "
                << format_rate(name, theirs.items_per_second, theirs.bytes_per_second, c.megabytes) << " | "
                << ratio_text << " |\n";
        }
    }
    out.flush();
}

int run_benchmarks(int argc, char** argv, void (*register_benchmarks)(), const comparison& c) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 2;
    register_benchmarks();
    ratio_reporter reporter{c};
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return reporter.any_error() ? 1 : 0;
}

} // namespace wscheck::bench
