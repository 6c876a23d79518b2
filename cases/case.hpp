// A case of the catalog, as data: what the tester sends, and what the peer may do.
//
// A case is an id ("5.19"), its RFC reference, two sentences for people (what we send, what the
// peer must do) and a script, built on demand because some scripts carry megabytes of payload.
// The script is a list of steps run in order on a fresh connection, then the runner waits
// until the case ends:
//   - the events received match every allowed outcome's trace so far and the case expects us
//     to close: we start the closing handshake (as Autobahn's finishWhenDone);
//   - the connection closes;
//   - or `timeout` passes after the last step: we drop TCP (Autobahn's killAfter) or start the
//     closing handshake (its closeAfter), as `on_timeout` says; `deadline`, when set, bounds
//     the whole case the same way from the moment the connection opened.
// Then the judge compares the received events with each outcome's trace in order (first match
// wins, else FAILED) and the way the connection closed with `close`.
//
// Roles: the tester is the client when testing a server and the server when testing a client.
// Frames are masked as the tester's role requires unless a step says otherwise.
#pragma once

#include "cases/verdict.hpp"
#include "harness/proto/extension_params.hpp"
#include "harness/proto/frame.hpp"
#include "harness/proto/handshake.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace wscheck::cases {

using std::chrono::milliseconds;

/// Immutable bytes shared between a step and the expectation that echoes them, so a 16 MiB
/// message is held once.
class payload {
public:
    payload() : bytes_(no_bytes()) {}
    payload(std::string_view text)
        : bytes_(std::make_shared<const std::vector<std::uint8_t>>(text.begin(), text.end())) {}
    payload(const char* text) : payload(std::string_view{text}) {}
    payload(std::vector<std::uint8_t> bytes)
        : bytes_(std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes))) {}

    std::span<const std::uint8_t> view() const noexcept { return *bytes_; }
    std::size_t size() const noexcept { return bytes_->size(); }

    /// The first `keep` bytes, remembering the size they were cut from. A judged case's
    /// results keep such prefixes, so a run's memory does not grow with every 16 MiB echo.
    payload prefix(std::size_t keep) const {
        if (keep >= size()) {
            return *this;
        }
        payload p{std::vector<std::uint8_t>(view().begin(), view().begin() + static_cast<std::ptrdiff_t>(keep))};
        p.full_size_ = full_size();
        return p;
    }
    /// The size before prefix() cut it; size() for bytes never cut.
    std::size_t full_size() const noexcept { return full_size_ != 0 ? full_size_ : size(); }
    bool empty() const noexcept { return bytes_->empty(); }
    const std::uint8_t* data() const noexcept { return bytes_->data(); }
    friend bool operator==(const payload& a, const payload& b) noexcept {
        return a.bytes_ == b.bytes_ || *a.bytes_ == *b.bytes_;
    }

private:
    static const std::shared_ptr<const std::vector<std::uint8_t>>& no_bytes() {
        static const auto e = std::make_shared<const std::vector<std::uint8_t>>();
        return e;
    }
    std::shared_ptr<const std::vector<std::uint8_t>> bytes_;
    std::size_t full_size_ = 0; ///< set by prefix() only
};

// ---------------------------------------------------------------- steps

/// One frame, exactly as described, legal or not (Autobahn's sendFrame).
struct send_frame {
    proto::opcode op = proto::opcode::text;
    payload data{};
    bool fin = true;
    std::uint8_t rsv = 0;                          ///< RSV1-3 as bits 2..0 (4 = RSV1)
    std::optional<std::uint64_t> declared_length;  ///< lie about the length
    proto::length_encoding encoding = proto::length_encoding::minimal;
    std::optional<bool> masked;                    ///< nullopt: as the tester's role requires
    std::optional<proto::mask_key> key;            ///< nullopt: a fresh random key
    std::size_t chop = 0;                          ///< write in pieces of this size (0: at once)
    bool sync = false;  ///< flush this frame alone before the next step (Autobahn's sync=True)
};

/// More payload of the frame the last send_frame began with a declared_length beyond its
/// data (Autobahn's sendMessageFrameData): masked as that frame, its key continuing where the
/// previous bytes left off, so one frame can be written in parts with pauses between (6.4.3).
struct send_frame_data {
    payload data{};
};

/// A message split into frames of `fragment_size` payload bytes (0: one frame).
struct send_message {
    proto::opcode op = proto::opcode::text;
    payload data{};
    std::size_t fragment_size = 0;
    std::size_t chop = 0;
};

/// Messages written back to back in one write, none waiting for an answer: a peer that
/// pipelines (section 24). Each is as a send_message (compressed when permessage-deflate was
/// agreed, split into `fragment_size`-byte frames); a Ping or Pong among them goes as one
/// control frame. `chop`: the write in pieces of this size (0: at once).
struct send_batch {
    std::vector<send_message> messages;
    std::size_t chop = 0;
};

/// A Close frame that starts the closing handshake from our side (sets "closed by us").
/// For a malformed close payload, send a send_frame with opcode close instead.
struct send_close {
    std::optional<std::uint16_t> code = 1000;
    payload reason{};
    /// When set, the close payload exactly, instead of code and reason (7.3.2 sends 1 byte).
    std::optional<payload> raw;
};

/// Bytes written as they are (handshake cases, torn frames).
struct send_raw {
    payload data{};
    std::size_t chop = 0;
};

/// Waits. With a label, records a ("timeout", label) event if the connection is still open
/// afterwards, as Autobahn's continueLater cases do; if it closed meanwhile, the script ends.
struct pause {
    milliseconds duration{};
    std::string label;
};

/// Waits until `count` events in all have been received (for round-trip timing), at most
/// `timeout`; ends the script if the connection closes.
struct await_events {
    std::size_t count = 0;
    milliseconds timeout{10'000};
};

/// Closes the TCP connection without a closing handshake.
struct drop_connection {};

/// `count` messages of `length` bytes each, the next `length` bytes of `source` read round
/// and round, each sent (compressed and split into `fragment_size`-byte frames when
/// permessage-deflate was agreed, as send_message) once the previous one came back: the
/// Autobahn Testsuite's 12.x and 13.x. Each echo is compared with what was sent as it
/// arrives and then forgotten, so a case of 1000 messages of 128 KiB holds one; when all came
/// back equal the runner records the event series_done(count) (builders.hpp), and stops at
/// the first echo that differs, leaving it among the events. The case's deadline bounds it.
struct echo_series {
    proto::opcode op = proto::opcode::text;
    payload source{};
    std::size_t length = 0;
    std::size_t count = 0;
    std::size_t fragment_size = 0;
};

using step = std::variant<send_frame, send_frame_data, send_message, send_batch, send_close, send_raw, pause,
                          await_events, drop_connection, echo_series>;

// ---------------------------------------------------------------- expectations

/// One thing the peer did, as the judge compares it.
struct event {
    enum class kind { text, binary, ping, pong, timeout };
    kind what = kind::text;
    payload data{};   ///< message or control payload; the label for timeout
    friend bool operator==(const event&, const event&) = default;
};

/// A trace of events the peer may produce, and the verdict it earns.
struct outcome {
    behavior verdict = behavior::ok;
    std::vector<event> trace;
    /// When set, decides instead of trace equality, for what one trace cannot list (5.5.3
    /// lets a peer answer only the latest of several Pings: any in-order subset of the Pongs
    /// ending with the last one). `trace` stays empty and `rule` says, for people, what the
    /// predicate accepts. Such an outcome never equals the events, so a case that has one
    /// never closes by finishWhenDone: its timeout, with timeout_action::close, ends it.
    std::function<bool(const std::vector<event>&)> accepts{};
    std::string rule{};
};

struct close_expectation {
    bool closed_by_us = true;                 ///< who must start the closing (or fail the connection)
    std::vector<std::uint16_t> codes{1000};   ///< close codes allowed from the peer (absent is allowed)
    bool require_clean = true;                ///< a clean closing handshake is required
    bool wrong_closer_is_fatal = false;       ///< a close by the wrong side makes `behavior` FAILED too
    bool wrong_code_is_fatal = false;         ///< a WRONG CODE close makes `behavior` FAILED too (7.x)
    bool informational = false;               ///< record how it closed, judge nothing (7.1.6, 7.13)
    /// Either side may close: the peer may fail the connection (with one of `codes`) or go
    /// on until we close (a message past a limit the RFC leaves to the peer, 10.4).
    bool either_may_close = false;
};

/// The opening handshake of a case. By default a valid one; handshake cases change it.
struct handshake_spec {
    /// Applied to the default request before sending (change, drop or double fields).
    std::function<void(proto::client_request&)> edit_request;
    /// Sent instead of a built request when set (the key is still generated and expected).
    std::optional<std::function<std::string(std::string_view host, std::string_view key)>> raw_request;
    /// What the peer must do with it. `either`: the server may refuse (judged as a rejection)
    /// or accept (the script then runs); no HTTP answer at all, because it closed or
    /// handshake_timeout passed, is recorded, not judged (section 21: robustness a server is
    /// free to choose).
    enum class expect { accept, reject, either } must = expect::accept;
    std::vector<int> reject_statuses{};       ///< allowed statuses when rejecting (empty: any 4xx)
    std::vector<proto::http_field> required_fields{};  ///< e.g. Sec-WebSocket-Version: 13 with 426
    /// A slow client: the request written `chop` bytes at a time, `chop_pause` apart, while
    /// the response is already being read (a server may answer or close before the end).
    /// handshake_timeout still bounds the whole handshake. 0: written at once.
    std::size_t chop = 0;
    milliseconds chop_pause{};
    /// The request's content (what its Content-Length or Transfer-Encoding announces), written
    /// after the head. With `await_continue` (a request with Expect: 100-continue), only after
    /// a 100 (Continue), or once this long passed without one (RFC 9110 10.1.1 lets a client
    /// go on), and never after a final response. Otherwise right after the head.
    std::string content;
    std::optional<milliseconds> await_continue;
    /// After a refusal (any status but 101): keep reading this long, or until the server
    /// closes, for a second response, which would show that the server read the request's
    /// content as the next request (RFC 9112 9.3). 0: the refusal ends the case.
    milliseconds listen_after_refusal{};
    /// Testing a client (the tester is the server): the response written instead of a valid
    /// 101, built from the client's Sec-WebSocket-Key and its request (section 30). With
    /// `must == reject` the client must fail the connection (4.1): close TCP without a data
    /// frame. Unset: a valid 101 (4.2.2).
    std::function<std::string(std::string_view key, const proto::http_head& request)> respond{};
};

/// Testing a client (the tester is the server): one way of answering the client's
/// permessage-deflate offers, as the Autobahn Testsuite's SERVER_ACCEPT functions. It looks at
/// the offers in the client's order (its preference, RFC 6455 9.1) and takes the first that
/// parses and that it applies to.
struct deflate_accept_rule {
    /// What we ask for, applied within what 7.1 allows for the offer (proto::negotiate_deflate):
    /// the offer's server_no_context_takeover and server_max_window_bits are honoured (7.1.1.1,
    /// 7.1.2.1); client_no_context_takeover may always be sent (7.1.1.2).
    proto::deflate_server_policy policy{};
    /// Take only an offer with client_max_window_bits, and answer client_max_window_bits with
    /// policy.client_max_window_bits written out even when it is 15 (the suite's
    /// requestMaxWindowBits): 7.1.2.2 allows the parameter in a response only then.
    bool ask_client_window = false;
};

/// Testing a client: a Sec-WebSocket-Extensions value crafted from the client's valid
/// permessage-deflate offers (section 31's responses a client must refuse), or why those
/// offers leave nothing to test.
struct deflate_crafted {
    std::string extensions;  ///< the value answered in the 101
    std::string untestable;  ///< when set, the case is UNIMPLEMENTED for this reason
};

/// permessage-deflate (RFC 7692) in a case. Testing a server, it says what we offer; testing a
/// client, how we answer the client's offers. Once agreed, send_message and echo_series steps
/// are compressed (RSV1 on the first frame) with the tester's direction's window and context,
/// send_frame steps go as given, and what the peer sends is inflated (its direction's window
/// and context) before it is compared. Testing a server, its response is checked against
/// `offers` (RFC 7692 5, 7.1) whatever was sent: a response a client must refuse fails the case.
struct deflate_spec {
    /// The offers, in preference order, sent as Sec-WebSocket-Extensions.
    std::vector<proto::deflate_offer> offers;
    /// When set, the Sec-WebSocket-Extensions value sent instead of `offers` (an offer the
    /// server must decline: `offers` then lists only the valid ones it may accept, often none).
    std::string raw_offer;
    /// The case needs the extension: a server that declines, or a client that offers nothing
    /// `accept` takes, gets UNIMPLEMENTED (as the Autobahn Testsuite's 12.x and 13.x) and the
    /// steps are not run.
    bool required = true;
    /// Testing a client: the rules tried in order, the first that accepts an offer decides
    /// (the suite's 13.7 tries three). By default, the first valid offer as offered. Empty: we
    /// decline every offer on purpose (the case then needs only that the client offered).
    std::vector<deflate_accept_rule> accept{deflate_accept_rule{}};
    /// Testing a client: when set, our Sec-WebSocket-Extensions value is built by this from
    /// the client's valid offers (never called with none) instead of by `accept`; the response
    /// is not one the client may accept, so no extension is in force afterwards.
    std::function<deflate_crafted(const std::vector<proto::deflate_offer>& offers)> craft{};
};

/// Everything a run needs, built on demand.
struct script {
    /// Other connections opened first and held idle, each after a completed opening
    /// handshake, until the case ends (section 21: the server must keep serving).
    std::size_t idle_connections = 0;
    handshake_spec handshake{};
    /// permessage-deflate offered or answered, and used; nullopt: none offered (testing a
    /// server) or every offer declined (testing a client).
    std::optional<deflate_spec> deflate{};
    std::vector<step> steps;
    std::vector<outcome> outcomes;            ///< in order: the first matching trace decides
    close_expectation close{};
};

// ---------------------------------------------------------------- the case

enum class strictness {
    must,   ///< the RFC says MUST: a miss is FAILED
    should, ///< the RFC says SHOULD: earns at most NON-STRICT
};

/// How a case shares the run with other cases.
enum class scheduling {
    parallel, ///< beside any other parallel case
    serial,   ///< alone: it measures time (9.x) or loads the target (floods), so traffic of other
              ///< cases would skew it, or it them
    /// It sends little and then waits on the target's own timers (a header that never ends, a
    /// frame that never arrives whole): apart from parallel and serial cases like a serial one,
    /// but beside the waiting cases next to it in the catalog, which load the target no more
    /// than it does. Their waits overlap instead of adding up.
    waits,
};

/// What happens when a case's time runs out with the connection still open.
enum class timeout_action {
    drop,  ///< drop TCP (Autobahn's killAfter)
    close, ///< start the closing handshake if we have not, then wait for it as usual (closeAfter)
};

struct rfc_ref {
    std::string clause;      ///< "5.5.2", "RFC 7692 7.2.1"
    std::string requirement; ///< what the peer must do, in one line
};

struct case_def {
    std::string id;          ///< "1.1.1"; Autobahn's ids for its sections, 20+ for ours
    std::string description; ///< what the tester sends
    std::string expectation; ///< what a conformant peer does, in a sentence or two
    /// The same two for the client catalog when testing a client reads differently (13.x: what
    /// we answer rather than what we offer); empty: `description` and `expectation` serve both.
    std::string client_description;
    std::string client_expectation;
    rfc_ref rfc;
    strictness strict = strictness::must;
    scheduling schedule = scheduling::parallel;
    milliseconds timeout{1000};   ///< after the last step, as Autobahn's killAfter/closeAfter
    timeout_action on_timeout = timeout_action::drop;
    /// From the open, a bound on the whole case, acted on as `on_timeout` (Autobahn's 9.x call
    /// closeAfter(WAITSECS) when the connection opens); nullopt: only `timeout` applies.
    std::optional<milliseconds> deadline;
    bool report_time = false;     ///< the duration is part of the result (9.x)
    /// The case shapes our opening handshake request (section 20) or a frame only a client
    /// sends: it applies when the tester is the client, that is when testing a server.
    bool tests_servers_only = false;
    /// The case shapes our opening handshake response (section 30) or a frame only a server
    /// sends: it applies when the tester is the server, that is when testing a client.
    bool tests_clients_only = false;
    std::function<script()> build;
};

} // namespace wscheck::cases
