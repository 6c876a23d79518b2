// The reference server is the control: the whole catalog against it must give no failure on
// either axis, and the verdicts must not depend on how many cases run at once.
#include "cases/catalog.hpp"
#include "harness/runner/test_run.hpp"
#include "harness/server/reference_server.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

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

/// The cases that need permessage-deflate: all of 12, 13 and 25, and 22 but for the offers a
/// server must decline (22.1.1-22.1.8) and 22.1.13, whose valid second offer it may decline too.
bool needs_deflate(const std::string& id) {
    if (id.starts_with("12.") || id.starts_with("13.") || id.starts_with("25.")) {
        return true;
    }
    if (!id.starts_with("22.")) {
        return false;
    }
    return id.starts_with("22.2.") || id == "22.1.9" || id == "22.1.10" || id == "22.1.11" || id == "22.1.12";
}

void expect_no_failure(const reports::case_result& r) {
    EXPECT_FALSE(cases::is_failure(r.behavior)) << r.id << ": " << r.reason;
    EXPECT_FALSE(cases::is_failure(r.close_behavior)) << r.id << ": " << r.close_reason;
    // A conformant server earns the strict verdict wherever the case has one.
    EXPECT_NE(r.behavior, cases::behavior::non_strict) << r.id << ": " << r.reason;
    EXPECT_TRUE(r.peer_violations.empty()) << r.id << ": " << r.peer_violations.front();
}

TEST(ReferenceControl, WholeCatalogHasNoFailure) {
    // permessage-deflate off (`wscheck serve`'s default): it declines every offer, so the
    // cases that need it are UNIMPLEMENTED, as the Autobahn Testsuite says, and the rest pass.
    server::background_server srv{server::server_options{}};
    const auto results = run_catalog(srv.url(), 8, [](const std::string&) { return true; });
    EXPECT_EQ(results.size(), cases::full_catalog().cases().size());
    std::size_t unimplemented = 0;
    for (const auto& r : results) {
        expect_no_failure(r);
        if (needs_deflate(r.id)) {
            EXPECT_EQ(r.behavior, cases::behavior::unimplemented) << r.id << ": " << r.reason;
            EXPECT_TRUE(r.deflate.offered) << r.id;
            EXPECT_EQ(r.deflate.agreed, "") << r.id;
            ++unimplemented;
        } else {
            EXPECT_NE(r.behavior, cases::behavior::unimplemented) << r.id;
        }
    }
    EXPECT_EQ(unimplemented, 5u * 18u + 7u * 18u + 12u + 9u);
}

TEST(ReferenceControl, CompressionCasesPassWithDeflateOn) {
    // `wscheck test --deflate`'s embedded server: permessage-deflate on with its defaults. Section 22
    // whole, and of 12 and 13 (1000 echoes each) the small sizes of every data set and offer
    // plus the fragmented ones of the windows that differ most (8 and 15 bits): the whole of
    // them is ci/main.sh's job.
    server::server_options options;
    options.deflate = proto::deflate_server_policy{};
    server::background_server srv{options};
    const auto wanted = [](const std::string& id) {
        static const std::set<std::string> some{"12.1.1", "12.2.3", "12.3.4", "12.4.2", "12.5.1", "12.1.11",
                                                "13.1.2", "13.2.2", "13.3.2", "13.4.2", "13.5.2", "13.6.2",
                                                "13.7.2", "13.3.11", "13.5.11", "13.6.11"};
        return id.starts_with("22.") || id.starts_with("25.") || some.contains(id);
    };
    const auto results = run_catalog(srv.url(), 4, wanted);
    EXPECT_EQ(results.size(), 16u + 21u + 9u);
    for (const auto& r : results) {
        expect_no_failure(r);
        EXPECT_NE(r.behavior, cases::behavior::unimplemented) << r.id << ": " << r.reason;
        EXPECT_TRUE(r.deflate.offered) << r.id;
        if (needs_deflate(r.id)) {
            EXPECT_NE(r.deflate.agreed, "") << r.id;
        }
    }
}

TEST(ReferenceControl, VerdictsDoNotDependOnParallelism) {
    server::background_server srv{server::server_options{}};
    const auto fast_sections = [](const std::string& id) {
        return !id.starts_with("9.") && !id.starts_with("21.") && !id.starts_with("12.") && !id.starts_with("13.");
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
