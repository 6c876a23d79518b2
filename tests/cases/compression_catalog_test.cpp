// Sections 12, 13 and 22 (permessage-deflate) as data: Autobahn's message schedule and offers,
// payloads that are what they claim, and the section 22 payloads (the bomb is a bomb).
#include "cases/builders.hpp"
#include "cases/catalog.hpp"
#include "tests/cases/catalog_lookup.hpp"
#include "cases/compression_data.hpp"

#include "harness/proto/deflate_stream.hpp"
#include "harness/proto/error.hpp"
#include "harness/proto/utf8.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>

namespace {

using namespace wscheck::cases;
using wscheck::proto::opcode;
using namespace std::chrono_literals;

using wscheck::cases::catalog_testing::get;

const echo_series& series_of(const script& s) {
    EXPECT_EQ(s.steps.size(), 1u);
    return std::get<echo_series>(s.steps.front());
}

std::string offer_of(const script& s) {
    return wscheck::proto::format_deflate_offers(s.deflate->offers);
}

} // namespace

TEST(compression_catalog, section_12_follows_autobahns_schedule) {
    // case12_x_x.py MSG_SIZES: (length, count, seconds, auto-fragment size)
    const std::size_t lengths[18] = {16, 64, 256, 1024, 4096, 8192, 16384, 32768, 65536, 131072,
                                     8192, 16384, 32768, 65536, 131072, 131072, 131072, 131072};
    const std::size_t fragments[18] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 256, 256, 256, 256, 256, 1024, 4096, 32768};
    const int seconds[18] = {60, 60, 120, 240, 480, 480, 480, 480, 480, 480, 480, 480, 480, 480, 480, 480, 480, 480};
    const bool binary[5] = {false, true, true, false, true};
    for (int set = 1; set <= 5; ++set) {
        for (int i = 1; i <= 18; ++i) {
            const std::string id = "12." + std::to_string(set) + "." + std::to_string(i);
            SCOPED_TRACE(id);
            const auto& c = get(id);
            EXPECT_FALSE(c.tests_servers_only) << "played to clients too, as the suite's fuzzingserver does";
            EXPECT_TRUE(c.report_time);
            EXPECT_EQ(c.deadline, std::chrono::milliseconds{1000 * seconds[i - 1]});
            EXPECT_EQ(c.on_timeout, timeout_action::close);
            const auto s = c.build();
            ASSERT_TRUE(s.deflate);
            EXPECT_TRUE(s.deflate->required);
            // The suite's default offer: the client accepts both of the server's requests.
            EXPECT_EQ(offer_of(s), "permessage-deflate; client_no_context_takeover; client_max_window_bits");
            // Testing a client: its offer accepted as offered (the suite's accept_deflate).
            ASSERT_EQ(s.deflate->accept.size(), 1u);
            const auto& policy = s.deflate->accept[0].policy;
            EXPECT_FALSE(policy.server_no_context_takeover || policy.client_no_context_takeover);
            EXPECT_EQ(policy.server_max_window_bits, 15);
            EXPECT_EQ(policy.client_max_window_bits, 15);
            EXPECT_FALSE(s.deflate->accept[0].ask_client_window);
            const auto& series = series_of(s);
            EXPECT_EQ(series.count, 1000u);
            EXPECT_EQ(series.length, lengths[i - 1]);
            EXPECT_EQ(series.fragment_size, fragments[i - 1]);
            EXPECT_EQ(series.op, binary[set - 1] ? opcode::binary : opcode::text);
            ASSERT_EQ(s.outcomes.size(), 1u);
            EXPECT_EQ(s.outcomes[0].trace, std::vector<event>{build::series_done(1000)});
            EXPECT_TRUE(s.close.closed_by_us);
        }
    }
}

TEST(compression_catalog, data_sets_have_the_suites_sizes_and_text_is_utf8) {
    const std::size_t sizes[5] = {194056, 263222, 222218, 83108, 1042328};
    const auto& sets = compression::data_sets();
    for (std::size_t i = 0; i < sets.size(); ++i) {
        const auto data = sets[i].make();
        EXPECT_EQ(data.size(), sizes[i]) << sets[i].title;
        // Text messages are cut anywhere: text sources are ASCII so every cut is valid UTF-8.
        if (!sets[i].binary) {
            for (const auto b : data.view()) {
                ASSERT_LT(b, 0x80) << sets[i].title;
            }
        }
    }
    // The German text has its umlauts (UTF-8, sent as binary as the suite does).
    const auto german = sets[2].make();
    const std::string text(german.view().begin(), german.view().end());
    EXPECT_NE(text.find("heißem"), std::string::npos);
    // Cut to its size it may end inside a character; up to its last line it is UTF-8.
    EXPECT_TRUE(wscheck::proto::is_valid_utf8(std::string_view{text}.substr(0, text.rfind('\n'))));
    // The bitmap compresses well, the PDF-like data hardly at all: different workloads.
    for (const auto& [index, below, above] : {std::tuple{1u, 0.9, 0.0}, std::tuple{4u, 1.1, 0.9}}) {
        const auto data = sets[index].make();
        std::vector<std::uint8_t> out;
        wscheck::proto::message_deflater d;
        d.compress(data.view(), out);
        const double ratio = static_cast<double>(out.size()) / static_cast<double>(data.size());
        EXPECT_LT(ratio, below) << sets[index].title;
        EXPECT_GT(ratio, above) << sets[index].title;
    }
}

TEST(compression_catalog, section_13_makes_the_suites_offers) {
    const std::string client = "client_no_context_takeover; client_max_window_bits";
    const std::vector<std::string> offers{
        "permessage-deflate; " + client,
        "permessage-deflate; server_no_context_takeover; " + client,
        "permessage-deflate; client_no_context_takeover; server_max_window_bits=8; client_max_window_bits",
        "permessage-deflate; client_no_context_takeover; server_max_window_bits=15; client_max_window_bits",
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8; "
        "client_max_window_bits",
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=15; "
        "client_max_window_bits",
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8; "
        "client_max_window_bits, permessage-deflate; server_no_context_takeover; " + client +
            ", permessage-deflate; " + client,
    };
    for (std::size_t j = 0; j < offers.size(); ++j) {
        for (int i = 1; i <= 18; ++i) {
            const std::string id = "13." + std::to_string(j + 1) + "." + std::to_string(i);
            SCOPED_TRACE(id);
            const auto s = get(id).build();
            ASSERT_TRUE(s.deflate);
            EXPECT_EQ(offer_of(s), offers[j]);
            const auto& series = series_of(s);
            EXPECT_EQ(series.op, opcode::text);
            EXPECT_EQ(series.source.size(), 194056u);
        }
    }
}

// Testing a client, 13.x answers its offer as the suite's accept1..accept7: the rules, and the
// response they give to the suite's default offer (which has client_max_window_bits).
TEST(compression_catalog, section_13_answers_as_the_suites_server_accept) {
    using wscheck::proto::deflate_offer;
    const std::vector<std::vector<std::tuple<bool, int>>> rules{
        {{false, 0}}, {{true, 0}}, {{false, 8}}, {{false, 15}}, {{true, 8}}, {{true, 15}},
        {{true, 8}, {true, 0}, {false, 0}},
    };
    for (std::size_t j = 0; j < rules.size(); ++j) {
        for (int i : {1, 18}) {
            const std::string id = "13." + std::to_string(j + 1) + "." + std::to_string(i);
            SCOPED_TRACE(id);
            const auto& c = get(id);
            EXPECT_FALSE(c.tests_servers_only);
            const auto s = c.build();
            ASSERT_TRUE(s.deflate);
            EXPECT_TRUE(s.deflate->required);
            ASSERT_EQ(s.deflate->accept.size(), rules[j].size());
            for (std::size_t k = 0; k < rules[j].size(); ++k) {
                const auto [no_context, bits] = rules[j][k];
                const auto& r = s.deflate->accept[k];
                EXPECT_EQ(r.policy.client_no_context_takeover, no_context);
                EXPECT_EQ(r.ask_client_window, bits != 0);
                EXPECT_EQ(r.policy.client_max_window_bits, bits != 0 ? bits : 15);
                // Nothing asked of the server beyond what the offer asks.
                EXPECT_FALSE(r.policy.server_no_context_takeover);
                EXPECT_EQ(r.policy.server_max_window_bits, 15);
            }
            // The client catalog describes what we answer, the server catalog what we offer.
            const auto* mine = client_catalog().find(id);
            ASSERT_NE(mine, nullptr);
            EXPECT_NE(mine->description.find("Accept the client's"), std::string::npos) << mine->description;
            EXPECT_NE(c.description.find("Offer permessage-deflate"), std::string::npos) << c.description;
            EXPECT_NE(client_catalog().section_title(id), full_catalog().section_title(id));
        }
    }
}

TEST(compression_catalog, section_22_offers_and_payloads) {
    for (const auto& c : full_catalog().cases()) {
        if (!c.id.starts_with("22.")) {
            continue;
        }
        SCOPED_TRACE(c.id);
        // 22.1's offers are a client's; 22.2's frames are sent by either side.
        EXPECT_EQ(c.tests_servers_only, c.id.starts_with("22.1."));
        const auto s = c.build();
        ASSERT_TRUE(s.deflate);
        EXPECT_NE(c.rfc.clause.find("RFC"), std::string::npos);
    }
    // 22.1.1-22.1.8: an offer a server must decline, and none it may accept.
    for (int i = 1; i <= 8; ++i) {
        const auto s = get("22.1." + std::to_string(i)).build();
        EXPECT_TRUE(s.deflate->offers.empty());
        EXPECT_FALSE(s.deflate->raw_offer.empty());
        EXPECT_FALSE(s.deflate->required);
        // The core's server side declines it: the offer is really invalid.
        const auto parsed = wscheck::proto::parse_extensions(s.deflate->raw_offer);
        ASSERT_TRUE(parsed) << s.deflate->raw_offer;
        EXPECT_FALSE(wscheck::proto::negotiate_deflate(*parsed, {})) << s.deflate->raw_offer;
    }
    // 22.2.1: RSV1 on both frames of one message.
    const auto rsv_cont = get("22.2.1").build();
    ASSERT_EQ(rsv_cont.steps.size(), 2u);
    EXPECT_EQ(std::get<send_frame>(rsv_cont.steps[1]).op, opcode::cont);
    EXPECT_EQ(std::get<send_frame>(rsv_cont.steps[1]).rsv, 4);
    EXPECT_EQ(rsv_cont.close.codes, std::vector<std::uint16_t>{1002});
}

TEST(compression_catalog, deflated_payloads_inflate_back_and_the_bomb_is_one) {
    const payload hello{"Hello, compressed fragments!"};
    std::vector<std::uint8_t> back;
    wscheck::proto::inflater_options small;
    small.window_bits = 8; // it promises to fit the smallest window
    wscheck::proto::message_inflater in{small};
    ASSERT_FALSE(in.inflate(build::deflated(hello).view(), back));
    EXPECT_EQ(payload{back}, hello);

    const auto bomb = std::get<send_frame>(get("22.2.4").build().steps.front());
    EXPECT_EQ(bomb.rsv, 4);
    EXPECT_LT(bomb.data.size(), 2u * 1024 * 1024);
    wscheck::proto::inflater_options capped;
    capped.max_message_size = 64ull * 1024 * 1024;
    wscheck::proto::message_inflater cap{capped};
    std::vector<std::uint8_t> out;
    EXPECT_EQ(cap.inflate(bomb.data.view(), out), make_error_code(wscheck::proto::violation::inflated_too_big));
    // What it inflated to before the cap is zeros, and it stopped at the cap (plus one byte).
    EXPECT_LE(out.size(), capped.max_message_size + 1);
    EXPECT_GE(out.size(), capped.max_message_size);
    EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](std::uint8_t b) { return b == 0; }));
    // Its size: the first MiB's block and 1023 copies of the next one, less the 4-byte tail.
    // (Inflating all 1 GiB takes seconds; the cap above is what a server meets.)
    const std::vector<std::uint8_t> mib(1024 * 1024, 0);
    wscheck::proto::message_deflater d{wscheck::proto::deflater_options{15, false, 9, 8}};
    std::vector<std::uint8_t> first;
    std::vector<std::uint8_t> again;
    d.write(mib, first, true);
    d.write(mib, again, true);
    EXPECT_EQ(bomb.data.size(), first.size() + 1023 * again.size() - 4);
}
