// One direction of a WebSocket connection, relayed frame by frame through a filter (sans-IO).
//
// Theory of operation
//   feed() parses what the sender wrote with proto::frame_parser in observe mode (so nothing,
//   however wrong, stops the relay) and appends what is to go on to the receiver. For each
//   frame the filter decides, when its header arrives:
//     forward   the frame goes on as it comes, payload piece by piece, so timing survives
//               (a frame written in parts with pauses arrives in parts with pauses). A header
//               the filter left alone is written with its original bytes (a non-minimal length
//               stays non-minimal); a changed one is encoded anew, and the payload is masked
//               with the key the outgoing header names.
//     drop      header and payload vanish.
//     collect   the payload is gathered and the whole frame handed to the filter, which
//               answers with the frames to send instead (none, one, or several).
//     crash     the relay reports it (the proxy then plays a server that died).
//   Without a filter, or with one that forwards everything untouched, the bytes out are the
//   bytes in.
#pragma once

#include "harness/proto/frame.hpp"
#include "harness/proto/frame_parser.hpp"
#include "harness/proto/role.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace wscheck::test_support {

/// A whole frame, payload unmasked; encoding it writes header.length = payload.size().
struct relay_frame {
    proto::frame_header header{};
    std::vector<std::uint8_t> payload;
};

enum class frame_action { forward, drop, collect, crash };

/// The per-fault part of a relay direction: one small transform.
class frame_filter {
public:
    virtual ~frame_filter() = default;
    /// A header arrived. `h` may be changed (anything but its length) for forwarding; frames
    /// appended to `before` are sent ahead of this one.
    virtual frame_action on_header(proto::frame_header& h, const proto::violation_set& broken,
                                   std::vector<relay_frame>& before) {
        (void)h;
        (void)broken;
        (void)before;
        return frame_action::forward;
    }
    /// A collected frame is complete: append what to send in its place.
    virtual void on_frame(relay_frame f, std::vector<relay_frame>& out) { out.push_back(std::move(f)); }
    /// A filter that holds frames back for a while: when the first of them is due (nullopt:
    /// none is held). The relay's owner then calls release() between two frames.
    virtual std::optional<std::chrono::steady_clock::time_point> held_until() const { return std::nullopt; }
    /// Appends the held frames that are due at `now`, when sending them now keeps the stream
    /// valid (not in the middle of a fragmented message).
    virtual void release(std::chrono::steady_clock::time_point now, std::vector<relay_frame>& out) {
        (void)now;
        (void)out;
    }
};

/// Bytes of `f` on the wire: header (minimal length) and payload, masked when the header says so.
void encode_frame(const relay_frame& f, std::vector<std::uint8_t>& out);

class frame_relay {
public:
    /// `sender` is the role of the endpoint whose frames are fed. `filter` may be null
    /// (everything forwarded); it must outlive the relay. Frames announcing more than
    /// `collect_cap` bytes are forwarded even when the filter asks to collect them.
    frame_relay(proto::role sender, frame_filter* filter, std::uint64_t collect_cap = 64ull * 1024 * 1024);

    /// Parses `in` (unmasked in place) and appends the bytes to pass on to `out`. Returns false
    /// when the filter asked for a crash; nothing more should be fed then.
    bool feed(std::span<std::uint8_t> in, std::vector<std::uint8_t>& out);

    /// When frames the filter holds back are due (nullopt: none are).
    std::optional<std::chrono::steady_clock::time_point> held_until() const;
    /// Appends the held frames due at `now` to `out`, if the relay stands between two frames
    /// (a frame being forwarded is never cut); false when nothing was released.
    bool release_due(std::chrono::steady_clock::time_point now, std::vector<std::uint8_t>& out);

private:
    void on_header(std::vector<std::uint8_t>& out);
    void on_payload(std::span<std::uint8_t> data, std::vector<std::uint8_t>& out);
    void on_frame_end(std::vector<std::uint8_t>& out);
    void emit(std::vector<relay_frame>& frames, std::vector<std::uint8_t>& out);

    proto::frame_parser parser_;
    frame_filter* filter_;
    std::uint64_t collect_cap_;
    bool in_header_ = true;                    ///< between frames: consumed bytes are header bytes
    std::vector<std::uint8_t> raw_header_;     ///< the current header as it was on the wire
    frame_action action_ = frame_action::forward;
    proto::frame_header out_header_{};         ///< the header forwarded (its key masks the payload)
    std::size_t out_phase_ = 0;
    relay_frame collected_;
    bool crashed_ = false;
};

} // namespace wscheck::test_support
