#include "harness/runner/test_run.hpp"

#include <algorithm>

namespace wscheck::runner {

namespace {

/// A full accept backlog under parallel load also refuses connections: wait this long and try
/// once more before calling the target down.
constexpr milliseconds retry_pause{250};

bool never_connected(const reports::case_result& r) { return !r.handshake.attempted; }

} // namespace

reports::case_result not_run_result(const cases::case_def& c, std::string section, const std::string& why) {
    reports::case_result r;
    r.id = c.id;
    r.section = std::move(section);
    r.description = c.description;
    r.expectation = c.expectation;
    r.rfc_clause = c.rfc.clause;
    r.rfc_requirement = c.rfc.requirement;
    r.started = std::chrono::system_clock::now();
    r.behavior = cases::behavior::failed;
    r.reason = "Not run: " + why;
    r.close_behavior = cases::close_behavior::failed;
    r.close_reason = "No connection.";
    return r;
}

test_run::test_run(net::asio::io_context& io, run_options options, const cases::catalog& catalog,
                   std::vector<const cases::case_def*> selected, progress on_case)
    : io_(io), options_(std::move(options)), catalog_(catalog), selected_(std::move(selected)),
      on_case_(std::move(on_case)), results_(selected_.size()), runners_(selected_.size()),
      launched_as_(selected_.size(), cases::scheduling::parallel) {
    if (options_.jobs == 0) {
        options_.jobs = 1;
    }
}

void test_run::start() { launch_more(); }

void test_run::stop() {
    if (stopped_) {
        return;
    }
    stopped_ = true;
    for (const auto& t : retry_timers_) {
        t->cancel();
    }
    for (const auto index : std::set<std::size_t>{running_}) {
        if (runners_[index]) {
            runners_[index]->interrupt();
        }
    }
}

bool test_run::may_launch(cases::scheduling kind, unsigned jobs) const {
    using cases::scheduling;
    const auto running = [this](scheduling k) { return running_by_kind_[static_cast<std::size_t>(k)]; };
    if (running(scheduling::serial) > 0) {
        return false;
    }
    if (kind == scheduling::serial) {
        return running_.empty(); // it waits for the others to drain, then runs alone
    }
    const auto other = kind == scheduling::parallel ? scheduling::waits : scheduling::parallel;
    return running(other) == 0 && running_.size() < jobs;
}

void test_run::launch_more() {
    const unsigned jobs = silent_ ? std::max(options_.jobs, options_.silent_jobs) : options_.jobs;
    while (!stopped_ && !down_ && retries_pending_ == 0 && next_ < selected_.size()) {
        // A silent target has no timing left to protect: every case runs as a parallel one.
        const auto kind = silent_ ? cases::scheduling::parallel : selected_[next_]->schedule;
        if (!may_launch(kind, jobs)) {
            return;
        }
        launched_as_[next_] = kind;
        launch(next_++);
    }
}

void test_run::launch(std::size_t index) {
    running_.insert(index);
    ++running_by_kind_[static_cast<std::size_t>(launched_as_[index])];
    const auto* c = selected_[index];
    runners_[index] = case_runner::start(
        io_, options_.connection, *c, std::string{catalog_.section_title(c->id)},
        [self = shared_from_this(), index](reports::case_result r) { self->on_case_done(index, std::move(r)); });
    if (silent_ && runners_[index]) {
        runners_[index]->target_silent(options_.connection.write_timeout);
    }
}

void test_run::note_answer(const reports::case_result& r) {
    using after_open = reports::case_result::after_open;
    if (r.peer == after_open::nothing_learnt) {
        return;
    }
    if (r.peer == after_open::answered) {
        silent_in_a_row_ = 0;
        silent_cases_.clear();
        if (silent_) {
            silent_ = false;
            notes_.push_back("The target answered again in case " + r.id +
                             ": the cases after it ran as usual (serial ones alone, each for its whole time).");
            for (const auto i : running_) {
                if (runners_[i]) {
                    runners_[i]->target_silent(milliseconds{});
                }
            }
        }
        return;
    }
    ++silent_in_a_row_;
    silent_cases_.push_back(r.id);
    if (silent_ || silent_in_a_row_ < std::max(options_.silent_streak, 1u)) {
        return;
    }
    silent_ = true;
    std::string ids;
    for (const auto& id : silent_cases_) {
        ids += (ids.empty() ? "" : ", ") + id;
    }
    const auto limit = options_.connection.write_timeout;
    notes_.push_back("The target stopped answering: cases " + ids +
                     " opened and then got nothing back, not even a Close. Until it answered again, up to " +
                     std::to_string(std::max(options_.jobs, options_.silent_jobs)) +
                     " cases ran at once (serial ones too, so their times mean little) and each ended after " +
                     std::to_string(limit.count()) + " ms without a byte from the target.");
    for (const auto i : running_) {
        if (runners_[i]) {
            runners_[i]->target_silent(limit);
        }
    }
}

void test_run::on_case_done(std::size_t index, reports::case_result r) {
    running_.erase(index);
    runners_[index].reset();
    --running_by_kind_[static_cast<std::size_t>(launched_as_[index])];
    if (stopped_) {
        return; // interrupted mid-case: its verdict would be about our own drop
    }
    if (never_connected(r) && any_connected_ && !down_) {
        if (retried_.insert(index).second) {
            // A timer of its own: a shared one would cancel the retries already waiting.
            auto& timer = retry_timers_.emplace_back(std::make_unique<net::asio::steady_timer>(io_, retry_pause));
            ++retries_pending_;
            timer->async_wait([self = shared_from_this(), index](const boost::system::error_code& ec) {
                --self->retries_pending_;
                if (!ec && !self->stopped_) {
                    self->launch(index);
                }
            });
            return;
        }
        target_down(index, r);
    }
    if (!never_connected(r)) {
        any_connected_ = true;
        last_connected_case_ = r.id;
    }
    note_answer(r);
    results_[index] = std::move(r);
    ++done_;
    if (on_case_) {
        on_case_(*results_[index], done_, selected_.size());
    }
    if (down_ && running_.empty()) {
        // File every case that never started, once the running ones are done.
        for (std::size_t i = next_; i < selected_.size(); ++i) {
            const auto* c = selected_[i];
            results_[i] = not_run_result(*c, std::string{catalog_.section_title(c->id)},
                                  "the target stopped accepting connections (see the run notes).");
            ++done_;
            if (on_case_) {
                on_case_(*results_[i], done_, selected_.size());
            }
        }
        next_ = selected_.size();
        return;
    }
    launch_more();
}

void test_run::target_down(std::size_t index, const reports::case_result& r) {
    down_ = true;
    notes_.push_back("The target stopped accepting connections at case " + selected_[index]->id + " (" +
                     r.reason + ") after earlier cases connected" +
                     (last_connected_case_.empty() ? std::string{}
                                                   : "; the last case that connected was " + last_connected_case_ +
                                                         ", which may have crashed it") +
                     ". Cases after it were not run.");
}

std::vector<reports::case_result> test_run::results() const {
    std::vector<reports::case_result> out;
    for (const auto& r : results_) {
        if (r) {
            out.push_back(*r);
        }
    }
    return out;
}

} // namespace wscheck::runner
