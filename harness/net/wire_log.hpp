// A capped record of the bytes a stream sent and received, with timestamps, for reports and
// debugging. It keeps the first `max_bytes` bytes of traffic and counts the rest, so a
// 16 MiB message or a flood cannot exhaust memory.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <span>
#include <vector>

namespace wscheck::net {

enum class direction : std::uint8_t { sent, received };

struct wire_record {
    std::chrono::microseconds at{}; ///< since the log was created
    direction dir = direction::sent;
    std::size_t size = 0;           ///< bytes that went over the wire in this transfer
    std::vector<std::uint8_t> bytes; ///< the first of them, as many as the cap left room for
};

class wire_log {
public:
    explicit wire_log(std::size_t max_bytes = 1024 * 1024);

    /// Appends one transfer. Once `max_bytes` bytes are stored, later transfers are still
    /// recorded (time, direction, size) but without their bytes.
    void record(direction dir, std::span<const std::uint8_t> data);

    const std::vector<wire_record>& records() const noexcept { return records_; }
    std::size_t stored_bytes() const noexcept { return stored_; }
    /// Bytes seen but not stored because of the cap.
    std::size_t dropped_bytes() const noexcept { return dropped_; }
    std::size_t max_bytes() const noexcept { return max_bytes_; }

    /// One line per transfer: "+0.001234 > 6 bytes  81 84 12 34 ab cd" (">" sent, "<"
    /// received), at most `max_hex` bytes of hex each.
    void write_text(std::ostream& out, std::size_t max_hex = 64) const;

private:
    std::chrono::steady_clock::time_point start_;
    std::size_t max_bytes_;
    std::size_t stored_ = 0;
    std::size_t dropped_ = 0;
    // Bounded too: a peer sending one byte at a time must not grow this without limit.
    std::size_t max_records_;
    std::vector<wire_record> records_;
};

} // namespace wscheck::net
