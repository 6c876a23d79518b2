// Invariants for proto::session in the server role, fed arbitrary client bytes:
//   - fed whole or in arbitrary pieces, it reports the same events and writes the same bytes;
//   - its state only moves forward (open -> closing -> closed): once closed, it stays closed
//     and ignores every later byte;
//   - a `failed` or `close` event is the last event there is;
//   - a failure's close code is 1002, 1007 or 1009, the one the violation's table row gives
//     (7.4.1), and failure() reports the violation once the event is popped;
//   - messages obey the session's rules: text is valid UTF-8 (8.1), no message over the size
//     limit (10.4), control payloads of at most 125 bytes (5.5), peer close codes valid on the
//     wire with a UTF-8 reason (5.5.1, 7.4);
//   - output never grows without bound: never more than the bytes received plus one Close
//     frame of our own, and exactly the frames a model of 5.5.1 / 5.5.2 / 7.1.7 expects (a
//     Pong per Ping while open, one Close echo or failing Close), each well-formed and
//     unmasked (5.1), and a Close the last of them.
//
// Input: [chunk seed][options][client bytes]. Options: bits 0-1 max_message_size (64 MiB,
// 0, 125, 1000); bit 2 auto_pong off; bit 3 we start the closing handshake before any byte
// arrives; bit 4 EOF after the last byte; bit 5 pop events only after the last byte rather
// than after every read.
#include "fuzz/fuzz_util.hpp"
#include "harness/proto/close.hpp"
#include "harness/proto/error.hpp"
#include "harness/proto/frame.hpp"
#include "harness/proto/frame_parser.hpp"
#include "harness/proto/session.hpp"
#include "harness/proto/utf8.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace wscheck::proto;
namespace wf = wscheck::fuzz;

struct settings {
    session_options options;
    bool close_first = false;
    bool eof_at_end = false;
    bool pop_at_end = false;
};

/// One frame we expect the session to have written.
struct out_frame {
    opcode op = opcode::pong;
    std::vector<std::uint8_t> payload;
    friend bool operator==(const out_frame&, const out_frame&) = default;
};

struct run_result {
    std::vector<session_event> events;
    std::vector<std::uint8_t> output;
    std::vector<out_frame> expected_frames; ///< what the model says `output` holds
    session_state state = session_state::open;
    std::error_code failure;
};

bool same_event(const session_event& a, const session_event& b) {
    return a.what == b.what && a.data == b.data && a.code == b.code && a.reason == b.reason &&
           a.error == b.error;
}

/// The model's view of the session: what popping an event does (session.hpp, top comment).
struct model {
    session_state state = session_state::open;
    bool close_sent = false;
    bool ended = false; ///< a failed or close event was popped
};

void check_event(const session_event& e, const settings& s, model& m, run_result& r) {
    // Nothing follows the end of the connection.
    WSCHECK_FUZZ_CHECK(!m.ended);
    const session_state before = m.state;
    switch (e.what) {
    case session_event::kind::text:
        WSCHECK_FUZZ_CHECK(is_valid_utf8(e.data)); // 8.1
        [[fallthrough]];
    case session_event::kind::binary:
        WSCHECK_FUZZ_CHECK(e.data.size() <= s.options.max_message_size); // 10.4
        WSCHECK_FUZZ_CHECK(!e.code && !e.error);
        break;
    case session_event::kind::ping:
        WSCHECK_FUZZ_CHECK(e.data.size() <= max_control_payload); // 5.5
        // 5.5.2: a Pong with the Ping's payload, unless we already sent our Close (5.5.1).
        if (s.options.auto_pong && before == session_state::open) {
            r.expected_frames.push_back({opcode::pong, e.data});
        }
        break;
    case session_event::kind::pong:
        WSCHECK_FUZZ_CHECK(e.data.size() <= max_control_payload);
        break;
    case session_event::kind::close:
        m.ended = true;
        WSCHECK_FUZZ_CHECK(e.data.empty() && !e.error);
        if (e.code == close_code::abnormal) {
            // 7.1.5: EOF before the closing handshake completed; nothing is sent.
            WSCHECK_FUZZ_CHECK(s.eof_at_end && e.reason.empty());
        } else {
            // 5.5.1, 7.4: the peer's Close parsed and valid.
            WSCHECK_FUZZ_CHECK(!e.code || is_valid_close_code(*e.code));
            WSCHECK_FUZZ_CHECK(!e.code ? e.reason.empty() : e.reason.size() <= max_close_reason);
            WSCHECK_FUZZ_CHECK(is_valid_utf8(e.reason));
            // 5.5.1: echo the code, once, unless our own Close went first.
            if (before == session_state::open && !m.close_sent) {
                r.expected_frames.push_back({opcode::close, build_close_payload(e.code)});
                m.close_sent = true;
            }
        }
        m.state = session_state::closed;
        break;
    case session_event::kind::failed: {
        m.ended = true;
        const violation_info* row = info(e.error);
        WSCHECK_FUZZ_CHECK(row != nullptr);
        const std::uint16_t fail_code = row->close_code;
        WSCHECK_FUZZ_CHECK(fail_code == close_code::protocol_error ||
                           fail_code == close_code::invalid_payload ||
                           fail_code == close_code::too_big);
        if (!m.close_sent) {
            // 7.1.7: _Fail the WebSocket Connection_ with the violation's code.
            WSCHECK_FUZZ_CHECK(e.code == fail_code);
            r.expected_frames.push_back({opcode::close, build_close_payload(fail_code)});
            m.close_sent = true;
        } else {
            // Our Close went out before: nothing new is sent.
            WSCHECK_FUZZ_CHECK(!e.code);
        }
        m.state = session_state::closed;
        break;
    }
    }
}

/// Pops every queued event, checking each against the model and the session's state.
void drain(session& ses, const settings& s, model& m, run_result& r) {
    session_event e;
    while (ses.next_event(e)) {
        check_event(e, s, m, r);
        WSCHECK_FUZZ_CHECK(ses.state() == m.state);
        if (e.what == session_event::kind::failed) {
            WSCHECK_FUZZ_CHECK(ses.failure() == e.error);
        }
        if (e.what == session_event::kind::close && e.code != close_code::abnormal) {
            WSCHECK_FUZZ_CHECK(ses.peer_close() && ses.peer_close()->code == e.code &&
                               ses.peer_close()->reason == e.reason);
        }
        r.events.push_back(std::move(e));
        e = session_event{};
    }
}

/// Takes everything the session wrote, checking the bound on its size.
void take_output(session& ses, std::size_t received, std::size_t& written, run_result& r) {
    const auto out = ses.output();
    r.output.insert(r.output.end(), out.begin(), out.end());
    written += out.size();
    // A Pong is 4 bytes shorter than its masked Ping, an echoed Close no longer than the
    // Close it answers: only a failing Close (4 bytes) and our own (4 bytes) come for free.
    WSCHECK_FUZZ_CHECK(written <= received + 8);
    ses.consume_output(out.size());
    WSCHECK_FUZZ_CHECK(ses.output().empty());
}

run_result run(const settings& s, std::span<const std::uint8_t> wire, wf::chunker* split) {
    std::vector<std::uint8_t> buf(wire.begin(), wire.end()); // receive() unmasks in place
    session ses{s.options};
    run_result r;
    model m;
    std::size_t written = 0;
    if (s.close_first) {
        ses.close();
        r.expected_frames.push_back({opcode::close, build_close_payload(close_code::normal)});
        m.state = session_state::closing;
        m.close_sent = true;
        WSCHECK_FUZZ_CHECK(ses.state() == session_state::closing);
    }
    take_output(ses, 0, written, r);

    std::size_t offset = 0;
    auto last_state = ses.state();
    do {
        const std::size_t len = split != nullptr ? split->next(buf.size() - offset)
                                                 : buf.size() - offset;
        const bool was_closed = ses.state() == session_state::closed;
        const std::size_t events_before = r.events.size();
        ses.receive(std::span{buf}.subspan(offset, len));
        offset += len;
        if (!s.pop_at_end) {
            drain(ses, s, m, r);
        }
        // Closed stays closed, and a closed session takes no notice of bytes.
        if (was_closed) {
            WSCHECK_FUZZ_CHECK(r.events.size() == events_before && ses.output().empty());
        }
        WSCHECK_FUZZ_CHECK(ses.state() >= last_state);
        last_state = ses.state();
        take_output(ses, offset, written, r);
    } while (offset < buf.size());
    if (s.eof_at_end) {
        ses.receive_eof();
    }
    drain(ses, s, m, r);
    WSCHECK_FUZZ_CHECK(ses.state() >= last_state);
    take_output(ses, buf.size(), written, r);
    WSCHECK_FUZZ_CHECK(ses.close_transport() == (ses.state() == session_state::closed));

    // Once closed, more bytes change nothing.
    if (ses.state() == session_state::closed) {
        std::array<std::uint8_t, 6> ping{0x89, 0x80, 1, 2, 3, 4};
        ses.receive(ping);
        session_event e;
        WSCHECK_FUZZ_CHECK(!ses.next_event(e));
        WSCHECK_FUZZ_CHECK(ses.output().empty() && ses.state() == session_state::closed);
    }
    r.state = ses.state();
    r.failure = ses.failure();
    return r;
}

/// Parses what the session wrote as a client would (5.1: a server's frames are unmasked)
/// and checks it is exactly the frames the model expects, a Close being the last.
void check_output(const run_result& r) {
    std::vector<std::uint8_t> wire = r.output;
    frame_parser_options opts;
    opts.local_role = role::client;
    frame_parser parser{opts};
    std::vector<out_frame> got;
    std::span<std::uint8_t> in{wire};
    for (std::size_t guard = 0; guard <= 2 * wire.size() + 2; ++guard) {
        const auto res = parser.feed(in);
        in = in.subspan(res.consumed);
        if (res.what == frame_parser::event::need_more) {
            break;
        }
        WSCHECK_FUZZ_CHECK(res.what != frame_parser::event::error);
        if (res.what == frame_parser::event::header) {
            WSCHECK_FUZZ_CHECK(parser.header().fin && !parser.header().masked);
            got.push_back({parser.header().op, {}});
        } else if (res.what == frame_parser::event::payload) {
            got.back().payload.insert(got.back().payload.end(), res.data.begin(), res.data.end());
        }
    }
    WSCHECK_FUZZ_CHECK(in.empty() && parser.at_frame_boundary());
    WSCHECK_FUZZ_CHECK(got == r.expected_frames);
    for (std::size_t i = 0; i < got.size(); ++i) {
        // 5.5.1: nothing after our Close.
        WSCHECK_FUZZ_CHECK(got[i].op != opcode::close || i + 1 == got.size());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    wf::option_bytes in{data, size, 2};
    static constexpr std::array<std::uint64_t, 4> limits{64 * 1024 * 1024, 0, 125, 1000};
    settings s;
    s.options.local_role = role::server;
    s.options.max_message_size = limits[in[1] & 3];
    s.options.auto_pong = (in[1] & 4) == 0;
    s.close_first = (in[1] & 8) != 0;
    s.eof_at_end = (in[1] & 16) != 0;
    s.pop_at_end = (in[1] & 32) != 0;

    const run_result whole = run(s, in.rest, nullptr);
    wf::chunker split{in[0]};
    const run_result pieces = run(s, in.rest, &split);

    WSCHECK_FUZZ_CHECK(whole.events.size() == pieces.events.size());
    for (std::size_t i = 0; i < whole.events.size(); ++i) {
        WSCHECK_FUZZ_CHECK(same_event(whole.events[i], pieces.events[i]));
    }
    WSCHECK_FUZZ_CHECK(whole.output == pieces.output);
    WSCHECK_FUZZ_CHECK(whole.state == pieces.state && whole.failure == pieces.failure);
    check_output(whole);
    return 0;
}
