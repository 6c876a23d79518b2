// Every way a peer can break RFC 6455 (and the HTTP rules of its opening handshake), as one
// error enum whose entries carry their consequence: the RFC section they break, the close code
// an endpoint must _Fail the WebSocket Connection_ with, and one sentence for humans.
//
// Parsers in proto/ never throw; they return a std::error_code made from `violation`.
// Compare against `condition` to ask "handshake or protocol?", against `violation` for the rule.
#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>

namespace wscheck::proto {

enum class violation {
    // ---- framing (RFC 6455 5.2, 5.5) ----
    bad_reserved_bits = 1,  ///< RSV1-3 set without an extension that defines them (5.2)
    bad_opcode,             ///< reserved opcode 3-7 or 11-15 (5.2)
    fragmented_control,     ///< control frame with FIN clear (5.5)
    control_too_big,        ///< control frame payload over 125 bytes (5.5)
    non_minimal_length,     ///< extended payload length not in its shortest form (5.2)
    length_msb_set,         ///< 64-bit payload length with the most significant bit set (5.2)
    missing_mask,           ///< a client sent an unmasked frame (5.1)
    unexpected_mask,        ///< a server sent a masked frame (5.1)
    bad_continuation,       ///< continuation frame with no message in progress (5.4)
    missing_continuation,   ///< new data frame while a fragmented message is in progress (5.4)
    frame_too_big,          ///< frame payload over the endpoint's limit (10.4)
    message_too_big,        ///< reassembled message over the endpoint's limit (10.4)
    // ---- payload contents (5.6, 8.1, 5.5.1, 7.4) ----
    bad_utf8,               ///< text message or close reason is not valid UTF-8 (8.1)
    bad_close_size,         ///< close payload of exactly one byte (5.5.1)
    bad_close_code,         ///< close code that must not appear on the wire (7.4)
    bad_close_reason,       ///< close reason is not valid UTF-8 (5.5.1)
    data_after_close,       ///< a frame arrived after the peer's Close frame (5.5.1)
    bad_compressed_data,    ///< permessage-deflate payload does not inflate (RFC 7692 6.2)
    // ---- opening handshake: HTTP layer (4.1, 4.2.1; RFC 9112) ----
    http_malformed,         ///< the HTTP head cannot be parsed
    http_too_big,           ///< the HTTP head exceeds the size or field-count cap
    http_bad_method,        ///< the request method is not GET (4.2.1 item 1)
    http_bad_version,       ///< HTTP version below 1.1 (4.2.1 item 1)
    http_no_host,           ///< missing or duplicated Host field (4.2.1 item 2)
    // ---- opening handshake: WebSocket layer ----
    no_upgrade,             ///< Upgrade lacks the token "websocket" (4.2.1 item 3, 4.1)
    no_connection_upgrade,  ///< Connection lacks the token "Upgrade" (4.2.1 item 4, 4.1)
    bad_sec_key,            ///< Sec-WebSocket-Key missing, duplicated or not 16 base64 bytes (4.2.1 item 5)
    bad_version,            ///< Sec-WebSocket-Version missing or not 13 (4.2.1 item 6)
    bad_status,             ///< server answered with a status other than 101 (4.1)
    bad_accept,             ///< Sec-WebSocket-Accept missing or wrong (4.1)
    bad_subprotocol,        ///< server chose a subprotocol the client did not offer (4.1)
    bad_extension,          ///< server chose an extension or parameter the client did not offer (4.1)
    // ---- permessage-deflate (RFC 7692), appended so that earlier values keep their numbers ----
    // frames and messages
    misplaced_rsv1,         ///< RSV1 on a control or continuation frame (RFC 7692 6)
    inflated_too_big,       ///< a compressed message inflates past the endpoint's limit (RFC 7692 8.1)
    // a server's response accepting a permessage-deflate offer (RFC 7692 5, 7.1)
    deflate_unknown_param,    ///< a parameter not defined for use in a response
    deflate_duplicate_param,  ///< the same parameter twice
    deflate_bad_param_value,  ///< a value that is not allowed (window bits not 8..15, a flag with a value)
    deflate_not_offered,      ///< a configuration the client did not offer (client_max_window_bits not offered, bits above the offer)
    deflate_param_dropped,    ///< an offered server_no_context_takeover or server_max_window_bits left out
    deflate_duplicate_extension, ///< more than one permessage-deflate in the response
};

/// The two families of violations, as Beast's websocket `condition`.
enum class condition {
    handshake_failed = 1,
    protocol_violation,
};

/// What the RFC says about one violation.
struct violation_info {
    std::string_view name;     ///< the enumerator's name, for logs and reports
    std::string_view section;  ///< RFC 6455 section ("5.2"), or "RFC 7692 6.2"
    std::uint16_t close_code;  ///< close code to fail with; 0 for handshake failures
    std::uint16_t http_status; ///< status a server answers a bad handshake with; 0 for frames
                               ///< and for violations only a server's response can commit
    std::string_view message;  ///< one sentence, e.g. "reserved opcode"
};

/// The row of the violation table for `v`.
const violation_info& info(violation v) noexcept;

const std::error_category& violation_category() noexcept;
const std::error_category& condition_category() noexcept;

std::error_code make_error_code(violation v) noexcept;
std::error_condition make_error_condition(condition c) noexcept;

/// The row for an error code of violation_category(); nullptr for any other category.
const violation_info* info(std::error_code ec) noexcept;

} // namespace wscheck::proto

template <>
struct std::is_error_code_enum<wscheck::proto::violation> : std::true_type {};
template <>
struct std::is_error_condition_enum<wscheck::proto::condition> : std::true_type {};
