#include "harness/runner/spec_file.hpp"

#include <gtest/gtest.h>

namespace {

using wscheck::runner::parse_client_spec;

TEST(SpecFile, ReadsAutobahnsFuzzingclientJson) {
    std::string error;
    const auto spec = parse_client_spec(R"({
        "options": {"failByDrop": false},
        "outdir": "./reports/servers",
        "servers": [{"agent": "AutobahnServer", "url": "ws://127.0.0.1:9001", "options": {"version": 18}},
                    {"url": "ws://127.0.0.1:9002/path"}],
        "cases": ["*"],
        "exclude-cases": ["9.*", "12.*"],
        "exclude-agent-cases": {"AutobahnServer": ["6.4.*"]}
    })", error);
    ASSERT_TRUE(spec) << error;
    EXPECT_EQ(spec->outdir, "./reports/servers");
    ASSERT_EQ(spec->servers.size(), 2u);
    EXPECT_EQ(spec->servers[0].agent, "AutobahnServer");
    EXPECT_EQ(spec->servers[1].url, "ws://127.0.0.1:9002/path");
    EXPECT_EQ(spec->servers[1].agent, "");
    EXPECT_EQ(spec->cases, std::vector<std::string>{"*"});
    EXPECT_EQ(spec->exclude_cases.size(), 2u);
    EXPECT_EQ(spec->exclude_agent_cases.at("AutobahnServer"), std::vector<std::string>{"6.4.*"});
}

TEST(SpecFile, SaysWhatIsWrong) {
    std::string error;
    EXPECT_FALSE(parse_client_spec("{not json", error));
    EXPECT_EQ(error, "the spec file is not valid JSON");
    EXPECT_FALSE(parse_client_spec(R"({"servers": []})", error));
    EXPECT_NE(error.find("'servers'"), std::string::npos);
    EXPECT_FALSE(parse_client_spec(R"({"servers": [{"agent": "x"}]})", error));
    EXPECT_NE(error.find("url"), std::string::npos);
    EXPECT_FALSE(parse_client_spec(R"({"servers": [{"url": "ws://h"}], "cases": "1.*"})", error));
    EXPECT_NE(error.find("'cases'"), std::string::npos);
    EXPECT_FALSE(parse_client_spec(R"({"servers": [{"url": "ws://h"}], "exclude-agent-cases": []})", error));
    EXPECT_NE(error.find("exclude-agent-cases"), std::string::npos);
}

} // namespace
