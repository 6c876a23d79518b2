// How test_run shares the run among cases, read off the times the cases ran: parallel ones
// beside each other, serial ones alone, waiting ones beside each other and apart from the rest.
#include "cases/builders.hpp"
#include "cases/catalog.hpp"
#include "harness/runner/test_run.hpp"
#include "harness/server/reference_server.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <map>

namespace {

using namespace wscheck;
using namespace std::chrono_literals;
using cases::scheduling;

/// A test-local case: echo one message, then wait `pause` with the connection open.
cases::case_def pausing_case(std::string id, scheduling kind, std::chrono::milliseconds pause) {
    cases::case_def c;
    c.id = std::move(id);
    c.description = "Send a text message, then wait (test-local case).";
    c.expectation = "The message is echoed.";
    c.rfc = {"6.1", "a message is delivered"};
    c.schedule = kind;
    c.timeout = 50ms; // after the pause, whose event ends the trace
    c.build = [pause] {
        cases::script s;
        s.steps.emplace_back(cases::build::frame(proto::opcode::text, cases::payload{"x"}));
        // Labelled, so that the case lasts the whole pause: its event is part of the trace.
        s.steps.emplace_back(cases::pause{pause, "waited"});
        s.outcomes = {cases::build::ok({cases::build::text(cases::payload{"x"}), cases::build::timed_out("waited")})};
        s.close = cases::build::we_close();
        return s;
    };
    return c;
}

struct span {
    std::chrono::system_clock::time_point from;
    std::chrono::system_clock::time_point to;
};

bool overlap(const span& a, const span& b) { return a.from < b.to && b.from < a.to; }

std::map<std::string, span> run_and_time(const std::deque<cases::case_def>& defs, unsigned jobs) {
    server::background_server srv{server::server_options{}};
    std::string error;
    const auto url = net::parse_ws_url(srv.url(), error);
    EXPECT_TRUE(url) << error;
    runner::run_options options;
    options.connection.url = *url;
    options.jobs = jobs;
    std::vector<const cases::case_def*> selected;
    for (const auto& c : defs) {
        selected.push_back(&c);
    }
    net::asio::io_context io;
    auto run = std::make_shared<runner::test_run>(io, options, cases::full_catalog(), selected, nullptr);
    run->start();
    net::run_until(io, [&] { return run->finished(); }, net::clock::now() + std::chrono::minutes{1});
    EXPECT_TRUE(run->finished());
    std::map<std::string, span> out;
    for (const auto& r : run->results()) {
        EXPECT_EQ(r.behavior, cases::behavior::ok) << r.id << ": " << r.reason;
        // duration_ms is whole milliseconds, cut down: the case ended no earlier than this.
        out[r.id] = {r.started, r.started + r.duration};
    }
    EXPECT_EQ(out.size(), defs.size());
    return out;
}

TEST(TestRunScheduling, WaitingCasesOverlapEachOtherButNothingElse) {
    std::deque<cases::case_def> defs;
    defs.push_back(pausing_case("90.1", scheduling::parallel, 300ms));
    defs.push_back(pausing_case("90.2", scheduling::parallel, 300ms));
    defs.push_back(pausing_case("90.3", scheduling::waits, 400ms));
    defs.push_back(pausing_case("90.4", scheduling::waits, 400ms));
    defs.push_back(pausing_case("90.5", scheduling::waits, 400ms));
    defs.push_back(pausing_case("90.6", scheduling::serial, 200ms));
    defs.push_back(pausing_case("90.7", scheduling::waits, 200ms));
    defs.push_back(pausing_case("90.8", scheduling::parallel, 200ms));
    defs.push_back(pausing_case("90.9", scheduling::parallel, 200ms));
    const auto t = run_and_time(defs, 8);
    ASSERT_EQ(t.size(), defs.size());

    // Beside their own kind: the two parallel ones, the three waiting ones in a row.
    EXPECT_TRUE(overlap(t.at("90.1"), t.at("90.2")));
    EXPECT_TRUE(overlap(t.at("90.3"), t.at("90.4")));
    EXPECT_TRUE(overlap(t.at("90.4"), t.at("90.5")));
    EXPECT_TRUE(overlap(t.at("90.3"), t.at("90.5")));
    EXPECT_TRUE(overlap(t.at("90.8"), t.at("90.9")));
    // Apart from everything of another kind, and the serial one alone.
    for (const auto& [a, sa] : t) {
        for (const auto& [b, sb] : t) {
            const auto kind_a = defs[static_cast<std::size_t>(std::stoi(a.substr(3)) - 1)].schedule;
            const auto kind_b = defs[static_cast<std::size_t>(std::stoi(b.substr(3)) - 1)].schedule;
            if (a < b && (kind_a != kind_b || kind_a == scheduling::serial)) {
                EXPECT_FALSE(overlap(sa, sb)) << a << " and " << b;
            }
        }
    }
}

TEST(TestRunScheduling, WaitingCasesKeepToTheJobLimit) {
    std::deque<cases::case_def> defs;
    for (int i = 1; i <= 4; ++i) {
        defs.push_back(pausing_case("90." + std::to_string(i), scheduling::waits, 200ms));
    }
    const auto t = run_and_time(defs, 2);
    ASSERT_EQ(t.size(), defs.size());
    // Two at a time: the third starts only when one of the first two has ended.
    EXPECT_TRUE(overlap(t.at("90.1"), t.at("90.2")));
    EXPECT_GE(t.at("90.3").from, std::min(t.at("90.1").to, t.at("90.2").to));
    EXPECT_GE(t.at("90.4").from, std::min(t.at("90.1").to, t.at("90.2").to));
}

} // namespace
