#include "harness/proto/error.hpp"

#include <array>
#include <string>

namespace wscheck::proto {
namespace {

// 7.4.1 close codes an endpoint fails the connection with.
constexpr std::uint16_t protocol_error = 1002;
constexpr std::uint16_t invalid_payload = 1007;
constexpr std::uint16_t message_too_big = 1009;

// The table, in enumerator order (row i describes violation i + 1).
//
// HTTP statuses: 4.2.1 lets a server answer any bad handshake with "an appropriate HTTP error
// code (such as 400 Bad Request)"; where HTTP names a better one we use it:
//   - a method other than GET: 405, which build_rejection() sends with "Allow: GET"
//     (RFC 9110 15.5.6);
//   - a Sec-WebSocket-Version other than 13: 426 Upgrade Required (4.4's own example), sent
//     with "Sec-WebSocket-Version: 13";
//   - a head over the size or field cap: 431 (RFC 6585 5, RFC 9110 5.4);
//   - HTTP/1.0 stays 400: 505 is for an unsupported *major* version (RFC 9110 15.6.6).
// Violations only a server's response can commit (bad_status, bad_accept, bad_subprotocol,
// bad_extension) have no status: no server ever answers them. Their close code is 0 too: the
// client fails the connection before any WebSocket frame exists (4.1).
constexpr std::array<violation_info, 39> table{{
    // ---- framing ----
    {"bad_reserved_bits", "5.2", protocol_error, 0,
     "a reserved bit (RSV1-3) is set but no negotiated extension defines it"},
    {"bad_opcode", "5.2", protocol_error, 0, "the frame uses a reserved opcode"},
    {"fragmented_control", "5.5", protocol_error, 0,
     "a control frame has FIN clear, but control frames must not be fragmented"},
    {"control_too_big", "5.5", protocol_error, 0,
     "a control frame's payload is longer than 125 bytes"},
    {"non_minimal_length", "5.2", protocol_error, 0,
     "the payload length is not encoded in the minimal number of bytes"},
    {"length_msb_set", "5.2", protocol_error, 0,
     "the 64-bit payload length has its most significant bit set"},
    {"missing_mask", "5.1", protocol_error, 0, "a client sent a frame that is not masked"},
    {"unexpected_mask", "5.1", protocol_error, 0, "a server sent a frame that is masked"},
    {"bad_continuation", "5.4", protocol_error, 0,
     "a continuation frame arrived with no fragmented message in progress"},
    {"missing_continuation", "5.4", protocol_error, 0,
     "a new text or binary frame arrived while a fragmented message was in progress"},
    {"frame_too_big", "10.4", message_too_big, 0,
     "the frame's payload is larger than this endpoint accepts"},
    {"message_too_big", "10.4", message_too_big, 0,
     "the reassembled message is larger than this endpoint accepts"},
    // ---- payload contents ----
    {"bad_utf8", "8.1", invalid_payload, 0, "a text message is not valid UTF-8"},
    {"bad_close_size", "5.5.1", protocol_error, 0, "a close frame has a one-byte payload"},
    {"bad_close_code", "7.4", protocol_error, 0,
     "a close frame carries a status code that must not appear on the wire"},
    {"bad_close_reason", "5.5.1", invalid_payload, 0,
     "a close frame's reason is not valid UTF-8"},
    {"data_after_close", "5.5.1", protocol_error, 0,
     "a frame arrived after the peer's close frame"},
    {"bad_compressed_data", "RFC 7692 6.2", invalid_payload, 0,
     "a permessage-deflate payload does not inflate"},
    // ---- opening handshake: HTTP ----
    {"http_malformed", "RFC 9112 2.2", 0, 400, "the HTTP message head cannot be parsed"},
    {"http_too_big", "RFC 9110 5.4", 0, 431,
     "the HTTP message head exceeds the size or field-count limit"},
    {"http_bad_method", "4.2.1", 0, 405, "the opening handshake request method is not GET"},
    {"http_bad_version", "4.2.1", 0, 400,
     "the opening handshake request is older than HTTP/1.1"},
    {"http_no_host", "4.2.1", 0, 400,
     "the opening handshake request has no Host field, or more than one"},
    // ---- opening handshake: WebSocket ----
    {"no_upgrade", "4.2.1", 0, 400, "the Upgrade field does not contain \"websocket\""},
    {"no_connection_upgrade", "4.2.1", 0, 400,
     "the Connection field does not contain the token \"Upgrade\""},
    {"bad_sec_key", "4.2.1", 0, 400,
     "Sec-WebSocket-Key is missing, repeated, or not the base64 encoding of 16 bytes"},
    {"bad_version", "4.4", 0, 426, "Sec-WebSocket-Version is missing or not 13"},
    {"bad_status", "4.1", 0, 0, "the server answered with a status other than 101"},
    {"bad_accept", "4.1", 0, 0, "Sec-WebSocket-Accept is missing or does not match the key"},
    {"bad_subprotocol", "4.1", 0, 0, "the server chose a subprotocol the client did not offer"},
    {"bad_extension", "4.1", 0, 0,
     "the server chose an extension or parameter the client did not offer"},
    // ---- permessage-deflate: frames and messages ----
    {"misplaced_rsv1", "RFC 7692 6", protocol_error, 0,
     "RSV1 (per-message compressed) is set on a control frame or a continuation frame"},
    {"inflated_too_big", "RFC 7692 8.1", message_too_big, 0,
     "a compressed message inflates to more than this endpoint accepts"},
    // ---- permessage-deflate: the server's response (the client fails the connection) ----
    {"deflate_unknown_param", "RFC 7692 5", 0, 0,
     "the permessage-deflate response has a parameter not defined for use in a response"},
    {"deflate_duplicate_param", "RFC 7692 5", 0, 0,
     "the permessage-deflate response has the same parameter more than once"},
    {"deflate_bad_param_value", "RFC 7692 7.1", 0, 0,
     "a permessage-deflate parameter has an invalid value"},
    {"deflate_not_offered", "RFC 7692 7.1.2", 0, 0,
     "the permessage-deflate response asks for a configuration the client did not offer"},
    {"deflate_param_dropped", "RFC 7692 7.1", 0, 0,
     "the permessage-deflate response leaves out a parameter the server had to accept or decline the offer"},
    {"deflate_duplicate_extension", "RFC 7692 5", 0, 0,
     "the response accepts permessage-deflate more than once"},
}};

static_assert(table.size() == static_cast<std::size_t>(violation::deflate_duplicate_extension),
              "one row per violation");

constexpr violation_info unknown_row{"unknown", "", 0, 0, "unknown WebSocket violation"};

constexpr bool in_range(violation v, violation first, violation last) noexcept {
    return static_cast<int>(v) >= static_cast<int>(first) &&
           static_cast<int>(v) <= static_cast<int>(last);
}

// Two ranges: RFC 6455's handshake violations, and RFC 7692's (appended after the frame ones).
constexpr bool is_handshake(violation v) noexcept {
    return in_range(v, violation::http_malformed, violation::bad_extension) ||
           in_range(v, violation::deflate_unknown_param, violation::deflate_duplicate_extension);
}

constexpr bool is_known(int value) noexcept {
    return value >= 1 && value <= static_cast<int>(violation::deflate_duplicate_extension);
}

class violation_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "wscheck.violation"; }

    std::string message(int ev) const override {
        return std::string{info(static_cast<violation>(ev)).message};
    }

    std::error_condition default_error_condition(int ev) const noexcept override {
        if (!is_known(ev)) {
            return {ev, *this};
        }
        return is_handshake(static_cast<violation>(ev)) ? condition::handshake_failed
                                                        : condition::protocol_violation;
    }
};

class condition_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "wscheck.condition"; }

    std::string message(int ev) const override {
        switch (static_cast<condition>(ev)) {
        case condition::handshake_failed: return "the WebSocket opening handshake failed";
        case condition::protocol_violation: return "the peer violated the WebSocket protocol";
        }
        return "unknown WebSocket condition";
    }

    // Lets `ec == condition::...` hold for violation codes however the comparison is spelled.
    bool equivalent(const std::error_code& code, int cond) const noexcept override {
        if (code.category() != violation_category() || !is_known(code.value())) {
            return false;
        }
        const bool handshake = is_handshake(static_cast<violation>(code.value()));
        return cond == static_cast<int>(handshake ? condition::handshake_failed
                                                  : condition::protocol_violation);
    }
};

} // namespace

const violation_info& info(violation v) noexcept {
    const int value = static_cast<int>(v);
    return is_known(value) ? table[static_cast<std::size_t>(value - 1)] : unknown_row;
}

const violation_info* info(std::error_code ec) noexcept {
    if (ec.category() != violation_category()) {
        return nullptr;
    }
    return &info(static_cast<violation>(ec.value()));
}

const std::error_category& violation_category() noexcept {
    static const violation_category_impl category;
    return category;
}

const std::error_category& condition_category() noexcept {
    static const condition_category_impl category;
    return category;
}

std::error_code make_error_code(violation v) noexcept {
    return {static_cast<int>(v), violation_category()};
}

std::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), condition_category()};
}

} // namespace wscheck::proto
