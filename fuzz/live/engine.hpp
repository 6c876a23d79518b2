// The live fuzzer (`wscheck fuzz`): sends mutated traffic to a running WebSocket server on
// fresh connections and checks after every input that the server still serves a fresh,
// valid connection. Design and file formats: docs/fuzzing.md.
//
// Theory of operation
//   Inputs come from input_generator (generator.hpp): input i is a function of the seed and
//   i only. Each input is sent on its own connection (live_io.hpp: send_input), and then the
//   liveness probe runs on a fresh connection; a failed probe is looked at twice before it
//   counts (finding.hpp gives the three kinds and their exact definitions). Up to `jobs`
//   workers do this in parallel; the first problem stops them all, and every input in flight
//   at that moment is a candidate.
//   A problem that is another occurrence of a known finding (finding.hpp: the signature; the
//   same kind and failure, and the known reproducer's shape within the input's) is counted
//   on it, and neither confirmed, shrunk nor saved again: max_findings counts distinct bugs.
//   A new problem is confirmed: on a healthy target (restarted first with --exec), each
//   candidate is sent again alone, and the first that causes the same kind of problem is the
//   finding, `reproduced`. It is shrunk (shrinker.hpp) when the target can be made healthy
//   again for each attempt; shrunk, it may turn out a known bug after all (counted on it),
//   else it is saved as a replayable file, and the run goes on when the target
//   is (or can be made) healthy; otherwise it ends there ("target down").
//   Everything is bounded: `count` inputs, `time` (checked between inputs; one input and its
//   checks take at most a few of the io_limits' deadlines), a number of findings, and the
//   shrinker's own attempts and time. `stop` (Ctrl-C) is checked between inputs and between
//   shrinking attempts.
#pragma once

#include "fuzz/live/finding.hpp"
#include "fuzz/live/live_io.hpp"
#include "fuzz/live/target_process.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace wscheck::fuzz {

struct fuzz_options {
    /// With tgt.deflate (--deflate), the inputs offer permessage-deflate too and half of them
    /// carry compressed traffic (generator.hpp).
    target tgt;
    std::uint64_t seed = 0;
    std::uint64_t count = 1000;                 ///< inputs at most
    std::chrono::milliseconds time{20'000};     ///< fuzzing time at most (confirming and shrinking excluded)
    unsigned jobs = 1;                          ///< parallel connections
    io_limits limits;
    /// --exec: the server we started (and restart after a crash or a hang); nullptr otherwise.
    target_process* process = nullptr;
    std::chrono::milliseconds ready_timeout{10'000}; ///< for (re)starts
    bool shrink = true;
    std::size_t shrink_attempts = 150;          ///< trials per finding at most
    std::chrono::milliseconds shrink_time{30'000}; ///< per finding at most
    std::size_t max_findings = 5;               ///< the run ends after this many
    std::filesystem::path out_dir;              ///< finding files go here
    const std::atomic<bool>* stop = nullptr;    ///< set (by a signal handler) to end the run early
    /// Progress lines (findings, restarts), one sentence each; may be empty.
    std::function<void(const std::string&)> on_log;
};

struct fuzz_outcome {
    std::uint64_t inputs_sent = 0;
    std::uint64_t bytes_sent = 0;
    std::chrono::milliseconds fuzzing_time{};   ///< time spent sending inputs and probing
    std::chrono::milliseconds total_time{};     ///< including confirming and shrinking
    std::map<std::string, std::uint64_t> strategies; ///< inputs per strategy ("case" for all cases)
    std::vector<finding> findings;
    unsigned restarts = 0;
    bool interrupted = false;
    /// Why the run ended: "count", "time", "target down", "findings limit", "interrupted",
    /// "local error" (our side could not connect; notes say why).
    std::string end_reason;
    std::vector<std::string> notes;             ///< e.g. slow probes that recovered
};

/// Runs the fuzzer. The target must be up (the caller checks with probe()); with
/// options.process it must have been started. Never throws for what the target does.
fuzz_outcome run_fuzz(const fuzz_options& options);

/// What sending one input to a healthy target did to it.
struct trial_result {
    std::optional<finding_kind> kind; ///< nullopt: the target is still well
    std::string detail;
    /// How the target failed, without the figures that change from one trial to the next
    /// (timeouts): what tells two bugs of one kind apart (finding.hpp: the signature).
    std::string failure;
    bool connection_hang = false;     ///< a hang of the input's own connection (not of the server)
    /// Set when our own side could not connect (no local port left, ...): no verdict on the
    /// server is possible, and the run ends.
    std::string local_error;
};

/// Sends `in` once and checks the target as the fuzzer does after each input, except that a
/// hang of the input's own connection counts at once (`confirm_connection_hang` false) or only
/// when it happens again on a second send (true).
trial_result run_trial(const fuzz_options& options, const fuzz_input& in, bool confirm_connection_hang);

/// Makes the target healthy for a trial: the probe must pass; with options.process a target
/// that fails it (or has exited) is restarted once. False when it cannot be made healthy
/// (`why` says why).
bool make_healthy(const fuzz_options& options, std::string& why);

} // namespace wscheck::fuzz
