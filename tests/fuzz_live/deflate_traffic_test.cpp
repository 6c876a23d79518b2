// `wscheck fuzz --deflate`'s inputs (fuzz/live/deflate_traffic.hpp), read back by a server
// session of the sans-IO core that accepts their offer: the plans take every window and
// context-takeover combination in turn, clean compressed messages inflate to messages, and
// the broken ones fail the connection with the codes RFC 7692 and RFC 6455 give them.
#include "fuzz/live/case_seeds.hpp"
#include "fuzz/live/deflate_traffic.hpp"
#include "fuzz/live/generator.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/proto/http1.hpp"
#include "harness/proto/session.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <tuple>

namespace wscheck::fuzz {
namespace {

TEST(live_fuzz_deflate, plans_take_every_window_and_context_takeover_combination_in_turn) {
    std::set<std::tuple<bool, bool, int>> seen;
    for (std::uint64_t i = 0; i < 36; ++i) {
        const auto p = deflate_plan_for(i);
        const int window = p.offer.server_max_window_bits.value_or(0);
        seen.emplace(p.offer.client_no_context_takeover, p.offer.server_no_context_takeover, window);
        EXPECT_EQ(p.offer.client_max_window_bits_value.value_or(15), p.client_window);
        EXPECT_EQ(deflate_plan_for(i + 36).offer, p.offer);
    }
    EXPECT_EQ(seen.size(), 36u) << "4 context-takeover combinations x (no window, 8..15)";
    EXPECT_EQ(deflate_plan_for(35).client_window, 8);
}

/// What a server made with the core does with one input: the offer it accepted (if any) and
/// the events its session gives.
struct server_view {
    bool accepted = false;
    std::size_t messages = 0;
    std::map<std::uint16_t, std::size_t> fail_codes;
    std::map<std::string, std::size_t> errors;
};

server_view serve(const fuzz_input& in) {
    std::vector<std::uint8_t> all;
    for (const auto& w : in.writes) {
        all.insert(all.end(), w.bytes.begin(), w.bytes.end());
    }
    server_view v;
    proto::http_parser head{proto::http_parser::kind::request};
    std::size_t used = 0;
    if (head.feed(all, used) != proto::http_parser::status::done) {
        return v;
    }
    proto::accepted_request req;
    if (proto::check_request(head.head(), req)) {
        return v;
    }
    const auto deal = proto::negotiate_deflate(req.extensions, proto::deflate_server_policy{});
    if (!deal) {
        return v;
    }
    v.accepted = true;
    proto::session_options so;
    so.local_role = proto::role::server;
    so.deflate = deal->agreement;
    proto::session s{so};
    std::vector<std::uint8_t> frames{all.begin() + static_cast<std::ptrdiff_t>(used), all.end()};
    s.receive(frames);
    proto::session_event ev;
    while (s.next_event(ev)) {
        if (ev.what == proto::session_event::kind::text || ev.what == proto::session_event::kind::binary) {
            ++v.messages;
        } else if (ev.what == proto::session_event::kind::failed) {
            ++v.fail_codes[ev.code.value_or(0)];
            ++v.errors[ev.error.message()];
        }
    }
    return v;
}

TEST(live_fuzz_deflate, inputs_offer_deflate_and_reach_the_inflater) {
    const auto seeds = make_case_seeds(cases::full_catalog(), "127.0.0.1:9", "/", 64 * 1024);
    const input_generator gen{7, "127.0.0.1:9", "/", seeds, /*deflate=*/true};
    std::size_t deflate_inputs = 0;
    std::size_t declined = 0;
    std::size_t messages = 0;
    std::map<std::uint16_t, std::size_t> fail_codes;
    std::map<std::string, std::size_t> errors;
    std::map<std::string, std::size_t> strategies;
    for (std::uint64_t i = 0; i < 400; ++i) {
        const auto in = gen.make(i);
        ++strategies[in.strategy.rfind("case ", 0) == 0 ? "case" : in.strategy];
        if (in.strategy == "frames" || in.strategy == "fragments") {
            const std::string all = [&] {
                std::string s;
                for (const auto& w : in.writes) {
                    s.append(w.bytes.begin(), w.bytes.end());
                }
                return s;
            }();
            EXPECT_NE(all.find("Sec-WebSocket-Extensions: permessage-deflate"), std::string::npos) << i;
        }
        if (in.strategy != "deflate") {
            continue;
        }
        ++deflate_inputs;
        EXPECT_LE(in.total_bytes(), max_input_bytes) << i;
        const auto v = serve(in);
        declined += v.accepted ? 0u : 1u;
        messages += v.messages;
        for (const auto& [code, n] : v.fail_codes) {
            fail_codes[code] += n;
        }
        for (const auto& [e, n] : v.errors) {
            errors[e] += n;
        }
    }
    EXPECT_GE(strategies["deflate"], 150u);
    for (const char* s : {"handshake", "frames", "fragments", "case"}) {
        EXPECT_GT(strategies[s], 0u) << s;
    }
    // Most offers are accepted (the lies are declined), and clean messages inflate.
    EXPECT_GT(declined, 0u);
    EXPECT_LT(declined * 5, deflate_inputs);
    EXPECT_GE(messages, deflate_inputs) << "about one clean message per input at least";
    // Broken DEFLATE data (1007), RSV1 where it does not belong (1002) and bombs (1009) all
    // show up (the wording is harness/proto/error.cpp's).
    EXPECT_GT(errors["a permessage-deflate payload does not inflate"], 20u);
    EXPECT_GT(errors["RSV1 (per-message compressed) is set on a control frame or a continuation frame"], 5u);
    EXPECT_GT(errors["the reassembled message is larger than this endpoint accepts"], 0u);
    EXPECT_GT(fail_codes[1007], 20u);
    EXPECT_GT(fail_codes[1002], 5u);
    EXPECT_GT(fail_codes[1009], 0u);
}

TEST(live_fuzz_deflate, without_the_option_inputs_do_not_offer_deflate) {
    const input_generator plain{7, "127.0.0.1:9", "/", {}};
    const input_generator with{7, "127.0.0.1:9", "/", {}, true};
    std::size_t differ = 0;
    for (std::uint64_t i = 0; i < 50; ++i) {
        const auto a = plain.make(i);
        EXPECT_NE(a.strategy, "deflate");
        std::string all;
        for (const auto& w : a.writes) {
            all.append(w.bytes.begin(), w.bytes.end());
        }
        if (a.strategy == "frames" || a.strategy == "fragments") {
            EXPECT_EQ(all.find("Sec-WebSocket-Extensions"), std::string::npos) << i;
        }
        differ += a.writes == with.make(i).writes ? 0u : 1u;
    }
    EXPECT_EQ(differ, 50u);
}

} // namespace
} // namespace wscheck::fuzz
