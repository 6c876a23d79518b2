#include "harness/runner/wire_log.hpp"

#include <algorithm>

namespace wscheck::runner {

bool wire_log::begin_frame(direction dir, std::chrono::microseconds at,
                           const proto::frame_header& h, std::uint64_t violations) {
    last_kept_ = frames_.size() < limits_.frames;
    if (!last_kept_) {
        ++dropped_frames_;
        return false;
    }
    logged_frame f;
    f.dir = dir;
    f.at = at;
    f.header = h;
    f.violations = violations;
    frames_.push_back(std::move(f));
    return true;
}

void wire_log::frame_payload(std::span<const std::uint8_t> data) {
    if (!last_kept_ || frames_.empty()) {
        return;
    }
    auto& p = frames_.back().payload;
    const std::size_t room = limits_.payload_bytes - std::min(limits_.payload_bytes, p.size());
    const std::size_t n = std::min(room, data.size());
    p.insert(p.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
}

void wire_log::frame_incomplete() {
    if (last_kept_ && !frames_.empty()) {
        frames_.back().complete = false;
    }
}

void wire_log::bytes(direction dir, std::chrono::microseconds at, std::string what,
                     std::span<const std::uint8_t> data) {
    if (raw_.size() >= limits_.frames) {
        return;
    }
    logged_bytes b;
    b.dir = dir;
    b.at = at;
    b.what = std::move(what);
    b.total = data.size();
    const std::size_t n = std::min(limits_.raw_bytes, data.size());
    b.bytes.assign(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
    raw_.push_back(std::move(b));
}

} // namespace wscheck::runner
