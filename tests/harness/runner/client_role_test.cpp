// The pure parts of testing a client: the observer and judge with wscheck as the server, the
// Autobahn client-protocol targets, and fuzzingserver.json.
#include "harness/runner/autobahn_query.hpp"
#include "harness/runner/frame_writer.hpp"
#include "harness/runner/judge.hpp"
#include "harness/runner/peer_observer.hpp"
#include "harness/runner/spec_file.hpp"

#include <gtest/gtest.h>

namespace {

using namespace wscheck;
using cases::behavior;
using runner::peer_observer;
using std::chrono::microseconds;

peer_observer server_side() {
    runner::observer_options o;
    o.local_role = proto::role::server; // wscheck tests a client
    return peer_observer{o};
}

/// A frame as a client sends it: masked, with `key` when given (else a fresh random one).
void client_sends(peer_observer& o, proto::opcode op, std::string_view s, std::optional<proto::mask_key> key = {},
                  std::optional<bool> masked = {}) {
    runner::frame_spec spec;
    spec.op = op;
    spec.key = key;
    spec.masked = masked;
    const std::vector<std::uint8_t> payload{s.begin(), s.end()};
    auto wire = runner::write_frame(spec, payload, proto::role::client).bytes;
    o.receive(wire, microseconds{0});
}

TEST(ClientRoleObserver, FreshKeysAreNoViolation) {
    auto o = server_side();
    for (int i = 0; i < 50; ++i) {
        client_sends(o, proto::opcode::text, "hello");
    }
    EXPECT_TRUE(o.violations().empty());
    EXPECT_EQ(o.events().size(), 50u);
}

TEST(ClientRoleObserver, AReusedKeyIsA53Violation) {
    auto o = server_side();
    const proto::mask_key zero{0, 0, 0, 0};
    client_sends(o, proto::opcode::text, "one", zero);
    EXPECT_TRUE(o.violations().empty()) << "a single zero key is not yet evidence";
    client_sends(o, proto::opcode::text, "two", zero);
    ASSERT_EQ(o.violations().size(), 1u);
    EXPECT_EQ(o.violations()[0].section, "5.3");
    EXPECT_EQ(o.violations()[0].frame_index, 1u);
    // Noted once, and the messages still count as received.
    client_sends(o, proto::opcode::text, "three", zero);
    EXPECT_EQ(o.violations().size(), 1u);
    EXPECT_EQ(o.events().size(), 3u);
}

TEST(ClientRoleObserver, AnUnmaskedClientFrameIsA51Violation) {
    auto o = server_side();
    client_sends(o, proto::opcode::text, "plain", {}, false);
    ASSERT_EQ(o.violations().size(), 1u);
    EXPECT_EQ(o.violations()[0].what, proto::violation::missing_mask);
    EXPECT_EQ(o.violations()[0].section, "5.1");
}

TEST(ClientRoleObserver, OurFramesAreUnmasked) {
    auto o = server_side();
    client_sends(o, proto::opcode::ping, "are you there");
    const auto out = o.take_output(); // the Pong
    ASSERT_GE(out.size(), 2u);
    EXPECT_EQ(out[1] & 0x80, 0) << "5.1: a server must not mask";
}

cases::script refused_response() {
    cases::script sc;
    sc.handshake.must = cases::handshake_spec::expect::reject;
    sc.handshake.respond = [](std::string_view, const proto::http_head&) { return std::string{"HTTP/1.1 200 OK\r\n\r\n"}; };
    sc.close.informational = true;
    return sc;
}

runner::connection_facts answered() {
    runner::connection_facts f;
    f.connected = true;
    f.tester_is_client = false;
    f.handshake.attempted = true;
    f.handshake.status = 200;
    return f;
}

TEST(ClientRoleJudge, ClosingAfterABadResponseIsOk) {
    auto o = server_side();
    o.receive_eof(microseconds{0});
    reports::case_result r;
    runner::judge(refused_response(), o, answered(), r);
    EXPECT_EQ(r.behavior, behavior::ok) << r.reason;
    EXPECT_EQ(r.close_behavior, cases::close_behavior::informational);
}

TEST(ClientRoleJudge, EchoingAfterABadResponseFails) {
    auto o = server_side();
    client_sends(o, proto::opcode::text, "Hello, client!");
    o.receive_eof(microseconds{0});
    reports::case_result r;
    runner::judge(refused_response(), o, answered(), r);
    EXPECT_EQ(r.behavior, behavior::failed);
    EXPECT_NE(r.reason.find("accepted"), std::string::npos) << r.reason;
}

TEST(ClientRoleJudge, StayingConnectedAfterABadResponseFails) {
    auto o = server_side();
    auto facts = answered();
    facts.dropped_by_us = true;
    facts.drop = runner::connection_facts::drop_reason::case_timeout;
    facts.waited = std::chrono::milliseconds{1000};
    reports::case_result r;
    runner::judge(refused_response(), o, facts, r);
    EXPECT_EQ(r.behavior, behavior::failed);
    EXPECT_NE(r.reason.find("did not fail the connection"), std::string::npos) << r.reason;
}

TEST(ClientRoleJudge, AnInvalidRequestFailsTheCase) {
    auto o = server_side();
    auto facts = answered();
    facts.handshake.error = "the client's opening handshake request is invalid: missing key";
    reports::case_result r;
    runner::judge(cases::script{}, o, facts, r);
    EXPECT_EQ(r.behavior, behavior::failed);
    EXPECT_EQ(r.close_behavior, cases::close_behavior::failed);
}

TEST(AutobahnQuery, TheProtocolsTargets) {
    using kind = runner::autobahn_request::kind;
    EXPECT_EQ(runner::parse_autobahn_target("/getCaseCount").what, kind::get_case_count);
    const auto run = runner::parse_autobahn_target("/runCase?case=12&agent=my%20client+1");
    EXPECT_TRUE(run.error.empty()) << run.error;
    EXPECT_EQ(run.what, kind::run_case);
    EXPECT_EQ(run.case_number, 12);
    EXPECT_EQ(run.agent, "my client 1");
    EXPECT_EQ(runner::parse_autobahn_target("/getCaseInfo?case=3").case_number, 3);
    EXPECT_EQ(runner::parse_autobahn_target("/getCaseStatus?case=3&agent=a").what, kind::get_case_status);
    EXPECT_EQ(runner::parse_autobahn_target("/updateReports?agent=a").agent, "a");
}

TEST(AutobahnQuery, MissingOrBadParametersAreErrors) {
    EXPECT_FALSE(runner::parse_autobahn_target("/runCase?case=1").error.empty());     // no agent
    EXPECT_FALSE(runner::parse_autobahn_target("/runCase?agent=a").error.empty());    // no case
    EXPECT_FALSE(runner::parse_autobahn_target("/runCase?case=x&agent=a").error.empty());
    EXPECT_FALSE(runner::parse_autobahn_target("/runCase?case=1&case=2&agent=a").error.empty());
    EXPECT_FALSE(runner::parse_autobahn_target("/updateReports").error.empty());
    const auto unknown = runner::parse_autobahn_target("/stopServer");
    EXPECT_EQ(unknown.what, runner::autobahn_request::kind::unknown);
    EXPECT_FALSE(unknown.error.empty());
}

TEST(AutobahnQuery, PercentDecoding) {
    EXPECT_EQ(runner::percent_decode("a%2Fb%zz%4"), "a/b%zz%4");
    EXPECT_EQ(runner::percent_decode("%41+b"), "A b");
}

TEST(ServerSpec, ReadsFuzzingserverJson) {
    std::string error;
    const auto spec = runner::parse_server_spec(R"({"url": "ws://127.0.0.1:9001", "outdir": "./reports/clients",
        "cases": ["1.*", "30"], "exclude-cases": ["9.*"], "exclude-agent-cases": {"ws*": ["6.4.*"]},
        "options": {"failByDrop": false}})",
                                                error);
    ASSERT_TRUE(spec) << error;
    EXPECT_EQ(spec->url, "ws://127.0.0.1:9001");
    EXPECT_EQ(spec->outdir, "./reports/clients");
    EXPECT_EQ(spec->cases, (std::vector<std::string>{"1.*", "30"}));
    EXPECT_EQ(spec->exclude_cases, (std::vector<std::string>{"9.*"}));
    EXPECT_EQ(spec->exclude_agent_cases.at("ws*"), (std::vector<std::string>{"6.4.*"}));
}

TEST(ServerSpec, WrongTypesAreOneSentence) {
    std::string error;
    EXPECT_FALSE(runner::parse_server_spec(R"({"url": 9001})", error));
    EXPECT_NE(error.find("'url'"), std::string::npos);
    EXPECT_FALSE(runner::parse_server_spec("[]", error));
    EXPECT_FALSE(runner::parse_server_spec(R"({"cases": "1.*"})", error));
}

} // namespace
