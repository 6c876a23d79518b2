#include "reports/json_report.hpp"

#include "reports/atomic_file.hpp"
#include "tests/reports/sample_results.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <unistd.h>

namespace {

using namespace wscheck;
using namespace wscheck::reports;
using namespace wscheck::reports::testing;
using json = nlohmann::ordered_json;

json render_and_parse(const run_result& run, const json_options& o = {}) {
    return json::parse(render_json_report(run, o));
}

std::vector<std::uint8_t> bytes_of(const cases::payload& p) {
    return {p.view().begin(), p.view().end()};
}

void expect_same_events(const std::vector<cases::event>& a, const std::vector<cases::event>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].what, b[i].what) << i;
        EXPECT_EQ(bytes_of(a[i].data), bytes_of(b[i].data)) << i;
    }
}

void expect_same_case(const case_result& a, const case_result& b) {
    SCOPED_TRACE(a.id);
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.section, b.section);
    EXPECT_EQ(a.description, b.description);
    EXPECT_EQ(a.expectation, b.expectation);
    EXPECT_EQ(a.rfc_clause, b.rfc_clause);
    EXPECT_EQ(a.rfc_requirement, b.rfc_requirement);
    EXPECT_EQ(a.report_time, b.report_time);
    EXPECT_EQ(a.behavior, b.behavior);
    EXPECT_EQ(a.reason, b.reason);
    EXPECT_EQ(a.close_behavior, b.close_behavior);
    EXPECT_EQ(a.close_reason, b.close_reason);
    expect_same_events(a.received, b.received);
    ASSERT_EQ(a.expected.size(), b.expected.size());
    for (std::size_t i = 0; i < a.expected.size(); ++i) {
        EXPECT_EQ(a.expected[i].verdict, b.expected[i].verdict);
        expect_same_events(a.expected[i].trace, b.expected[i].trace);
    }
    const auto &ea = a.expected_close, &eb = b.expected_close;
    EXPECT_EQ(ea.closed_by_us, eb.closed_by_us);
    EXPECT_EQ(ea.codes, eb.codes);
    EXPECT_EQ(ea.require_clean, eb.require_clean);
    EXPECT_EQ(ea.wrong_closer_is_fatal, eb.wrong_closer_is_fatal);
    EXPECT_EQ(ea.wrong_code_is_fatal, eb.wrong_code_is_fatal);
    EXPECT_EQ(ea.informational, eb.informational);
    EXPECT_EQ(a.peer_violations, b.peer_violations);
    const auto &ca = a.close, &cb = b.close;
    EXPECT_EQ(ca.closed_by_us, cb.closed_by_us);
    EXPECT_EQ(ca.dropped_by_us, cb.dropped_by_us);
    EXPECT_EQ(ca.peer_closed_tcp, cb.peer_closed_tcp);
    EXPECT_EQ(ca.close_sent, cb.close_sent);
    EXPECT_EQ(ca.close_received, cb.close_received);
    EXPECT_EQ(ca.clean, cb.clean);
    EXPECT_EQ(ca.unclean_reason, cb.unclean_reason);
    EXPECT_EQ(ca.remote_code, cb.remote_code);
    EXPECT_EQ(ca.remote_reason, cb.remote_reason);
    EXPECT_EQ(ca.local_code, cb.local_code);
    EXPECT_EQ(a.handshake.attempted, b.handshake.attempted);
    EXPECT_EQ(a.handshake.completed, b.handshake.completed);
    EXPECT_EQ(a.handshake.status, b.handshake.status);
    EXPECT_EQ(a.handshake.request, b.handshake.request);
    EXPECT_EQ(a.handshake.response, b.handshake.response);
    EXPECT_EQ(a.handshake.error, b.handshake.error);
    EXPECT_EQ(a.wire.limits().frames, b.wire.limits().frames);
    EXPECT_EQ(a.wire.limits().payload_bytes, b.wire.limits().payload_bytes);
    EXPECT_EQ(a.wire.limits().raw_bytes, b.wire.limits().raw_bytes);
    EXPECT_EQ(a.wire.dropped_frames(), b.wire.dropped_frames());
    ASSERT_EQ(a.wire.frames().size(), b.wire.frames().size());
    for (std::size_t i = 0; i < a.wire.frames().size(); ++i) {
        const auto &fa = a.wire.frames()[i], &fb = b.wire.frames()[i];
        EXPECT_EQ(fa.dir, fb.dir) << i;
        EXPECT_EQ(fa.at, fb.at) << i;
        EXPECT_EQ(fa.header, fb.header) << i;
        EXPECT_EQ(fa.payload, fb.payload) << i;
        EXPECT_EQ(fa.violations, fb.violations) << i;
        EXPECT_EQ(fa.complete, fb.complete) << i;
    }
    ASSERT_EQ(a.wire.raw().size(), b.wire.raw().size());
    for (std::size_t i = 0; i < a.wire.raw().size(); ++i) {
        const auto &ra = a.wire.raw()[i], &rb = b.wire.raw()[i];
        EXPECT_EQ(ra.dir, rb.dir) << i;
        EXPECT_EQ(ra.at, rb.at) << i;
        EXPECT_EQ(ra.what, rb.what) << i;
        EXPECT_EQ(ra.bytes, rb.bytes) << i;
        EXPECT_EQ(ra.total, rb.total) << i;
    }
    EXPECT_EQ(a.started, b.started);
    EXPECT_EQ(a.duration, b.duration);
}

void expect_same_run(const run_result& a, const run_result& b) {
    EXPECT_EQ(a.tool, b.tool);
    EXPECT_EQ(a.version, b.version);
    EXPECT_EQ(a.agent, b.agent);
    EXPECT_EQ(a.target, b.target);
    EXPECT_EQ(a.started, b.started);
    EXPECT_EQ(a.finished, b.finished);
    EXPECT_EQ(a.interrupted, b.interrupted);
    EXPECT_EQ(a.notes, b.notes);
    ASSERT_EQ(a.cases.size(), b.cases.size());
    for (std::size_t i = 0; i < a.cases.size(); ++i) {
        expect_same_case(a.cases[i], b.cases[i]);
    }
}

TEST(JsonReport, HasTheSchemaFields) {
    const json j = render_and_parse(sample_run());
    EXPECT_EQ(j.at("schema"), "wscheck-report/1");
    EXPECT_EQ(j.at("tool"), "wscheck");
    EXPECT_EQ(j.at("version"), "0.1.0");
    EXPECT_EQ(j.at("agent"), "Reference Server/1.0");
    EXPECT_EQ(j.at("target"), "ws://127.0.0.1:9001");
    EXPECT_EQ(j.at("started"), "2026-11-25T07:00:00.000000Z");
    EXPECT_EQ(j.at("finished"), "2026-11-25T07:00:05.000000Z");
    EXPECT_EQ(j.at("interrupted"), false);
    EXPECT_EQ(j.at("notes"), json::array({"the target answered every case"}));

    const json& s = j.at("summary");
    EXPECT_EQ(s.at("total"), 4);
    EXPECT_EQ(s.at("behavior").at("OK"), 2);
    EXPECT_EQ(s.at("behavior").at("FAILED"), 1);
    EXPECT_EQ(s.at("behavior").at("INFORMATIONAL"), 1);
    EXPECT_EQ(s.at("behavior").at("NON-STRICT"), 0);
    EXPECT_EQ(s.at("behavior").at("UNIMPLEMENTED"), 0);
    EXPECT_EQ(s.at("close_behavior").at("OK"), 1);
    EXPECT_EQ(s.at("close_behavior").at("WRONG CODE"), 1);
    EXPECT_EQ(s.at("close_behavior").at("UNCLEAN"), 1);
    EXPECT_EQ(s.at("close_behavior").at("INFORMATIONAL"), 1);
    EXPECT_EQ(s.at("close_behavior").at("FAILED BY CLIENT"), 0);
    EXPECT_EQ(s.at("close_behavior").at("FAILED"), 0);

    ASSERT_EQ(j.at("cases").size(), 4u);
    const json& c = j.at("cases")[0];
    for (const char* key :
         {"id", "section", "description", "expectation", "rfc", "behavior", "reason",
          "close_behavior", "close_reason", "started", "duration_ms", "report_time", "received",
          "expected", "expected_close", "peer_violations", "close", "handshake", "wire"}) {
        EXPECT_TRUE(c.contains(key)) << key;
    }
    EXPECT_EQ(c.at("id"), "1.1.1");
    EXPECT_EQ(c.at("rfc").at("clause"), "5.6");
    EXPECT_EQ(c.at("behavior"), "OK");
    EXPECT_EQ(c.at("close_behavior"), "OK");
    EXPECT_EQ(c.at("duration_ms"), 3);
    EXPECT_EQ(c.at("started"), "2026-11-25T07:00:01.000123Z");
    EXPECT_EQ(c.at("received")[0].at("kind"), "text");
    EXPECT_EQ(c.at("received")[0].at("data").at("text"), "Hello");
    EXPECT_EQ(c.at("received")[0].at("data").at("size"), 5);
    EXPECT_EQ(c.at("expected")[0].at("verdict"), "OK");
    EXPECT_EQ(c.at("expected")[0].at("trace")[0].at("data").at("text"), "Hello");
    EXPECT_EQ(c.at("expected_close").at("codes"), json::array({1000}));
    EXPECT_EQ(c.at("close").at("remote_code"), 1000);
    EXPECT_EQ(c.at("close").at("clean"), true);
    EXPECT_EQ(c.at("handshake").at("status"), 101);

    const json& wire = c.at("wire");
    EXPECT_EQ(wire.at("dropped_frames"), 0);
    ASSERT_EQ(wire.at("frames").size(), 3u);
    const json& f = wire.at("frames")[0];
    EXPECT_EQ(f.at("dir"), "sent");
    EXPECT_EQ(f.at("at_us"), 150);
    EXPECT_EQ(f.at("fin"), true);
    EXPECT_EQ(f.at("rsv"), 0);
    EXPECT_EQ(f.at("opcode").at("number"), 1);
    EXPECT_EQ(f.at("opcode").at("name"), "text");
    EXPECT_EQ(f.at("masked"), true);
    EXPECT_EQ(f.at("key"), "12345678");
    EXPECT_EQ(f.at("length"), 5);
    EXPECT_EQ(f.at("payload").at("text"), "Hello");
    EXPECT_EQ(f.at("payload_truncated"), false);
    EXPECT_EQ(f.at("complete"), true);
    EXPECT_EQ(f.at("violations"), json::array());
    EXPECT_EQ(wire.at("frames")[1].at("key"), nullptr);
    ASSERT_EQ(wire.at("raw").size(), 1u);
    EXPECT_EQ(wire.at("raw")[0].at("what"), "http request");
    EXPECT_EQ(wire.at("raw")[0].at("total"), 40);
}

TEST(JsonReport, BytesThatAreNotTextComeOutAsHex) {
    const json j = render_and_parse(sample_run());
    const json& c = j.at("cases")[1];
    // κόσμε with a surrogate (ED A0 80) in the middle: not valid UTF-8.
    const json& invalid = c.at("received")[0].at("data");
    EXPECT_FALSE(invalid.contains("text"));
    EXPECT_EQ(invalid.at("hex"), "cebae1bdb9cf83cebcceb5eda080656469746564");
    EXPECT_EQ(invalid.at("size"), 20);
    EXPECT_EQ(c.at("received")[0].at("kind"), "binary");
    // Valid UTF-8 but control bytes: hex too.
    EXPECT_EQ(c.at("received")[1].at("data").at("hex"), "000102ff");
    EXPECT_EQ(c.at("close").at("remote_reason").at("hex"), "fffe20626164");
    EXPECT_TRUE(c.at("handshake").at("response").contains("hex"));
    EXPECT_EQ(c.at("handshake").at("request").at("text"), "GET / HTTP/1.1\r\n\r\n");

    const json& f = c.at("wire").at("frames")[0];
    EXPECT_EQ(f.at("payload").at("hex"), "000102ff");
    EXPECT_EQ(f.at("payload_truncated"), true);
    EXPECT_EQ(f.at("complete"), false);
    EXPECT_EQ(f.at("rsv"), 4);
    EXPECT_EQ(f.at("opcode").at("name"), "binary");
    EXPECT_EQ(f.at("key"), "deadbeef");
    EXPECT_EQ(f.at("violations"), json::array({"bad_reserved_bits", "unexpected_mask"}));
    EXPECT_EQ(c.at("wire").at("raw")[0].at("bytes").at("hex"), "8180");
}

TEST(JsonReport, RoundTripsEveryField) {
    const run_result run = sample_run();
    std::string error;
    const auto back = parse_json_report(render_json_report(run), error);
    ASSERT_TRUE(back.has_value()) << error;
    expect_same_run(run, *back);
    // And the text is stable: writing what was read gives the same bytes.
    EXPECT_EQ(render_json_report(*back), render_json_report(run));
}

TEST(JsonReport, RoundTripsWireLogCapsAndDroppedFrames) {
    run_result run = sample_run();
    case_result c = echo_case();
    c.wire = runner::wire_log{runner::wire_log_limits{2, 3, 4}};
    proto::frame_header h;
    h.op = proto::opcode::binary;
    h.length = 10;
    for (int i = 0; i < 5; ++i) {
        c.wire.begin_frame(runner::direction::received, std::chrono::microseconds{i}, h);
        const std::uint8_t ten[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        c.wire.frame_payload(ten);
    }
    const std::uint8_t raw[] = {'a', 'b', 'c', 'd', 'e', 'f'};
    c.wire.bytes(runner::direction::received, std::chrono::microseconds{9}, "raw", raw);
    run.cases = {c};
    std::string error;
    const auto back = parse_json_report(render_json_report(run), error);
    ASSERT_TRUE(back.has_value()) << error;
    EXPECT_EQ(back->cases[0].wire.dropped_frames(), 3u);
    EXPECT_EQ(back->cases[0].wire.raw()[0].total, 6u);
    EXPECT_EQ(back->cases[0].wire.raw()[0].bytes.size(), 4u);
    expect_same_run(run, *back);
}

TEST(JsonReport, CutsLongEventDataAtACodePoint) {
    run_result run = sample_run();
    // "é" is two bytes: a cut after 5 bytes would split the third one.
    run.cases[0].received = {text_event("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9")};
    json_options o;
    o.max_event_bytes = 5;
    const json j = render_and_parse(run, o);
    const json& data = j.at("cases")[0].at("received")[0].at("data");
    EXPECT_EQ(data.at("text"), "\xc3\xa9\xc3\xa9");
    EXPECT_EQ(data.at("size"), 4);
    EXPECT_EQ(data.at("truncated"), true);
    EXPECT_EQ(data.at("full_size"), 8);
    EXPECT_FALSE(j.at("cases")[0].at("expected")[0].at("trace")[0].at("data").contains("truncated"));
}

TEST(JsonReport, TraceDataSharesABudget) {
    run_result run = sample_run();
    run.cases[0].received = {text_event("abcdef"), text_event("ghijkl"), text_event("mnop")};
    json_options o;
    o.max_trace_bytes = 8;
    const json j = render_and_parse(run, o);
    const json& got = j.at("cases")[0].at("received");
    ASSERT_EQ(got.size(), 3u) << "every event is listed";
    EXPECT_EQ(got[0].at("data").at("text"), "abcdef");
    EXPECT_EQ(got[1].at("data").at("text"), "gh");
    EXPECT_EQ(got[1].at("data").at("full_size"), 6);
    EXPECT_EQ(got[2].at("data").at("size"), 0);
    EXPECT_EQ(got[2].at("data").at("full_size"), 4);
}

TEST(JsonReport, DataCutBeforeTheWriterKeepsItsFullSize) {
    run_result run = sample_run();
    run.cases[0].received = {text_event("abcdefghij")};
    run.cases[0].received[0].data = run.cases[0].received[0].data.prefix(4);
    const json j = render_and_parse(run, json_options{});
    const json& data = j.at("cases")[0].at("received")[0].at("data");
    EXPECT_EQ(data.at("text"), "abcd");
    EXPECT_EQ(data.at("truncated"), true);
    EXPECT_EQ(data.at("full_size"), 10);
}

TEST(JsonReport, PartialRunIsValidJsonAndReadsBack) {
    run_result run = sample_run();
    run.interrupted = true;
    run.cases.resize(1);
    const std::string text = render_json_report(run);
    ASSERT_TRUE(json::accept(text));
    const json j = json::parse(text);
    EXPECT_EQ(j.at("interrupted"), true);
    EXPECT_EQ(j.at("summary").at("total"), 1);
    std::string error;
    const auto back = parse_json_report(text, error);
    ASSERT_TRUE(back.has_value()) << error;
    EXPECT_TRUE(back->interrupted);
    EXPECT_EQ(back->cases.size(), 1u);

    run.cases.clear();
    const auto empty = parse_json_report(render_json_report(run), error);
    ASSERT_TRUE(empty.has_value()) << error;
    EXPECT_TRUE(empty->cases.empty());
}

TEST(JsonReport, OurOwnStringsThatAreNotUtf8DoNotStopTheReport) {
    run_result run = sample_run();
    run.cases[0].reason = "Received \xff where text was expected.";
    run.cases[0].handshake.error = "bad \xc3";
    run.notes = {"\xff"};
    std::string text;
    ASSERT_NO_THROW(text = render_json_report(run));
    EXPECT_TRUE(json::accept(text));
    // The value itself is safe: a caller's own dump() (strict by default) does not throw.
    EXPECT_NO_THROW((void)report_to_json(run).dump());
    EXPECT_EQ(json::parse(text).at("notes")[0], "\xef\xbf\xbd");
}

TEST(JsonReport, ReaderIgnoresFieldsItDoesNotKnow) {
    json j = render_and_parse(sample_run());
    j["added_later"] = 1;
    j["cases"][0]["close"]["added_later"] = json::array();
    std::string error;
    const auto back = report_from_json(j, error);
    ASSERT_TRUE(back.has_value()) << error;
    expect_same_run(sample_run(), *back);
}

TEST(JsonReport, ReaderNamesWhatIsWrong) {
    std::string error;
    EXPECT_FALSE(parse_json_report("{not json", error).has_value());
    EXPECT_NE(error.find("not valid JSON"), std::string::npos) << error;

    json j = render_and_parse(sample_run());
    j["schema"] = "wscheck-report/2";
    EXPECT_FALSE(report_from_json(j, error).has_value());
    EXPECT_NE(error.find("schema"), std::string::npos) << error;

    j = render_and_parse(sample_run());
    j["cases"][1]["close"].erase("remote_code");
    EXPECT_FALSE(report_from_json(j, error).has_value());
    EXPECT_NE(error.find("cases[1].close.remote_code: missing"), std::string::npos) << error;

    j = render_and_parse(sample_run());
    j["cases"][0]["behavior"] = "PASS";
    EXPECT_FALSE(report_from_json(j, error).has_value());
    EXPECT_NE(error.find("cases[0].behavior"), std::string::npos) << error;

    j = render_and_parse(sample_run());
    j["cases"][0]["close"]["remote_code"] = 70000;
    EXPECT_FALSE(report_from_json(j, error).has_value());
    EXPECT_NE(error.find("0 to 65535"), std::string::npos) << error;

    j = render_and_parse(sample_run());
    j["cases"][1]["received"][0]["data"]["hex"] = "abc";
    EXPECT_FALSE(report_from_json(j, error).has_value());
    EXPECT_NE(error.find("cases[1].received[0].data.hex"), std::string::npos) << error;

    j = render_and_parse(sample_run());
    j["cases"][0]["received"][0]["data"]["size"] = 6;
    EXPECT_FALSE(report_from_json(j, error).has_value());
    EXPECT_NE(error.find("size"), std::string::npos) << error;

    j = render_and_parse(sample_run());
    j["cases"][1]["wire"]["frames"][0]["violations"] = json::array({"no_such_rule"});
    EXPECT_FALSE(report_from_json(j, error).has_value());
    EXPECT_NE(error.find("no_such_rule"), std::string::npos) << error;

    EXPECT_FALSE(parse_json_report("[]", error).has_value());
    EXPECT_NE(error.find("expected an object"), std::string::npos) << error;
}

/// Calls `f` on every value inside `j` (objects and arrays included), by JSON pointer.
void for_each_pointer(const json& j, const json::json_pointer& at,
                      const std::function<void(const json::json_pointer&)>& f) {
    f(at);
    if (j.is_object()) {
        for (const auto& [key, value] : j.items()) {
            for_each_pointer(value, at / key, f);
        }
    } else if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i) {
            for_each_pointer(j[i], at / i, f);
        }
    }
}

TEST(JsonReport, ReaderNeverThrowsOnCutOrRetypedInput) {
    const std::string text = render_json_report(sample_run(), json_options{64, -1});
    std::string error;
    // Every cut of the text is invalid JSON or an incomplete report; none may throw (the
    // functions are noexcept: an escaping exception would terminate the test).
    ASSERT_EQ(text.back(), '\n');
    for (std::size_t n = 0; n + 1 < text.size(); n += 3) { // without the newline it is whole
        EXPECT_FALSE(parse_json_report(std::string_view{text}.substr(0, n), error).has_value()) << n;
    }
    // Every value replaced by one of the wrong type: an error naming a field, never a throw.
    const json good = json::parse(text);
    std::size_t rejected = 0;
    std::size_t visited = 0;
    for_each_pointer(good, json::json_pointer{}, [&](const json::json_pointer& p) {
        if (p.empty() || p.to_string().find("/summary") == 0) {
            return; // the summary is derived, not read
        }
        for (const json& wrong : {json(nullptr), json("s"), json(-1), json::array(), json::object()}) {
            json bad = good;
            if (bad.at(p).type() == wrong.type()) {
                continue;
            }
            bad.at(p) = wrong;
            ++visited;
            if (!report_from_json(bad, error).has_value()) {
                ++rejected;
                EXPECT_FALSE(error.empty());
            }
        }
    });
    EXPECT_GT(visited, 500u);
    // Only a few changes are harmless (a null where a code may be absent, a name the reader
    // ignores); nearly all must be caught.
    EXPECT_GT(rejected, visited * 9 / 10) << rejected << " of " << visited;
}

TEST(JsonReport, WritesAndReadsAFile) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("wscheck_json_report_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    const auto file = dir / "nested" / "report.json";
    const run_result run = sample_run();
    ASSERT_EQ(write_json_report(file, run), "");
    std::string error;
    const auto back = read_json_report(file, error);
    ASSERT_TRUE(back.has_value()) << error;
    expect_same_run(run, *back);
    EXPECT_FALSE(read_json_report(dir / "missing.json", error).has_value());
    EXPECT_NE(error.find("missing.json"), std::string::npos) << error;
    std::filesystem::remove_all(dir);
}

} // namespace

TEST(JsonReport, RoundTripsPermessageDeflateAndReadsReportsWithoutIt) {
    run_result run = sample_run();
    auto& d = run.cases[0].deflate;
    d.offered = true;
    d.offer = "permessage-deflate; client_max_window_bits";
    d.response = "permessage-deflate; client_max_window_bits=10";
    d.agreed = "server: 15-bit window, context takeover; client: 10-bit window, context takeover";
    run.cases[0].expected_close.either_may_close = true;
    const json j = render_and_parse(run);
    EXPECT_EQ(j.at("cases")[0].at("deflate").at("agreed"), d.agreed);
    EXPECT_EQ(j.at("cases")[0].at("expected_close").at("either_may_close"), true);
    EXPECT_EQ(j.at("cases")[1].at("deflate").at("offered"), false);
    std::string error;
    const auto back = parse_json_report(render_json_report(run), error);
    ASSERT_TRUE(back.has_value()) << error;
    EXPECT_TRUE(back->cases[0].deflate.offered);
    EXPECT_EQ(back->cases[0].deflate.offer, d.offer);
    EXPECT_EQ(back->cases[0].deflate.response, d.response);
    EXPECT_EQ(back->cases[0].deflate.agreed, d.agreed);
    EXPECT_TRUE(back->cases[0].expected_close.either_may_close);
    EXPECT_FALSE(back->cases[1].deflate.offered);

    // A report written before permessage-deflate has neither field: it still reads.
    json old = render_and_parse(sample_run());
    for (auto& c : old["cases"]) {
        c.erase("deflate");
        c["expected_close"].erase("either_may_close");
    }
    const auto read_old = report_from_json(old, error);
    ASSERT_TRUE(read_old.has_value()) << error;
    EXPECT_FALSE(read_old->cases[0].deflate.offered);
}
