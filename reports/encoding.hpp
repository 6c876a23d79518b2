// Byte and time encodings the reporters share: hex, "is this printable text", RFC 3339.
//
// Why a printable test and not only a UTF-8 one: a JSON string may hold any valid UTF-8, but a
// payload of NULs and escapes reads better (and diffs better) as hex; so bytes are text only
// when they are valid UTF-8 (RFC 3629) with no C0 control other than tab, LF and CR, and no DEL.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wscheck::reports {

/// Views the bytes of a string.
inline std::span<const std::uint8_t> as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

/// True when `data` is valid UTF-8 and has no control characters but tab, LF and CR.
bool is_printable_text(std::span<const std::uint8_t> data) noexcept;

/// `s` with every byte that is not part of a valid UTF-8 sequence replaced by U+FFFD, so that
/// it can go into a JSON string (which must be valid UTF-8) whatever a peer sent.
std::string to_valid_utf8(std::string_view s);

/// `s` cut to `max` bytes without splitting a UTF-8 sequence, the cut marked with "...".
std::string cut_text(std::string s, std::size_t max);

/// Lower-case hex, two digits per byte, no separators ("" for no bytes).
std::string to_hex(std::span<const std::uint8_t> data);

/// Decodes to_hex()'s output (either case); nullopt for an odd length or a non-hex digit.
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view hex);

/// RFC 3339 in UTC with microseconds: "2026-11-25T07:33:05.123456Z" (finer digits dropped).
std::string to_rfc3339(std::chrono::system_clock::time_point t);

/// Parses RFC 3339 date-times ("Z" or a numeric offset, 0-9 fraction digits; digits beyond
/// microseconds are dropped). nullopt when the text is not one.
std::optional<std::chrono::system_clock::time_point> from_rfc3339(std::string_view text);

} // namespace wscheck::reports
