// Section 25, Abuse inside permessage-deflate (wscheck's own). Section 21 sends absurd lengths
// and endless messages uncompressed, and 22.2.4 one 1 GiB bomb in one frame; several servers
// size their inflate buffers from what the peer announces, or count only compressed bytes, so
// the same abuse comes here inside a negotiated permessage-deflate session:
//   25.1 compressed frames (RSV1) whose headers announce 2^62, 2^63-1, 1 GiB and 2^63 bytes,
//        then 16 bytes and silence: as 21.1, nothing may be echoed, 2^63 breaks 5.2's MUST,
//        and how the connection ended is recorded;
//   25.2 DEFLATE data built to hurt: a bomb past 64 MiB in 16-byte frames, a back-reference
//        before the start of the stream, 100000 empty stored blocks before the data, a
//        message of 100000 one-byte frames, and a stream that ends (BFINAL) in the middle of
//        its message (RFC 7692 7.2.3.4's example, split after the final block).
// A server may refuse (RFC 6455 10.4: 1009, or 1008 for a policy) where the RFC leaves it a
// limit of its own, and must fail the connection (1007 or 1002) where the data is not DEFLATE
// it can inflate. The extension is required: a peer that declines gets UNIMPLEMENTED. Every
// case applies to both roles (testing a client, its first valid offer is accepted as offered).
//
// Not here: a back-reference into the previous message when context takeover is off. Whether
// it is off is the peer's answer to the offer (RFC 7692 7.1.1.2: a client's
// client_no_context_takeover is only a hint unless the server's response repeats it), so its
// verdict would depend on the agreement, which a script cannot see yet.
#include "cases/builders.hpp"
#include "cases/catalog.hpp"

#include <string>

namespace wscheck::cases {

namespace {

using build::with_rsv;
using proto::opcode;

constexpr std::uint64_t GiB = 1024ull * 1024 * 1024;

/// How long a case waits after its last step for the peer to end it.
constexpr milliseconds patience{2000};

case_def abuse_case(std::string id, std::string description, std::string expectation, rfc_ref rfc,
                    std::function<script()> make_script) {
    auto c = build::make_case(std::move(id), std::move(description), std::move(expectation), std::move(rfc),
                              std::move(make_script));
    c.timeout = patience;
    return c;
}

/// The default offer (testing a client: its first valid offer accepted as offered), required.
deflate_spec required_deflate() { return deflate_spec{{proto::deflate_offer{}}, {}, true}; }

/// 25.2.3's and 25.2.4's wait for the echo of data that costs the peer time to inflate (500 KB
/// of empty blocks, 100000 fragments inflated each in a call of its own): seconds.
constexpr milliseconds slow_patience{3000};
/// The label of that wait: its event is recorded only if the connection is still open when the
/// wait ends (builders.hpp, add_answer_wait).
const char* const still_open = "still open";

/// Waits up to slow_patience for `echo` and ends there. The echo is OK (before or after the
/// wait's own event); a connection ended without it earns `if_refused` (INFORMATIONAL: a limit
/// the peer chose, 10.4); neither within the patience is NON-STRICT.
void echo_or_refusal(script& sc, const event& echo, behavior if_refused = behavior::informational) {
    build::add_answer_wait(sc, 1, slow_patience, still_open);
    const event open = build::timed_out(still_open);
    sc.outcomes = {build::ok({echo, open}), build::ok({open, echo}), build::ok({echo}), outcome{if_refused, {}},
                   outcome{behavior::non_strict, {open}}};
}

/// We close normally once the wait is over, unless the peer closed first with one of `codes`.
close_expectation either_closes(std::vector<std::uint16_t> codes) {
    close_expectation cl = build::we_close(std::move(codes));
    cl.either_may_close = true;
    return cl;
}

/// A case whose script ends with echo_or_refusal's wait: that wait was its patience, so it
/// closes as soon as the wait ends.
void add_closing_after_wait(catalog_builder& b, case_def c) {
    c.timeout = milliseconds{0};
    c.on_timeout = timeout_action::close;
    b.add(std::move(c));
}

/// How the connection ends is recorded, not judged: the RFC leaves the reaction to the peer.
close_expectation recorded_close() { return build::recorded_close({1002, 1007, 1008, 1009}); }

using build::matching;

// ---------------------------------------------------------------- DEFLATE built by hand

/// RFC 1951 bits, first bit lowest: fields as they are, Huffman codes first bit highest.
class bit_writer {
public:
    void bits(unsigned value, unsigned count) {
        for (unsigned i = 0; i < count; ++i) {
            put((value >> i) & 1u);
        }
    }
    void code(unsigned value, unsigned count) {
        for (unsigned i = count; i > 0; --i) {
            put((value >> (i - 1)) & 1u);
        }
    }
    /// The end of a message's data as 7.2.1 leaves it: an empty stored block's header bits,
    /// then the byte boundary; the peer appends the 00 00 ff ff that completes the block.
    std::vector<std::uint8_t> finish_message() {
        bits(0, 3); // BFINAL 0, BTYPE 00
        return std::move(out_);
    }

private:
    void put(unsigned bit) {
        if (used_ % 8 == 0) {
            out_.push_back(0);
        }
        out_.back() = static_cast<std::uint8_t>(out_.back() | (bit << (used_ % 8)));
        ++used_;
    }
    std::vector<std::uint8_t> out_;
    std::size_t used_ = 0;
};

/// One block with the fixed codes (RFC 1951 3.2.6) holding a single match of `length` (3-10)
/// bytes at `distance` (1-4), then the end of the block (RFC 1951 3.2.5: lengths 3-10 are
/// symbols 257-264, 7-bit codes 1-8; distances 1-4 are codes 0-3; neither has extra bits).
payload fixed_block_with_match(unsigned length, unsigned distance) {
    bit_writer w;
    w.bits(0, 1); // BFINAL 0
    w.bits(1, 2); // BTYPE 01: fixed codes
    w.code(length - 3 + 1, 7);
    w.code(distance - 1, 5);
    w.code(0, 7); // symbol 256, the end of the block
    return payload{w.finish_message()};
}

/// `count` empty stored blocks, then `data` compressed on its own: valid DEFLATE of `data`.
payload after_empty_stored_blocks(std::size_t count, const payload& data) {
    std::vector<std::uint8_t> out;
    out.reserve(count * 5 + data.size() + 16);
    for (std::size_t i = 0; i < count; ++i) {
        // BFINAL 0, BTYPE 00 and the padding to the byte; LEN 0, NLEN ffff.
        out.insert(out.end(), {0x00, 0x00, 0x00, 0xff, 0xff});
    }
    const auto rest = build::deflated(data, 15);
    out.insert(out.end(), rest.view().begin(), rest.view().end());
    return payload{std::move(out)};
}

/// `data` as a compressed message (RSV1 on the first frame) in frames of `size` bytes.
std::vector<step> compressed_frames(opcode op, const payload& data, std::size_t size) {
    std::vector<step> steps;
    for (std::size_t at = 0; at < data.size() || at == 0; at += size) {
        const bool first = at == 0;
        const bool last = at + size >= data.size();
        auto f = build::frame(first ? op : opcode::cont, build::slice(data, at, size), last);
        steps.emplace_back(first ? with_rsv(f, 4) : f);
    }
    return steps;
}

// ---------------------------------------------------------------- 25.1 lengths

send_frame announcing(std::uint64_t length) {
    auto f = with_rsv(build::frame(opcode::binary, build::slice(build::deflated(payload{"0123456789abcdef"}), 0, 16)), 4);
    f.declared_length = length;
    return f;
}

case_def length_may_wait(std::string id, std::string what, std::uint64_t length) {
    auto c = abuse_case(std::move(id),
                        "With permessage-deflate agreed, send a compressed binary frame (RSV1) whose header "
                        "announces " + what + ", then 16 bytes of it, then nothing.",
                        "Nothing is echoed: the frame never arrives whole. A robust peer refuses the announced "
                        "size at once (close 1009, or drops TCP) rather than size an inflate buffer from it, or "
                        "waits; how the connection ended, and when, is recorded.",
                        {"RFC 6455 10.4, RFC 7692 8.1", "an endpoint limits what it accepts and inflates, and "
                                                        "protects itself from lengths beyond its limits"},
                        [length] {
                            script sc;
                            sc.deflate = required_deflate();
                            sc.steps.emplace_back(announcing(length));
                            sc.outcomes = {build::ok()};
                            sc.close = recorded_close();
                            return sc;
                        });
    c.schedule = scheduling::waits;
    c.report_time = true;
    return c;
}

void add_lengths(catalog_builder& b) {
    b.add_section("25.1", "Compressed frames announcing absurd lengths");
    b.add(length_may_wait("25.1.1", "2^62 bytes (a legal length)", 1ull << 62));
    b.add(length_may_wait("25.1.2", "2^63-1 bytes (the largest legal length)", (1ull << 63) - 1));
    b.add(length_may_wait("25.1.3", "1 GiB", GiB));
    auto c = abuse_case("25.1.4",
                        "With permessage-deflate agreed, send a compressed binary frame (RSV1) whose 64-bit "
                        "length has its most significant bit set (2^63 bytes), then 16 bytes, then nothing.",
                        "The peer fails the connection at the header (1002, or 1009), without waiting for the "
                        "payload. Nothing is echoed.",
                        {"RFC 6455 5.2", "the most significant bit of the 64-bit payload length must be 0"}, [] {
                            script sc;
                            sc.deflate = required_deflate();
                            sc.steps.emplace_back(announcing(1ull << 63));
                            sc.outcomes = {build::ok()};
                            sc.close = build::peer_fails({1002, 1009});
                            return sc;
                        });
    c.schedule = scheduling::waits;
    c.report_time = true;
    b.add(std::move(c));
}

// ---------------------------------------------------------------- 25.2 streams

const rfc_ref bad_data{"RFC 7692 6.2, RFC 6455 7.4.1",
                       "data that does not inflate fails the connection (1007 or 1002)"};

void add_streams(catalog_builder& b) {
    b.add_section("25.2", "DEFLATE data built to hurt");
    {
        auto c = abuse_case(
            "25.2.1",
            "Send a compressed binary message that inflates to 80 MiB of zeros (about 80 KiB compressed), "
            "in frames of 16 bytes.",
            "The peer fails the connection with 1009 once the inflated size passes its limit (64 MiB and "
            "less are usual), without inflating the rest; one whose limit is above 80 MiB may echo it "
            "(NON-STRICT).",
            {"RFC 6455 10.4, RFC 7692 8.1", "an endpoint limits the size of the messages it inflates, "
                                            "counting inflated bytes, and closes with 1009 past it"},
            [] {
                script sc;
                sc.deflate = required_deflate();
                sc.steps = compressed_frames(opcode::binary, build::deflated_zeros(80), 16);
                sc.outcomes = {build::ok(),
                               matching(behavior::non_strict, "the peer inflated and answered an 80 MiB message",
                                        [](const std::vector<event>& got) { return !got.empty(); })};
                close_expectation cl = build::peer_fails({1009, 1000});
                cl.either_may_close = true;
                sc.close = cl;
                return sc;
            });
        c.strict = strictness::should;
        c.timeout = milliseconds{5000};
        c.on_timeout = timeout_action::close;
        b.add(std::move(c));
    }
    b.add(abuse_case("25.2.2",
                     "As the first message of the connection, send a compressed text message whose DEFLATE data "
                     "starts with a back-reference (length 3, distance 1) to output that does not exist.",
                     "The peer fails the connection (1007 or 1002): the data refers before the start of the "
                     "stream. Nothing is echoed.",
                     bad_data, [] {
                         script sc;
                         sc.deflate = required_deflate();
                         sc.steps.emplace_back(with_rsv(build::frame(opcode::text, fixed_block_with_match(3, 1)), 4));
                         sc.outcomes = {build::ok()};
                         sc.close = build::peer_fails({1007, 1002});
                         return sc;
                     }));
    {
        const payload hello{"Hello after 100000 empty blocks"};
        auto c = abuse_case(
            "25.2.3",
            "Send a compressed text message whose DEFLATE data is 100000 empty stored blocks (500 KB) and then "
            "\"Hello after 100000 empty blocks\" compressed; then wait up to 3 s for the echo.",
            "The data is valid DEFLATE of a short message: the peer echoes it within 3 s (OK), or refuses "
            "the 500 KB it had to read for it with 1009 or 1008 (INFORMATIONAL: a limit on compressed size or "
            "ratio is its own, 10.4). Neither within 3 s is NON-STRICT.",
            {"RFC 1951 3.2.4, RFC 6455 10.4", "empty stored blocks are valid DEFLATE; an endpoint may limit "
                                              "what it reads"},
            [hello] {
                script sc;
                sc.deflate = required_deflate();
                sc.steps.emplace_back(with_rsv(build::frame(opcode::text, after_empty_stored_blocks(100000, hello)), 4));
                echo_or_refusal(sc, build::text(hello));
                sc.close = either_closes({1000, 1008, 1009});
                return sc;
            });
        add_closing_after_wait(b, std::move(c));
    }
    {
        auto c = abuse_case(
            "25.2.4",
            "Send a compressed binary message of 100000 bytes that do not compress (so about 100000 bytes of "
            "DEFLATE data), in 100000 frames of one byte each, in one write; then wait up to 3 s for the "
            "echo.",
            "The peer reassembles and inflates it and echoes the message (OK), or refuses it by ending the "
            "connection (1009 or 1008: a limit on fragments is its own; INFORMATIONAL). Neither within 3 s "
            "is NON-STRICT. How the connection ended is recorded.",
            {"RFC 6455 5.4, RFC 7692 6.1", "a compressed message may have any number of fragments; an endpoint "
                                           "with limits protects itself (10.4)"},
            [] {
                std::vector<std::uint8_t> noise(100000);
                std::uint32_t x = 2463534242u; // xorshift: bytes no DEFLATE coder can shrink
                for (auto& byte : noise) {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    byte = static_cast<std::uint8_t>(x);
                }
                const payload data{std::move(noise)};
                send_batch one_write;
                send_message m;
                m.op = opcode::binary;
                m.data = data;
                m.fragment_size = 1;
                one_write.messages.push_back(m);
                script sc;
                sc.deflate = required_deflate();
                sc.steps.emplace_back(one_write);
                echo_or_refusal(sc, build::binary(data));
                sc.close = recorded_close();
                return sc;
            });
        add_closing_after_wait(b, std::move(c));
    }
    {
        // RFC 7692 7.2.3.4's own example: "Hello" in a fixed-code block with BFINAL set (7
        // octets), then one 0x00, which with the 0x00 0x00 0xff 0xff the receiver appends
        // (7.2.2) reads as an empty stored block. Here the final block ends the first fragment
        // and the 0x00 is the second: the stream ends in the middle of the message.
        const payload final_block{std::vector<std::uint8_t>{0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}};
        const payload after_it{std::vector<std::uint8_t>{0x00}};
        auto c = abuse_case(
            "25.2.5",
            "Send \"Hello\" as a compressed text message in two fragments: the first holds a DEFLATE block with "
            "BFINAL set (the stream ends there), the second the single 0x00 that follows it in RFC 7692 "
            "7.2.3.4's example; then wait up to 3 s for the echo.",
            "The peer inflates the message as the RFC's example does and echoes \"Hello\" (OK). Failing the "
            "connection instead, or neither within 3 s, is NON-STRICT: the RFC shows this payload as a valid "
            "message but states no requirement about a stream that ends before the message does.",
            {"RFC 7692 7.2.3.4", "a message may be compressed with a DEFLATE block that has BFINAL set; the "
                                 "example's payload inflates to \"Hello\""},
            [final_block, after_it] {
                script sc;
                sc.deflate = required_deflate();
                sc.steps.emplace_back(with_rsv(build::frame(opcode::text, final_block, false), 4));
                sc.steps.emplace_back(build::frame(opcode::cont, after_it, true));
                echo_or_refusal(sc, build::text(payload{"Hello"}), behavior::non_strict);
                sc.close = either_closes({1000, 1002, 1007});
                return sc;
            });
        add_closing_after_wait(b, std::move(c));
    }
}

} // namespace

void add_deflate_abuse(catalog_builder& b) {
    b.add_section("25", "Abuse inside permessage-deflate");
    add_lengths(b);
    add_streams(b);
}

} // namespace wscheck::cases
