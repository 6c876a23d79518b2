// Incremental WebSocket frame parser (RFC 6455 5.2-5.5). Sans-IO: it is handed bytes and says
// what they were; it never reads a socket and never allocates.
//
// Theory of operation
//   feed() consumes a prefix of its input and returns one event:
//     need_more   every byte given was consumed; call again with more bytes
//     header      a complete frame header was read (see header()); for a masked frame the
//                 payload events that follow are already unmasked
//     payload     `data` is a piece of the current frame's payload, unmasked in place inside
//                 the caller's buffer (so feed() takes a mutable span), unless options say
//                 the caller unmasks
//     frame_end   the current frame's payload is complete (also right after a header with
//                 length 0)
//     error       strict mode only: `error` names the violation; the parser is then stuck and
//                 returns the same error on every later call
//   A header split across calls is kept in a 14-byte carry, so a byte-at-a-time feed gives the
//   same events as a whole one (except that payload arrives in more pieces).
//
// Modes
//   strict    what a conformant endpoint does: the first violation is an error.
//   observe   what the case runner needs: nothing is an error; each header event lists the
//             violations that header commits (header_violations()), and parsing goes on, so
//             the runner can record everything a peer sent, however wrong.
//
// Rules checked: reserved bits without a negotiated extension, reserved opcodes, fragmented
// or oversized control frames, non-minimal lengths, the 64-bit length MSB, the mask bit for
// the role, continuation without a message, a data frame inside a fragmented message, and the
// frame size limit. UTF-8 and close payloads are the session's business.
#pragma once

#include "harness/proto/error.hpp"
#include "harness/proto/frame.hpp"
#include "harness/proto/role.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>

namespace wscheck::proto {

enum class parse_mode : std::uint8_t { strict, observe };

struct frame_parser_options {
    role local_role = role::server;      ///< whose frames we parse: a server parses a client's
    parse_mode mode = parse_mode::strict;
    bool rsv1_allowed = false;           ///< an extension (permessage-deflate) defined RSV1
    std::uint64_t max_frame_payload = max_payload_length; ///< larger frames: frame_too_big
    /// false: payload events carry the bytes as they were on the wire, still masked, for a
    /// caller that unmasks them while copying them out (mask_copy), one pass instead of two.
    /// The piece starts at key byte (header().length - remaining() - data.size()) % 4.
    bool unmask = true;
};

/// A small set of violations, for observe mode.
class violation_set {
public:
    void add(violation v) noexcept { bits_ |= bit(v); }
    bool contains(violation v) const noexcept { return (bits_ & bit(v)) != 0; }
    bool empty() const noexcept { return bits_ == 0; }
    std::uint64_t bits() const noexcept { return bits_; }
    /// The lowest-numbered violation in the set (the one strict mode would report first is
    /// not implied); undefined when empty.
    violation first() const noexcept;

private:
    static constexpr std::uint64_t bit(violation v) noexcept {
        return std::uint64_t{1} << static_cast<unsigned>(v);
    }
    std::uint64_t bits_ = 0;
};

class frame_parser {
public:
    enum class event : std::uint8_t { need_more, header, payload, frame_end, error };

    struct result {
        event what = event::need_more;
        std::size_t consumed = 0;          ///< bytes of the input this call used
        std::span<std::uint8_t> data{};    ///< payload bytes (event::payload only)
        std::error_code error{};           ///< the violation (event::error only)
    };

    explicit frame_parser(frame_parser_options options = {}) noexcept;

    /// Consumes a prefix of `input` and reports what it was. Unmasks payload in place.
    result feed(std::span<std::uint8_t> input) noexcept;

    /// The header of the frame being read; valid from its `header` event until the next one.
    const frame_header& header() const noexcept { return header_; }
    /// Observe mode: what the current header breaks (empty in strict mode).
    const violation_set& header_violations() const noexcept { return violations_; }
    /// Payload bytes of the current frame not yet delivered.
    std::uint64_t remaining() const noexcept { return remaining_; }
    /// True between the first frame of a fragmented data message and its final frame.
    bool in_fragmented_message() const noexcept { return in_message_; }
    /// True when the parser is between frames (no partial header or payload buffered).
    bool at_frame_boundary() const noexcept;

    /// Extensions can be negotiated after construction (the handshake completes first).
    void set_rsv1_allowed(bool allowed) noexcept { options_.rsv1_allowed = allowed; }
    const frame_parser_options& options() const noexcept { return options_; }

private:
    enum class state : std::uint8_t { header, payload, end, failed };

    std::error_code check_header() noexcept;

    frame_parser_options options_;
    state state_ = state::header;
    std::array<std::uint8_t, max_header_size> carry_{};
    std::size_t carry_size_ = 0;
    frame_header header_{};
    violation_set violations_{};
    std::uint64_t remaining_ = 0;
    std::size_t mask_phase_ = 0;
    bool in_message_ = false;
    std::error_code error_{};
};

} // namespace wscheck::proto
