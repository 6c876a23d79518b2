// One parser run per input, every event checked against the wire bytes as they stand, with a
// slow reference that decodes each header from the bytes and lists the rules it breaks:
//   - every header event is the reference's decoding of the bytes where the previous frame
//     ended, and encoding it again (in the length form the wire used) gives those bytes back;
//   - strict mode accepts a header only when the reference finds no violation, and fails on
//     one that has any, with the lowest-numbered of them; observe mode never fails and reports
//     exactly the reference's violations;
//   - payload comes out where it was, unmasked (or as on the wire with unmask off), and frames
//     tile the input: once it is all fed, every byte was a header, payload, or the start of a
//     header still waiting for its rest (observe never loses bytes);
//   - fed whole or in pieces (byte at a time included), the same checks hold, so both feeds
//     give the same frames.
// Nothing is stored per frame and the input is copied once into a reused buffer: the work per
// input is one pass over it.
//
// Input: [options][chunk seed][wire bytes]. Options: bit 0 role (0 = we are the server),
// bit 1 RSV1 allowed, bits 2-3 frame size limit (none, 0, 125, 1000), bit 4 observe mode,
// bit 5 leave payload masked (unmask off), bit 6 feed in pieces drawn from the chunk seed.
#include "fuzz/fuzz_util.hpp"
#include "harness/proto/frame.hpp"
#include "harness/proto/frame_parser.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace {

using namespace wscheck::proto;

/// A header as RFC 6455 5.2 lays it out, read from the wire bytes byte by byte.
struct reference_header {
    frame_header header;
    std::size_t size = 0;              ///< bytes of the header on the wire
    length_encoding encoding = length_encoding::minimal;
    std::uint64_t violations = 0;      ///< bit per `violation`, as violation_set::bits()
};

std::uint64_t bit(violation v) {
    return std::uint64_t{1} << static_cast<unsigned>(v);
}

/// Decodes the header at the start of `wire`, or nothing when it is not all there yet.
WSCHECK_CHECKER std::optional<reference_header> decode(std::span<const std::uint8_t> wire) {
    if (wire.size() < 2) {
        return std::nullopt;
    }
    reference_header r;
    frame_header& h = r.header;
    h.fin = (wire[0] & 0x80) != 0;
    h.rsv1 = (wire[0] & 0x40) != 0;
    h.rsv2 = (wire[0] & 0x20) != 0;
    h.rsv3 = (wire[0] & 0x10) != 0;
    h.op = static_cast<opcode>(wire[0] & 0x0F);
    h.masked = (wire[1] & 0x80) != 0;
    const unsigned len7 = wire[1] & 0x7Fu;
    const std::size_t extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    r.size = 2 + extended + (h.masked ? 4 : 0);
    if (wire.size() < r.size) {
        return std::nullopt;
    }
    h.length = len7;
    if (extended != 0) {
        h.length = 0;
        for (std::size_t i = 0; i < extended; ++i) {
            h.length = (h.length << 8) | wire[2 + i];
        }
        r.encoding = extended == 2 ? length_encoding::force_16 : length_encoding::force_64;
    }
    if (h.masked) {
        std::memcpy(h.key.data(), wire.data() + 2 + extended, 4);
    }
    return r;
}

/// The rules of RFC 6455 5.1-5.5 and 10.4 the header breaks, given the message state.
WSCHECK_CHECKER std::uint64_t rules_broken(const reference_header& r, const frame_parser_options& opts, bool in_message) {
    const frame_header& h = r.header;
    const unsigned op = static_cast<unsigned>(h.op);
    std::uint64_t v = 0;
    if ((h.rsv1 && !opts.rsv1_allowed) || h.rsv2 || h.rsv3) {
        v |= bit(violation::bad_reserved_bits);
    }
    if ((op >= 3 && op <= 7) || op >= 11) {
        v |= bit(violation::bad_opcode);
    }
    if (op >= 8 && !h.fin) {
        v |= bit(violation::fragmented_control);
    }
    if (op >= 8 && h.length > 125) {
        v |= bit(violation::control_too_big);
    }
    if ((r.encoding == length_encoding::force_16 && h.length < 126) ||
        (r.encoding == length_encoding::force_64 && h.length < 65536)) {
        v |= bit(violation::non_minimal_length);
    }
    if ((h.length >> 63) != 0) {
        v |= bit(violation::length_msb_set);
    }
    if (opts.local_role == role::server && !h.masked) {
        v |= bit(violation::missing_mask);
    }
    if (opts.local_role == role::client && h.masked) {
        v |= bit(violation::unexpected_mask);
    }
    if (op == 0 && !in_message) {
        v |= bit(violation::bad_continuation);
    }
    if ((op == 1 || op == 2) && in_message) {
        v |= bit(violation::missing_continuation);
    }
    if (h.length > opts.max_frame_payload) {
        v |= bit(violation::frame_too_big);
    }
    return v;
}

std::uint64_t lowest(std::uint64_t bits) {
    return bits & (~bits + 1);
}

/// True when `data` is `wire` unmasked from key byte `phase` on (or `wire` itself).
WSCHECK_CHECKER bool payload_matches(std::span<const std::uint8_t> wire, std::span<const std::uint8_t> data,
                                     const mask_key& key, std::uint64_t phase, bool unmasked) {
    unsigned diff = 0;
    for (std::size_t i = 0; i < data.size(); ++i) {
        const unsigned k = unmasked ? key[(phase + i) % 4] : 0u;
        diff |= (wire[i] ^ k) ^ data[i];
    }
    return diff == 0;
}

/// Runs the parser once over the input and checks every event (see the top of the file).
/// The driving loop is the checker's too, so its comparisons stay out of coverage (the
/// attribute is on the caller as well: coverage is added after inlining).
WSCHECK_CHECKER void check_one_input(const std::uint8_t* data, std::size_t size) {
    wscheck::fuzz::option_bytes in{data, size, 2};
    static constexpr std::array<std::uint64_t, 4> limits{max_payload_length, 0, 125, 1000};

    frame_parser_options opts;
    opts.local_role = (in[0] & 1) != 0 ? role::client : role::server;
    opts.rsv1_allowed = (in[0] & 2) != 0;
    opts.max_frame_payload = limits[(in[0] >> 2) & 3];
    opts.mode = (in[0] & 0x10) != 0 ? parse_mode::observe : parse_mode::strict;
    opts.unmask = (in[0] & 0x20) == 0;
    const bool in_pieces = (in[0] & 0x40) != 0;
    wscheck::fuzz::chunker split{in[1]};

    // The parser unmasks in place, so it reads a copy; the buffer is reused across inputs.
    const std::span<const std::uint8_t> wire = in.rest;
    static std::vector<std::uint8_t> buf;
    buf.assign(wire.begin(), wire.end());

    frame_parser parser{opts};
    std::size_t offset = 0;     // bytes handed to the parser so far
    std::size_t pos = 0;        // where the reference stands: the next byte the parser owes an event for
    std::optional<reference_header> frame; // the frame being read, from its header event to frame_end
    std::uint64_t delivered = 0;
    bool in_message = false;    // the reference's 5.4 message state
    bool failed = false;

    while (offset < buf.size() && !failed) {
        const std::size_t len = in_pieces ? split.next(buf.size() - offset) : buf.size() - offset;
        const std::span<std::uint8_t> chunk{buf.data() + offset, len};
        std::size_t used = 0;
        for (;;) { // one call per event; each event but frame_end consumes a byte or more
            const auto r = parser.feed(chunk.subspan(used));
            used += r.consumed;
            WSCHECK_FUZZ_CHECK(used <= len);
            if (r.what == frame_parser::event::need_more) {
                WSCHECK_FUZZ_CHECK(used == len);
                break;
            }
            if (r.what == frame_parser::event::header || r.what == frame_parser::event::error) {
                WSCHECK_FUZZ_CHECK(!frame);
                const auto ref = decode(wire.subspan(pos));
                WSCHECK_FUZZ_CHECK(ref.has_value());
                // The whole header was read, and nothing past it.
                WSCHECK_FUZZ_CHECK(offset + used == pos + ref->size);
                WSCHECK_FUZZ_CHECK(parser.header() == ref->header);
                const std::uint64_t broken = rules_broken(*ref, opts, in_message);
                if (r.what == frame_parser::event::error) {
                    // 7.1.7: strict fails on the first header breaking a rule, naming the lowest.
                    WSCHECK_FUZZ_CHECK(opts.mode == parse_mode::strict);
                    WSCHECK_FUZZ_CHECK(broken != 0);
                    WSCHECK_FUZZ_CHECK(bit(static_cast<violation>(r.error.value())) == lowest(broken));
                    WSCHECK_FUZZ_CHECK(parser.feed(chunk.subspan(used)).error == r.error); // and stays failed
                    failed = true;
                    break;
                }
                // Strict accepts only what breaks nothing; observe reports exactly what it breaks.
                WSCHECK_FUZZ_CHECK(parser.header_violations().bits() ==
                                   (opts.mode == parse_mode::strict ? 0 : broken));
                WSCHECK_FUZZ_CHECK(opts.mode == parse_mode::observe || broken == 0);
                // Round trip: encoding what was parsed, in the wire's length form, gives the wire.
                std::array<std::uint8_t, max_header_size> enc{};
                const std::size_t n = encode_header(parser.header(), enc, ref->encoding);
                WSCHECK_FUZZ_CHECK(n == ref->size);
                WSCHECK_FUZZ_CHECK(std::memcmp(enc.data(), wire.data() + pos, n) == 0);
                const unsigned op = static_cast<unsigned>(ref->header.op);
                if (op <= 2) {
                    in_message = !ref->header.fin;
                }
                WSCHECK_FUZZ_CHECK(parser.in_fragmented_message() == in_message);
                pos += ref->size;
                frame = ref;
                delivered = 0;
            } else if (r.what == frame_parser::event::payload) {
                WSCHECK_FUZZ_CHECK(frame.has_value());
                const frame_header& h = frame->header;
                // In place, next in line, within the frame, and unmasked unless asked not to.
                WSCHECK_FUZZ_CHECK(!r.data.empty());
                WSCHECK_FUZZ_CHECK(r.data.data() == buf.data() + pos);
                WSCHECK_FUZZ_CHECK(r.data.size() <= h.length - delivered);
                WSCHECK_FUZZ_CHECK(payload_matches(wire.subspan(pos, r.data.size()), r.data, h.key, delivered,
                                                   h.masked && opts.unmask));
                pos += r.data.size();
                delivered += r.data.size();
                WSCHECK_FUZZ_CHECK(parser.remaining() == h.length - delivered);
            } else {
                WSCHECK_FUZZ_CHECK(r.what == frame_parser::event::frame_end);
                WSCHECK_FUZZ_CHECK(frame.has_value() && delivered == frame->header.length);
                WSCHECK_FUZZ_CHECK(parser.at_frame_boundary());
                frame.reset();
            }
        }
        offset += len;
    }
    if (failed) {
        return;
    }
    // All fed: every byte is accounted for. The reference stands at the end of the input, or
    // in a frame's payload (the rest not sent), or at a header not all there yet; a frame
    // whose payload is complete has its frame_end still to come.
    if (frame) {
        WSCHECK_FUZZ_CHECK(pos == wire.size());
        WSCHECK_FUZZ_CHECK(parser.remaining() == frame->header.length - delivered);
    } else {
        WSCHECK_FUZZ_CHECK(!decode(wire.subspan(pos)).has_value());
        WSCHECK_FUZZ_CHECK(parser.at_frame_boundary() == (pos == wire.size()));
    }
}

} // namespace

extern "C" WSCHECK_CHECKER int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    check_one_input(data, size);
    return 0;
}
