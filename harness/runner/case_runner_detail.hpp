// What the two openings of case_runner (client_opening.cpp, server_opening.cpp) and its
// shared part (case_runner.cpp) have in common: buffer sizes and one-sentence texts.
#pragma once

#include "harness/proto/error.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace wscheck::runner::detail {

/// A handshake head is read this much at a time (http_parser caps the whole head).
inline constexpr std::size_t handshake_read_size = 4096;
/// Frames are read this much at a time.
inline constexpr std::size_t frame_read_size = 64 * 1024;
/// The request or response head kept in a case's record.
inline constexpr std::size_t kept_head_bytes = 16 * 1024;

inline std::span<const std::uint8_t> as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

/// "Sec-WebSocket-Accept missing or wrong (RFC 6455 4.1)" for a proto::violation.
inline std::string sentence_for(std::error_code ec) {
    if (const auto* row = proto::info(ec)) {
        const std::string rfc = row->section.starts_with("RFC") ? "" : "RFC 6455 ";
        return std::string{row->message} + " (" + rfc + std::string{row->section} + ")";
    }
    return ec.message();
}

} // namespace wscheck::runner::detail
