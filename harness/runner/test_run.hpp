// Runs a selection of cases against one target: independent cases in parallel (up to `jobs`
// connections at once), serial ones (timing-sensitive, 9.x) alone, waiting ones (21.1, 21.2)
// beside each other but apart from the rest, all on one io_context, in catalog order.
//
// A target that goes down is reported once, as such: when a connection is refused after
// earlier cases connected, the case is retried once after a short pause (a full backlog
// under parallel load is not a crash), and no new case starts until the retry is answered;
// refused again, the run stops starting cases, notes
// which case ran last, and files every case not run as FAILED "not run: target down".
//
// A target that still accepts connections but has stopped answering (it never reads, or
// never writes: silent_streak cases in a row opened and then heard nothing, not even an
// answer to a Close) would otherwise cost every case its whole time, serial cases one after
// the other. So the run says so in a note and, until a case hears from the target again:
// runs up to silent_jobs cases at once, serial ones among them (their timing means nothing
// now), and ends each case once the target has been silent for the write timeout while the
// case waits on it. The verdicts are the ones waiting would give: a silent target sends no
// event and no Close, however long it is given (case_runner::target_silent).
#pragma once

#include "cases/catalog.hpp"
#include "harness/runner/case_runner.hpp"
#include "reports/result.hpp"

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wscheck::runner {

/// The result filed for a case that never ran: FAILED on both axes, "Not run: <why>".
reports::case_result not_run_result(const cases::case_def& c, std::string section, const std::string& why);

struct run_options {
    runner_options connection;
    unsigned jobs = 8;
    /// Cases in a row that find the target silent before the run treats it as such.
    unsigned silent_streak = 3;
    /// Cases at once while the target is silent (at least `jobs`).
    unsigned silent_jobs = 32;
};

class test_run : public std::enable_shared_from_this<test_run> {
public:
    using progress = std::function<void(const reports::case_result&, std::size_t done, std::size_t total)>;

    test_run(net::asio::io_context& io, run_options options, const cases::catalog& catalog,
             std::vector<const cases::case_def*> selected, progress on_case);

    /// Starts scheduling on the io_context; the run is over when the io_context runs out of
    /// work (or finished() turns true).
    void start();
    /// Ctrl-C: starts nothing more and ends the running cases at once. Results keep only the
    /// cases that finished before.
    void stop();

    bool finished() const noexcept { return done_ == selected_.size() || (stopped_ && running_.empty()); }
    bool interrupted() const noexcept { return stopped_; }
    /// The results of the cases that ran, in catalog order.
    std::vector<reports::case_result> results() const;
    const std::vector<std::string>& notes() const noexcept { return notes_; }

private:
    /// Whether a case of `kind` may start beside the cases running now.
    bool may_launch(cases::scheduling kind, unsigned jobs) const;
    void launch_more();
    void launch(std::size_t index);
    void on_case_done(std::size_t index, reports::case_result r);
    void target_down(std::size_t index, const reports::case_result& r);
    /// Follows whether the target answers, from each finished case that opened.
    void note_answer(const reports::case_result& r);

    net::asio::io_context& io_;
    run_options options_;
    const cases::catalog& catalog_;
    std::vector<const cases::case_def*> selected_;
    progress on_case_;

    std::vector<std::optional<reports::case_result>> results_;
    std::size_t next_ = 0;
    std::size_t done_ = 0;
    std::set<std::size_t> running_;
    std::vector<std::shared_ptr<case_runner>> runners_;
    std::set<std::size_t> retried_;
    /// How each case was launched (a silent target's cases all as parallel ones), and how many
    /// of each kind run now.
    std::vector<cases::scheduling> launched_as_;
    std::array<std::size_t, 3> running_by_kind_{};
    bool stopped_ = false;
    bool down_ = false;
    bool any_connected_ = false;
    std::string last_connected_case_;
    std::vector<std::string> notes_;
    /// One per retry: refusals can come several at a time under parallel load.
    std::vector<std::unique_ptr<net::asio::steady_timer>> retry_timers_;
    /// Retries waiting: the target may be down, so no new case starts until they are answered.
    std::size_t retries_pending_ = 0;
    std::size_t silent_in_a_row_ = 0;
    std::vector<std::string> silent_cases_; ///< the streak's ids, for the note
    bool silent_ = false;                   ///< the target has stopped answering
};

} // namespace wscheck::runner
