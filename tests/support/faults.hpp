// The faults a fault_proxy can inject: each one makes the conformant reference server behind
// it look like a server that breaks one rule of RFC 6455, and only that one.
//
// Most faults are a frame_filter on one direction (client -> server frames go "up", server ->
// client frames come "down"); a few change how the proxy handles the connection itself. A
// fault_plan holds both parts for one connection.
#pragma once

#include "tests/support/frame_relay.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wscheck::test_support {

enum class fault : std::uint8_t {
    none,                      ///< a faithful relay: the control
    reserved_opcodes_accepted, ///< 5.2: reserved data opcodes go up as binary, reserved control frames vanish
    no_utf8_check,             ///< 8.1: text goes up as binary and its echo comes down as text
    utf8_checked_at_end,       ///< 8.1/5.4: text messages go up whole at FIN (no fail-fast)
    wrong_pong_payload,        ///< 5.5.3: the server's Pong payload is altered
    close_never_answered,      ///< 5.5.1/7.1.1: the server's Close frames vanish, client TCP stays open
    unmasked_accepted,         ///< 5.1: unmasked client frames are masked on the way up
    wrong_accept,              ///< 4.2.2: the Sec-WebSocket-Accept value is altered
    stops_reading,             ///< after the handshake nothing more is read from the client
    dies_on_huge_length,       ///< a frame announcing > 2^32 bytes "crashes the server"
    reserved_bits_accepted,    ///< 5.2: RSV1-3 are cleared on the way up
    close_code_always_normal,  ///< 7.4: the server's close code is replaced by 1000
    server_masks_frames,       ///< 5.1: the server's frames come down masked
    echo_split_without_continuation, ///< 5.4: each whole data frame comes down as two, both with its opcode
    echoes_reordered,          ///< 5.4/6.2: an echo is held up to 200 ms, and the next echo overtakes it
    inflate_sized_from_header, ///< a compressed (RSV1) frame announcing > 2^32 bytes "crashes the server"
    inflate_unchecked,         ///< RFC 7692 7.2.2: compressed data that does not inflate is taken as "accepted"
};

/// Every fault but `none`, in declaration order.
const std::vector<fault>& all_faults();
/// "reserved_opcodes_accepted", ...
std::string_view to_string(fault f) noexcept;

/// What one proxied connection does for a fault.
struct fault_plan {
    std::unique_ptr<frame_filter> up;   ///< client -> server frames (null: relayed as they are)
    std::unique_ptr<frame_filter> down; ///< server -> client frames
    /// The server's 101 response head is altered (the Sec-WebSocket-Accept value).
    bool corrupt_accept = false;
    /// When the server closes TCP, the client's connection stays open until the client closes.
    bool keep_client_open = false;
    /// Once the request head is relayed, nothing more is read from the client.
    bool stop_reading_client = false;
    /// The listening socket gets a tiny receive buffer, so a client's writes stall quickly.
    bool small_receive_buffer = false;
};

/// A fresh plan for one connection (filters keep per-connection state).
fault_plan make_plan(fault f);

/// The response head with the Sec-WebSocket-Accept value changed in one character (same
/// length, still base64); unchanged when the field is absent.
std::string corrupt_accept_field(std::string head);

/// 2^32: the announced length past which dies_on_huge_length "crashes".
inline constexpr std::uint64_t huge_length = std::uint64_t{1} << 32;

} // namespace wscheck::test_support
