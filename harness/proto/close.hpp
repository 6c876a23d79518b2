// Close frames (RFC 6455 5.5.1, 7.4): close codes and their classes, payload parse and build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace wscheck::proto {

/// Named close codes (7.4.1) and the IANA registrations that followed.
namespace close_code {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t going_away = 1001;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t unsupported_data = 1003;
inline constexpr std::uint16_t reserved_1004 = 1004;
inline constexpr std::uint16_t no_status = 1005;      ///< never on the wire: "no code received"
inline constexpr std::uint16_t abnormal = 1006;       ///< never on the wire: "closed without a Close frame"
inline constexpr std::uint16_t invalid_payload = 1007;
inline constexpr std::uint16_t policy_violation = 1008;
inline constexpr std::uint16_t too_big = 1009;
inline constexpr std::uint16_t missing_extension = 1010;
inline constexpr std::uint16_t internal_error = 1011;
inline constexpr std::uint16_t service_restart = 1012;
inline constexpr std::uint16_t try_again_later = 1013;
inline constexpr std::uint16_t bad_gateway = 1014;
inline constexpr std::uint16_t tls_handshake = 1015;  ///< never on the wire
} // namespace close_code

/// Where a code falls in 7.4.
enum class close_code_class : std::uint8_t {
    out_of_range,        ///< 0-999 and 5000+: never used (7.4.2)
    registered,          ///< 1000-1003, 1007-1014: defined by RFC 6455 or registered with IANA
    reserved_never_sent, ///< 1004, 1005, 1006, 1015: must not appear in a Close frame (7.4.1)
    unassigned,          ///< 1016-2999: reserved for future revisions of the protocol (7.4.2)
    library_use,         ///< 3000-3999: for libraries and frameworks, registered with IANA
    private_use,         ///< 4000-4999: for applications, by private agreement
};

close_code_class classify_close_code(std::uint16_t code) noexcept;
std::string_view to_string(close_code_class c) noexcept;

/// True when `code` may appear in a Close frame: registered, library or private use.
bool is_valid_close_code(std::uint16_t code) noexcept;

/// 5.5: 125 bytes of control payload, 2 of them the code.
inline constexpr std::size_t max_close_reason = 123;

struct close_payload {
    std::optional<std::uint16_t> code; ///< absent for an empty payload
    std::string reason;
};

/// Parses and validates a close payload: empty, or a code valid on the wire followed by a
/// UTF-8 reason. Errors: bad_close_size (1 byte), bad_close_code, bad_close_reason.
/// `out` is filled as far as the bytes allow, even when an error is returned.
std::error_code parse_close_payload(std::span<const std::uint8_t> payload,
                                    close_payload& out) noexcept;

/// The payload bytes for a Close frame: nothing when `code` is absent, else the code in
/// network order and the reason. Builds what it is given, valid or not, so cases can lie.
std::vector<std::uint8_t> build_close_payload(std::optional<std::uint16_t> code,
                                              std::string_view reason = {});

} // namespace wscheck::proto
