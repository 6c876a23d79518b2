// The live fuzzer's engine in-process: inputs as a function of the seed, the finding file
// format, the shrinker, the liveness probe's classification, and a bounded run against the
// reference server that must find nothing.
#include "fuzz/live/engine.hpp"

#include "cases/catalog.hpp"
#include "fuzz/live/case_seeds.hpp"
#include "fuzz/live/finding.hpp"
#include "fuzz/live/generator.hpp"
#include "fuzz/live/shrinker.hpp"
#include "harness/server/reference_server.hpp"
#include "reports/fuzz_report.hpp"
#include "tests/harness/integration/raw_socket.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

namespace wscheck::fuzz {
namespace {

using namespace std::chrono_literals;

std::vector<std::uint8_t> all_bytes(const fuzz_input& in) {
    std::vector<std::uint8_t> out;
    for (const auto& w : in.writes) {
        out.insert(out.end(), w.bytes.begin(), w.bytes.end());
    }
    return out;
}

const std::vector<case_seed>& seeds() {
    static const auto s = make_case_seeds(cases::full_catalog(), "127.0.0.1:9", "/", 64 * 1024);
    return s;
}

TEST(live_fuzz_generator, input_is_a_function_of_seed_and_index) {
    const input_generator a{42, "127.0.0.1:9", "/", seeds()};
    const input_generator b{42, "127.0.0.1:9", "/", seeds()};
    const input_generator other{43, "127.0.0.1:9", "/", seeds()};
    std::size_t differing = 0;
    for (std::uint64_t i = 0; i < 50; ++i) {
        const auto x = a.make(i);
        const auto y = b.make(i);
        EXPECT_EQ(x.writes, y.writes) << "input " << i;
        EXPECT_EQ(x.strategy, y.strategy);
        EXPECT_EQ(x.index, i);
        differing += all_bytes(x) != all_bytes(other.make(i)) ? 1u : 0u;
    }
    EXPECT_GE(differing, 45u) << "another seed must give other inputs";
    // Order does not matter: input 30 alone is input 30 of a run.
    EXPECT_EQ(a.make(30).writes, input_generator(42, "127.0.0.1:9", "/", seeds()).make(30).writes);
}

TEST(live_fuzz_generator, uses_every_strategy_and_stays_bounded) {
    const input_generator g{7, "127.0.0.1:9", "/", seeds()};
    std::set<std::string> strategies;
    std::size_t torn = 0;
    for (std::uint64_t i = 0; i < 400; ++i) {
        const auto in = g.make(i);
        strategies.insert(in.strategy.rfind("case ", 0) == 0 ? "case" : in.strategy);
        ASSERT_FALSE(in.writes.empty());
        EXPECT_LE(in.total_bytes(), max_input_bytes + 128 * 1024) << in.strategy;
        EXPECT_LE(in.writes.size(), 6u);
        EXPECT_LE(in.total_pause(), 100ms);
        torn += in.writes.size() > 1 ? 1u : 0u;
    }
    EXPECT_EQ(strategies, (std::set<std::string>{"case", "fragments", "frames", "handshake"}));
    EXPECT_GT(torn, 100u) << "writes must often be split";
}

TEST(live_fuzz_case_seeds, serialise_the_catalog_handshake_first) {
    const auto& s = seeds();
    ASSERT_GT(s.size(), 200u);
    const auto it = std::find_if(s.begin(), s.end(), [](const case_seed& c) { return c.case_id == "1.1.1"; });
    ASSERT_NE(it, s.end());
    const std::string text{it->bytes.begin(), it->bytes.end()};
    EXPECT_EQ(text.rfind("GET / HTTP/1.1\r\n", 0), 0u);
    const auto end = text.find("\r\n\r\n");
    ASSERT_NE(end, std::string::npos);
    // 1.1.1: an empty text message, masked (5.3): 0x81 0x80 and a 4-byte key.
    ASSERT_EQ(it->bytes.size(), end + 4 + 6);
    EXPECT_EQ(it->bytes[end + 4], 0x81);
    EXPECT_EQ(it->bytes[end + 5], 0x80);
    // No timing case of section 9 (megabytes each).
    EXPECT_TRUE(std::none_of(s.begin(), s.end(), [](const case_seed& c) { return c.case_id.rfind("9.", 0) == 0; }));
    // The same bytes every time (mask keys come from the case's position, not from a CSPRNG).
    EXPECT_EQ(make_case_seeds(cases::full_catalog(), "127.0.0.1:9", "/", 64 * 1024)[0].bytes, s[0].bytes);
}

TEST(live_fuzz_finding, file_round_trips) {
    finding f;
    f.kind = finding_kind::hang;
    f.detail = "no answer \xff";
    f.seed = 0xFFFF'FFFF'FFFF'FFF0ull;
    f.input.index = 17;
    f.input.strategy = "case 7.3.2";
    f.input.writes = {{0ms, {0x47, 0x45, 0x54}}, {12ms, {0x00, 0xFF}}};
    f.url_path = "/chat?x=1";
    f.host = "127.0.0.1:9001";
    f.shrunk = true;
    f.original_writes = 4;
    f.original_bytes = 300;
    f.reproduced = true;
    f.deflate = true;
    std::string error;
    const auto back = finding_from_json(finding_to_json(f), error);
    ASSERT_TRUE(back) << error;
    EXPECT_TRUE(back->deflate);
    EXPECT_EQ(back->kind, f.kind);
    EXPECT_EQ(back->seed, f.seed);
    EXPECT_EQ(back->input.index, 17u);
    EXPECT_EQ(back->input.strategy, f.input.strategy);
    EXPECT_EQ(back->input.writes, f.input.writes);
    EXPECT_EQ(back->url_path, f.url_path);
    EXPECT_EQ(back->host, f.host);
    EXPECT_TRUE(back->shrunk);
    EXPECT_TRUE(back->reproduced);
    EXPECT_EQ(back->original_writes, 4u);
    EXPECT_EQ(back->original_bytes, 300u);
    EXPECT_EQ(back->detail, "no answer \xef\xbf\xbd"); // made valid UTF-8 for JSON
}

TEST(live_fuzz_finding, signature_and_occurrences_round_trip_and_old_files_still_read) {
    finding f;
    f.kind = finding_kind::crash;
    f.failure = "the server process exited with status 3";
    f.input.index = 23;
    f.input.writes = {{0ms, {0x47}}};
    f.input_shape = "request cont+rsv2";
    f.occurrences = 3;
    f.occurrence_inputs = {23, 475, 701};
    EXPECT_EQ(f.signature(), "crash | the server process exited with status 3 | request cont+rsv2");
    std::string error;
    const auto back = finding_from_json(finding_to_json(f), error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(back->signature(), f.signature());
    EXPECT_EQ(back->occurrences, 3u);
    EXPECT_EQ(back->occurrence_inputs, f.occurrence_inputs);

    // A file written before signatures and occurrences (docs/fuzzing.md's example of then).
    const auto old = finding_from_json(R"({
      "format": "wscheck-fuzz-finding", "format_version": 1, "wscheck_version": "0.1.0",
      "kind": "crash", "detail": "the server process exited with status 134", "seed": 7, "input_index": 38,
      "strategy": "frames", "url_path": "/", "host": "127.0.0.1:9001",
      "writes": [{"pause_ms": 0, "hex": "474554202f20"}], "bytes": 6, "shrunk": true,
      "original": {"writes": 6, "bytes": 472}, "reproduced": true})",
                                       error);
    ASSERT_TRUE(old) << error;
    EXPECT_EQ(old->occurrences, 1u);
    EXPECT_EQ(old->occurrence_inputs, (std::vector<std::uint64_t>{38}));
    EXPECT_EQ(old->input.writes.size(), 1u);
    EXPECT_TRUE(old->failure.empty());
    EXPECT_FALSE(old->deflate); // found before --deflate existed
}

TEST(live_fuzz_finding, garbled_files_are_refused_with_a_reason) {
    const std::string good_writes = R"("writes": [{"pause_ms": 0, "hex": "4745"}])";
    const auto head = std::string{R"({"format": "wscheck-fuzz-finding", "format_version": 1, "kind": "crash", )"};
    const std::vector<std::pair<std::string, std::string>> bad{
        {"not json {", "JSON"},
        {"[1, 2]", "JSON object"},
        {R"({"format": "something-else", "format_version": 1})", "not a wscheck fuzz finding"},
        {R"({"format": "wscheck-fuzz-finding", "format_version": 2, "kind": "crash", )" + good_writes + "}", "format_version"},
        {R"({"format": "wscheck-fuzz-finding", "format_version": 1, "kind": "boom", )" + good_writes + "}", "kind"},
        {head + R"("writes": []})", "writes"},
        {head + R"("writes": [{"pause_ms": 0, "hex": "zz"}]})", "hex"},
        {head + R"("writes": [{"pause_ms": -5, "hex": "00"}]})", "pause_ms"},
        {head + R"("writes": [{"pause_ms": 100000, "hex": "00"}]})", "pause_ms"},
        {head + R"("writes": "4745"})", "writes"},
        {head + R"("writes": [{"pause_ms": 0, "hex": "00"}], "shrunk": "yes", "original": {"bytes": "x"}})", ""},
    };
    for (const auto& [text, why] : bad) {
        std::string error;
        const auto f = finding_from_json(text, error);
        if (why.empty()) {
            // Wrongly typed optional fields fall back to their defaults instead of throwing.
            ASSERT_TRUE(f) << text << ": " << error;
            EXPECT_FALSE(f->shrunk);
            EXPECT_EQ(f->original_bytes, 1u);
            continue;
        }
        EXPECT_FALSE(f) << text;
        EXPECT_NE(error.find(why), std::string::npos) << text << " -> " << error;
    }
}

TEST(live_fuzz_report, html_escapes_what_a_server_or_a_user_wrote) {
    reports::fuzz_report r;
    r.target = "ws://127.0.0.1:9/<x>";
    r.exec = "./server --name '<script>alert(1)</script>' && echo \"done\"";
    r.inputs_sent = 10;
    r.fuzzing_seconds = 2;
    r.findings.push_back({"crash", "closed <b>\xff", 3, "frames", "out/crash-1-3.json", 1, 10, 2, 20, true, true, "00ff",
                          "crash | <i>refused | request ping", 3, {3, 40, 77}});
    const auto html = reports::fuzz_report_html(r);
    EXPECT_EQ(html.find("<script>"), std::string::npos);
    EXPECT_EQ(html.find("<b>"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(html.find("closed &lt;b&gt;\xef\xbf\xbd"), std::string::npos);
    EXPECT_NE(html.find("wscheck fuzz --replay out/crash-1-3.json ws://127.0.0.1:9/&lt;x&gt;"), std::string::npos);
    const auto json = nlohmann::json::parse(reports::fuzz_report_json(r));
    EXPECT_EQ(json["inputs_per_second"], 5.0);
    EXPECT_EQ(json["findings"][0]["original_bytes"], 20);
    EXPECT_EQ(json["findings"][0]["detail"], "closed <b>\xef\xbf\xbd");
    // Occurrences: the same bug found three times is one finding.
    EXPECT_EQ(json["findings"][0]["occurrences"], 3);
    EXPECT_EQ(json["findings"][0]["occurrence_inputs"], nlohmann::json::parse("[3, 40, 77]"));
    EXPECT_EQ(json["findings"][0]["signature"], "crash | <i>refused | request ping");
    EXPECT_NE(html.find("<td>3 (inputs #3, #40, #77)</td>"), std::string::npos);
    EXPECT_NE(html.find("signature: <code>crash | &lt;i&gt;refused | request ping</code>"), std::string::npos);
}

TEST(live_fuzz_shrinker, shrinks_to_the_bytes_that_matter) {
    // Reproduces when the bytes hold AB CD together, wherever they are.
    fuzz_input in;
    for (int w = 0; w < 4; ++w) {
        timed_write t{std::chrono::milliseconds{w * 5}, {}};
        for (int i = 0; i < 80; ++i) {
            t.bytes.push_back(static_cast<std::uint8_t>((w * 80 + i) % 97));
        }
        in.writes.push_back(t);
    }
    in.writes[2].bytes[40] = 0xAB;
    in.writes[2].bytes[41] = 0xCD;
    std::size_t calls = 0;
    const reproduces_fn has_abcd = [&](const fuzz_input& c) -> std::optional<bool> {
        ++calls;
        const auto b = all_bytes(c);
        for (std::size_t i = 0; i + 1 < b.size(); ++i) {
            if (b[i] == 0xAB && b[i + 1] == 0xCD) {
                return true;
            }
        }
        return false;
    };
    const auto r = shrink(in, has_abcd, {1000, 10s, nullptr});
    EXPECT_EQ(all_bytes(r.input), (std::vector<std::uint8_t>{0xAB, 0xCD}));
    EXPECT_EQ(r.input.writes.size(), 1u);
    EXPECT_EQ(r.input.total_pause(), 0ms);
    EXPECT_EQ(r.attempts, calls);
    EXPECT_FALSE(r.ended_early);

    // Bounded: never more attempts than allowed, and the input itself at worst.
    calls = 0;
    const auto few = shrink(in, has_abcd, {5, 10s, nullptr});
    EXPECT_EQ(few.attempts, 5u);
    EXPECT_EQ(calls, 5u);
    EXPECT_TRUE(few.ended_early);
    EXPECT_TRUE(*has_abcd(few.input));

    // A target that cannot be tried ends shrinking at once, keeping the input.
    const auto stuck = shrink(in, [](const fuzz_input&) -> std::optional<bool> { return std::nullopt; }, {100, 10s, nullptr});
    EXPECT_EQ(stuck.attempts, 1u);
    EXPECT_EQ(stuck.input.writes, in.writes);
}

io_limits quick_limits() {
    io_limits l;
    l.probe_timeout = 500ms;
    return l;
}

TEST(live_fuzz_probe, tells_refused_silent_and_broken_apart) {
    net::ws_url url;
    url.host = "127.0.0.1";
    // Nothing listens: refused.
    {
        test::raw_listener l;
        url.port = l.port();
    }
    auto p = probe({url, nullptr}, "x", quick_limits());
    EXPECT_EQ(p.what, probe_result::status::refused) << p.detail;

    // A listener that never answers: TCP connects (the kernel's backlog), the probe times out.
    test::raw_listener silent;
    url.port = silent.port();
    p = probe({url, nullptr}, "x", quick_limits());
    EXPECT_EQ(p.what, probe_result::status::timed_out) << p.detail;
    EXPECT_TRUE(p.connected);

    // A server that closes every connection at once: broken.
    test::raw_listener closing;
    url.port = closing.port();
    std::atomic<bool> done{false};
    std::thread t{[&] {
        while (!done) {
            const int fd = closing.accept(50ms);
            if (fd >= 0) {
                test::raw_socket s{fd}; // closed when it goes out of scope
            }
        }
    }};
    p = probe({url, nullptr}, "x", quick_limits());
    done = true;
    t.join();
    EXPECT_EQ(p.what, probe_result::status::broken) << p.detail;
}

TEST(live_fuzz_engine, reference_server_survives_a_bounded_run_with_no_finding) {
    server::background_server server{server::server_options{}};
    std::string error;
    fuzz_options o;
    o.tgt.url = *net::parse_ws_url(server.url(), error);
    o.seed = 2026;
    o.count = 300;
    o.time = 40s;
    o.jobs = 2;
    o.out_dir = ::testing::TempDir() + "/live_fuzz_reference";
    ASSERT_EQ(probe(o.tgt, "ready", o.limits).what, probe_result::status::alive);
    const auto out = run_fuzz(o);
    for (const auto& f : out.findings) {
        ADD_FAILURE() << to_string(f.kind) << " after input " << f.input.index << " (" << f.input.strategy
                      << "): " << f.detail;
    }
    EXPECT_EQ(out.inputs_sent, 300u);
    EXPECT_EQ(out.end_reason, "count");
    EXPECT_EQ(out.strategies.size(), 4u);
    EXPECT_EQ(probe(o.tgt, "after", o.limits).what, probe_result::status::alive);
}

TEST(live_fuzz_engine, stop_flag_ends_the_run_between_inputs) {
    server::background_server server{server::server_options{}};
    std::string error;
    fuzz_options o;
    o.tgt.url = *net::parse_ws_url(server.url(), error);
    o.count = 1'000'000;
    o.time = 60s;
    std::atomic<bool> stop{false};
    o.stop = &stop;
    // Stops once the run is sending (its first connection is open), however long the
    // catalog seeds take to build on a slow build.
    std::thread stopper{[&] {
        const auto give_up = std::chrono::steady_clock::now() + 30s;
        while (server.connection_count() == 0 && std::chrono::steady_clock::now() < give_up) {
            std::this_thread::sleep_for(1ms);
        }
        std::this_thread::sleep_for(100ms);
        stop = true;
    }};
    const auto started = std::chrono::steady_clock::now();
    const auto out = run_fuzz(o);
    stopper.join();
    EXPECT_TRUE(out.interrupted);
    EXPECT_EQ(out.end_reason, "interrupted");
    EXPECT_GT(out.inputs_sent, 0u);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 40s);
}

} // namespace
} // namespace wscheck::fuzz
