#include "harness/runner/peer_observer.hpp"

#include "harness/runner/frame_writer.hpp"

#include <algorithm>

namespace wscheck::runner {

namespace {

/// A control frame may carry 125 bytes (5.5); a peer that sends more is noted by the parser,
/// and we keep this much of it so the event still shows what came.
constexpr std::size_t control_keep = 64 * 1024;

/// The most room reserved ahead for a message, from the size of the one before.
constexpr std::size_t max_reserved_message = 1024 * 1024;

proto::frame_parser_options parser_options(const observer_options& o) {
    proto::frame_parser_options p;
    p.local_role = o.local_role;
    p.mode = proto::parse_mode::observe;
    p.rsv1_allowed = o.rsv1_allowed;
    return p;
}

void append_capped(std::vector<std::uint8_t>& to, std::span<const std::uint8_t> data,
                   std::uint64_t cap, bool& cut) {
    const std::uint64_t room = cap > to.size() ? cap - to.size() : 0;
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(room, data.size()));
    to.insert(to.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
    if (n < data.size()) {
        cut = true;
    }
}

} // namespace

peer_observer::peer_observer(observer_options options)
    : options_(options), parser_(parser_options(options_)), log_(options_.log) {}

void peer_observer::receive(std::span<std::uint8_t> data, std::chrono::microseconds at) {
    bytes_received_ += data.size();
    // Call feed() until it asks for more, even with no bytes left: a zero-length frame's
    // frame_end comes on the call after its header.
    for (;;) {
        const auto r = parser_.feed(data);
        data = data.subspan(r.consumed);
        switch (r.what) {
        case proto::frame_parser::event::need_more: return;
        case proto::frame_parser::event::header: on_header(at); break;
        case proto::frame_parser::event::payload: on_payload(r.data); break;
        case proto::frame_parser::event::frame_end: on_frame_end(at); break;
        case proto::frame_parser::event::error: return; // observe mode reports none
        }
    }
}

void peer_observer::receive_eof(std::chrono::microseconds) {
    peer_eof_ = true;
    if (!parser_.at_frame_boundary()) {
        log_.frame_incomplete();
    }
}

void peer_observer::note(proto::violation v, std::chrono::microseconds at) {
    const std::uint64_t bit = std::uint64_t{1} << static_cast<unsigned>(v);
    if ((seen_violations_ & bit) != 0) {
        return;
    }
    seen_violations_ |= bit;
    const auto& row = proto::info(v);
    violations_.push_back({v, at, static_cast<std::size_t>(frames_received_ - 1), row.section, row.message});
    start_discarding();
}

void peer_observer::start_discarding() {
    if (!fail_fast_ || discarding_) {
        return;
    }
    discarding_ = true;
    in_message_ = false;
    frame_is_message_part_ = false;
    message_ = {};
}

void peer_observer::check_mask_key(std::chrono::microseconds at) {
    // 5.3: "the client MUST pick a fresh masking key" for each frame, unpredictable to the
    // application. Predictability cannot be measured on one connection, but a key equal to
    // the previous frame's (an all-zero key used throughout is the common case) is no fresh
    // key. A conformant client draws the same 32-bit key twice in a row with probability
    // 2^-32 per pair of frames, a false alarm we accept and document (docs/testing-clients.md).
    if (frame_.masked && last_key_ && *last_key_ == frame_.key && !key_reuse_noted_) {
        key_reuse_noted_ = true;
        violations_.push_back({proto::violation{}, at, static_cast<std::size_t>(frames_received_ - 1), "5.3",
                               "the client reused the previous frame's masking key instead of a fresh one"});
    }
    if (frame_.masked) {
        last_key_ = frame_.key;
    }
    if (key_reuse_noted_) {
        start_discarding();
    }
}

void peer_observer::on_header(std::chrono::microseconds at) {
    ++frames_received_;
    frame_ = parser_.header();
    frame_at_ = at;
    const auto& found = parser_.header_violations();
    log_.begin_frame(direction::received, at, frame_, found.bits());
    for (unsigned i = 0; i < 64; ++i) {
        const auto v = static_cast<proto::violation>(i);
        // Size limits are ours, not the RFC's: a big frame is no fault of the peer.
        if (found.contains(v) && v != proto::violation::frame_too_big &&
            v != proto::violation::message_too_big) {
            note(v, at);
        }
    }
    if (options_.local_role == proto::role::server) {
        check_mask_key(at);
    }
    control_.clear();
    frame_is_message_part_ = false;
    // RFC 7692 6.1: only a message's first frame may carry RSV1 ("compressed"); the parser
    // allows RSV1 once the extension is agreed, so where it lands is checked here.
    if (inflater_ && frame_.rsv1 && (proto::is_control(frame_.op) || frame_.op == proto::opcode::cont)) {
        note(proto::violation::misplaced_rsv1, at);
    }
    if (proto::is_control(frame_.op) || discarding_) {
        return;
    }
    // 5.5.1: once an endpoint has sent its Close it sends no more data frames.
    if (close_received_) {
        note(proto::violation::data_after_close, at);
        return;
    }
    if (frame_.op == proto::opcode::cont) {
        frame_is_message_part_ = in_message_; // else bad_continuation, noted by the parser
        return;
    }
    if (proto::is_reserved(frame_.op)) {
        return;
    }
    // A new text or binary message; one still open was broken off (missing_continuation).
    in_message_ = true;
    frame_is_message_part_ = true;
    message_op_ = frame_.op;
    message_.clear();
    // The room the last message needed: a series of equal sizes then grows no buffer.
    message_.reserve(std::min<std::size_t>(last_message_size_, max_reserved_message));
    utf8_.reset();
    utf8_noted_ = false;
    message_compressed_ = inflater_ && frame_.rsv1;
    inflate_failed_ = false;
}

void peer_observer::use_deflate(const proto::deflate_agreement& agreed) {
    // The peer compresses with its own direction's window and context rule (7.1.1, 7.1.2).
    const bool peer_is_server = options_.local_role == proto::role::client;
    inflate_options_.window_bits = peer_is_server ? agreed.server_max_window_bits : agreed.client_max_window_bits;
    inflate_options_.no_context_takeover =
        peer_is_server ? agreed.server_no_context_takeover : agreed.client_no_context_takeover;
    inflate_options_.max_message_size = options_.max_message_size;
    // A peer that compresses with a larger window than it agreed to (7.1.2) must be caught:
    // zlib measures a back-reference against its window plus the output of the current call,
    // so the tester inflates with its own decoder, which holds every reference to
    // min(history, 2^window_bits) exactly, at every window size, and faster than zlib.
    inflate_options_.exact_window = true;
    inflater_ = std::make_unique<proto::message_inflater>(inflate_options_);
    parser_.set_rsv1_allowed(true);
}

void peer_observer::inflate(std::span<const std::uint8_t> data, bool last) {
    if (inflate_failed_) {
        return;
    }
    const std::size_t before = message_.size();
    auto ec = inflater_->write(data, message_);
    if (!ec && last) {
        ec = inflater_->finish(message_);
    }
    if (ec) {
        inflate_failed_ = true;
        if (ec == proto::violation::inflated_too_big) {
            message_cut_ = true; // our cap, not the peer's fault: the event keeps what fitted
            message_.resize(static_cast<std::size_t>(std::min<std::uint64_t>(message_.size(), options_.max_message_size)));
        } else {
            note(static_cast<proto::violation>(ec.value()), frame_at_); // 7692 6.2: it must inflate
        }
        // A failed inflater is spent; the next message gets a fresh one (its context is lost,
        // which only matters to a peer that already broke the rules).
        inflater_ = std::make_unique<proto::message_inflater>(inflate_options_);
    }
    // 8.1 on the inflated text, as it arrives.
    if (message_op_ == proto::opcode::text && !utf8_noted_ && message_.size() > before) {
        const std::span<const std::uint8_t> fresh{message_.data() + before, message_.size() - before};
        if (!utf8_.write(fresh)) {
            utf8_noted_ = true;
            note(proto::violation::bad_utf8, frame_at_);
        }
    }
}

void peer_observer::on_payload(std::span<const std::uint8_t> data) {
    log_.frame_payload(data);
    if (proto::is_control(frame_.op)) {
        bool cut = false;
        append_capped(control_, data, control_keep, cut);
        return;
    }
    if (!frame_is_message_part_) {
        return;
    }
    if (message_compressed_) {
        inflate(data, false);
        return;
    }
    append_capped(message_, data, options_.max_message_size, message_cut_);
    // 8.1: text is checked as it arrives; a compressed (RSV1) message is not plain text yet,
    // unless the extension is ours to inflate (then it is plain when RSV1 is clear).
    if (message_op_ == proto::opcode::text && (inflater_ || !options_.rsv1_allowed) && !utf8_noted_ &&
        !utf8_.write(data)) {
        utf8_noted_ = true;
        note(proto::violation::bad_utf8, frame_at_);
    }
}

void peer_observer::on_frame_end(std::chrono::microseconds at) {
    using kind = cases::event::kind;
    switch (frame_.op) {
    case proto::opcode::ping:
        events_.push_back({kind::ping, cases::payload{control_}});
        if (!close_sent_) {
            queue_frame(proto::opcode::pong, control_, at); // 5.5.2
        }
        return;
    case proto::opcode::pong: events_.push_back({kind::pong, cases::payload{control_}}); return;
    case proto::opcode::close: on_close_frame(at); return;
    default: break;
    }
    if (!frame_is_message_part_ || !frame_.fin) {
        return;
    }
    if (message_compressed_) {
        inflate({}, true); // 7.2.2: the tail appended, the message ended
    }
    if (message_op_ == proto::opcode::text && (inflater_ || !options_.rsv1_allowed) && !utf8_noted_ &&
        !inflate_failed_ && !utf8_.finish()) {
        utf8_noted_ = true;
        note(proto::violation::bad_utf8, at);
    }
    if (!frame_is_message_part_) {
        return; // a rule broken within the message: discarded (fail_fast)
    }
    last_message_size_ = message_.size();
    events_.push_back({message_op_ == proto::opcode::text ? kind::text : kind::binary,
                       cases::payload{std::move(message_)}});
    message_ = {};
    in_message_ = false;
}

void peer_observer::on_close_frame(std::chrono::microseconds at) {
    if (close_received_) {
        return;
    }
    close_received_ = true;
    proto::close_payload parsed;
    const std::error_code ec = proto::parse_close_payload(control_, parsed);
    if (ec) {
        note(static_cast<proto::violation>(ec.value()), at); // parse_close_payload's own codes
    }
    remote_code_ = parsed.code;
    remote_reason_ = parsed.reason;
    if (close_sent_) {
        return;
    }
    // 5.5.1: answer with a Close, echoing the code (7.4.1: 1002 when the peer's was bad).
    std::optional<std::uint16_t> reply = parsed.code;
    if (ec) {
        reply = proto::close_code::protocol_error;
    }
    const auto payload = proto::build_close_payload(reply);
    queue_frame(proto::opcode::close, payload, at);
}

void peer_observer::queue_frame(proto::opcode op, std::span<const std::uint8_t> payload,
                                std::chrono::microseconds at) {
    frame_spec spec;
    spec.op = op;
    const auto frame = write_frame(spec, payload, options_.local_role);
    sent_frame(frame.header, payload, at);
    output_.insert(output_.end(), frame.bytes.begin(), frame.bytes.end());
}

void peer_observer::sent_frame(const proto::frame_header& h, std::span<const std::uint8_t> payload,
                               std::chrono::microseconds at, bool closes) {
    log_.begin_frame(direction::sent, at, h);
    log_.frame_payload(payload);
    if (!closes || h.op != proto::opcode::close || close_sent_) {
        return;
    }
    close_sent_ = true;
    closed_by_us_ = !close_received_;
    if (payload.size() >= 2) {
        local_code_ = static_cast<std::uint16_t>((payload[0] << 8) | payload[1]);
    }
}

void peer_observer::sent_bytes(std::string what, std::span<const std::uint8_t> data,
                               std::chrono::microseconds at) {
    log_.bytes(direction::sent, at, std::move(what), data);
}

std::vector<std::uint8_t> peer_observer::start_close(std::optional<std::uint16_t> code,
                                                     std::string_view reason,
                                                     std::chrono::microseconds at) {
    if (close_sent_) {
        return {};
    }
    frame_spec spec;
    spec.op = proto::opcode::close;
    const auto payload = proto::build_close_payload(code, reason);
    auto frame = write_frame(spec, payload, options_.local_role);
    sent_frame(frame.header, payload, at);
    return std::move(frame.bytes);
}

std::vector<std::uint8_t> peer_observer::take_output() {
    std::vector<std::uint8_t> out;
    out.swap(output_);
    return out;
}

} // namespace wscheck::runner
