#include "harness/runner/judge.hpp"

#include "cases/builders.hpp"
#include "harness/runner/frame_writer.hpp"

#include <gtest/gtest.h>

namespace {

using namespace wscheck;
using cases::behavior;
using cases::close_behavior;
using runner::connection_facts;
using runner::peer_observer;
using std::chrono::microseconds;

cases::event text(std::string_view s) { return {cases::event::kind::text, cases::payload{s}}; }

void server_sends(peer_observer& o, proto::opcode op, std::vector<std::uint8_t> payload) {
    runner::frame_spec spec;
    spec.op = op;
    auto wire = runner::write_frame(spec, payload, proto::role::server).bytes;
    o.receive(wire, microseconds{0});
}

void server_sends_text(peer_observer& o, std::string_view s) {
    server_sends(o, proto::opcode::text, {s.begin(), s.end()});
}

void server_closes(peer_observer& o, std::uint16_t code) {
    server_sends(o, proto::opcode::close, proto::build_close_payload(code));
}

connection_facts opened() {
    connection_facts f;
    f.connected = true;
    f.handshake.attempted = true;
    f.handshake.completed = true;
    f.handshake.status = 101;
    return f;
}

/// 1.1.1-like: echo expected, then wscheck closes with 1000.
cases::script echo_script() {
    cases::script s;
    s.outcomes.push_back({behavior::ok, {text("Hello")}});
    s.close.closed_by_us = true;
    s.close.codes = {1000};
    s.close.require_clean = true;
    return s;
}

/// 3.1-like: the peer must fail the connection and send nothing.
cases::script must_fail_script() {
    cases::script s;
    s.outcomes.push_back({behavior::ok, {}});
    s.close.closed_by_us = false;
    s.close.codes = {1002};
    s.close.require_clean = false;
    return s;
}

TEST(Judge, ConformantEchoIsOk) {
    peer_observer o;
    server_sends_text(o, "Hello");
    (void)o.start_close(1000, "", microseconds{1});
    server_closes(o, 1000);
    o.receive_eof(microseconds{2});
    reports::case_result r;
    judge(echo_script(), o, opened(), r);
    EXPECT_EQ(r.behavior, behavior::ok) << r.reason;
    EXPECT_EQ(r.close_behavior, close_behavior::ok) << r.close_reason;
    EXPECT_TRUE(r.close.clean);
    EXPECT_TRUE(r.close.closed_by_us);
}

TEST(Judge, WrongEchoFailsAndSaysWhere) {
    peer_observer o;
    server_sends_text(o, "Hellp");
    reports::case_result r;
    judge(echo_script(), o, opened(), r);
    EXPECT_EQ(r.behavior, behavior::failed);
    EXPECT_NE(r.reason.find("\"Hellp\""), std::string::npos) << r.reason;
    EXPECT_NE(r.reason.find("\"Hello\""), std::string::npos) << r.reason;
}

/// 12.1.1-like: 1000 messages, each echoed before the next is sent.
cases::script series_script() {
    cases::script s = echo_script();
    cases::echo_series series;
    series.count = 1000;
    s.steps.emplace_back(series);
    s.outcomes = {{behavior::ok, {cases::build::series_done(1000)}}};
    return s;
}

TEST(Judge, ASeriesThatStopsShortSaysHowManyEchoesCameBack) {
    auto facts = opened();
    facts.series = {822, 1000}; // echo 822 was awaited
    {
        peer_observer o;
        (void)o.start_close(1000, "", microseconds{1}); // the time limit: we close
        server_closes(o, 1000);
        reports::case_result r;
        judge(series_script(), o, facts, r);
        EXPECT_EQ(r.behavior, behavior::failed);
        EXPECT_EQ(r.reason.find("821 of 1000 echoes came back; while wscheck waited for echo 822, the case's time "
                                "limit passed."),
                  0u)
            << r.reason;
    }
    {
        peer_observer o;
        server_closes(o, 1000); // the server gave up first
        reports::case_result r;
        judge(series_script(), o, facts, r);
        EXPECT_EQ(r.behavior, behavior::failed);
        EXPECT_NE(r.reason.find("821 of 1000 echoes came back; while wscheck waited for echo 822, the server closed "
                                "the connection."),
                  std::string::npos)
            << r.reason;
    }
}

TEST(Judge, ServerThatNeverFailsTheConnectionIsCaught) {
    peer_observer o; // the server silently ignored the bad frame
    auto facts = opened();
    facts.dropped_by_us = true;
    facts.drop = connection_facts::drop_reason::case_timeout;
    facts.waited = std::chrono::milliseconds{1000};
    reports::case_result r;
    judge(must_fail_script(), o, facts, r);
    EXPECT_EQ(r.behavior, behavior::ok) << "no events, as expected";
    EXPECT_EQ(r.close_behavior, close_behavior::failed) << r.close_reason;
    EXPECT_NE(r.close_reason.find("never did"), std::string::npos) << r.close_reason;
}

TEST(Judge, ServerFailingWithRightCodeIsOk) {
    peer_observer o;
    server_closes(o, 1002);
    o.receive_eof(microseconds{3});
    reports::case_result r;
    judge(must_fail_script(), o, opened(), r);
    EXPECT_EQ(r.behavior, behavior::ok);
    EXPECT_EQ(r.close_behavior, close_behavior::ok) << r.close_reason;
}

TEST(Judge, ServerFailingByDroppingTcpIsOkWhenCleanIsNotRequired) {
    peer_observer o;
    o.receive_eof(microseconds{3});
    reports::case_result r;
    judge(must_fail_script(), o, opened(), r);
    EXPECT_EQ(r.close_behavior, close_behavior::ok) << r.close_reason;
    EXPECT_FALSE(r.close.clean);
}

TEST(Judge, WrongCloseCode) {
    peer_observer o;
    server_closes(o, 1000);
    o.receive_eof(microseconds{3});
    reports::case_result r;
    judge(must_fail_script(), o, opened(), r);
    EXPECT_EQ(r.close_behavior, close_behavior::wrong_code) << r.close_reason;
    EXPECT_NE(r.close_reason.find("1000"), std::string::npos);
}

TEST(Judge, UncleanWhenRequired) {
    peer_observer o;
    server_sends_text(o, "Hello");
    (void)o.start_close(1000, "", microseconds{1});
    o.receive_eof(microseconds{2}); // closed TCP without answering our Close
    reports::case_result r;
    judge(echo_script(), o, opened(), r);
    EXPECT_EQ(r.behavior, behavior::ok);
    EXPECT_EQ(r.close_behavior, close_behavior::unclean) << r.close_reason;
}

TEST(Judge, ClientHadToDropTcp) {
    auto script = echo_script();
    script.close.require_clean = false;
    peer_observer o;
    server_sends_text(o, "Hello");
    (void)o.start_close(1000, "", microseconds{1});
    server_closes(o, 1000);
    auto facts = opened();
    facts.dropped_by_us = true;
    facts.drop = connection_facts::drop_reason::close_timeout;
    reports::case_result r;
    judge(script, o, facts, r);
    EXPECT_EQ(r.close_behavior, close_behavior::failed_by_client) << r.close_reason;
}

TEST(Judge, WrongEndpointIsFatalForUtf8Cases) {
    auto script = must_fail_script();
    script.close.wrong_closer_is_fatal = true;
    peer_observer o;
    auto facts = opened();
    facts.dropped_by_us = true;
    reports::case_result r;
    judge(script, o, facts, r);
    EXPECT_EQ(r.behavior, behavior::failed) << r.reason;
    EXPECT_EQ(r.close_behavior, close_behavior::failed);
}

TEST(Judge, PeerViolationFailsEvenWhenEventsMatch) {
    peer_observer o;
    runner::frame_spec spec;
    spec.masked = true; // 5.1: a server must not mask
    const std::vector<std::uint8_t> hello{'H', 'e', 'l', 'l', 'o'};
    auto wire = runner::write_frame(spec, hello, proto::role::server).bytes;
    o.receive(wire, microseconds{0});
    (void)o.start_close(1000, "", microseconds{1});
    server_closes(o, 1000);
    o.receive_eof(microseconds{2});
    reports::case_result r;
    judge(echo_script(), o, opened(), r);
    EXPECT_EQ(r.behavior, behavior::failed);
    EXPECT_NE(r.reason.find("5.1"), std::string::npos) << r.reason;
    ASSERT_EQ(r.peer_violations.size(), 1u);
}

TEST(Judge, NonStrictOutcome) {
    auto script = must_fail_script();
    script.outcomes.push_back({behavior::non_strict, {text("x")}});
    peer_observer o;
    server_sends_text(o, "x");
    server_closes(o, 1002);
    o.receive_eof(microseconds{1});
    reports::case_result r;
    judge(script, o, opened(), r);
    EXPECT_EQ(r.behavior, behavior::non_strict) << r.reason;
}

TEST(Judge, HandshakeThatMustBeRefused) {
    cases::script s;
    s.handshake.must = cases::handshake_spec::expect::reject;
    s.handshake.reject_statuses = {426};
    s.handshake.required_fields = {{"Sec-WebSocket-Version", "13"}};
    peer_observer o;
    auto facts = opened();
    facts.handshake.completed = false;

    facts.handshake.status = 426;
    facts.handshake.response = "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13, 8\r\n\r\n";
    reports::case_result r;
    judge(s, o, facts, r);
    EXPECT_EQ(r.behavior, behavior::ok) << r.reason;

    facts.handshake.response = "HTTP/1.1 426 Upgrade Required\r\n\r\n";
    judge(s, o, facts, r);
    EXPECT_EQ(r.behavior, behavior::failed) << r.reason;

    // An interim 100 (Continue) before the refusal: the fields are the final response's.
    facts.handshake.response = "HTTP/1.1 100 Continue\r\n\r\n"
                               "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n\r\n";
    judge(s, o, facts, r);
    EXPECT_EQ(r.behavior, behavior::ok) << r.reason;
    facts.handshake.response = "HTTP/1.1 100 Continue\r\nSec-WebSocket-Version: 13\r\n\r\n"
                               "HTTP/1.1 426 Upgrade Required\r\n\r\n";
    judge(s, o, facts, r);
    EXPECT_EQ(r.behavior, behavior::failed) << r.reason;

    // What followed a refusal (listen_after_refusal): a second response fails the case.
    facts.handshake.response = "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n\r\n";
    facts.handshake.error = "then answered again (\"HTTP/1.1 101 Switching Protocols\")";
    judge(s, o, facts, r);
    EXPECT_EQ(r.behavior, behavior::failed) << r.reason;
    EXPECT_NE(r.reason.find("then answered again"), std::string::npos) << r.reason;
    facts.handshake.error.clear();

    facts.handshake.status = 400;
    facts.handshake.response = "HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13\r\n\r\n";
    judge(s, o, facts, r);
    EXPECT_EQ(r.behavior, behavior::non_strict) << r.reason;

    // The field is a MUST (4.4) whatever the status.
    facts.handshake.response = "HTTP/1.1 400 Bad Request\r\n\r\n";
    judge(s, o, facts, r);
    EXPECT_EQ(r.behavior, behavior::failed) << r.reason;

    facts.handshake.status = 101;
    judge(s, o, facts, r);
    EXPECT_EQ(r.behavior, behavior::failed) << r.reason;

    facts.handshake.status = 0;
    judge(s, o, facts, r);
    EXPECT_EQ(r.behavior, behavior::failed) << r.reason;
}

TEST(Judge, PredicateOutcomeDecidesWhereATraceCannot) {
    // 21.4-like: all Pongs is OK; a subset ending with the last Ping's is NON-STRICT.
    auto pong = [](std::string_view s) { return cases::event{cases::event::kind::pong, cases::payload{s}}; };
    cases::script s;
    s.outcomes.push_back({behavior::ok, {pong("a"), pong("b")}});
    cases::outcome some;
    some.verdict = behavior::non_strict;
    some.rule = "the Pong for b";
    some.accepts = [&](const std::vector<cases::event>& got) { return got.size() == 1 && got[0] == pong("b"); };
    s.outcomes.push_back(some);
    s.close.closed_by_us = true;

    auto judged = [&](std::vector<std::string_view> pongs) {
        peer_observer o;
        for (const auto p : pongs) {
            server_sends(o, proto::opcode::pong, {p.begin(), p.end()});
        }
        reports::case_result r;
        judge(s, o, opened(), r);
        return r;
    };
    EXPECT_EQ(judged({"a", "b"}).behavior, behavior::ok);
    const auto only_b = judged({"b"});
    EXPECT_EQ(only_b.behavior, behavior::non_strict) << only_b.reason;
    EXPECT_NE(only_b.reason.find("the Pong for b"), std::string::npos) << only_b.reason;
    EXPECT_EQ(judged({"a"}).behavior, behavior::failed);
    EXPECT_EQ(judged({}).behavior, behavior::failed);

    // A predicate first: its rule names what was expected when nothing matches.
    std::swap(s.outcomes[0], s.outcomes[1]);
    const auto none = judged({"a"});
    EXPECT_EQ(none.behavior, behavior::failed);
    EXPECT_NE(none.reason.find("expected the Pong for b"), std::string::npos) << none.reason;
}

TEST(Judge, HandshakeTheServerMayRefuseOrAccept) {
    cases::script s = echo_script();
    s.handshake.must = cases::handshake_spec::expect::either;
    peer_observer o;
    auto facts = opened();
    facts.handshake.completed = false;
    reports::case_result r;

    // Refused with a 4xx (any, as reject_statuses is empty): OK, nothing else judged.
    facts.handshake.status = 431;
    judge(s, o, facts, r);
    EXPECT_EQ(r.behavior, behavior::ok) << r.reason;
    EXPECT_EQ(r.close_behavior, close_behavior::informational);
    // Refused with a 5xx: not an allowed refusal.
    facts.handshake.status = 500;
    judge(s, o, facts, r);
    EXPECT_EQ(r.behavior, behavior::failed) << r.reason;
    // No answer at all: recorded, with why.
    facts.handshake.status = 0;
    facts.handshake.error = "no complete response within 5000 ms";
    judge(s, o, facts, r);
    EXPECT_EQ(r.behavior, behavior::informational) << r.reason;
    EXPECT_EQ(r.close_behavior, close_behavior::informational);
    EXPECT_NE(r.reason.find("5000 ms"), std::string::npos) << r.reason;
    // A 101 that does not complete the handshake is a broken acceptance.
    facts.handshake.status = 101;
    facts.handshake.error = "wrong Sec-WebSocket-Accept";
    judge(s, o, facts, r);
    EXPECT_EQ(r.behavior, behavior::failed) << r.reason;
    // Accepted: the events and the close are judged as usual.
    facts.handshake.completed = true;
    server_sends_text(o, "Hello");
    (void)o.start_close(1000, "", microseconds{1});
    server_closes(o, 1000);
    o.receive_eof(microseconds{2});
    judge(s, o, facts, r);
    EXPECT_EQ(r.behavior, behavior::ok) << r.reason;
    EXPECT_EQ(r.close_behavior, close_behavior::ok) << r.close_reason;
}

TEST(Judge, HandshakeThatFailedWhenItShouldOpen) {
    peer_observer o;
    auto facts = opened();
    facts.handshake.completed = false;
    facts.handshake.status = 200;
    facts.handshake.error = "status 200 instead of 101";
    reports::case_result r;
    judge(echo_script(), o, facts, r);
    EXPECT_EQ(r.behavior, behavior::failed);
    EXPECT_NE(r.reason.find("200"), std::string::npos);
}

TEST(Judge, Describe) {
    EXPECT_EQ(runner::describe(text("Hello")), "text(5) \"Hello\"");
    EXPECT_EQ(runner::describe(cases::event{cases::event::kind::binary, cases::payload{std::vector<std::uint8_t>{0, 1, 255}}}),
              "binary(3) 00 01 ff");
    EXPECT_EQ(runner::describe(std::vector<cases::event>{}), "[]");
}

TEST(Judge, AConnectionWsCheckFailedEarlyAcceptsTheEchoOfItsCode) {
    // The peer sent a masked frame (5.1): wscheck failed the connection with 1002 at once
    // (RFC 6455 7.1.7) and the peer echoed it. The behaviour is decided by the rule broken; the
    // close is wscheck's, clean, and the echoed 1002 is no wrong code.
    peer_observer o;
    runner::frame_spec spec;
    spec.op = proto::opcode::text;
    auto wire = runner::write_frame(spec, std::vector<std::uint8_t>{'H', 'i'}, proto::role::client).bytes;
    o.receive(wire, microseconds{0});
    (void)o.start_close(1002, "", microseconds{1});
    server_closes(o, 1002);
    o.receive_eof(microseconds{2});
    auto facts = opened();
    facts.decided = connection_facts::early_end{1002, "the peer broke RFC 6455 5.1"};
    reports::case_result r;
    judge(echo_script(), o, facts, r);
    EXPECT_EQ(r.behavior, behavior::failed);
    EXPECT_TRUE(r.reason.starts_with("The peer broke RFC 6455 5.1")) << r.reason;
    EXPECT_EQ(r.close_behavior, close_behavior::ok) << r.close_reason;
    EXPECT_NE(r.close_reason.find("failed the connection with code 1002 as soon as the peer broke RFC 6455 5.1"),
              std::string::npos)
        << r.close_reason;
    // Another code than ours or the case's is still a wrong one.
    peer_observer other;
    other.receive(wire, microseconds{0});
    (void)other.start_close(1002, "", microseconds{1});
    server_closes(other, 1011);
    other.receive_eof(microseconds{2});
    reports::case_result r2;
    judge(echo_script(), other, facts, r2);
    EXPECT_EQ(r2.close_behavior, close_behavior::wrong_code) << r2.close_reason;
}

} // namespace
