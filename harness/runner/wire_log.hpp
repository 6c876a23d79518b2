// A capped record of the frames that crossed one connection, both ways, for the report.
//
// Why capped: a case may move 16 MiB messages or a hostile peer may stream forever; the log
// keeps the first frames and a prefix of each payload, and counts what it dropped, so its
// size is bounded whatever the peer does.
#pragma once

#include "harness/proto/frame.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace wscheck::runner {

enum class direction : std::uint8_t { sent, received };

struct logged_frame {
    direction dir = direction::sent;
    std::chrono::microseconds at{};       ///< since the connection opened
    proto::frame_header header{};
    std::vector<std::uint8_t> payload;    ///< unmasked, at most wire_log_limits::payload_bytes
    std::uint64_t violations = 0;         ///< received frames: bits of proto::violation
    bool complete = true;                 ///< false when the connection ended mid-frame
};

/// Raw bytes that were not frames: the HTTP heads, and bytes written as they are.
struct logged_bytes {
    direction dir = direction::sent;
    std::chrono::microseconds at{};
    std::string what;                     ///< "http request", "raw", ...
    std::vector<std::uint8_t> bytes;      ///< at most wire_log_limits::raw_bytes
    std::size_t total = 0;                ///< bytes before the cap
};

struct wire_log_limits {
    std::size_t frames = 300;        ///< frames kept per connection (both ways)
    std::size_t payload_bytes = 256; ///< payload prefix kept per frame
    std::size_t raw_bytes = 16 * 1024;
};

class wire_log {
public:
    wire_log() = default;
    explicit wire_log(wire_log_limits limits) : limits_(limits) {}

    /// Starts a frame; returns false (and counts it) when the frame cap is reached.
    bool begin_frame(direction dir, std::chrono::microseconds at, const proto::frame_header& h,
                     std::uint64_t violations = 0);
    /// Appends payload to the frame begun last, up to the per-frame prefix.
    void frame_payload(std::span<const std::uint8_t> data);
    /// Marks the last frame as cut short (the connection ended inside it).
    void frame_incomplete();
    void bytes(direction dir, std::chrono::microseconds at, std::string what,
               std::span<const std::uint8_t> data);

    const std::vector<logged_frame>& frames() const noexcept { return frames_; }
    const std::vector<logged_bytes>& raw() const noexcept { return raw_; }
    std::size_t dropped_frames() const noexcept { return dropped_frames_; }
    const wire_log_limits& limits() const noexcept { return limits_; }

    /// A log rebuilt from its parts, as a report read back from JSON holds them (the caps
    /// are not applied again: the parts were capped when first logged).
    static wire_log restore(wire_log_limits limits, std::vector<logged_frame> frames,
                            std::vector<logged_bytes> raw, std::size_t dropped_frames) {
        wire_log log{limits};
        log.frames_ = std::move(frames);
        log.raw_ = std::move(raw);
        log.dropped_frames_ = dropped_frames;
        return log;
    }

private:
    wire_log_limits limits_{};
    std::vector<logged_frame> frames_;
    std::vector<logged_bytes> raw_;
    std::size_t dropped_frames_ = 0;
    bool last_kept_ = false;
};

} // namespace wscheck::runner
