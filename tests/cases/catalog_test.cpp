// The catalog against the Autobahn Testsuite it mirrors: the same ids in the same order, the
// same counts per section, and spot checks of what specific cases send and expect, taken
// from the suite's case files (autobahntestsuite/case/caseN_N_N.py).
#include "cases/builders.hpp"
#include "cases/catalog.hpp"
#include "tests/cases/catalog_lookup.hpp"

#include "harness/proto/close.hpp"
#include "harness/proto/deflate_decoder.hpp"
#include "harness/proto/deflate_stream.hpp"
#include "harness/proto/frame.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/proto/utf8.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>

using namespace wscheck::cases;
using wscheck::proto::opcode;
using namespace std::chrono_literals;

namespace {

std::string top_section(const std::string& id) { return id.substr(0, id.find('.')); }

using wscheck::cases::catalog_testing::get;

template <typename T>
std::vector<T> steps_of(const script& s) {
    std::vector<T> out;
    for (const auto& st : s.steps) {
        if (const auto* p = std::get_if<T>(&st)) {
            out.push_back(*p);
        }
    }
    return out;
}

bool all_bytes(const payload& p, std::uint8_t b) {
    return std::all_of(p.view().begin(), p.view().end(), [b](std::uint8_t x) { return x == b; });
}

std::string str(const payload& p) { return {p.view().begin(), p.view().end()}; }

} // namespace

TEST(catalog, section_sizes_match_autobahn) {
    // Autobahn's case/__init__.py, sections 1-13 (12 and 13: 5 data sets and 7 offers, 18
    // message sizes each, case12_x_x.py).
    const std::map<std::string, std::size_t> autobahn{{"1", 16}, {"2", 11}, {"3", 7},  {"4", 10}, {"5", 20},
                                                      {"6", 145}, {"7", 37}, {"9", 54}, {"10", 1},
                                                      {"12", 90}, {"13", 126}};
    std::map<std::string, std::size_t> ours;
    for (const auto& c : full_catalog().cases()) {
        ++ours[top_section(c.id)];
    }
    std::size_t total = 0;
    for (const auto& [section, count] : autobahn) {
        EXPECT_EQ(ours[section], count) << "section " << section;
        total += ours[section];
    }
    EXPECT_EQ(total, 301u + 216u);
    EXPECT_EQ(ours.count("8"), 0u);
    EXPECT_EQ(ours.count("11"), 0u);
}

TEST(catalog, subsection_sizes_match_autobahn) {
    const std::map<std::string, std::size_t> autobahn{
        {"1.1", 8},  {"1.2", 8},  {"4.1", 5},  {"4.2", 5},  {"6.1", 3},  {"6.2", 4},  {"6.3", 2},  {"6.4", 4},
        {"6.5", 5},  {"6.6", 11}, {"6.7", 4},  {"6.8", 2},  {"6.9", 4},  {"6.10", 3}, {"6.11", 5}, {"6.12", 8},
        {"6.13", 5}, {"6.14", 10}, {"6.15", 1}, {"6.16", 3}, {"6.17", 5}, {"6.18", 5}, {"6.19", 5}, {"6.20", 7},
        {"6.21", 8}, {"6.22", 34}, {"6.23", 7}, {"7.1", 6},  {"7.3", 6},  {"7.5", 1},  {"7.7", 13}, {"7.9", 9},
        {"7.13", 2}, {"9.1", 6},  {"9.2", 6},  {"9.3", 9},  {"9.4", 9},  {"9.5", 6},  {"9.6", 6},  {"9.7", 6},
        {"9.8", 6},  {"10.1", 1}, {"12.1", 18}, {"12.2", 18}, {"12.3", 18}, {"12.4", 18}, {"12.5", 18},
        {"13.1", 18}, {"13.2", 18}, {"13.3", 18}, {"13.4", 18}, {"13.5", 18}, {"13.6", 18}, {"13.7", 18}};
    for (const auto& [sub, count] : autobahn) {
        std::size_t n = 0;
        for (const auto& c : full_catalog().cases()) {
            n += c.id.starts_with(sub + ".") && std::count(c.id.begin(), c.id.end(), '.') ==
                                                    std::count(sub.begin(), sub.end(), '.') + 1;
        }
        EXPECT_EQ(n, count) << "subsection " << sub;
        EXPECT_FALSE(full_catalog().section_title(sub + ".1").empty()) << sub;
    }
    EXPECT_EQ(full_catalog().section_title("6.22.34"), "Non-character code points (valid UTF-8)");
    EXPECT_EQ(full_catalog().section_title("6.4.2"), "Fail-fast on invalid UTF-8");
}

TEST(catalog, ids_are_unique_numbered_from_one_and_added_in_order) {
    // The section files add cases in Autobahn's order, which is the numeric id order; the
    // catalog sorts anyway, so check the order as added.
    catalog_builder b;
    add_framing(b);
    add_pings(b);
    add_reserved_bits(b);
    add_opcodes(b);
    add_fragmentation(b);
    add_utf8(b);
    add_close(b);
    add_limits(b);
    add_misc(b);
    add_compression(b);
    add_compression_params(b);
    add_handshake(b);
    add_resource_abuse(b);
    add_deflate_rules(b);
    std::set<std::string> seen;
    for (std::size_t i = 0; i < b.cases.size(); ++i) {
        EXPECT_TRUE(seen.insert(b.cases[i].id).second) << b.cases[i].id;
        if (i > 0) {
            EXPECT_TRUE(id_less(b.cases[i - 1].id, b.cases[i].id)) << b.cases[i - 1].id << " then " << b.cases[i].id;
        }
    }
    // Within every subsection, the last component runs 1, 2, 3, ... without gaps.
    std::map<std::string, unsigned long> last;
    for (const auto& c : b.cases) {
        const auto dot = c.id.rfind('.');
        const auto parent = c.id.substr(0, dot);
        const auto n = std::stoul(c.id.substr(dot + 1));
        EXPECT_EQ(n, last[parent] + 1) << c.id;
        last[parent] = n;
    }
    // Positions as Autobahn numbers them (runCase?case=N is 1-based).
    EXPECT_EQ(full_catalog().index_of("1.1.1"), 0);
    EXPECT_EQ(full_catalog().index_of("2.1"), 16);
    EXPECT_EQ(full_catalog().index_of("6.1.1"), 16 + 11 + 7 + 10 + 20);
    EXPECT_EQ(full_catalog().index_of("7.1.1"), 64 + 145);
    EXPECT_EQ(full_catalog().index_of("10.1.1"), 300);
    EXPECT_EQ(full_catalog().index_of("12.1.1"), 301);
    EXPECT_EQ(full_catalog().index_of("13.1.1"), 301 + 90);
}

TEST(catalog, every_case_is_described_and_builds_a_judgeable_script) {
    for (const auto& c : full_catalog().cases()) {
        SCOPED_TRACE(c.id);
        EXPECT_FALSE(c.description.empty());
        EXPECT_FALSE(c.expectation.empty());
        EXPECT_FALSE(c.rfc.clause.empty());
        EXPECT_FALSE(c.rfc.requirement.empty());
        if (c.id.starts_with("9.")) {
            EXPECT_GT(c.timeout, 0ms);
            continue; // large payloads: checked on their own below
        }
        const auto s = c.build();
        // The peer has time to end the case after the last step, unless that step is itself
        // a wait whose end is recorded (a labelled pause: 21.3.1, 21.4).
        const auto* last_pause = s.steps.empty() ? nullptr : std::get_if<wscheck::cases::pause>(&s.steps.back());
        if (last_pause == nullptr || last_pause->label.empty()) {
            EXPECT_GT(c.timeout, 0ms);
        }
        // Only a handshake the server must refuse has nothing to send after it.
        EXPECT_EQ(s.steps.empty(), s.handshake.must == handshake_spec::expect::reject);
        // Either outcomes to compare the events with, or a case Autobahn only records.
        EXPECT_TRUE(!s.outcomes.empty() || s.close.informational);
        EXPECT_FALSE(s.close.codes.empty());
        // A case where the peer must fail the connection never expects a clean close from us.
        if (!s.close.closed_by_us) {
            EXPECT_FALSE(s.close.require_clean);
        }
    }
}

TEST(catalog, framing_sizes_and_payloads_are_autobahns) {
    const std::size_t sizes[] = {0, 125, 126, 127, 128, 65535, 65536, 65536};
    for (int binary = 0; binary < 2; ++binary) {
        for (std::size_t i = 0; i < 8; ++i) {
            const auto id = std::string{binary != 0 ? "1.2." : "1.1."} + std::to_string(i + 1);
            SCOPED_TRACE(id);
            const auto s = get(id).build();
            const auto frames = steps_of<send_frame>(s);
            ASSERT_EQ(frames.size(), 1u);
            EXPECT_EQ(frames[0].op, binary != 0 ? opcode::binary : opcode::text);
            EXPECT_EQ(frames[0].data.size(), sizes[i]);
            EXPECT_TRUE(all_bytes(frames[0].data, binary != 0 ? 0xfe : '*'));
            EXPECT_EQ(frames[0].chop, i == 7 ? 997u : 0u);
            EXPECT_EQ(get(id).timeout, i >= 5 ? 10'000ms : 1000ms);
            ASSERT_EQ(s.outcomes.size(), 1u);
            ASSERT_EQ(s.outcomes[0].trace.size(), 1u);
            EXPECT_EQ(s.outcomes[0].trace[0].data, frames[0].data);
            EXPECT_TRUE(s.close.closed_by_us);
            EXPECT_TRUE(s.close.require_clean);
        }
    }
    // 1.1.3 is 126 bytes (the first 16-bit length), not 65535: its header on the wire.
    const auto f = steps_of<send_frame>(get("1.1.3").build())[0];
    wscheck::proto::frame_header h;
    h.op = f.op;
    h.length = f.data.size();
    std::array<std::uint8_t, wscheck::proto::max_header_size> out{};
    ASSERT_EQ(wscheck::proto::encode_header(h, out), 4u);
    EXPECT_EQ(out[0], 0x81);
    EXPECT_EQ(out[1], 126);
    EXPECT_EQ(out[2], 0x00);
    EXPECT_EQ(out[3], 126);
}

TEST(catalog, ping_cases) {
    const auto s25 = get("2.5").build();
    const auto frames = steps_of<send_frame>(s25);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].op, opcode::ping);
    EXPECT_EQ(frames[0].data.size(), 126u);
    ASSERT_EQ(s25.outcomes.size(), 1u);
    EXPECT_TRUE(s25.outcomes[0].trace.empty());
    EXPECT_FALSE(s25.close.closed_by_us);
    EXPECT_EQ(s25.close.codes, std::vector<std::uint16_t>{1002});
    EXPECT_EQ(get("2.5").on_timeout, timeout_action::drop);

    // 2.1-2.4, 2.6: closeAfter, not killAfter; 2.6 writes octet-wise with 2 s.
    EXPECT_EQ(get("2.1").on_timeout, timeout_action::close);
    EXPECT_EQ(steps_of<send_frame>(get("2.6").build())[0].chop, 1u);
    EXPECT_EQ(get("2.6").timeout, 2000ms);

    const auto s210 = get("2.10").build();
    ASSERT_EQ(s210.outcomes.size(), 1u);
    ASSERT_EQ(s210.outcomes[0].trace.size(), 10u);
    EXPECT_EQ(str(s210.outcomes[0].trace[9].data), "payload-9");
    EXPECT_EQ(s210.outcomes[0].trace[9].what, event::kind::pong);
    EXPECT_EQ(get("2.10").timeout, 3000ms);
    for (const auto& f : steps_of<send_frame>(get("2.11").build())) {
        EXPECT_EQ(f.chop, 1u);
    }
    // 2.7: an unsolicited Pong, then our Close, nothing back.
    const auto s27 = get("2.7").build();
    ASSERT_EQ(s27.steps.size(), 2u);
    EXPECT_TRUE(std::holds_alternative<send_close>(s27.steps[1]));
}

TEST(catalog, reserved_bits_and_opcodes) {
    const std::uint8_t rsv[] = {1, 2, 3, 4, 5, 6, 7};
    for (int i = 0; i < 7; ++i) {
        const auto s = get("3." + std::to_string(i + 1)).build();
        const auto frames = steps_of<send_frame>(s);
        EXPECT_TRUE(std::any_of(frames.begin(), frames.end(), [&](const send_frame& f) { return f.rsv == rsv[i]; }))
            << "3." << i + 1;
        EXPECT_FALSE(s.close.closed_by_us);
    }
    EXPECT_EQ(steps_of<send_frame>(get("3.7").build())[0].op, opcode::close);
    EXPECT_TRUE(steps_of<send_frame>(get("3.3").build())[1].sync);
    EXPECT_EQ(steps_of<send_frame>(get("3.4").build())[2].chop, 1u);

    for (unsigned i = 0; i < 5; ++i) {
        const auto nc = steps_of<send_frame>(get("4.1." + std::to_string(i + 1)).build());
        const auto ctl = steps_of<send_frame>(get("4.2." + std::to_string(i + 1)).build());
        const auto& nc_reserved = i < 2 ? nc[0] : nc[1];
        const auto& ctl_reserved = i < 2 ? ctl[0] : ctl[1];
        EXPECT_EQ(static_cast<unsigned>(nc_reserved.op), 3 + i);
        EXPECT_EQ(static_cast<unsigned>(ctl_reserved.op), 11 + i);
    }
    const auto s413 = get("4.1.3").build();
    ASSERT_EQ(s413.outcomes.size(), 2u);
    EXPECT_EQ(s413.outcomes[0].verdict, behavior::ok);
    EXPECT_EQ(s413.outcomes[1].verdict, behavior::non_strict);
    EXPECT_TRUE(s413.outcomes[1].trace.empty());
}

TEST(catalog, fragmentation_timing_of_5_19_and_5_20) {
    for (const char* id : {"5.19", "5.20"}) {
        SCOPED_TRACE(id);
        const bool sync = std::string{id} == "5.20";
        const auto s = get(id).build();
        ASSERT_EQ(s.steps.size(), 8u);
        // Two fragments and the first Ping, a 1 s pause (no label: nothing is recorded), the rest.
        const auto* wait = std::get_if<wscheck::cases::pause>(&s.steps[3]);
        ASSERT_NE(wait, nullptr);
        EXPECT_EQ(wait->duration, 1000ms);
        EXPECT_TRUE(wait->label.empty());
        EXPECT_EQ(std::get<send_frame>(s.steps[2]).op, opcode::ping);
        EXPECT_EQ(str(std::get<send_frame>(s.steps[2]).data), "pongme 1!");
        EXPECT_EQ(str(std::get<send_frame>(s.steps[6]).data), "pongme 2!");
        EXPECT_FALSE(std::get<send_frame>(s.steps[4]).fin);
        EXPECT_FALSE(std::get<send_frame>(s.steps[5]).fin);
        EXPECT_TRUE(std::get<send_frame>(s.steps[7]).fin);
        EXPECT_EQ(std::get<send_frame>(s.steps[7]).op, opcode::cont);
        for (const auto& f : steps_of<send_frame>(s)) {
            EXPECT_EQ(f.sync, sync);
        }
        ASSERT_EQ(s.outcomes.size(), 1u);
        ASSERT_EQ(s.outcomes[0].trace.size(), 3u);
        EXPECT_EQ(s.outcomes[0].trace[0], (event{event::kind::pong, payload{"pongme 1!"}}));
        EXPECT_EQ(s.outcomes[0].trace[1], (event{event::kind::pong, payload{"pongme 2!"}}));
        EXPECT_EQ(s.outcomes[0].trace[2],
                  (event{event::kind::text, payload{"fragment1fragment2fragment3fragment4fragment5"}}));
        EXPECT_EQ(get(id).timeout, 1000ms);
        EXPECT_EQ(get(id).on_timeout, timeout_action::close);
    }
    // 5.1: a fragmented Ping fails the connection.
    const auto s51 = get("5.1").build();
    EXPECT_EQ(std::get<send_frame>(s51.steps[0]).op, opcode::ping);
    EXPECT_FALSE(std::get<send_frame>(s51.steps[0]).fin);
    EXPECT_FALSE(s51.close.closed_by_us);
}

TEST(catalog, utf8_fail_fast_pauses_and_labels) {
    for (const char* id : {"6.4.1", "6.4.2", "6.4.3", "6.4.4"}) {
        SCOPED_TRACE(id);
        const auto s = get(id).build();
        const auto pauses = steps_of<wscheck::cases::pause>(s);
        ASSERT_EQ(pauses.size(), 2u);
        EXPECT_EQ(pauses[0].label, "A");
        EXPECT_EQ(pauses[1].label, "B");
        EXPECT_EQ(pauses[0].duration, 1000ms);
        ASSERT_EQ(s.outcomes.size(), 2u);
        EXPECT_EQ(s.outcomes[0].verdict, behavior::ok);
        EXPECT_EQ(s.outcomes[0].trace, (std::vector<event>{{event::kind::timeout, payload{"A"}}}));
        EXPECT_EQ(s.outcomes[1].verdict, behavior::non_strict);
        EXPECT_EQ(s.outcomes[1].trace.size(), 2u);
        EXPECT_FALSE(s.close.closed_by_us);
        EXPECT_TRUE(s.close.wrong_closer_is_fatal);
        EXPECT_EQ(s.close.codes, std::vector<std::uint16_t>{1007});
    }
    // 6.4.1: frames κόσμε | F4 90 80 80 | "edited"; 6.4.2 cuts after the first bad byte.
    const auto f1 = steps_of<send_frame>(get("6.4.1").build());
    ASSERT_EQ(f1.size(), 3u);
    EXPECT_EQ(f1[0].data.size(), 11u);
    EXPECT_EQ(f1[1].data, (payload{std::vector<std::uint8_t>{0xf4, 0x90, 0x80, 0x80}}));
    EXPECT_EQ(str(f1[2].data), "edited");
    const auto f2 = steps_of<send_frame>(get("6.4.2").build());
    EXPECT_EQ(f2[0].data.size(), 12u);
    EXPECT_EQ(f2[1].data, (payload{std::vector<std::uint8_t>{0x90}}));
    // The first part is valid so far; the second makes it invalid at once.
    wscheck::proto::utf8_validator v;
    EXPECT_TRUE(v.write(f2[0].data.view()));
    EXPECT_FALSE(v.write(f2[1].data.view()));
    // 6.4.3/6.4.4: one frame of 21 bytes written in three parts, then an empty final frame.
    const auto s3 = get("6.4.3").build();
    const auto first = steps_of<send_frame>(s3);
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].declared_length, std::optional<std::uint64_t>{21});
    EXPECT_FALSE(first[0].fin);
    EXPECT_EQ(first[1].op, opcode::cont);
    EXPECT_TRUE(first[1].fin);
    EXPECT_TRUE(first[1].data.empty());
    const auto parts = steps_of<send_frame_data>(s3);
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(first[0].data.size() + parts[0].data.size() + parts[1].data.size(), 21u);
    EXPECT_EQ(steps_of<send_frame_data>(get("6.4.4").build())[0].data.size(), 1u);
}

TEST(catalog, utf8_vectors_agree_with_a_validator) {
    // Every 6.x case that echoes sends valid UTF-8 and every one that must fail sends invalid
    // UTF-8, as an independent validator sees it.
    std::size_t valid = 0;
    std::size_t invalid = 0;
    for (const auto& c : full_catalog().cases()) {
        if (!c.id.starts_with("6.")) {
            continue;
        }
        SCOPED_TRACE(c.id);
        const auto s = c.build();
        std::vector<std::uint8_t> sent;
        for (const auto& st : s.steps) {
            if (const auto* f = std::get_if<send_frame>(&st)) {
                sent.insert(sent.end(), f->data.view().begin(), f->data.view().end());
            } else if (const auto* d = std::get_if<send_frame_data>(&st)) {
                sent.insert(sent.end(), d->data.view().begin(), d->data.view().end());
            } else if (const auto* m = std::get_if<send_message>(&st)) {
                sent.insert(sent.end(), m->data.view().begin(), m->data.view().end());
            }
        }
        const bool echoes = s.close.closed_by_us;
        EXPECT_EQ(wscheck::proto::is_valid_utf8(sent), echoes);
        if (echoes) {
            ++valid;
            ASSERT_EQ(s.outcomes.size(), 1u);
            ASSERT_EQ(s.outcomes[0].trace.size(), 1u);
            EXPECT_EQ(s.outcomes[0].trace[0], (event{event::kind::text, payload{sent}}));
        } else {
            ++invalid;
            EXPECT_EQ(s.close.codes, std::vector<std::uint16_t>{1007});
            EXPECT_TRUE(s.close.wrong_closer_is_fatal);
        }
    }
    EXPECT_EQ(valid + invalid, 145u);
    // 6.6: the prefixes of κόσμε that end on a code point: lengths 2, 5, 7, 9, 11.
    for (int n = 1; n <= 11; ++n) {
        const bool whole = n == 2 || n == 5 || n == 7 || n == 9 || n == 11;
        EXPECT_EQ(get("6.6." + std::to_string(n)).build().close.closed_by_us, whole) << n;
    }
    EXPECT_EQ(get("6.22.34").build().outcomes[0].trace[0].data,
              (payload{std::vector<std::uint8_t>{0xf4, 0x8f, 0xbf, 0xbf}}));
    EXPECT_EQ(get("6.5.1").timeout, 500ms);
    EXPECT_EQ(steps_of<send_message>(get("6.2.3").build())[0].fragment_size, 1u);
}

TEST(catalog, close_codes_of_7_7_and_7_9) {
    const std::uint16_t valid[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999};
    for (std::size_t i = 0; i < 13; ++i) {
        const auto s = get("7.7." + std::to_string(i + 1)).build();
        const auto closes = steps_of<send_close>(s);
        ASSERT_EQ(closes.size(), 1u);
        EXPECT_EQ(closes[0].code, valid[i]);
        EXPECT_TRUE(wscheck::proto::is_valid_close_code(valid[i]));
        EXPECT_EQ(s.close.codes, (std::vector<std::uint16_t>{1000, valid[i]}));
        EXPECT_TRUE(s.close.require_clean);
        EXPECT_TRUE(s.close.wrong_code_is_fatal);
    }
    const std::uint16_t invalid[] = {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999};
    for (std::size_t i = 0; i < 9; ++i) {
        const auto s = get("7.9." + std::to_string(i + 1)).build();
        EXPECT_EQ(steps_of<send_close>(s)[0].code, invalid[i]);
        EXPECT_FALSE(wscheck::proto::is_valid_close_code(invalid[i]));
        EXPECT_EQ(s.close.codes, std::vector<std::uint16_t>{1002});
        EXPECT_FALSE(s.close.require_clean);
        EXPECT_TRUE(s.close.closed_by_us);
    }
    EXPECT_EQ(get("7.7.13").id, "7.7.13");
    EXPECT_EQ(full_catalog().find("7.7.14"), nullptr);
    EXPECT_EQ(full_catalog().find("7.9.10"), nullptr);
}

TEST(catalog, close_payload_shapes) {
    // 7.3.1: no payload at all; 7.3.2: one byte; 7.3.5 and 7.3.6 straddle the 125-byte limit.
    EXPECT_FALSE(steps_of<send_close>(get("7.3.1").build())[0].code.has_value());
    const auto one = steps_of<send_close>(get("7.3.2").build())[0];
    ASSERT_TRUE(one.raw.has_value());
    EXPECT_EQ(str(*one.raw), "a");
    const auto max = steps_of<send_close>(get("7.3.5").build())[0];
    EXPECT_EQ(wscheck::proto::build_close_payload(max.code, str(max.reason)).size(), 125u);
    const auto over = steps_of<send_close>(get("7.3.6").build())[0];
    EXPECT_EQ(wscheck::proto::build_close_payload(over.code, str(over.reason)).size(), 126u);
    EXPECT_EQ(get("7.3.6").build().close.codes, std::vector<std::uint16_t>{1002});
    // 7.5.1: the reason is invalid UTF-8; 1002 or 1007 back.
    const auto bad = steps_of<send_close>(get("7.5.1").build())[0];
    EXPECT_FALSE(wscheck::proto::is_valid_utf8(str(bad.reason)));
    EXPECT_EQ(get("7.5.1").build().close.codes, (std::vector<std::uint16_t>{1002, 1007}));
    // 7.1.6 and 7.13.x are informational: no outcome, the close not judged.
    for (const char* id : {"7.1.6", "7.13.1", "7.13.2"}) {
        const auto s = get(id).build();
        EXPECT_TRUE(s.outcomes.empty()) << id;
        EXPECT_TRUE(s.close.informational) << id;
    }
    EXPECT_EQ(steps_of<send_close>(get("7.13.2").build())[0].code, 65535);
    EXPECT_EQ(steps_of<send_frame>(get("7.1.6").build())[0].data.size(), 256u * 1024u);
}

TEST(catalog, limits_are_serial_timed_and_sized_as_autobahn) {
    for (const auto& c : full_catalog().cases()) {
        if (c.id.starts_with("9.")) {
            EXPECT_EQ(c.schedule, scheduling::serial) << c.id;
            EXPECT_TRUE(c.report_time) << c.id;
            EXPECT_EQ(c.on_timeout, timeout_action::close) << c.id;
            EXPECT_TRUE(c.deadline.has_value()) << c.id;
        } else if (std::stoi(top_section(c.id)) <= 10) {
            EXPECT_EQ(c.schedule, scheduling::parallel) << c.id;
            EXPECT_FALSE(c.report_time) << c.id;
        }
    }
    const auto s916 = get("9.1.6").build();
    const auto f916 = steps_of<send_frame>(s916);
    ASSERT_EQ(f916.size(), 1u);
    EXPECT_EQ(f916[0].data.size(), 16u * 1024u * 1024u);
    EXPECT_EQ(str(wscheck::cases::payload{std::vector<std::uint8_t>(f916[0].data.view().begin(),
                                                                    f916[0].data.view().begin() + 12)}),
              "BAsd7&jh23BA");
    EXPECT_EQ(s916.outcomes[0].trace[0].data, f916[0].data);
    EXPECT_EQ(get("9.1.6").deadline, std::optional<milliseconds>{100'000ms});
    EXPECT_EQ(get("9.1.1").deadline, std::optional<milliseconds>{10'000ms});
    EXPECT_EQ(get("9.2.4").deadline, std::optional<milliseconds>{10'000ms});
    EXPECT_EQ(get("9.2.5").deadline, std::optional<milliseconds>{100'000ms});

    const auto m = steps_of<send_message>(get("9.3.1").build());
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].data.size(), 4u * 1024u * 1024u);
    EXPECT_EQ(m[0].fragment_size, 64u);
    EXPECT_EQ(steps_of<send_message>(get("9.4.9").build())[0].fragment_size, 4u * 1024u * 1024u);
    EXPECT_EQ(steps_of<send_frame>(get("9.5.1").build())[0].chop, 64u);
    EXPECT_EQ(steps_of<send_frame>(get("9.6.6").build())[0].chop, 2048u);
    EXPECT_EQ(get("9.5.1").deadline, std::optional<milliseconds>{1'000'000ms});

    // 9.7.6: 1000 messages of 4096 bytes, each after the previous echo, 480 s in all.
    const auto s976 = get("9.7.6").build();
    const auto sends = steps_of<send_frame>(s976);
    const auto waits = steps_of<await_events>(s976);
    ASSERT_EQ(sends.size(), 1000u);
    ASSERT_EQ(waits.size(), 1000u);
    EXPECT_EQ(sends[0].data.size(), 4096u);
    EXPECT_EQ(waits[0].count, 1u);
    EXPECT_EQ(waits[999].count, 1000u);
    EXPECT_TRUE(std::holds_alternative<await_events>(s976.steps[1]));
    EXPECT_EQ(s976.outcomes[0].trace.size(), 1000u);
    EXPECT_EQ(get("9.7.6").deadline, std::optional<milliseconds>{480'000ms});
    EXPECT_EQ(steps_of<send_frame>(get("9.8.1").build())[0].op, opcode::binary);
    EXPECT_TRUE(steps_of<send_frame>(get("9.8.1").build())[0].data.empty());
}

TEST(catalog, auto_fragmentation_case) {
    const auto s = get("10.1.1").build();
    const auto m = steps_of<send_message>(s);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].data.size(), 65536u);
    EXPECT_EQ(m[0].fragment_size, 1300u);
    // 50 frames of 1300 bytes and one of 536, as Autobahn counts them.
    EXPECT_EQ(m[0].data.size() / m[0].fragment_size, 50u);
    EXPECT_EQ(m[0].data.size() % m[0].fragment_size, 536u);
    EXPECT_EQ(get("10.1.1").timeout, 10'000ms);
}

TEST(catalog, handshake_cases_edit_the_request_and_test_servers_only) {
    std::size_t refused = 0;
    std::size_t accepted = 0;
    for (const auto& c : full_catalog().cases()) {
        if (!c.id.starts_with("20.")) {
            // 21.2 shapes the request too (oversized and unfinished heads), 21.5 holds other
            // connections; 22.1 makes offers a server must decline (12, 13 and 22.2 are played
            // to clients too, answering their offers); 23 sends what only a client sends
            // (its mirror for clients is 30.3).
            EXPECT_EQ(c.tests_servers_only, c.id.starts_with("21.2.") || c.id.starts_with("21.5.") ||
                                                c.id.starts_with("22.1.") || c.id.starts_with("23."))
                << c.id;
            continue;
        }
        SCOPED_TRACE(c.id);
        EXPECT_TRUE(c.tests_servers_only);
        const auto s = c.build();
        EXPECT_TRUE(s.handshake.edit_request || s.handshake.raw_request.has_value());
        if (s.handshake.must == handshake_spec::expect::reject) {
            ++refused;
            EXPECT_FALSE(s.handshake.reject_statuses.empty());
        } else {
            ++accepted;
            ASSERT_EQ(s.outcomes.size(), 1u);
            EXPECT_EQ(s.outcomes[0].trace.size(), 1u);
        }
    }
    EXPECT_EQ(refused, 16u);
    EXPECT_EQ(accepted, 23u);

    // 20.1.12: version 12 is refused with 400 or 426 naming version 13 (4.4).
    const auto v12 = get("20.1.12").build();
    wscheck::proto::client_request r;
    r.host = "127.0.0.1:9001";
    r.key = "AQIDBAUGBwgJCgsMDQ4PEA==";
    v12.handshake.edit_request(r);
    EXPECT_EQ(r.ws_version, "12");
    EXPECT_EQ(v12.handshake.reject_statuses, (std::vector<int>{400, 426}));
    ASSERT_EQ(v12.handshake.required_fields.size(), 1u);
    EXPECT_EQ(v12.handshake.required_fields[0].name, "Sec-WebSocket-Version");
    EXPECT_EQ(v12.handshake.required_fields[0].value, "13");

    // 20.1.10: the key is base64, but of 15 bytes: a server must see it is not valid.
    wscheck::proto::client_request k;
    k.key = "AQIDBAUGBwgJCgsMDQ4PEA==";
    EXPECT_TRUE(wscheck::proto::is_valid_key(k.key));
    get("20.1.10").build().handshake.edit_request(k);
    EXPECT_FALSE(wscheck::proto::is_valid_key(k.key));

    // 20.1.4 doubles Host; 20.1.3 drops it.
    wscheck::proto::client_request h;
    h.host = "127.0.0.1:9001";
    get("20.1.4").build().handshake.edit_request(h);
    ASSERT_EQ(h.extra_fields.size(), 1u);
    EXPECT_EQ(h.extra_fields[0].name, "Host");
    get("20.1.3").build().handshake.edit_request(h);
    EXPECT_TRUE(h.host.empty());

    // 20.2.4: lower-case names, the generated key passed through.
    const auto raw = get("20.2.4").build().handshake.raw_request;
    ASSERT_TRUE(raw.has_value());
    const auto text = (*raw)("example:80", "AQIDBAUGBwgJCgsMDQ4PEA==");
    EXPECT_NE(text.find("sec-websocket-key:   AQIDBAUGBwgJCgsMDQ4PEA=="), std::string::npos);
    EXPECT_TRUE(text.starts_with("GET / HTTP/1.1\r\nhost: example:80\r\n"));
    EXPECT_TRUE(text.ends_with("\r\n\r\n"));
}

namespace {

/// A case's request as the runner would send it: edited, then rewritten when raw.
std::string request_text(const handshake_spec& hs, wscheck::proto::client_request& r) {
    r.host = "127.0.0.1:9001";
    r.target = "/echo";
    r.key = "AQIDBAUGBwgJCgsMDQ4PEA==";
    if (hs.edit_request) {
        hs.edit_request(r);
    }
    return hs.raw_request ? (*hs.raw_request)(r.host, r.key) : wscheck::proto::build_request(r);
}

std::string request_text(const handshake_spec& hs) {
    wscheck::proto::client_request r;
    return request_text(hs, r);
}

} // namespace

TEST(catalog, handshake_negotiation_origin_and_odd_requests) {
    const std::map<std::string, std::size_t> sizes{{"20.1", 13}, {"20.2", 4}, {"20.3", 6}, {"20.4", 3}, {"20.5", 13}};
    std::map<std::string, std::size_t> ours;
    for (const auto& c : full_catalog().cases()) {
        if (c.id.starts_with("20.")) {
            ++ours[c.id.substr(0, c.id.rfind('.'))];
        }
    }
    EXPECT_EQ(ours, sizes);
    EXPECT_EQ(full_catalog().section_title("20.3.1"), "Subprotocol and extension offers");
    EXPECT_EQ(full_catalog().section_title("20.4.1"), "Origin");
    EXPECT_EQ(full_catalog().section_title("20.5.1"), "Odd HTTP framing of the request");

    using expect = handshake_spec::expect;
    // Where the RFCs leave the server a choice, refusing is judged by status, accepting by
    // the echo; where they do not, the case says accept or reject.
    const std::map<std::string, expect> must{
        {"20.3.1", expect::accept}, {"20.3.2", expect::accept}, {"20.3.3", expect::either},
        {"20.3.4", expect::either}, {"20.3.5", expect::either}, {"20.3.6", expect::either},
        {"20.4.1", expect::accept}, {"20.4.2", expect::either}, {"20.4.3", expect::either},
        {"20.5.1", expect::either}, {"20.5.2", expect::either}, {"20.5.3", expect::reject},
        {"20.5.4", expect::either}, {"20.5.5", expect::accept}, {"20.5.6", expect::either},
        {"20.5.7", expect::either}, {"20.5.8", expect::accept}, {"20.5.9", expect::either},
        {"20.5.10", expect::either}, {"20.5.11", expect::either}, {"20.5.12", expect::reject},
        {"20.5.13", expect::reject}};
    for (const auto& [id, want] : must) {
        SCOPED_TRACE(id);
        const auto s = get(id).build();
        EXPECT_EQ(s.handshake.must, want);
        EXPECT_FALSE(get(id).rfc.clause.empty());
        EXPECT_FALSE(get(id).rfc.requirement.empty());
        if (want != expect::reject) {
            // Accepted: the echo of one text message, then our clean close.
            ASSERT_EQ(s.outcomes.size(), 1u);
            ASSERT_EQ(s.outcomes[0].trace.size(), 1u);
            EXPECT_EQ(str(s.outcomes[0].trace[0].data), "Hello, handshake!");
            EXPECT_TRUE(s.close.closed_by_us);
        }
    }
    // Statuses: 403 for a refused Origin (10.2), 400 for obs-fold (RFC 9112 5.2) and for
    // whitespace before a colon (5.1), 414 for a long target (3), any 4xx elsewhere.
    EXPECT_EQ(get("20.4.2").build().handshake.reject_statuses, std::vector<int>{403});
    EXPECT_EQ(get("20.5.1").build().handshake.reject_statuses, std::vector<int>{400});
    EXPECT_EQ(get("20.5.3").build().handshake.reject_statuses, std::vector<int>{400});
    EXPECT_EQ(get("20.5.6").build().handshake.reject_statuses, std::vector<int>{414});
    EXPECT_TRUE(get("20.5.2").build().handshake.reject_statuses.empty());
    EXPECT_TRUE(get("20.3.5").build().handshake.reject_statuses.empty());
    EXPECT_TRUE(get("20.5.9").build().handshake.reject_statuses.empty());
    const auto te = get("20.5.10").build().handshake.reject_statuses;
    EXPECT_EQ(te.size(), 101u); // any 4xx, or 501 (RFC 9112 6.1)
    EXPECT_EQ(te.front(), 400);
    EXPECT_EQ(te.back(), 501);
    // Accepting a foreign origin is the server's policy: recorded, not judged.
    EXPECT_EQ(get("20.4.2").build().outcomes[0].verdict, behavior::informational);
    EXPECT_EQ(get("20.5.2").build().outcomes[0].verdict, behavior::ok);

    // 20.3.1 adds chat and superchat after a configured subprotocol, once each.
    wscheck::proto::client_request sp;
    sp.subprotocols = {"mqtt", "chat"};
    request_text(get("20.3.1").build().handshake, sp);
    EXPECT_EQ(sp.subprotocols, (std::vector<std::string>{"mqtt", "chat", "superchat"}));

    // 20.3.2: the response is checked against both, the wire carries two fields.
    wscheck::proto::client_request split;
    const auto two = request_text(get("20.3.2").build().handshake, split);
    EXPECT_EQ(split.subprotocols, (std::vector<std::string>{"chat", "superchat"}));
    EXPECT_NE(two.find("\r\nSec-WebSocket-Protocol: chat\r\n"), std::string::npos) << two;
    EXPECT_NE(two.find("\r\nSec-WebSocket-Protocol: superchat\r\n"), std::string::npos) << two;
    EXPECT_TRUE(two.starts_with("GET /echo HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n")) << two;
    EXPECT_NE(two.find("Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\n"), std::string::npos);

    EXPECT_NE(request_text(get("20.3.3").build().handshake).find("Sec-WebSocket-Protocol: chat, chat\r\n"),
              std::string::npos);
    EXPECT_NE(request_text(get("20.3.4").build().handshake).find("Sec-WebSocket-Protocol: chat, super;chat, \r\n"),
              std::string::npos);
    EXPECT_NE(request_text(get("20.3.5").build().handshake).find("Sec-WebSocket-Extensions: x-wscheck-unknown; p=1\r\n"),
              std::string::npos);
    EXPECT_FALSE(wscheck::proto::parse_extensions("x-wscheck-unknown; =1, ;").has_value());
    EXPECT_NE(request_text(get("20.3.6").build().handshake).find("x-wscheck-unknown; =1, ;"), std::string::npos);

    // 20.4: a configured Origin is replaced, or dropped.
    wscheck::proto::client_request o;
    o.extra_fields = {{"origin", "https://example.com"}, {"Cookie", "a=1"}};
    request_text(get("20.4.2").build().handshake, o);
    ASSERT_EQ(o.extra_fields.size(), 2u);
    EXPECT_EQ(o.extra_fields[0].name, "Cookie");
    EXPECT_EQ(o.extra_fields[1].value, "https://wscheck.invalid");
    wscheck::proto::client_request none;
    none.extra_fields = {{"Origin", "https://example.com"}};
    EXPECT_EQ(request_text(get("20.4.1").build().handshake, none).find("rigin"), std::string::npos);
    EXPECT_NE(request_text(get("20.4.3").build().handshake).find("\r\nOrigin: null\r\n"), std::string::npos);

    // 20.5.1: a fold inside Connection.
    EXPECT_NE(request_text(get("20.5.1").build().handshake).find("\r\nConnection: keep-alive,\r\n Upgrade\r\n"),
              std::string::npos);
    // 20.5.2: no CR at all, every line ended by LF, the blank line too.
    const auto lf = request_text(get("20.5.2").build().handshake);
    EXPECT_EQ(lf.find('\r'), std::string::npos);
    EXPECT_TRUE(lf.starts_with("GET /echo HTTP/1.1\nHost: 127.0.0.1:9001\n")) << lf;
    EXPECT_TRUE(lf.ends_with("\n\n"));
    EXPECT_NE(lf.find("Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\n"), std::string::npos);
    // 20.5.3: whitespace before the colon.
    EXPECT_NE(request_text(get("20.5.3").build().handshake).find("\r\nX-Wscheck-Case : 20.5.3\r\n"),
              std::string::npos);
    // 20.5.4: one NUL inside the value.
    const auto nul = request_text(get("20.5.4").build().handshake);
    EXPECT_NE(nul.find(std::string{"X-Wscheck-Case: 20.5\0.4\r\n", 25}), std::string::npos);
    // 20.5.5: the absolute form of the configured target.
    EXPECT_TRUE(request_text(get("20.5.5").build().handshake).starts_with("GET http://127.0.0.1:9001/echo HTTP/1.1\r\n"));
    // 20.5.6: a request line of exactly 8000 octets.
    const auto long_line = request_text(get("20.5.6").build().handshake);
    EXPECT_EQ(long_line.find("\r\n"), 8000u);
    EXPECT_TRUE(long_line.starts_with("GET /echo?wscheck=aaaa"));
    wscheck::proto::client_request q;
    request_text(get("20.5.6").build().handshake, q); // target "/echo" set by request_text
    EXPECT_EQ(q.target.size(), 8000u - 13u);
    // 20.5.7, 20.5.8: two Upgrade fields, two Connection fields.
    const auto upgrades = request_text(get("20.5.7").build().handshake);
    EXPECT_NE(upgrades.find("\r\nUpgrade: h2c\r\n"), std::string::npos);
    EXPECT_NE(upgrades.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
    const auto connections = request_text(get("20.5.8").build().handshake);
    EXPECT_NE(connections.find("\r\nConnection: keep-alive\r\n"), std::string::npos);
    EXPECT_NE(connections.find("\r\nConnection: Upgrade\r\n"), std::string::npos);
    // 20.5.9, 20.5.10: the body follows the blank line, before any frame.
    const auto body = request_text(get("20.5.9").build().handshake);
    EXPECT_NE(body.find("\r\nContent-Length: 5\r\n"), std::string::npos);
    EXPECT_TRUE(body.ends_with("\r\n\r\nhello")) << body;
    const auto chunked = request_text(get("20.5.10").build().handshake);
    EXPECT_NE(chunked.find("\r\nTransfer-Encoding: chunked\r\n"), std::string::npos);
    EXPECT_TRUE(chunked.ends_with("\r\n\r\n0\r\n\r\n")) << chunked;
    // 20.5.11: the content waits for a 100 (Continue), at most 1 s.
    const auto expect_continue = get("20.5.11").build().handshake;
    const auto with_expect = request_text(expect_continue);
    EXPECT_NE(with_expect.find("\r\nExpect: 100-continue\r\n"), std::string::npos);
    EXPECT_TRUE(with_expect.ends_with("\r\nContent-Length: 5\r\n\r\n")) << with_expect;
    EXPECT_EQ(expect_continue.content, "hello");
    EXPECT_EQ(expect_continue.await_continue, std::chrono::milliseconds{1000});
    // 20.5.12, 20.5.13: a version the server must refuse, whose content is a whole valid
    // request, framed by Content-Length or as one chunk; the runner listens after the refusal.
    for (const char* id : {"20.5.12", "20.5.13"}) {
        SCOPED_TRACE(id);
        const auto hs = get(id).build().handshake;
        EXPECT_EQ(hs.reject_statuses, (std::vector<int>{400, 426}));
        EXPECT_EQ(hs.listen_after_refusal, std::chrono::milliseconds{1000});
        const auto text = request_text(hs);
        const auto head_end = text.find("\r\n\r\n") + 4;
        EXPECT_NE(text.substr(0, head_end).find("Sec-WebSocket-Version: 12\r\n"), std::string::npos);
        const auto inner_at = text.find("GET ", head_end);
        ASSERT_NE(inner_at, std::string::npos) << text;
        const auto inner_end = text.find("\r\n\r\n", inner_at) + 4;
        const std::string inner = text.substr(inner_at, inner_end - inner_at);
        EXPECT_NE(inner.find("Sec-WebSocket-Version: 13\r\n"), std::string::npos);
        if (std::string{id} == "20.5.12") {
            EXPECT_NE(text.find("Content-Length: " + std::to_string(inner.size()) + "\r\n"), std::string::npos);
            EXPECT_EQ(inner_at, head_end);
            EXPECT_EQ(inner_end, text.size());
        } else {
            EXPECT_NE(text.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
            EXPECT_TRUE(text.ends_with(inner + "\r\n0\r\n\r\n")) << text;
        }
    }
}

TEST(catalog, resource_abuse_section) {
    const std::map<std::string, std::size_t> sizes{{"21.1", 6}, {"21.2", 4}, {"21.3", 2}, {"21.4", 3}, {"21.5", 1}};
    std::map<std::string, std::size_t> ours;
    std::size_t total = 0;
    for (const auto& c : full_catalog().cases()) {
        if (!c.id.starts_with("21.")) {
            continue;
        }
        SCOPED_TRACE(c.id);
        ++total;
        ++ours[c.id.substr(0, c.id.rfind('.'))];
        // Apart from other traffic (the ones that only wait beside each other), timed, and
        // bounded to a few seconds after the last step.
        const bool waits = c.id.starts_with("21.1.") || c.id.starts_with("21.2.");
        EXPECT_EQ(c.schedule, waits ? scheduling::waits : scheduling::serial);
        EXPECT_TRUE(c.report_time);
        EXPECT_LE(c.timeout, 3000ms);
        EXPECT_FALSE(c.deadline.has_value());
    }
    EXPECT_EQ(total, 16u);
    EXPECT_EQ(ours, sizes);
    EXPECT_EQ(full_catalog().section_title("21.3.2"), "Messages in endless fragments");
    EXPECT_EQ(full_catalog().index_of("21.1.1"), full_catalog().index_of("20.5.13") + 1);

    // 21.1.1: the length's top bit set is a MUST (5.2): the server fails the connection.
    const auto msb = get("21.1.1").build();
    const auto f = steps_of<send_frame>(msb);
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].declared_length, std::optional<std::uint64_t>{1ull << 63});
    EXPECT_EQ(f[0].data.size(), 16u);
    EXPECT_FALSE(msb.close.closed_by_us);
    EXPECT_FALSE(msb.close.informational);
    EXPECT_EQ(msb.close.codes, (std::vector<std::uint16_t>{1002, 1009}));
    // 21.1.6: a Ping announcing 2^62 bytes is a control frame over 125 bytes (5.5).
    const auto ping = get("21.1.6").build();
    EXPECT_EQ(steps_of<send_frame>(ping)[0].op, opcode::ping);
    EXPECT_EQ(ping.close.codes, (std::vector<std::uint16_t>{1002, 1009}));
    EXPECT_FALSE(ping.close.informational);
    // 21.1.2-21.1.5: legal lengths the server may wait for: only "nothing echoed" is judged.
    const std::uint64_t legal[] = {1ull << 62, (1ull << 63) - 1, 1ull << 30, 65535};
    for (int i = 0; i < 4; ++i) {
        const auto id = "21.1." + std::to_string(i + 2);
        SCOPED_TRACE(id);
        const auto s = get(id).build();
        const auto frames = steps_of<send_frame>(s);
        ASSERT_EQ(frames.size(), 1u);
        EXPECT_EQ(frames[0].declared_length, std::optional<std::uint64_t>{legal[i]});
        EXPECT_LT(frames[0].data.size(), legal[i]);
        EXPECT_TRUE(s.close.informational);
        ASSERT_EQ(s.outcomes.size(), 1u);
        EXPECT_TRUE(s.outcomes[0].trace.empty());
        EXPECT_EQ(s.outcomes[0].verdict, behavior::ok);
    }
    EXPECT_EQ(steps_of<send_frame>(get("21.1.4").build())[0].op, opcode::text);

    // 21.2: refuse or accept; the heads are 64 KiB, or never end.
    for (const char* id : {"21.2.1", "21.2.2", "21.2.3"}) {
        SCOPED_TRACE(id);
        const auto s = get(id).build();
        EXPECT_EQ(s.handshake.must, handshake_spec::expect::either);
        EXPECT_TRUE(s.handshake.reject_statuses.empty());
        ASSERT_TRUE(s.handshake.raw_request.has_value());
        const auto head = (*s.handshake.raw_request)("127.0.0.1:9001", "AQIDBAUGBwgJCgsMDQ4PEA==");
        EXPECT_TRUE(head.starts_with("GET / HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n"));
        EXPECT_NE(head.find("Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\n"), std::string::npos);
        if (std::string_view{id} == "21.2.3") {
            EXPECT_EQ(head.find("\r\n\r\n"), std::string::npos);
        } else {
            EXPECT_GE(head.size(), 64u * 1024u);
            EXPECT_EQ(head.find("\r\n\r\n"), head.size() - 4);
        }
    }
    // 21.5.1: 100 idle connections held while the case's own one is served.
    const auto idle = get("21.5.1").build();
    EXPECT_EQ(idle.idle_connections, 100u);
    EXPECT_EQ(idle.handshake.must, handshake_spec::expect::either);
    // 21.2.4: a valid request, written a byte at a time, a quarter second apart.
    const auto slow = get("21.2.4").build();
    EXPECT_EQ(slow.handshake.must, handshake_spec::expect::either);
    EXPECT_EQ(slow.handshake.chop, 1u);
    EXPECT_EQ(slow.handshake.chop_pause, 250ms);
    const auto slow_head = (*slow.handshake.raw_request)("127.0.0.1:9001", "AQIDBAUGBwgJCgsMDQ4PEA==");
    EXPECT_EQ(slow_head.find("\r\n\r\n"), slow_head.size() - 4);

    // 21.3.1: 100000 fragments of one byte make one message: echoed (OK), refused by ending the
    // connection (INFORMATIONAL), or neither while the connection stays open (NON-STRICT).
    const auto many = get("21.3.1").build();
    const auto m = steps_of<send_message>(many);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].fragment_size, 1u);
    EXPECT_EQ(m[0].data.size(), 100'000u);
    const event echo{event::kind::text, m[0].data};
    const event open{event::kind::timeout, payload{"still open"}};
    EXPECT_EQ(steps_of<wscheck::cases::pause>(many)[0].label, "still open");
    ASSERT_EQ(many.outcomes.size(), 3u);
    auto verdict_of = [](const script& s, const std::vector<event>& got) -> std::optional<behavior> {
        for (const auto& o : s.outcomes) {
            if (o.accepts ? o.accepts(got) : o.trace == got) {
                return o.verdict;
            }
        }
        return std::nullopt;
    };
    EXPECT_EQ(verdict_of(many, {echo, open}), behavior::ok);
    EXPECT_EQ(verdict_of(many, {open, echo}), behavior::ok);
    EXPECT_EQ(verdict_of(many, {echo}), behavior::ok);
    EXPECT_EQ(verdict_of(many, {}), behavior::informational);
    EXPECT_EQ(verdict_of(many, {open}), behavior::non_strict);
    EXPECT_EQ(verdict_of(many, {event{event::kind::text, payload{"*"}}, open}), std::nullopt);
    EXPECT_TRUE(many.close.informational);
    // 21.3.2: the message never ends: no frame has FIN.
    const auto endless = steps_of<send_frame>(get("21.3.2").build());
    ASSERT_EQ(endless.size(), 100'001u);
    EXPECT_EQ(endless[0].op, opcode::text);
    EXPECT_EQ(endless[100'000].op, opcode::cont);
    EXPECT_TRUE(std::none_of(endless.begin(), endless.end(), [](const send_frame& x) { return x.fin; }));

    // 21.4.1/21.4.2: 1000 Pings, then a pause that records "still open" if the connection is.
    for (const char* id : {"21.4.1", "21.4.2"}) {
        SCOPED_TRACE(id);
        const auto s = get(id).build();
        const auto pings = steps_of<send_frame>(s);
        ASSERT_EQ(pings.size(), 1000u);
        EXPECT_TRUE(std::all_of(pings.begin(), pings.end(), [](const send_frame& x) {
            return x.op == opcode::ping && x.data.size() <= 125;
        }));
        EXPECT_TRUE(str(pings[999].data).starts_with("ping-999"));
        EXPECT_EQ(pings[0].data.size(), std::string_view{id} == "21.4.2" ? 125u : 6u);
        EXPECT_TRUE(std::holds_alternative<wscheck::cases::pause>(s.steps.back()));
        ASSERT_EQ(s.outcomes.size(), 3u);
        EXPECT_EQ(s.outcomes[0].verdict, behavior::ok);
        ASSERT_EQ(s.outcomes[0].trace.size(), 1001u);
        EXPECT_EQ(s.outcomes[0].trace[999], (event{event::kind::pong, pings[999].data}));
        EXPECT_EQ(s.outcomes[0].trace[1000], open);
        auto pong = [&](std::size_t i) { return event{event::kind::pong, pings[i].data}; };
        // All Pongs: OK. Some, ending with the last Ping's, still open: NON-STRICT (5.5.3).
        EXPECT_EQ(verdict_of(s, s.outcomes[0].trace), behavior::ok);
        EXPECT_EQ(verdict_of(s, {pong(999), open}), behavior::non_strict);
        EXPECT_EQ(verdict_of(s, {pong(3), pong(500), pong(999), open}), behavior::non_strict);
        // Ended during the flood (no "still open"), after right Pongs: INFORMATIONAL (10.4).
        EXPECT_EQ(verdict_of(s, {}), behavior::informational);
        EXPECT_EQ(verdict_of(s, {pong(0), pong(1), pong(2)}), behavior::informational);
        // Still open without answering the last Ping, or wrong Pongs: no outcome, FAILED.
        EXPECT_EQ(verdict_of(s, {open}), std::nullopt);
        EXPECT_EQ(verdict_of(s, {pong(3), open}), std::nullopt);
        EXPECT_EQ(verdict_of(s, {pong(500), pong(3), pong(999), open}), std::nullopt); // out of order
        EXPECT_EQ(verdict_of(s, {pong(3), pong(3), pong(999), open}), std::nullopt);   // one Ping twice
        EXPECT_EQ(verdict_of(s, {event{event::kind::pong, payload{"ping-1000"}}}), std::nullopt);
        EXPECT_EQ(verdict_of(s, {event{event::kind::text, pings[999].data}, open}), std::nullopt);
        EXPECT_TRUE(s.close.informational);
        EXPECT_EQ(get(id).on_timeout, timeout_action::close);
    }
    // 21.4.3: 1000 unsolicited Pongs get no answer; the Ping after them its Pong.
    const auto pongs = get("21.4.3").build();
    const auto sent = steps_of<send_frame>(pongs);
    ASSERT_EQ(sent.size(), 1001u);
    EXPECT_EQ(sent[999].op, opcode::pong);
    EXPECT_EQ(sent[1000].op, opcode::ping);
    const event answer{event::kind::pong, sent[1000].data};
    EXPECT_EQ(verdict_of(pongs, {answer, open}), behavior::ok);
    EXPECT_EQ(verdict_of(pongs, {}), behavior::informational);
    EXPECT_EQ(verdict_of(pongs, {open}), std::nullopt);
    EXPECT_EQ(verdict_of(pongs, {event{event::kind::pong, payload{"pong-3"}}, answer, open}), std::nullopt);
}

TEST(catalog, masking_cases_send_one_unmasked_frame_or_zero_keys) {
    std::size_t unmasked_cases = 0;
    std::size_t zero_key_cases = 0;
    for (const auto& c : full_catalog().cases()) {
        if (!c.id.starts_with("23.")) {
            continue;
        }
        SCOPED_TRACE(c.id);
        EXPECT_EQ(c.rfc.clause, c.id.starts_with("23.1.") ? "5.1" : "5.3");
        const auto s = c.build();
        const auto frames = steps_of<send_frame>(s);
        // Frames written as given, and at most a wait for the echoes of the masked ones first.
        EXPECT_EQ(frames.size() + steps_of<await_events>(s).size(), s.steps.size());
        std::size_t unmasked = 0;
        for (const auto& f : frames) {
            unmasked += f.masked == false ? 1u : 0u;
        }
        if (c.id.starts_with("23.1.")) {
            // Exactly one unmasked frame, and the server must fail the connection at it.
            ++unmasked_cases;
            EXPECT_EQ(unmasked, 1u);
            EXPECT_FALSE(s.close.closed_by_us);
            EXPECT_EQ(s.close.codes, std::vector<std::uint16_t>{1002});
        } else {
            // The control: every frame masked, with the all-zero key, and answered.
            ++zero_key_cases;
            EXPECT_EQ(unmasked, 0u);
            for (const auto& f : frames) {
                EXPECT_EQ(f.masked, true);
                ASSERT_TRUE(f.key.has_value());
                EXPECT_EQ(*f.key, (wscheck::proto::mask_key{0, 0, 0, 0}));
            }
            EXPECT_TRUE(s.close.closed_by_us);
            ASSERT_EQ(s.outcomes.size(), 1u);
            EXPECT_EQ(s.outcomes[0].trace.size(), 1u);
        }
    }
    EXPECT_EQ(unmasked_cases, 8u);
    EXPECT_EQ(zero_key_cases, 3u);
}

TEST(catalog, pipelining_sends_each_family_three_ways_and_expects_the_echoes_in_order) {
    std::map<std::string, std::size_t> per_way;
    for (const auto& c : full_catalog().cases()) {
        if (!c.id.starts_with("24.")) {
            continue;
        }
        SCOPED_TRACE(c.id);
        EXPECT_FALSE(c.tests_servers_only); // a client echoes in order too
        EXPECT_FALSE(c.tests_clients_only);
        const std::string way = c.id.substr(0, 4);
        ++per_way[way];
        const auto s = c.build();
        std::vector<send_message> sent = steps_of<send_message>(s);
        const auto batches = steps_of<send_batch>(s);
        if (way == "24.1") {
            EXPECT_TRUE(batches.empty()); // a write per message
        } else {
            ASSERT_EQ(batches.size(), 1u);
            EXPECT_EQ(batches[0].chop, way == "24.3" ? 7u : 0u);
            sent = batches[0].messages;
        }
        EXPECT_GE(sent.size(), 10u);
        // The data messages' echoes, in the order sent, are what an OK run receives.
        std::vector<event> echoes;
        std::size_t pings = 0;
        for (const auto& m : sent) {
            if (m.op == opcode::ping) {
                ++pings;
            } else {
                echoes.push_back({m.op == opcode::text ? event::kind::text : event::kind::binary, m.data});
            }
        }
        ASSERT_EQ(s.outcomes.size(), 1u);
        const auto& ok = s.outcomes[0];
        if (pings == 0) {
            EXPECT_EQ(ok.trace, echoes);
        } else {
            ASSERT_TRUE(ok.accepts);
            std::vector<event> interleaved;
            for (const auto& m : sent) {
                interleaved.push_back(m.op == opcode::ping ? event{event::kind::pong, m.data}
                                                           : event{event::kind::text, m.data});
            }
            EXPECT_TRUE(ok.accepts(interleaved));
            // Pongs first is as good as interleaved; two echoes swapped is not.
            std::vector<event> pongs_first;
            std::copy_if(interleaved.begin(), interleaved.end(), std::back_inserter(pongs_first),
                         [](const event& e) { return e.what == event::kind::pong; });
            pongs_first.insert(pongs_first.end(), echoes.begin(), echoes.end());
            EXPECT_TRUE(ok.accepts(pongs_first));
            auto swapped = interleaved; // text, Ping's Pong, text, ...: the first two echoes swapped
            std::swap(swapped[0], swapped[2]);
            EXPECT_FALSE(ok.accepts(swapped));
        }
        // Every payload differs from the others: a swap is always visible.
        std::set<std::vector<std::uint8_t>> distinct;
        for (const auto& e : echoes) {
            distinct.insert({e.data.view().begin(), e.data.view().end()});
        }
        EXPECT_EQ(distinct.size(), echoes.size());
    }
    EXPECT_EQ(per_way, (std::map<std::string, std::size_t>{{"24.1", 6}, {"24.2", 6}, {"24.3", 6}}));
}

namespace {

/// `compressed` inflated as one permessage-deflate message (7.2.2: the tail appended).
std::vector<std::uint8_t> inflate_message(wscheck::proto::deflate_decoder& d, std::span<const std::uint8_t> compressed,
                                          std::error_code& ec) {
    std::vector<std::uint8_t> in{compressed.begin(), compressed.end()};
    in.insert(in.end(), {0x00, 0x00, 0xff, 0xff});
    std::vector<std::uint8_t> out;
    ec = d.write(in, out);
    d.end_message();
    return out;
}

std::vector<std::uint8_t> frames_payload(const script& s) {
    std::vector<std::uint8_t> all;
    for (const auto& f : steps_of<send_frame>(s)) {
        all.insert(all.end(), f.data.view().begin(), f.data.view().end());
    }
    return all;
}

} // namespace

TEST(catalog, deflate_abuse_data_is_what_the_cases_say) {
    using wscheck::proto::deflate_decoder;
    // 25.2.2: a match of 3 at distance 1, first thing in the stream: after "abc" (context
    // taken over) it would be "ccc", which shows the hand-made block is the match it claims.
    {
        const auto s = get("25.2.2").build();
        ASSERT_TRUE(s.deflate.has_value());
        const auto f = steps_of<send_frame>(s);
        ASSERT_EQ(f.size(), 1u);
        EXPECT_EQ(f[0].rsv, 4);
        std::error_code ec;
        deflate_decoder after_history;
        const auto abc = build::deflated(payload{"abc"}, 15);
        EXPECT_EQ(inflate_message(after_history, abc.view(), ec), (std::vector<std::uint8_t>{'a', 'b', 'c'}));
        EXPECT_FALSE(ec);
        EXPECT_EQ(inflate_message(after_history, f[0].data.view(), ec), (std::vector<std::uint8_t>{'c', 'c', 'c'}));
        EXPECT_FALSE(ec) << ec.message();
        deflate_decoder fresh;
        inflate_message(fresh, f[0].data.view(), ec);
        EXPECT_TRUE(ec); // nothing before it: not DEFLATE a peer can inflate
    }
    // 25.2.3: 100000 empty stored blocks, then the message.
    {
        const auto s = get("25.2.3").build();
        const auto data = frames_payload(s);
        EXPECT_GT(data.size(), 500000u);
        std::error_code ec;
        deflate_decoder d;
        const auto out = inflate_message(d, data, ec);
        EXPECT_FALSE(ec) << ec.message();
        EXPECT_EQ(std::string(out.begin(), out.end()), "Hello after 100000 empty blocks");
        // The echo is awaited (3 s at most) and ends the wait; a refusal is INFORMATIONAL,
        // silence for the whole wait NON-STRICT.
        ASSERT_EQ(s.outcomes.size(), 5u);
        EXPECT_EQ(s.outcomes[3].verdict, behavior::informational);
        EXPECT_TRUE(s.outcomes[3].trace.empty());
        EXPECT_EQ(s.outcomes[4].verdict, behavior::non_strict);
        EXPECT_EQ(get("25.2.3").timeout, std::chrono::milliseconds{0});
    }
    // 25.2.5: RFC 7692 7.2.3.4's example, the final block in the first fragment, its 0x00 in
    // the second; it inflates to "Hello" (the decoder of the runner reads it so, in pieces).
    {
        const auto s = get("25.2.5").build();
        const auto f = steps_of<send_frame>(s);
        ASSERT_EQ(f.size(), 2u);
        EXPECT_EQ(f[0].rsv, 4);
        EXPECT_FALSE(f[0].fin);
        EXPECT_EQ(f[1].op, opcode::cont);
        EXPECT_EQ(f[1].rsv, 0);
        EXPECT_TRUE(f[1].fin);
        wscheck::proto::message_inflater inflater;
        std::vector<std::uint8_t> out;
        EXPECT_FALSE(inflater.write(f[0].data.view(), out));
        EXPECT_FALSE(inflater.write(f[1].data.view(), out));
        EXPECT_FALSE(inflater.finish(out));
        EXPECT_EQ(std::string(out.begin(), out.end()), "Hello");
        EXPECT_EQ(s.outcomes[0].verdict, behavior::ok);
        EXPECT_EQ(s.outcomes[3].verdict, behavior::non_strict);
    }
    // 25.2.1: 80 MiB of zeros, in 16-byte frames, RSV1 on the first only.
    {
        const auto s = get("25.2.1").build();
        const auto f = steps_of<send_frame>(s);
        ASSERT_GT(f.size(), 1000u);
        EXPECT_EQ(f.front().rsv, 4);
        for (std::size_t i = 1; i < f.size(); ++i) {
            EXPECT_EQ(f[i].op, opcode::cont);
            EXPECT_EQ(f[i].rsv, 0);
            EXPECT_LE(f[i].data.size(), 16u);
            EXPECT_EQ(f[i].fin, i + 1 == f.size());
        }
        std::error_code ec;
        deflate_decoder d{{15, false, 100ull * 1024 * 1024}};
        const auto out = inflate_message(d, frames_payload(s), ec);
        EXPECT_FALSE(ec) << ec.message();
        EXPECT_EQ(out.size(), 80u * 1024 * 1024);
        EXPECT_EQ(std::count(out.begin(), out.end(), 0), static_cast<std::ptrdiff_t>(out.size()));
    }
    // 25.1: RSV1 frames announcing more than they carry.
    for (const char* id : {"25.1.1", "25.1.2", "25.1.3", "25.1.4"}) {
        const auto f = steps_of<send_frame>(get(id).build());
        ASSERT_EQ(f.size(), 1u) << id;
        EXPECT_EQ(f[0].rsv, 4) << id;
        ASSERT_TRUE(f[0].declared_length.has_value()) << id;
        EXPECT_GT(*f[0].declared_length, f[0].data.size()) << id;
    }
}
