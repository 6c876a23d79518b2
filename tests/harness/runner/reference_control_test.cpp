// The reference server is the control: the whole catalog against it must give no failure on
// either axis, and the verdicts must not depend on how many cases run at once.
#include "cases/catalog.hpp"
#include "harness/runner/test_run.hpp"
#include "harness/server/reference_server.hpp"

#include <gtest/gtest.h>

#include <map>

namespace {

using namespace wscheck;

std::vector<reports::case_result> run_catalog(const std::string& url, unsigned jobs,
                                              const std::function<bool(const std::string&)>& wanted) {
    std::string error;
    const auto parsed = net::parse_ws_url(url, error);
    EXPECT_TRUE(parsed) << error;
    runner::run_options options;
    options.connection.url = *parsed;
    options.jobs = jobs;
    const auto& cat = cases::full_catalog();
    std::vector<const cases::case_def*> selected;
    for (const auto& c : cat.cases()) {
        if (wanted(c.id)) {
            selected.push_back(&c);
        }
    }
    net::asio::io_context io;
    auto run = std::make_shared<runner::test_run>(io, options, cat, selected, nullptr);
    run->start();
    net::run_until(io, [&] { return run->finished(); }, net::clock::now() + std::chrono::minutes{5});
    EXPECT_TRUE(run->finished());
    EXPECT_TRUE(run->notes().empty());
    return run->results();
}

TEST(ReferenceControl, WholeCatalogHasNoFailure) {
    server::background_server srv{server::server_options{}};
    const auto results = run_catalog(srv.url(), 8, [](const std::string&) { return true; });
    EXPECT_EQ(results.size(), cases::full_catalog().cases().size());
    for (const auto& r : results) {
        EXPECT_FALSE(cases::is_failure(r.behavior)) << r.id << ": " << r.reason;
        EXPECT_FALSE(cases::is_failure(r.close_behavior)) << r.id << ": " << r.close_reason;
        // A conformant server earns the strict verdict wherever the case has one.
        EXPECT_NE(r.behavior, cases::behavior::non_strict) << r.id << ": " << r.reason;
        EXPECT_NE(r.behavior, cases::behavior::unimplemented) << r.id;
        EXPECT_TRUE(r.peer_violations.empty()) << r.id << ": " << r.peer_violations.front();
    }
}

TEST(ReferenceControl, VerdictsDoNotDependOnParallelism) {
    server::background_server srv{server::server_options{}};
    const auto fast_sections = [](const std::string& id) {
        return !id.starts_with("9.") && !id.starts_with("21.");
    };
    std::map<std::string, std::pair<cases::behavior, cases::close_behavior>> serial;
    for (const auto& r : run_catalog(srv.url(), 1, fast_sections)) {
        serial[r.id] = {r.behavior, r.close_behavior};
    }
    std::size_t compared = 0;
    for (const auto& r : run_catalog(srv.url(), 64, fast_sections)) {
        EXPECT_EQ(serial.at(r.id), std::make_pair(r.behavior, r.close_behavior)) << r.id;
        ++compared;
    }
    EXPECT_EQ(compared, serial.size());
}

} // namespace
