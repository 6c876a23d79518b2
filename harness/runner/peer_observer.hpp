// The tester's end of a case's connection, after the opening handshake, with no I/O.
//
// Why not proto::session: a session is a conformant endpoint and fails the connection at the
// peer's first mistake. The tester must instead *watch*: record every message, ping and pong
// the peer sends (the events a case's outcomes are compared with), note every rule the peer
// breaks without stopping, and keep the closing handshake going the way a correct endpoint
// would, so the judge can tell who closed, with which code, and how cleanly.
//
// What it does by itself, as the Autobahn Testsuite's tester does: answers a Ping with a Pong
// (5.5.2) and the peer's Close with a Close (5.5.1, echoing a valid code). Everything it wants
// written comes out of take_output(); the runner writes it.
#pragma once

#include "cases/case.hpp"
#include "harness/proto/close.hpp"
#include "harness/proto/deflate_stream.hpp"
#include "harness/proto/error.hpp"
#include "harness/proto/frame_parser.hpp"
#include "harness/proto/role.hpp"
#include "harness/proto/utf8.hpp"
#include "harness/runner/wire_log.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace wscheck::runner {

struct observer_options {
    proto::role local_role = proto::role::client; ///< the tester's role; the peer has the other
    bool rsv1_allowed = false;                    ///< an extension gave RSV1 a meaning
    /// Kept per message; more is cut. The largest message a case expects is 16 MiB.
    std::uint64_t max_message_size = 17ull * 1024 * 1024;
    wire_log_limits log{};
};

/// One rule the peer broke, the first time it did.
struct peer_violation {
    /// The protocol core's code; a value-initialized one (0) for a rule only the tester
    /// checks across frames (a reused masking key, 5.3).
    proto::violation what{};
    std::chrono::microseconds at{};
    std::size_t frame_index = 0; ///< among the frames received (0-based)
    std::string_view section;    ///< "5.1", "RFC 7692 6.2"
    std::string_view message;    ///< the rule broken, in a few words
};

class peer_observer {
public:
    explicit peer_observer(observer_options options = {});

    // ---- from the peer ----

    /// Bytes the peer sent (unmasked in place). `at` is the time since the connection opened.
    void receive(std::span<std::uint8_t> data, std::chrono::microseconds at);
    /// The peer closed TCP (or it reset).
    void receive_eof(std::chrono::microseconds at);

    // ---- from us ----

    /// Records a frame we wrote (the runner builds them). A Close marks our side of the
    /// closing handshake when `closes` is set; a case's raw frame with the close opcode (3.7
    /// sends one with RSV bits set) is only logged, as the Autobahn Testsuite's sendFrame.
    void sent_frame(const proto::frame_header& h, std::span<const std::uint8_t> payload,
                    std::chrono::microseconds at, bool closes = true);
    /// Bytes we wrote that are not frames (HTTP head, raw bytes of a case).
    void sent_bytes(std::string what, std::span<const std::uint8_t> data, std::chrono::microseconds at);
    /// A Close we start (our first): the frame bytes for the runner to write, already logged.
    std::vector<std::uint8_t> start_close(std::optional<std::uint16_t> code, std::string_view reason,
                                          std::chrono::microseconds at);
    /// A case step appends a ("timeout", label) event (Autobahn's continueLater).
    void add_event(cases::event e) { events_.push_back(std::move(e)); }
    /// Forgets the last event (an echo_series step compared it already).
    void drop_last_event() {
        if (!events_.empty()) {
            events_.pop_back();
        }
    }
    /// permessage-deflate was agreed (RFC 7692): from now on RSV1 on a message's first frame
    /// means compressed, and such messages are inflated with the peer's window and context
    /// rule before they become events; RSV1 on a continuation or control frame is the peer's
    /// violation (6.1), and so is data that does not inflate (6.2).
    void use_deflate(const proto::deflate_agreement& agreed);

    /// From the first rule the peer breaks on, read its data frames no more (a message in
    /// progress is dropped): the tester then fails the connection, and an endpoint that does so
    /// discards what follows (RFC 6455 7.1.7), so nothing after the fault is judged. Its control
    /// frames still count (its Close ends the closing handshake). Off by default: where the
    /// peer must fail the connection itself, what it goes on to send is evidence.
    void fail_fast(bool on) noexcept { fail_fast_ = on; }

    /// Frames the observer wants written (pongs, our Close reply); empties the queue.
    std::vector<std::uint8_t> take_output();

    // ---- what happened ----

    const std::vector<cases::event>& events() const noexcept { return events_; }
    const std::vector<peer_violation>& violations() const noexcept { return violations_; }
    const wire_log& log() const noexcept { return log_; }
    wire_log& log() noexcept { return log_; }

    bool close_sent() const noexcept { return close_sent_; }
    bool close_received() const noexcept { return close_received_; }
    /// We sent our Close before the peer's arrived: we started the closing handshake.
    bool closed_by_us() const noexcept { return closed_by_us_; }
    /// Both Close frames crossed.
    bool handshake_closed() const noexcept { return close_sent_ && close_received_; }
    bool peer_eof() const noexcept { return peer_eof_; }
    /// The code the peer's Close carried (absent: empty payload or no Close).
    std::optional<std::uint16_t> remote_close_code() const noexcept { return remote_code_; }
    const std::string& remote_close_reason() const noexcept { return remote_reason_; }
    std::optional<std::uint16_t> local_close_code() const noexcept { return local_code_; }
    /// A message was longer than max_message_size and was cut in the events.
    bool message_cut() const noexcept { return message_cut_; }
    std::uint64_t frames_received() const noexcept { return frames_received_; }
    std::uint64_t bytes_received() const noexcept { return bytes_received_; }

private:
    void on_header(std::chrono::microseconds at);
    void on_payload(std::span<const std::uint8_t> data);
    void on_frame_end(std::chrono::microseconds at);
    void on_close_frame(std::chrono::microseconds at);
    void inflate(std::span<const std::uint8_t> data, bool last);
    void note(proto::violation v, std::chrono::microseconds at);
    void start_discarding();
    void check_mask_key(std::chrono::microseconds at);
    void queue_frame(proto::opcode op, std::span<const std::uint8_t> payload, std::chrono::microseconds at);

    observer_options options_;
    proto::frame_parser parser_;
    wire_log log_;
    std::vector<cases::event> events_;
    std::vector<peer_violation> violations_;
    std::uint64_t seen_violations_ = 0;
    // 5.3: a client picks a fresh masking key for every frame.
    std::optional<proto::mask_key> last_key_;
    bool key_reuse_noted_ = false;

    // the frame being read
    proto::frame_header frame_{};
    std::chrono::microseconds frame_at_{};
    bool frame_is_message_part_ = false; ///< data frame that belongs to the current message
    std::vector<std::uint8_t> control_;  ///< payload of the control frame being read
    std::uint64_t frames_received_ = 0;
    std::uint64_t bytes_received_ = 0;

    // the message being reassembled
    bool in_message_ = false;
    proto::opcode message_op_ = proto::opcode::text;
    std::vector<std::uint8_t> message_;
    proto::utf8_validator utf8_;
    bool utf8_noted_ = false;
    bool message_cut_ = false;
    std::size_t last_message_size_ = 0; ///< room reserved for the next message (capped)
    bool fail_fast_ = false;
    bool discarding_ = false;           ///< fail_fast and the peer broke a rule: data is ignored

    // closing handshake
    bool close_sent_ = false;
    bool close_received_ = false;
    bool closed_by_us_ = false;
    bool peer_eof_ = false;
    std::optional<std::uint16_t> remote_code_;
    std::string remote_reason_;
    std::optional<std::uint16_t> local_code_;

    std::vector<std::uint8_t> output_;

    // permessage-deflate, once agreed
    proto::inflater_options inflate_options_{};
    std::unique_ptr<proto::message_inflater> inflater_;
    bool message_compressed_ = false; ///< the current message had RSV1 on its first frame
    bool inflate_failed_ = false;     ///< the current message stopped inflating
};

} // namespace wscheck::runner
