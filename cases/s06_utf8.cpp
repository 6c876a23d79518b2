// Section 6, UTF-8 Handling (Autobahn cases 6.1.1-6.23.7): text payloads must be valid UTF-8
// (RFC 6455 5.6, 8.1). Valid ones, whole or fragmented anywhere (even inside a code point),
// are echoed; an invalid one fails the connection with 1007, at best as soon as the first
// byte that cannot start or continue a valid sequence arrives (6.4, "fail fast").
// 6.5-6.23 are the vectors of Markus Kuhn's UTF-8 decoder test, as Autobahn arranges them.
#include "cases/builders.hpp"
#include "cases/catalog.hpp"
#include "harness/proto/close.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace wscheck::cases {

namespace {

using proto::opcode;
using byte_string = std::vector<std::uint8_t>;

const rfc_ref valid_text{"8.1", "text payloads are UTF-8; valid UTF-8, split anywhere across frames, is accepted"};
const rfc_ref invalid_text{"8.1", "a text payload that is not valid UTF-8 fails the connection (close code 1007)"};

std::string hex(std::span<const std::uint8_t> data) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (const auto b : data) {
        out += digits[b >> 4];
        out += digits[b & 0x0f];
    }
    return out;
}

/// An invalid payload fails the connection with 1007; if we have to close, the peer did not
/// see the fault, so the events verdict fails too (Autobahn's closedByWrongEndpointIsFatal).
close_expectation fails_with_1007() {
    auto c = build::peer_fails({proto::close_code::invalid_payload});
    c.wrong_closer_is_fatal = true;
    return c;
}

// ---------------------------------------------------------------- 6.1-6.3

/// A text message as `frames` (each one frame; the last with FIN), or as one message split
/// every `fragment_size` bytes; echoed when valid.
case_def echo_case(std::string id, std::string description, std::vector<payload> frames, payload whole,
                   std::size_t fragment_size, const rfc_ref& rfc) {
    auto c = build::make_case(std::move(id), std::move(description),
                              whole.empty() ? "A text message with an empty payload is echoed back."
                                            : "The message is echoed back.",
                              rfc, [frames, whole, fragment_size] {
                                  script sc;
                                  if (frames.empty()) {
                                      sc.steps.emplace_back(send_message{opcode::text, whole, fragment_size, 0});
                                  } else {
                                      for (std::size_t i = 0; i < frames.size(); ++i) {
                                          sc.steps.emplace_back(build::frame(i == 0 ? opcode::text : opcode::cont,
                                                                             frames[i], i + 1 == frames.size()));
                                      }
                                  }
                                  sc.outcomes = {build::ok({build::text(whole)})};
                                  sc.close = build::we_close();
                                  return sc;
                              });
    c.on_timeout = timeout_action::close;
    return c;
}

/// "Hello-µ@ßöäüàá-UTF-8!!" in UTF-8, and its split on a code point boundary for 6.2.2.
const char* const hello_part1 = "Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4";
const char* const hello_part2 = "\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!";
/// "κόσμε" (Greek "cosmos"), 11 bytes in 2- and 3-byte sequences.
const byte_string kosme{0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5};

void add_valid_and_invalid(catalog_builder& b) {
    b.add_section("6.1", "Valid UTF-8 with zero payload fragments");
    b.add(echo_case("6.1.1", "Send a text message of length 0.", {}, payload{}, 0, valid_text));
    b.add(echo_case("6.1.2", "Send a fragmented text message: 3 fragments, each of length 0.",
                    {payload{}, payload{}, payload{}}, payload{}, 0, valid_text));
    b.add(echo_case("6.1.3", "Send a fragmented text message: 3 fragments, the first and last of length 0, "
                             "the middle one \"middle frame payload\".",
                    {payload{}, payload{"middle frame payload"}, payload{}}, payload{"middle frame payload"}, 0,
                    valid_text));

    b.add_section("6.2", "Valid UTF-8 unfragmented, fragmented on code-points and within code-points");
    const payload hello = build::join({payload{hello_part1}, payload{hello_part2}});
    b.add(echo_case("6.2.1", "Send a valid UTF-8 text message in one fragment: 0x" + hex(hello.view()) + ".", {},
                    hello, 0, valid_text));
    b.add(echo_case("6.2.2", "Send a valid UTF-8 text message in two fragments, split on a code point boundary: 0x" +
                                 hex(payload{hello_part1}.view()) + " | 0x" + hex(payload{hello_part2}.view()) + ".",
                    {payload{hello_part1}, payload{hello_part2}}, hello, 0, valid_text));
    b.add(echo_case("6.2.3", "Send a valid UTF-8 text message in fragments of 1 byte, so frames end inside code "
                             "points: 0x" + hex(hello.view()) + ".",
                    {}, hello, 1, valid_text));
    b.add(echo_case("6.2.4", "Send a valid UTF-8 text message (\"κόσμε\") in fragments of 1 byte, so frames end "
                             "inside code points: 0x" + hex(kosme) + ".",
                    {}, payload{kosme}, 1, valid_text));

    b.add_section("6.3", "Invalid UTF-8 differently fragmented");
    // κόσμε, then ED A0 80 (the surrogate U+D800, invalid from its second byte), then "edited".
    byte_string bad = kosme;
    bad.insert(bad.end(), {0xed, 0xa0, 0x80, 0x65, 0x64, 0x69, 0x74, 0x65, 0x64});
    const payload invalid{bad};
    for (const std::size_t fragment_size : {std::size_t{0}, std::size_t{1}}) {
        b.add(build::make_case(fragment_size == 0 ? "6.3.1" : "6.3.2",
                               std::string{"Send an invalid UTF-8 text message "} +
                                   (fragment_size == 0 ? "unfragmented" : "in fragments of 1 byte") + ": 0x" +
                                   hex(invalid.view()) + ".",
                               "The connection is failed immediately (1007), since the payload is not valid UTF-8.",
                               invalid_text, [invalid, fragment_size] {
                                   script sc;
                                   sc.steps.emplace_back(send_message{opcode::text, invalid, fragment_size, 0});
                                   sc.outcomes = {build::ok()};
                                   sc.close = fails_with_1007();
                                   return sc;
                               }));
    }
}

// ---------------------------------------------------------------- 6.4 fail fast

/// Three parts of κόσμε + F4 90 80 80 (U+110000, out of range: invalid at its 2nd byte,
/// message byte 13) + "edited", sent with 1 s pauses labelled A and B. Failing during the
/// first pause is the fail-fast OK; during the second, NON-STRICT; later, FAILED.
case_def fail_fast(std::string id, std::size_t cut1, std::size_t cut2, bool one_frame) {
    byte_string all = kosme;
    all.insert(all.end(), {0xf4, 0x90, 0x80, 0x80, 0x65, 0x64, 0x69, 0x74, 0x65, 0x64});
    const payload whole{all};
    const payload p1 = build::slice(whole, 0, cut1);
    const payload p2 = build::slice(whole, cut1, cut2 - cut1);
    const payload p3 = build::slice(whole, cut2);
    return build::make_case(
        std::move(id),
        std::string{"Send an invalid UTF-8 text message in 3 "} + (one_frame ? "chops of one frame" : "frames") +
            ": 0x" + hex(p1.view()) + " (valid), wait 1 s, 0x" + hex(p2.view()) +
            " (makes the payload invalid: F4 90 would encode past U+10FFFF), wait 1 s, 0x" + hex(p3.view()) + ".",
        "The first part is accepted and the first wait times out; the second part is rejected at "
        "once (fail fast, 1007). Failing only after the second wait is NON-STRICT.",
        rfc_ref{"8.1", "invalid UTF-8 in a text message fails the connection (1007); "
                       "checking as bytes arrive finds it at the first bad byte"},
        [one_frame, whole, p1, p2, p3] {
            script sc;
            if (one_frame) {
                // Autobahn's beginMessageFrame: a text frame without FIN, its length declared up
                // front; the payload follows in three writes, then endMessage's empty final frame.
                auto first = build::frame(opcode::text, p1, false);
                first.declared_length = whole.size();
                sc.steps.emplace_back(first);
                sc.steps.emplace_back(pause{milliseconds{1000}, "A"});
                sc.steps.emplace_back(send_frame_data{p2});
                sc.steps.emplace_back(pause{milliseconds{1000}, "B"});
                sc.steps.emplace_back(send_frame_data{p3});
                sc.steps.emplace_back(build::frame(opcode::cont, payload{}, true));
            } else {
                sc.steps.emplace_back(build::frame(opcode::text, p1, false));
                sc.steps.emplace_back(pause{milliseconds{1000}, "A"});
                sc.steps.emplace_back(build::frame(opcode::cont, p2, false));
                sc.steps.emplace_back(pause{milliseconds{1000}, "B"});
                sc.steps.emplace_back(build::frame(opcode::cont, p3, true));
            }
            sc.outcomes = {build::ok({build::timed_out("A")}),
                           build::non_strict({build::timed_out("A"), build::timed_out("B")})};
            sc.close = fails_with_1007();
            return sc;
        });
}

void add_fail_fast(catalog_builder& b) {
    b.add_section("6.4", "Fail-fast on invalid UTF-8");
    // 6.4.1/6.4.3: the parts are κόσμε | F4 90 80 80 | "edited"; 6.4.2/6.4.4 cut right after
    // the byte that makes the payload invalid: bytes [0, 12) | [12] | [13, 21).
    b.add(fail_fast("6.4.1", 11, 15, false));
    b.add(fail_fast("6.4.2", 12, 13, false));
    b.add(fail_fast("6.4.3", 11, 15, true));
    b.add(fail_fast("6.4.4", 12, 13, true));
}

// ---------------------------------------------------------------- 6.5-6.23 test vectors

struct vector_family {
    std::string title;
    std::vector<std::pair<bool, byte_string>> payloads; ///< valid?, bytes
};

byte_string concat(std::initializer_list<byte_string> parts) {
    byte_string out;
    for (const auto& p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

/// Autobahn's table (createUtf8TestSequences), in its order; each family becomes 6.N.
std::vector<vector_family> utf8_test_vectors() {
    const byte_string hello{'h', 'e', 'l', 'l', 'o'};
    const byte_string world{'w', 'o', 'r', 'l', 'd'};
    std::vector<vector_family> t;

    t.push_back({"Some valid UTF-8 sequences",
                 {{true, concat({hello, {0x24}, world})},
                  {true, concat({hello, {0xc2, 0xa2}, world})},
                  {true, concat({hello, {0xe2, 0x82, 0xac}, world})},
                  {true, concat({hello, {0xf0, 0xa4, 0xad, 0xa2}, world})},
                  {true, kosme}}});

    {
        // Every prefix of κόσμε: valid exactly when it ends on a code point boundary, that is
        // when the byte after it (if any) is not a continuation byte 10xxxxxx.
        vector_family f{"All prefixes of a valid UTF-8 string that contains multi-byte code points", {}};
        for (std::size_t n = 1; n <= kosme.size(); ++n) {
            const bool whole_code_points = n == kosme.size() || (kosme[n] & 0xc0) != 0x80;
            f.payloads.push_back({whole_code_points, byte_string(kosme.begin(), kosme.begin() + static_cast<std::ptrdiff_t>(n))});
        }
        t.push_back(std::move(f));
    }

    t.push_back({"First possible sequence of a certain length",
                 {{true, {0x00}}, {true, {0xc2, 0x80}}, {true, {0xe0, 0xa0, 0x80}}, {true, {0xf0, 0x90, 0x80, 0x80}}}});
    // 5- and 6-byte forms fit the old integer scheme, but UTF-8 stops at U+10FFFF (RFC 3629).
    t.push_back({"First possible sequence length 5/6 (invalid codepoints)",
                 {{false, {0xf8, 0x88, 0x80, 0x80, 0x80}}, {false, {0xfc, 0x84, 0x80, 0x80, 0x80, 0x80}}}});
    t.push_back({"Last possible sequence of a certain length",
                 {{true, {0x7f}}, {true, {0xdf, 0xbf}}, {true, {0xef, 0xbf, 0xbf}}, {true, {0xf4, 0x8f, 0xbf, 0xbf}}}});
    t.push_back({"Last possible sequence length 4/5/6 (invalid codepoints)",
                 {{false, {0xf7, 0xbf, 0xbf, 0xbf}},
                  {false, {0xfb, 0xbf, 0xbf, 0xbf, 0xbf}},
                  {false, {0xfd, 0xbf, 0xbf, 0xbf, 0xbf, 0xbf}}}});
    t.push_back({"Other boundary conditions",
                 {{true, {0xed, 0x9f, 0xbf}},
                  {true, {0xee, 0x80, 0x80}},
                  {true, {0xef, 0xbf, 0xbd}},
                  {true, {0xf4, 0x8f, 0xbf, 0xbf}},
                  {false, {0xf4, 0x90, 0x80, 0x80}}}});

    {
        vector_family f{"Unexpected continuation bytes",
                        {{false, {0x80}},
                         {false, {0xbf}},
                         {false, {0x80, 0xbf}},
                         {false, {0x80, 0xbf, 0x80}},
                         {false, {0x80, 0xbf, 0x80, 0xbf}},
                         {false, {0x80, 0xbf, 0x80, 0xbf, 0x80}},
                         {false, {0x80, 0xbf, 0x80, 0xbf, 0x80, 0xbf}}}};
        byte_string all; // 0x80 up to 0xBE: Autobahn's range stops before 0xBF
        for (unsigned v = 0x80; v < 0xbf; ++v) {
            all.push_back(static_cast<std::uint8_t>(v));
        }
        f.payloads.push_back({false, all});
        t.push_back(std::move(f));
    }

    {
        // Each start byte of a range (its last one excluded, as in Autobahn) followed by a space.
        vector_family f{"Lonely start characters", {}};
        const std::pair<unsigned, unsigned> ranges[] = {{0xc0, 0xdf}, {0xe0, 0xef}, {0xf0, 0xf7}, {0xf8, 0xfb}, {0xfc, 0xfd}};
        for (const auto& [first, end] : ranges) {
            byte_string s;
            for (unsigned v = first; v < end; ++v) {
                s.push_back(static_cast<std::uint8_t>(v));
                s.push_back(0x20);
            }
            f.payloads.push_back({false, s});
        }
        t.push_back(std::move(f));
    }

    const std::vector<byte_string> truncated{
        {0xc0}, {0xe0, 0x80}, {0xf0, 0x80, 0x80}, {0xf8, 0x80, 0x80, 0x80}, {0xfc, 0x80, 0x80, 0x80, 0x80},
        {0xdf}, {0xef, 0xbf}, {0xf7, 0xbf, 0xbf}, {0xfb, 0xbf, 0xbf, 0xbf}, {0xfd, 0xbf, 0xbf, 0xbf, 0xbf}};
    {
        vector_family f{"Sequences with last continuation byte missing", {}};
        byte_string all;
        for (const auto& s : truncated) {
            f.payloads.push_back({false, s});
            all.insert(all.end(), s.begin(), s.end());
        }
        t.push_back(std::move(f));
        t.push_back({"Concatenation of incomplete sequences", {{false, all}}});
    }

    t.push_back({"Impossible bytes", {{false, {0xfe}}, {false, {0xff}}, {false, {0xfe, 0xfe, 0xff, 0xff}}}});
    t.push_back({"Examples of an overlong ASCII character",
                 {{false, {0xc0, 0xaf}},
                  {false, {0xe0, 0x80, 0xaf}},
                  {false, {0xf0, 0x80, 0x80, 0xaf}},
                  {false, {0xf8, 0x80, 0x80, 0x80, 0xaf}},
                  {false, {0xfc, 0x80, 0x80, 0x80, 0x80, 0xaf}}}});
    t.push_back({"Maximum overlong sequences",
                 {{false, {0xc1, 0xbf}},
                  {false, {0xe0, 0x9f, 0xbf}},
                  {false, {0xf0, 0x8f, 0xbf, 0xbf}},
                  {false, {0xf8, 0x87, 0xbf, 0xbf, 0xbf}},
                  {false, {0xfc, 0x83, 0xbf, 0xbf, 0xbf, 0xbf}}}});
    t.push_back({"Overlong representation of the NUL character",
                 {{false, {0xc0, 0x80}},
                  {false, {0xe0, 0x80, 0x80}},
                  {false, {0xf0, 0x80, 0x80, 0x80}},
                  {false, {0xf8, 0x80, 0x80, 0x80, 0x80}},
                  {false, {0xfc, 0x80, 0x80, 0x80, 0x80, 0x80}}}});

    const std::vector<byte_string> high{{0xed, 0xa0, 0x80}, {0xed, 0xad, 0xbf}, {0xed, 0xae, 0x80}, {0xed, 0xaf, 0xbf}};
    const std::vector<byte_string> low{{0xed, 0xb0, 0x80}, {0xed, 0xbe, 0x80}, {0xed, 0xbf, 0xbf}};
    {
        vector_family f{"Single UTF-16 surrogates", {}};
        for (const auto& s : high) {
            f.payloads.push_back({false, s});
        }
        for (const auto& s : low) {
            f.payloads.push_back({false, s});
        }
        t.push_back(std::move(f));
    }
    {
        // Every high surrogate followed by the first and the last low one.
        vector_family f{"Paired UTF-16 surrogates", {}};
        for (const auto& h : high) {
            f.payloads.push_back({false, concat({h, low.front()})});
            f.payloads.push_back({false, concat({h, low.back()})});
        }
        t.push_back(std::move(f));
    }
    {
        // Noncharacters are valid UTF-8 (RFC 3629): U+FFFE, U+FFFF, then U+nFFFE and U+nFFFF
        // of every plane 1-16 written F[0-4] [89AB]F BF B[EF], skipping forms past U+10FFFF
        // and the overlong F0 8F BF BE/BF.
        vector_family f{"Non-character code points (valid UTF-8)", {{true, {0xef, 0xbf, 0xbe}}, {true, {0xef, 0xbf, 0xbf}}}};
        const std::array<std::uint8_t, 5> leads{0xf0, 0xf1, 0xf2, 0xf3, 0xf4};
        const std::array<std::uint8_t, 4> seconds{0x8f, 0x9f, 0xaf, 0xbf};
        const std::array<std::uint8_t, 2> lasts{0xbe, 0xbf};
        for (const auto z1 : leads) {
            for (const auto z2 : seconds) {
                if (z1 == 0xf4 && z2 != 0x8f) {
                    continue;
                }
                for (const auto z3 : lasts) {
                    if (z1 == 0xf0 && z2 == 0x8f) {
                        continue;
                    }
                    f.payloads.push_back({true, {z1, z2, 0xbf, z3}});
                }
            }
        }
        t.push_back(std::move(f));
    }
    {
        vector_family f{"Unicode specials (i.e. replacement char)", {}};
        for (std::uint8_t last = 0xb9; last <= 0xbf; ++last) {
            f.payloads.push_back({true, {0xef, 0xbf, last}});
        }
        t.push_back(std::move(f));
    }
    return t;
}

void add_test_vectors(catalog_builder& b) {
    const auto families = utf8_test_vectors();
    for (std::size_t i = 0; i < families.size(); ++i) {
        const std::string sub = "6." + std::to_string(i + 5);
        b.add_section(sub, families[i].title);
        for (std::size_t j = 0; j < families[i].payloads.size(); ++j) {
            const bool valid = families[i].payloads[j].first;
            const payload data{families[i].payloads[j].second};
            auto c = build::make_case(
                sub + "." + std::to_string(j + 1),
                std::string{"Send a text message, in one frame, whose payload is "} + (valid ? "valid" : "not valid") +
                    " UTF-8: 0x" + hex(data.view()) + ".",
                valid ? "The message is echoed back."
                      : "The connection is failed immediately (1007), since the payload is not valid UTF-8.",
                valid ? valid_text : invalid_text, [valid, data] {
                    script sc;
                    sc.steps.emplace_back(send_message{opcode::text, data, 0, 0});
                    if (valid) {
                        sc.outcomes = {build::ok({build::text(data)})};
                        sc.close = build::we_close();
                    } else {
                        sc.outcomes = {build::ok()};
                        sc.close = fails_with_1007();
                    }
                    return sc;
                });
            c.timeout = milliseconds{500};
            b.add(std::move(c));
        }
    }
}

} // namespace

void add_utf8(catalog_builder& b) {
    b.add_section("6", "UTF-8 Handling");
    add_valid_and_invalid(b);
    add_fail_fast(b);
    add_test_vectors(b);
}

} // namespace wscheck::cases
