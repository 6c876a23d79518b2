// The WebSocket frame header (RFC 6455 5.2): opcodes, the header fields, and encoding.
// Decoding lives in frame_parser.hpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace wscheck::proto {

/// All sixteen opcodes, reserved ones included, so that a case can send any of them.
enum class opcode : std::uint8_t {
    cont = 0x0,
    text = 0x1,
    binary = 0x2,
    rsv3 = 0x3, rsv4 = 0x4, rsv5 = 0x5, rsv6 = 0x6, rsv7 = 0x7,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
    crsvb = 0xB, crsvc = 0xC, crsvd = 0xD, crsve = 0xE, crsvf = 0xF,
};

/// 5.5: opcodes with the high bit set are control frames (reserved ones included).
constexpr bool is_control(opcode op) noexcept { return (static_cast<unsigned>(op) & 0x8u) != 0; }
/// 5.2: 3-7 and 11-15 are reserved.
constexpr bool is_reserved(opcode op) noexcept {
    auto v = static_cast<unsigned>(op);
    return (v >= 0x3 && v <= 0x7) || v >= 0xB;
}
/// "text", "binary", "rsv3", ...
std::string_view to_string(opcode op) noexcept;

/// 5.5: control frames carry at most 125 payload bytes.
inline constexpr std::size_t max_control_payload = 125;
/// 2 fixed bytes + 8 bytes of extended length + 4 bytes of mask key.
inline constexpr std::size_t max_header_size = 14;
/// 5.2: the 64-bit length's most significant bit must be 0.
inline constexpr std::uint64_t max_payload_length = 0x7FFF'FFFF'FFFF'FFFFull;

using mask_key = std::array<std::uint8_t, 4>;

struct frame_header {
    bool fin = true;
    bool rsv1 = false;
    bool rsv2 = false;
    bool rsv3 = false;
    opcode op = opcode::text;
    bool masked = false;
    std::uint64_t length = 0;
    mask_key key{};

    friend bool operator==(const frame_header&, const frame_header&) = default;
};

/// How the payload length is written. `minimal` is what the RFC requires; the others let a
/// case send a non-minimal (illegal) encoding on purpose.
enum class length_encoding : std::uint8_t { minimal, force_16, force_64 };

/// Bytes encode_header() writes for `h` with encoding `enc`.
std::size_t header_size(const frame_header& h, length_encoding enc = length_encoding::minimal) noexcept;

/// Writes the header of `h` to `out` and returns the number of bytes written (2..14).
/// Writes whatever `h` says, legal or not (a length over 2^63-1 sets the MSB on the wire);
/// a forced encoding too small for the length falls back to the next larger one.
std::size_t encode_header(const frame_header& h, std::span<std::uint8_t, max_header_size> out,
                          length_encoding enc = length_encoding::minimal) noexcept;

} // namespace wscheck::proto
