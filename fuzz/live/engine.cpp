#include "fuzz/live/engine.hpp"

#include "cases/catalog.hpp"
#include "fuzz/live/case_seeds.hpp"
#include "fuzz/live/framed_input.hpp"
#include "fuzz/live/generator.hpp"
#include "fuzz/live/shrinker.hpp"

#include <algorithm>
#include <mutex>
#include <thread>

namespace wscheck::fuzz {

namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

milliseconds since(steady::time_point t) {
    return std::chrono::duration_cast<milliseconds>(steady::now() - t);
}

void log(const fuzz_options& o, const std::string& line) {
    if (o.on_log) {
        o.on_log(line);
    }
}

bool stopped(const fuzz_options& o) {
    return o.stop != nullptr && o.stop->load();
}

trial_result problem(finding_kind kind, std::string failure, std::string detail, bool connection_hang = false) {
    trial_result r;
    r.kind = kind;
    r.failure = std::move(failure);
    r.detail = std::move(detail);
    r.connection_hang = connection_hang;
    return r;
}

/// The probe message names the input it follows, so a server log shows which input came before.
std::string probe_message(std::uint64_t index) {
    return "wscheck-fuzz-probe-" + std::to_string(index);
}

/// Our side could not connect: no verdict on the server.
trial_result cannot_judge(const probe_result& p) {
    trial_result r;
    r.local_error = p.detail;
    return r;
}

/// The target after an input: crash, hang or disconnect, each looked at twice (finding.hpp).
trial_result check_target(const fuzz_options& o, std::uint64_t index) {
    if (o.process != nullptr) {
        if (const auto how = o.process->exit_description()) {
            return problem(finding_kind::crash, "the server process " + *how, "the server process " + *how);
        }
    }
    auto first = probe(o.tgt, probe_message(index), o.limits);
    for (int retry = 0; retry < 3 && first.what == probe_result::status::local_error; ++retry) {
        std::this_thread::sleep_for(milliseconds{500}); // ports in TIME_WAIT come free, descriptors close
        first = probe(o.tgt, probe_message(index), o.limits);
    }
    if (first.what == probe_result::status::local_error) {
        return cannot_judge(first);
    }
    if (first.what == probe_result::status::alive) {
        return {};
    }
    const auto crashed = [&] {
        std::string detail = "a fresh connection was refused";
        if (o.process != nullptr) {
            if (const auto how = o.process->wait_exit(milliseconds{1000})) {
                detail = "the server process " + *how;
            }
        }
        return problem(finding_kind::crash, detail, detail);
    };
    if (first.what == probe_result::status::refused) {
        return crashed();
    }
    // A second look, with twice the time, so that a slow moment of a busy machine is not a hang.
    auto slower = o.limits;
    slower.probe_timeout = o.limits.probe_timeout * 2;
    std::this_thread::sleep_for(milliseconds{50});
    const auto second = probe(o.tgt, probe_message(index), slower);
    const bool exited = o.process != nullptr && o.process->exit_description();
    switch (second.what) {
    case probe_result::status::alive:
        return {};
    case probe_result::status::local_error:
        return cannot_judge(second);
    case probe_result::status::refused:
        return crashed();
    case probe_result::status::timed_out:
        if (exited) {
            return crashed();
        }
        return problem(finding_kind::hang, "the liveness check got no answer: " + second.detail,
                       "the liveness check got no answer twice (" + first.detail + "; then within " +
                                               std::to_string(slower.probe_timeout.count()) + " ms: " + second.detail +
                                               ")" + (second.connected ? ", though TCP connections are accepted" : ""));
    case probe_result::status::broken:
        if (exited) {
            return crashed();
        }
        return problem(finding_kind::disconnect, "a fresh, valid connection was not served: " + second.detail,
                       "a fresh, valid connection was not served twice (" + first.detail + "; then " + second.detail +
                           ")");
    }
    return {};
}

trial_result connection_hang(const fuzz_options& o) {
    return problem(finding_kind::hang, "the server did not close the input's connection after our FIN",
                   "the server did not close the input's connection within " +
                       std::to_string(o.limits.close_timeout.count()) + " ms of our FIN, and still served a fresh one",
                   true);
}

/// Is `r` the same problem as `f`: the same kind, and the target failed the same way?
bool same_problem(const trial_result& r, const trial_result& f) {
    return r.kind && f.kind && *r.kind == *f.kind && r.connection_hang == f.connection_hang && r.failure == f.failure;
}

std::string strategy_group(const std::string& strategy) {
    return strategy.rfind("case ", 0) == 0 ? "case" : strategy;
}

struct candidate {
    fuzz_input input;
    trial_result result; ///< what was seen after it (empty: it was in flight when another failed)
};

/// The shared state of the workers of one round.
struct round_state {
    std::mutex mutex;
    std::atomic<std::uint64_t> next_index{0};
    std::atomic<bool> problem{false};
    std::vector<candidate> candidates;
    std::string local_error; ///< our side could not connect: the round and the run end
    std::atomic<std::uint64_t> sent{0};
    std::atomic<std::uint64_t> bytes{0};
    std::map<std::string, std::uint64_t> strategies;
};

/// The verdict on an input already sent: the target's state, then the input's own connection
/// (a hang of it counts only when it happens again, if `confirm`).
trial_result judge_input(const fuzz_options& o, const fuzz_input& in, const input_result& ir, bool confirm) {
    trial_result r = check_target(o, in.index);
    if (r.kind || !r.local_error.empty() || ir.what != input_result::status::still_open) {
        return r;
    }
    if (confirm && send_input(o.tgt, in, o.limits).what != input_result::status::still_open) {
        return {};
    }
    return connection_hang(o);
}

void worker(const fuzz_options& o, const input_generator& gen, round_state& rs, steady::time_point end) {
    while (!rs.problem.load() && !stopped(o) && steady::now() < end) {
        const std::uint64_t i = rs.next_index.fetch_add(1);
        if (i >= o.count) {
            return;
        }
        fuzz_input in = gen.make(i);
        const auto ir = send_input(o.tgt, in, o.limits);
        rs.sent.fetch_add(1);
        rs.bytes.fetch_add(ir.bytes_written);
        const trial_result r = judge_input(o, in, ir, /*confirm=*/true);
        std::lock_guard lock{rs.mutex};
        ++rs.strategies[strategy_group(in.strategy)];
        if (!r.local_error.empty()) {
            rs.local_error = r.local_error;
            rs.problem.store(true);
            return;
        }
        // Once a problem is seen, every input that was in flight is a candidate too.
        if (r.kind || rs.problem.load()) {
            rs.candidates.push_back({std::move(in), r});
            if (r.kind) {
                rs.problem.store(true);
            }
        }
    }
}

/// Whether `in` (what the target did after it: kind, failure) is another occurrence of the
/// known finding `k`: the same kind and failure, and k's reproducer's shape within in's, its
/// frames in the same order with the same flags. Without shrinking (--no-shrink) a finding's
/// shape is that of a random input, which tells nothing: the kind and the failure decide.
bool same_bug(const fuzz_options& o, const finding& k, finding_kind kind, const std::string& failure,
              const fuzz_input& in) {
    return k.kind == kind && k.failure == failure && (!o.shrink || shape_contains(input_shape(in), k.input_shape));
}

/// The known finding (its position in `known`) that the round's problem is another occurrence
/// of, and the input that caused it; the input that failed first is looked at first, then the
/// others that were in flight.
std::optional<std::pair<std::size_t, std::uint64_t>> known_bug(const fuzz_options& o, const std::vector<finding>& known,
                                                               const candidate& failed,
                                                               const std::vector<candidate>& candidates) {
    for (std::size_t k = 0; k < known.size(); ++k) {
        if (same_bug(o, known[k], *failed.result.kind, failed.result.failure, failed.input)) {
            return std::pair{k, failed.input.index};
        }
        for (const auto& c : candidates) {
            if (same_bug(o, known[k], *failed.result.kind, failed.result.failure, c.input)) {
                return std::pair{k, c.input.index};
            }
        }
    }
    return std::nullopt;
}

/// Another occurrence of `f`'s bug, after input `index`: counted, and its file rewritten.
void count_again(const fuzz_options& o, fuzz_outcome& out, finding& f, std::uint64_t index) {
    ++f.occurrences;
    f.occurrence_inputs.push_back(index);
    log(o, std::string{to_string(f.kind)} + " after input " + std::to_string(index) + ": the same bug as " +
               f.file.filename().string() + " (" + std::to_string(f.occurrences) + " occurrences)");
    if (f.file.empty()) {
        return;
    }
    std::string save_error;
    (void)save_finding(f, o.out_dir, save_error);
    if (!save_error.empty()) {
        out.notes.push_back("cannot update the finding: " + save_error);
    }
}

/// Confirms the round's problem: each candidate alone on a healthy target, lowest index first;
/// the first that shows a problem again is the finding, `reproduced`. `seen` gets what it did.
finding confirm(const fuzz_options& o, const std::vector<candidate>& candidates, const candidate& first_failed,
                trial_result& seen, fuzz_outcome& out) {
    finding f;
    f.seed = o.seed;
    f.url_path = o.tgt.url.target;
    f.host = o.tgt.url.host_field();
    f.deflate = o.tgt.deflate;
    f.kind = *first_failed.result.kind;
    f.detail = first_failed.result.detail;
    f.input = first_failed.input;
    seen = first_failed.result;
    // A hang of the input's own connection was already seen twice on an otherwise idle
    // target when one worker ran: that is the confirmation.
    if (o.jobs <= 1 && first_failed.result.connection_hang) {
        f.reproduced = true;
    }
    std::string why;
    for (const auto& c : candidates) {
        if (stopped(o) || f.reproduced) {
            break;
        }
        if (!make_healthy(o, why)) {
            out.notes.push_back("input " + std::to_string(c.input.index) + " could not be sent again alone: " + why);
            break;
        }
        const auto r = run_trial(o, c.input, /*confirm_connection_hang=*/true);
        if (!r.local_error.empty()) {
            out.notes.push_back("input " + std::to_string(c.input.index) + " could not be sent again alone: " +
                                r.local_error);
            break;
        }
        if (r.kind) {
            f.kind = *r.kind;
            f.detail = r.detail;
            f.input = c.input;
            f.reproduced = true;
            seen = r;
            break;
        }
    }
    f.failure = seen.failure;
    f.original_writes = f.input.writes.size();
    f.original_bytes = f.input.total_bytes();
    f.occurrence_inputs = {f.input.index};
    log(o, std::string{to_string(f.kind)} + " after input " + std::to_string(f.input.index) + " (" +
               f.input.strategy + "): " + f.detail + (f.reproduced ? "" : " [not reproduced alone]"));
    return f;
}

/// Shrinks `f`, each attempt on a healthy target; a candidate is kept only when it shows the
/// same kind and failure as `seen`.
void shrink_finding(const fuzz_options& o, finding& f, const trial_result& seen) {
    const reproduces_fn reproduces = [&](const fuzz_input& c) -> std::optional<bool> {
        std::string unused;
        if (!make_healthy(o, unused)) {
            return std::nullopt;
        }
        const auto r = run_trial(o, c, /*confirm_connection_hang=*/false);
        if (!r.local_error.empty()) {
            return std::nullopt;
        }
        return same_problem(r, seen);
    };
    auto s = shrink(f.input, reproduces, {o.shrink_attempts, o.shrink_time, o.stop});
    if (s.input.writes != f.input.writes) {
        // The final check, with the full confirmation of the fuzzing loop.
        std::string unused;
        if (make_healthy(o, unused) && same_problem(run_trial(o, s.input, true), seen)) {
            f.input.writes = std::move(s.input.writes);
            f.shrunk = true;
        }
    }
    log(o, "shrunk to " + std::to_string(f.input.writes.size()) + " write(s), " +
               std::to_string(f.input.total_bytes()) + " bytes in " + std::to_string(s.attempts) + " attempts");
}

} // namespace

bool make_healthy(const fuzz_options& o, std::string& why) {
    const auto p = probe(o.tgt, "wscheck-fuzz-health", o.limits);
    if (p.what == probe_result::status::alive && (o.process == nullptr || !o.process->exit_description())) {
        return true;
    }
    if (o.process == nullptr) {
        why = "the target does not pass the liveness check (" + p.detail + ") and wscheck did not start it (--exec)";
        return false;
    }
    log(o, "restarting the server");
    if (!o.process->restart(o.tgt.url, o.ready_timeout, why)) {
        return false;
    }
    // A process that just started may be slow to serve on a busy machine: it has the rest of
    // ready_timeout to pass the check.
    const auto deadline = steady::now() + o.ready_timeout;
    for (;;) {
        const auto again = probe(o.tgt, "wscheck-fuzz-health", o.limits);
        if (again.what == probe_result::status::alive) {
            return true;
        }
        if (steady::now() >= deadline || o.process->exit_description()) {
            why = "the restarted server does not pass the liveness check (" + again.detail + ")";
            return false;
        }
        std::this_thread::sleep_for(milliseconds{50});
    }
}

trial_result run_trial(const fuzz_options& o, const fuzz_input& in, bool confirm_connection_hang) {
    return judge_input(o, in, send_input(o.tgt, in, o.limits), confirm_connection_hang);
}

fuzz_outcome run_fuzz(const fuzz_options& o) {
    fuzz_outcome out;
    const auto started = steady::now();
    const auto seeds = make_case_seeds(cases::full_catalog(), o.tgt.url.host_field(), o.tgt.url.target, 64 * 1024);
    const input_generator gen{o.seed, o.tgt.url.host_field(), o.tgt.url.target, seeds, o.tgt.deflate};
    milliseconds fuzzing{};
    std::uint64_t next_index = 0;

    for (;;) {
        if (stopped(o)) {
            out.end_reason = "interrupted";
            break;
        }
        if (next_index >= o.count) {
            out.end_reason = "count";
            break;
        }
        if (fuzzing >= o.time) {
            out.end_reason = "time";
            break;
        }
        // A round: workers send inputs until one finds a problem or the budget is spent.
        round_state rs;
        rs.next_index = next_index;
        const auto round_start = steady::now();
        const auto end = round_start + (o.time - fuzzing);
        if (o.jobs <= 1) {
            worker(o, gen, rs, end);
        } else {
            std::vector<std::thread> threads;
            for (unsigned j = 0; j < o.jobs; ++j) {
                threads.emplace_back([&] { worker(o, gen, rs, end); });
            }
            for (auto& t : threads) {
                t.join();
            }
        }
        fuzzing += since(round_start);
        next_index = std::min<std::uint64_t>(rs.next_index.load(), o.count);
        out.inputs_sent += rs.sent.load();
        out.bytes_sent += rs.bytes.load();
        for (const auto& [name, n] : rs.strategies) {
            out.strategies[name] += n;
        }
        if (!rs.problem.load()) {
            continue; // the budget or a stop ended the round; the checks above say which
        }
        if (!rs.local_error.empty()) {
            out.end_reason = "local error";
            out.notes.push_back("the run stopped: " + rs.local_error + " (on our side; no verdict on the server)");
            break;
        }

        std::sort(rs.candidates.begin(), rs.candidates.end(),
                  [](const candidate& a, const candidate& b) { return a.input.index < b.input.index; });
        const auto first_failed = std::find_if(rs.candidates.begin(), rs.candidates.end(),
                                               [](const candidate& c) { return c.result.kind.has_value(); });
        if (first_failed == rs.candidates.end()) {
            continue; // cannot happen: a round ends on a problem only when some input had one
        }
        // A bug found before: counted on its finding, neither confirmed nor shrunk again.
        if (const auto known = known_bug(o, out.findings, *first_failed, rs.candidates)) {
            count_again(o, out, out.findings[known->first], known->second);
        } else {
            trial_result seen;
            finding f = confirm(o, rs.candidates, *first_failed, seen, out);
            if (o.shrink && f.reproduced && !stopped(o)) {
                shrink_finding(o, f, seen);
            }
            f.input_shape = input_shape(f.input);
            const auto same = std::find_if(out.findings.begin(), out.findings.end(), [&](const finding& k) {
                return same_bug(o, k, f.kind, f.failure, f.input);
            });
            if (same != out.findings.end()) {
                // Shrunk, it is a known bug after all: its input held the known reproducer's
                // frames only with other flags (or unmasked), which shrinking cleared.
                count_again(o, out, *same, f.input.index);
            } else {
                std::string save_error;
                f.file = save_finding(f, o.out_dir, save_error);
                if (!save_error.empty()) {
                    out.notes.push_back("cannot save the finding: " + save_error);
                }
                out.findings.push_back(std::move(f));
            }
        }
        if (out.findings.size() >= o.max_findings) {
            out.end_reason = "findings limit";
            break;
        }
        if (stopped(o)) {
            out.end_reason = "interrupted";
            break;
        }
        // Go on where the round stopped, if the target can serve again.
        if (std::string why; !make_healthy(o, why)) {
            out.end_reason = "target down";
            out.notes.push_back(why);
            break;
        }
    }
    out.interrupted = out.end_reason == "interrupted";
    out.fuzzing_time = fuzzing;
    out.total_time = since(started);
    if (o.process != nullptr) {
        out.restarts = o.process->restarts();
    }
    return out;
}

} // namespace wscheck::fuzz
