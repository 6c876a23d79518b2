// Incremental, fail-fast UTF-8 validation (RFC 3629, as RFC 6455 8.1 requires for text).
//
// Fail-fast means: write() returns false at the first byte that cannot start or continue any
// valid sequence, even when that sequence is split across fragments: "\xED" is fine (it may
// become U+D000), "\xED\xA0" is not (it can only become a surrogate). Overlong forms, surrogates
// (U+D800-U+DFFF) and code points above U+10FFFF are rejected at the earliest byte that proves
// them. finish() then checks that the message did not end inside a sequence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace wscheck::proto {

class utf8_validator {
public:
    /// Validates the next piece of the text. Returns false once the text is known to be
    /// invalid; every later call returns false too until reset().
    bool write(std::span<const std::uint8_t> data) noexcept;
    bool write(std::string_view s) noexcept {
        return write(std::span{reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
    }
    /// True when everything written is valid and no sequence is left incomplete.
    bool finish() const noexcept { return state_ == accept; }
    /// True when nothing written so far is invalid (a sequence may still be incomplete).
    bool ok() const noexcept { return state_ != reject; }
    /// Bytes accepted before the first invalid byte (equals the total written while ok()).
    std::uint64_t valid_bytes() const noexcept { return valid_bytes_; }
    void reset() noexcept { *this = utf8_validator{}; }

    static constexpr std::uint8_t accept = 0;
    static constexpr std::uint8_t reject = 1;

private:
    std::uint8_t state_ = accept;
    std::uint64_t valid_bytes_ = 0;
};

/// Whole-buffer validity in one call.
bool is_valid_utf8(std::span<const std::uint8_t> data) noexcept;
inline bool is_valid_utf8(std::string_view s) noexcept {
    return is_valid_utf8(std::span{reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
}

} // namespace wscheck::proto
