#include "harness/proto/frame.hpp"

namespace wscheck::proto {
namespace {

// 5.2: a 7-bit length holds 0-125; 126 announces a 16-bit length and 127 a 64-bit one.
constexpr std::uint8_t len7_16 = 126;
constexpr std::uint8_t len7_64 = 127;

/// Bytes of extended length (0, 2 or 8) for `length` written with `enc`; a forced encoding
/// too small for the length falls back to the next larger one.
constexpr std::size_t extended_length_size(std::uint64_t length, length_encoding enc) noexcept {
    if (length > 0xFFFF || enc == length_encoding::force_64) {
        return 8;
    }
    if (length > max_control_payload || enc == length_encoding::force_16) {
        return 2;
    }
    return 0;
}

} // namespace

std::string_view to_string(opcode op) noexcept {
    switch (op) {
    case opcode::cont: return "cont";
    case opcode::text: return "text";
    case opcode::binary: return "binary";
    case opcode::rsv3: return "rsv3";
    case opcode::rsv4: return "rsv4";
    case opcode::rsv5: return "rsv5";
    case opcode::rsv6: return "rsv6";
    case opcode::rsv7: return "rsv7";
    case opcode::close: return "close";
    case opcode::ping: return "ping";
    case opcode::pong: return "pong";
    case opcode::crsvb: return "crsvb";
    case opcode::crsvc: return "crsvc";
    case opcode::crsvd: return "crsvd";
    case opcode::crsve: return "crsve";
    case opcode::crsvf: return "crsvf";
    }
    return "invalid"; // a value outside the 4-bit field
}

std::size_t header_size(const frame_header& h, length_encoding enc) noexcept {
    return 2 + extended_length_size(h.length, enc) + (h.masked ? h.key.size() : 0);
}

std::size_t encode_header(const frame_header& h, std::span<std::uint8_t, max_header_size> out,
                          length_encoding enc) noexcept {
    // 5.2: FIN, RSV1-3, opcode | MASK, payload len | extended length | masking key
    out[0] = static_cast<std::uint8_t>((h.fin ? 0x80u : 0u) | (h.rsv1 ? 0x40u : 0u) |
                                       (h.rsv2 ? 0x20u : 0u) | (h.rsv3 ? 0x10u : 0u) |
                                       (static_cast<unsigned>(h.op) & 0x0Fu));
    const std::uint8_t mask_bit = h.masked ? 0x80 : 0x00;
    std::size_t n = 2;
    switch (extended_length_size(h.length, enc)) {
    case 0:
        out[1] = static_cast<std::uint8_t>(mask_bit | h.length);
        break;
    case 2:
        // 5.2: multibyte lengths are in network byte order.
        out[1] = static_cast<std::uint8_t>(mask_bit | len7_16);
        out[2] = static_cast<std::uint8_t>(h.length >> 8);
        out[3] = static_cast<std::uint8_t>(h.length);
        n = 4;
        break;
    default:
        out[1] = static_cast<std::uint8_t>(mask_bit | len7_64);
        for (std::size_t i = 0; i < 8; ++i) {
            out[2 + i] = static_cast<std::uint8_t>(h.length >> (56 - 8 * i));
        }
        n = 10;
        break;
    }
    if (h.masked) {
        for (const std::uint8_t k : h.key) {
            out[n++] = k;
        }
    }
    return n;
}

} // namespace wscheck::proto
