#include "tests/support/frame_relay.hpp"

#include "harness/proto/mask.hpp"

namespace wscheck::test_support {

void encode_frame(const relay_frame& f, std::vector<std::uint8_t>& out) {
    proto::frame_header h = f.header;
    h.length = f.payload.size();
    std::array<std::uint8_t, proto::max_header_size> head{};
    const std::size_t n = proto::encode_header(h, head);
    out.insert(out.end(), head.begin(), head.begin() + static_cast<std::ptrdiff_t>(n));
    const std::size_t at = out.size();
    out.insert(out.end(), f.payload.begin(), f.payload.end());
    if (h.masked) {
        proto::mask_inplace(std::span<std::uint8_t>{out}.subspan(at), h.key);
    }
}

frame_relay::frame_relay(proto::role sender, frame_filter* filter, std::uint64_t collect_cap)
    : parser_(proto::frame_parser_options{
          // The parser takes the receiver's side: a server reads a client's frames.
          sender == proto::role::client ? proto::role::server : proto::role::client,
          proto::parse_mode::observe, false, proto::max_payload_length}),
      filter_(filter), collect_cap_(collect_cap) {}

bool frame_relay::feed(std::span<std::uint8_t> in, std::vector<std::uint8_t>& out) {
    if (crashed_) {
        return false;
    }
    // Each call consumes at least one byte or reports frame_end / need_more, so the loop ends
    // within in.size() + (frames in `in`) + 1 rounds.
    for (;;) {
        const auto r = parser_.feed(in);
        if (in_header_) {
            raw_header_.insert(raw_header_.end(), in.begin(), in.begin() + static_cast<std::ptrdiff_t>(r.consumed));
        }
        in = in.subspan(r.consumed);
        switch (r.what) {
        case proto::frame_parser::event::need_more:
        case proto::frame_parser::event::error: // observe mode never reports one
            return true;
        case proto::frame_parser::event::header:
            in_header_ = false;
            on_header(out);
            if (crashed_) {
                return false;
            }
            break;
        case proto::frame_parser::event::payload:
            on_payload(r.data, out);
            break;
        case proto::frame_parser::event::frame_end:
            on_frame_end(out);
            in_header_ = true;
            raw_header_.clear();
            break;
        }
    }
}

std::optional<std::chrono::steady_clock::time_point> frame_relay::held_until() const {
    return filter_ ? filter_->held_until() : std::nullopt;
}

bool frame_relay::release_due(std::chrono::steady_clock::time_point now, std::vector<std::uint8_t>& out) {
    if (filter_ == nullptr || !in_header_ || !raw_header_.empty()) {
        return false;
    }
    std::vector<relay_frame> due;
    filter_->release(now, due);
    const bool any = !due.empty();
    emit(due, out);
    return any;
}

void frame_relay::on_header(std::vector<std::uint8_t>& out) {
    const proto::frame_header& original = parser_.header();
    proto::frame_header h = original;
    std::vector<relay_frame> before;
    action_ = filter_ ? filter_->on_header(h, parser_.header_violations(), before) : frame_action::forward;
    h.length = original.length; // a filter changes what a frame says, not how long it is
    emit(before, out);
    if (action_ == frame_action::crash) {
        crashed_ = true;
        return;
    }
    if (action_ == frame_action::collect && original.length > collect_cap_) {
        action_ = frame_action::forward;
    }
    if (action_ == frame_action::collect) {
        collected_ = relay_frame{h, {}};
        collected_.payload.reserve(static_cast<std::size_t>(original.length));
    } else if (action_ == frame_action::forward) {
        out_header_ = h;
        out_phase_ = 0;
        if (h == original) {
            out.insert(out.end(), raw_header_.begin(), raw_header_.end());
        } else {
            std::array<std::uint8_t, proto::max_header_size> head{};
            const std::size_t n = proto::encode_header(h, head);
            out.insert(out.end(), head.begin(), head.begin() + static_cast<std::ptrdiff_t>(n));
        }
    }
}

void frame_relay::on_payload(std::span<std::uint8_t> data, std::vector<std::uint8_t>& out) {
    if (action_ == frame_action::collect) {
        collected_.payload.insert(collected_.payload.end(), data.begin(), data.end());
    } else if (action_ == frame_action::forward) {
        const std::size_t at = out.size();
        out.insert(out.end(), data.begin(), data.end());
        if (out_header_.masked) {
            out_phase_ = proto::mask_inplace(std::span<std::uint8_t>{out}.subspan(at), out_header_.key, out_phase_);
        }
    }
}

void frame_relay::on_frame_end(std::vector<std::uint8_t>& out) {
    if (action_ != frame_action::collect) {
        return;
    }
    std::vector<relay_frame> instead;
    filter_->on_frame(std::move(collected_), instead);
    collected_ = relay_frame{};
    emit(instead, out);
}

void frame_relay::emit(std::vector<relay_frame>& frames, std::vector<std::uint8_t>& out) {
    for (const auto& f : frames) {
        encode_frame(f, out);
    }
    frames.clear();
}

} // namespace wscheck::test_support
