// Runs one case of the catalog on a connection of its own, from the opening handshake to the
// verdict, whichever side the tester plays.
//
// Theory of operation
//   Only the opening differs between the roles:
//     - testing a server (the tester is the client, start()): connect (with TLS when wss) ->
//       send the opening handshake the case describes -> read the response head (capped by
//       http_parser, bounded by handshake_timeout) -> judge it;
//     - testing a client (the tester is the server, start_accepted()): the listener accepted
//       the connection and read the client's request (capped, with a deadline) -> check it
//       against 4.1 -> answer 101 with the right Sec-WebSocket-Accept, or the broken response
//       a client-handshake case prescribes (section 30).
//   Then, the same for both: run the steps in order, while a read loop feeds everything the
//   peer sends to a peer_observer, which answers pings and Close frames -> after the last
//   step, wait at most the case's timeout (Autobahn's killAfter) for the connection to end.
//   Frames are masked as the tester's role requires (a client masks, a server does not, 5.1).
//
//   While it waits: when the events received equal every outcome's trace and the case wants
//   us to close, we send Close (Autobahn's finishWhenDone). Once Close frames have crossed,
//   the server closes TCP first (7.1.1): as the client we give the server close_timeout to do
//   so before we drop it; as the server we send our FIN at once and give the client
//   close_timeout to close its side.
//
//   Every wait has a deadline: connect, handshake, each write (a peer that stops reading
//   cannot stall us), the case timeout, the close timeout, and a hard cap on the whole case.
//   Whatever the peer does, on_done is called once, with a verdict.
#pragma once

#include "cases/case.hpp"
#include "harness/net/stream.hpp"
#include "harness/net/url.hpp"
#include "harness/proto/deflate_stream.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/proto/http1.hpp"
#include "harness/proto/role.hpp"
#include "harness/runner/idle_connections.hpp"
#include "harness/runner/judge.hpp"
#include "harness/runner/peer_observer.hpp"
#include "harness/runner/series_deflate.hpp"
#include "reports/result.hpp"

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace wscheck::runner {

using std::chrono::milliseconds;

struct runner_options {
    net::ws_url url;
    net::ssl::context* tls = nullptr;        ///< required for wss://
    std::vector<proto::http_field> extra_headers; ///< Origin, Cookie, Authorization, ...
    std::vector<std::string> subprotocols;   ///< offered in Sec-WebSocket-Protocol
    milliseconds connect_timeout{5000};
    milliseconds handshake_timeout{5000};
    milliseconds write_timeout{10000};       ///< a write that makes no progress this long fails
    milliseconds close_timeout{1000};        ///< for the peer's Close, then for its TCP close
    observer_options observe{};
};

/// A connection a client opened to the tester (testing a client), with its request head
/// already read by the listener that routed it to a case.
struct accepted_connection {
    std::shared_ptr<net::stream> stream;
    proto::http_head request;
    std::string request_text;            ///< the head as received (capped by the listener)
    std::vector<std::uint8_t> leftover;  ///< bytes the client sent after its head
};

class case_runner : public std::enable_shared_from_this<case_runner> {
public:
    using done_handler = std::function<void(reports::case_result)>;

    /// Testing a server: connects to options.url and starts the case on `io`; `on_done` runs
    /// on `io` once, with the verdict. `options` must outlive the case.
    static std::shared_ptr<case_runner> start(net::asio::io_context& io, const runner_options& options,
                      const cases::case_def& c, std::string section_title, done_handler on_done);
    /// Testing a client: answers the request of a connection the client opened and runs the
    /// case on it (options.url, tls and extra headers are not used).
    static std::shared_ptr<case_runner> start_accepted(net::asio::io_context& io, const runner_options& options,
                      const cases::case_def& c, std::string section_title, accepted_connection conn,
                      done_handler on_done);

    /// Ends the case now (Ctrl-C); its verdict says it was interrupted.
    void interrupt();
    /// The run found the target no longer answering (test_run.hpp): once the script only waits
    /// on the peer and the peer has sent nothing for `limit`, the case's time is up, as if its
    /// timeout had passed. With `limit` zero, the case waits its own time again.
    void target_silent(milliseconds limit);

private:
    case_runner(net::asio::io_context& io, const runner_options& options, const cases::case_def& c,
                proto::role tester, done_handler on_done);

    using clock = std::chrono::steady_clock;

    void begin(std::string section_title);
    // client_opening.cpp: the tester is the client
    void connect();
    void on_connected(std::error_code ec);
    void send_request();
    void trickle_request(std::vector<std::uint8_t> request, std::size_t at);
    void read_response();
    void on_response_bytes(std::size_t n);
    /// handshake_spec::content, once (after the head, or after a 100 with await_continue).
    void send_content();
    /// A refusal is in (its head parsed, `rest` the bytes after it): listen for a second
    /// response (handshake_spec::listen_after_refusal), or finish.
    void after_refusal(std::span<const std::uint8_t> rest);
    void read_after_refusal();
    /// A second response follows the refusal (and its content) in after_refusal_: recorded
    /// in the handshake's error.
    bool second_response_seen();
    /// RFC 7692 5: the server's answer to our permessage-deflate offers; false when the
    /// response is one a client must refuse (the case is then decided).
    bool check_deflate(const proto::accepted_response& accepted);
    // server_opening.cpp: the tester is the server
    void answer_request();
    /// RFC 7692: our Sec-WebSocket-Extensions answer to the client's permessage-deflate offers
    /// ("" to decline), by the case's rules; sets up compression when agreed, and
    /// facts_.deflate_untestable when the client's offers leave the case nothing to test.
    std::string answer_deflate(const proto::accepted_request& request);
    /// Once permessage-deflate is agreed, in either role: our compressor with our side's
    /// window and context rule (7.1.1, 7.1.2), and the observer inflating the peer's side.
    void start_deflate(const proto::deflate_agreement& agreed);
    /// The case cannot run on this connection (facts_.deflate_untestable says why; the judge
    /// files it UNIMPLEMENTED): as the Autobahn Testsuite's 12.x/13.x, we close at once, normally.
    void close_instead_of_script();
    void close_tcp_first();
    // case_runner.cpp: both roles
    void open(std::span<std::uint8_t> leftover);
    void read_frames();
    void after_receive();
    void maybe_finish_when_done();
    /// The verdict cannot change any more (a rule the peer broke, or events no outcome begins
    /// with): stop the script and close now, instead of waiting out the case's time.
    void end_if_decided();
    /// The case's close expectation lets wscheck close as soon as the verdict is decided.
    bool may_end_early() const;
    void next_step();
    void run_step(const cases::step& s);
    void steps_done();
    /// A text or binary message in frames of `fragment_size` bytes, compressed when
    /// permessage-deflate was agreed (then the compressed bytes are split, RSV1 on the first).
    void send_data_message(proto::opcode op, std::span<const std::uint8_t> data, std::size_t fragment_size,
                           std::size_t chop, std::function<void()> then);
    /// The frames of send_data_message appended to `wire` (and logged); a control `op` is one
    /// frame, never compressed.
    void append_message(proto::opcode op, std::span<const std::uint8_t> data, std::size_t fragment_size,
                        std::vector<std::uint8_t>& wire);
    /// `payload` (compressed: permessage-deflate data, RSV1 on the first frame) in frames of
    /// `fragment_size` bytes, appended to `wire` (and logged).
    void append_message_frames(proto::opcode op, std::span<const std::uint8_t> payload, std::size_t fragment_size,
                               bool compressed, std::vector<std::uint8_t>& wire);
    void send_series_message(const cases::echo_series& s);
    void on_series_echo(const cases::echo_series& s);
    void on_case_timeout(milliseconds waited);
    void arm_silence();
    void on_silence();
    void write(std::vector<std::uint8_t> bytes, std::size_t chop, std::function<void()> then);
    void pump_writes();
    void flush_observer();
    void arm_timer(net::asio::steady_timer& t, milliseconds after, std::function<void()> fire);
    void check_closing();
    void drop(connection_facts::drop_reason why, milliseconds waited);
    void finish();
    std::chrono::microseconds now() const;
    milliseconds elapsed_ms() const;

    net::asio::io_context& io_;
    const runner_options& options_;
    const cases::case_def& case_;
    const proto::role role_;               ///< the tester's role
    done_handler on_done_;
    cases::script script_;
    std::shared_ptr<net::stream> stream_;
    peer_observer observer_;
    connection_facts facts_;
    reports::case_result result_;

    clock::time_point started_;
    proto::client_request request_;
    proto::http_parser response_parser_{proto::http_parser::kind::response};
    std::vector<std::uint8_t> read_buffer_;
    bool content_sent_ = false;            ///< handshake_spec::content is written
    bool got_continue_ = false;            ///< a 100 (Continue) came before the final response
    std::string after_refusal_;            ///< bytes after a refusal's head (capped)
    std::size_t refusal_body_ = 0;         ///< the refusal's own content (Content-Length), skipped
    clock::time_point listen_until_{};
    accepted_connection accepted_;         ///< testing a client: its connection and request
    bool fin_wanted_ = false;              ///< testing a client: close our side once the writes are out
    bool fin_sent_ = false;                ///< testing a client: our FIN after the closing handshake

    std::size_t step_index_ = 0;
    bool steps_finished_ = false;
    bool ended_ = false;       ///< the connection is over (EOF, error or dropped)
    bool finished_ = false;    ///< on_done was called

    struct pending_write {
        std::vector<std::uint8_t> bytes;
        std::size_t chop = 0;
        std::size_t offset = 0;
        std::function<void()> then;
    };
    std::deque<pending_write> writes_;
    bool writing_ = false;

    net::asio::steady_timer step_timer_;   ///< pause and await_events
    net::asio::steady_timer kill_timer_;   ///< the case timeout after the last step
    net::asio::steady_timer close_timer_;  ///< closing handshake and TCP close
    net::asio::steady_timer hard_timer_;   ///< the whole case, whatever happens
    net::asio::steady_timer deadline_timer_; ///< the case's own deadline from the open
    net::asio::steady_timer silence_timer_;  ///< target_silent: the peer's silence
    milliseconds silence_limit_{};         ///< 0: the target answers, no silence timer
    clock::time_point last_heard_;         ///< the peer's last bytes (or the open)
    std::size_t await_count_ = 0;          ///< await_events target, 0 when not waiting
    std::function<void()> await_done_;
    bool close_timer_armed_for_tcp_ = false;
    bool close_timer_armed_ = false;
    proto::frame_header open_frame_{};     ///< the last send_frame, for send_frame_data
    std::uint64_t open_frame_written_ = 0; ///< its payload bytes written so far
    std::size_t events_seen_ = 0;          ///< events when finishWhenDone last looked
    std::string stall_note_;               ///< why we gave up writing, for the verdict
    std::shared_ptr<idle_connections> idle_; ///< the case's other, idle connections (21.5)
    std::unique_ptr<proto::message_deflater> deflater_; ///< ours, once permessage-deflate is agreed
    std::unique_ptr<series_deflater> series_deflater_;  ///< ours for echo_series steps
    std::vector<std::uint8_t> series_message_;          ///< its last payload (the capacity is kept)
    bool deflater_stale_ = false;          ///< a series went out since deflater_ last compressed
    // the echo_series step in progress
    std::size_t series_sent_ = 0;          ///< messages sent so far
    std::size_t series_at_ = 0;            ///< where the next message starts in its source
    std::size_t series_message_at_ = 0;     ///< the message whose echo we wait for: where it
    std::size_t series_message_length_ = 0; ///< starts in the source, and its length
};

} // namespace wscheck::runner
