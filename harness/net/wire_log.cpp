#include "harness/net/wire_log.hpp"

#include <algorithm>
#include <cstdio>
#include <ostream>

namespace wscheck::net {

wire_log::wire_log(std::size_t max_bytes)
    : start_(std::chrono::steady_clock::now()),
      max_bytes_(max_bytes),
      max_records_(std::max<std::size_t>(1024, max_bytes / 16)) {}

void wire_log::record(direction dir, std::span<const std::uint8_t> data) {
    if (records_.size() >= max_records_) {
        dropped_ += data.size();
        return;
    }
    wire_record rec;
    rec.at = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start_);
    rec.dir = dir;
    rec.size = data.size();
    const auto keep = std::min(data.size(), max_bytes_ - stored_);
    rec.bytes.assign(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(keep));
    stored_ += keep;
    dropped_ += data.size() - keep;
    records_.push_back(std::move(rec));
}

void wire_log::write_text(std::ostream& out, std::size_t max_hex) const {
    for (const auto& rec : records_) {
        char stamp[32];
        std::snprintf(stamp, sizeof stamp, "+%lld.%06lld",
                      static_cast<long long>(rec.at.count() / 1000000),
                      static_cast<long long>(rec.at.count() % 1000000));
        out << stamp << (rec.dir == direction::sent ? " > " : " < ") << rec.size << " bytes ";
        const auto shown = std::min(rec.bytes.size(), max_hex);
        for (std::size_t i = 0; i < shown; ++i) {
            char hex[4];
            std::snprintf(hex, sizeof hex, " %02x", rec.bytes[i]);
            out << hex;
        }
        if (shown < rec.size) {
            out << " ...";
        }
        out << '\n';
    }
    if (dropped_ != 0) {
        out << "(" << dropped_ << " bytes not stored: log cap " << max_bytes_ << " bytes)\n";
    }
}

} // namespace wscheck::net
