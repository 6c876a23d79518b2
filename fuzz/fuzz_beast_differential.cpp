// Differential target: the same client bytes go to wscheck's session (server role, strict
// frame parser) and to Boost.Beast's websocket::stream in the server role, reading from memory
// after a real opening handshake. Both must agree on
//   - the messages delivered, in order: type (text or binary) and content;
//   - the control frames seen: Ping and Pong payloads, in wire order among the messages;
//   - how reading ended: the peer's Close (same code and reason), EOF before a Close, or a
//     failed connection, and why, coarsely, as the close code it fails with: 1002 (protocol
//     error), 1007 (payload not consistent with its type: bad UTF-8) or 1009 (too big).
// fuzz/README.md ("Findings of the Beast differential") lists each class of disagreement
// found and which side RFC 6455 supports. Classes where wscheck follows the RFC and Beast
// does not (lenient or strict by design, or a bug) are recognised by `known_difference` and
// skipped, so that the target runs in CI and stops only on a new class.
//
// Input: [options][client bytes]. Options: bits 0-1 the message size limit (1 MiB, 125, 1000,
// 16 bytes), the same for both; bits 2-4 how many bytes each of Beast's reads gets (1, 2, 3,
// 7, 16, 64, 512, 64 KiB), so Beast also meets every read boundary.
// Beast reads through bench/memory_stream.hpp, the in-memory SyncStream the benchmarks use
// (included from where it is: it has no dependency on the benchmark code).
#include "bench/memory_stream.hpp"
#include "fuzz/fuzz_util.hpp"
#include "harness/proto/error.hpp"
#include "harness/proto/session.hpp"
#include "harness/proto/utf8.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

namespace proto = wscheck::proto;
namespace websocket = boost::beast::websocket;
namespace wf = wscheck::fuzz;

/// What one side saw, normalised so that the two can be compared.
struct seen {
    enum class kind : std::uint8_t { text, binary, ping, pong };
    kind what = kind::binary;
    std::string data;
    friend bool operator==(const seen&, const seen&) = default;
};

/// How reading ended.
struct ending {
    enum class kind : std::uint8_t {
        none,   ///< nothing ended it (only when reading stopped for lack of bytes: never here)
        close,  ///< the peer's valid Close: `code` (0 = empty payload) and `reason`
        eof,    ///< the transport ended before a Close (7.1.5, 1006)
        failed, ///< the connection was failed; `code` is 1002, 1007 or 1009 (7.4.1)
    };
    kind what = kind::none;
    std::uint16_t code = 0;
    std::string reason;
    /// wscheck's violation when it failed the connection; not compared (Beast has its own
    /// codes), but it names the class of a known difference.
    std::error_code error;
    friend bool operator==(const ending& a, const ending& b) {
        return a.what == b.what && a.code == b.code && a.reason == b.reason;
    }
};

struct outcome {
    std::vector<seen> events;
    ending end;
};

std::string as_string(std::span<const std::uint8_t> b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// ---------------------------------------------------------------- wscheck

outcome run_wscheck(std::span<const std::uint8_t> wire, std::uint64_t limit) {
    proto::session_options o;
    o.local_role = proto::role::server;
    o.max_message_size = limit;
    proto::session ses{o};
    std::vector<std::uint8_t> buf(wire.begin(), wire.end()); // receive() unmasks in place
    ses.receive(buf);
    ses.receive_eof();
    outcome r;
    proto::session_event e;
    while (ses.next_event(e)) {
        using k = proto::session_event::kind;
        switch (e.what) {
        case k::text: r.events.push_back({seen::kind::text, as_string(e.data)}); break;
        case k::binary: r.events.push_back({seen::kind::binary, as_string(e.data)}); break;
        case k::ping: r.events.push_back({seen::kind::ping, as_string(e.data)}); break;
        case k::pong: r.events.push_back({seen::kind::pong, as_string(e.data)}); break;
        case k::close:
            if (e.code == proto::close_code::abnormal) {
                r.end = {ending::kind::eof, 0, {}, {}};
            } else {
                r.end = {ending::kind::close, e.code.value_or(0), e.reason, {}};
            }
            break;
        case k::failed: {
            const proto::violation_info* row = proto::info(e.error);
            WSCHECK_FUZZ_CHECK(row != nullptr);
            r.end = {ending::kind::failed, row->close_code, {}, e.error};
            break;
        }
        }
        e = proto::session_event{};
    }
    return r;
}

// ---------------------------------------------------------------- Beast

/// 4.1: a valid opening handshake, so that Beast's stream is open in the server role.
constexpr std::string_view upgrade_request = "GET / HTTP/1.1\r\n"
                                             "Host: localhost\r\n"
                                             "Upgrade: websocket\r\n"
                                             "Connection: Upgrade\r\n"
                                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                             "Sec-WebSocket-Version: 13\r\n"
                                             "\r\n";

/// The close code Beast fails a read with, as its read operation chooses it
/// (beast/websocket/impl/read.hpp): 1007 for bad_frame_payload (a text message that is not
/// UTF-8), 1009 for message_too_big, 1002 for every other protocol violation.
std::uint16_t beast_fail_code(const boost::beast::error_code& ec) {
    if (ec == websocket::error::bad_frame_payload) {
        return proto::close_code::invalid_payload;
    }
    if (ec == websocket::error::message_too_big) {
        return proto::close_code::too_big;
    }
    return proto::close_code::protocol_error;
}

/// The stream's executor. One for the process: Beast only reads synchronously here, so nothing
/// is ever queued on it, and constructing one per input (its epoll reactor: epoll, eventfd and
/// timerfd descriptors, opened and closed) was a third of the time of an input.
boost::asio::io_context& shared_io_context() {
    static boost::asio::io_context ioc;
    return ioc;
}

outcome run_beast(std::span<const std::uint8_t> wire, std::uint64_t limit, std::size_t max_read) {
    websocket::stream<wscheck::bench::memory_stream, false> ws{shared_io_context(), max_read};
    ws.read_message_max(static_cast<std::size_t>(limit));
    ws.auto_fragment(false);
    outcome r;
    ws.next_layer().reset({reinterpret_cast<const std::uint8_t*>(upgrade_request.data()),
                           upgrade_request.size()});
    boost::beast::error_code ec;
    ws.accept(ec);
    WSCHECK_FUZZ_CHECK(!ec && ws.next_layer().at_end());

    ws.control_callback([&r](websocket::frame_type type, boost::beast::string_view payload) {
        // The Close is reported through read()'s error and reason(); pings and pongs here.
        if (type == websocket::frame_type::ping) {
            r.events.push_back({seen::kind::ping, std::string{payload}});
        } else if (type == websocket::frame_type::pong) {
            r.events.push_back({seen::kind::pong, std::string{payload}});
        }
    });
    ws.next_layer().reset(wire);
    boost::beast::flat_buffer buffer;
    // Every successful read() consumes at least a 2-byte frame header: bounded by the input.
    for (std::size_t guard = 0; guard <= wire.size() / 2 + 1; ++guard) {
        buffer.clear();
        ws.read(buffer, ec);
        if (!ec) {
            const auto d = buffer.data();
            std::string data{static_cast<const char*>(d.data()), d.size()};
            r.events.push_back({ws.got_text() ? seen::kind::text : seen::kind::binary, std::move(data)});
            continue;
        }
        if (ec == websocket::error::closed) {
            const websocket::close_reason& cr = ws.reason();
            r.end = {ending::kind::close, cr.code, std::string{cr.reason.data(), cr.reason.size()}, {}};
        } else if (ec == boost::asio::error::eof) {
            r.end = {ending::kind::eof, 0, {}, {}};
        } else if (ec == websocket::condition::protocol_violation ||
                   ec == websocket::error::message_too_big) {
            // Beast failed the connection (message_too_big is not in its protocol_violation
            // condition).
            r.end = {ending::kind::failed, beast_fail_code(ec), {}, {}};
        } else {
            std::fprintf(stderr, "beast: unexpected error %s\n", ec.message().c_str());
            WSCHECK_FUZZ_CHECK(false);
        }
        return r;
    }
    WSCHECK_FUZZ_CHECK(false); // read() returned more messages than the input can hold
    return r;
}

// ---------------------------------------------------------------- comparison

/// A disagreement of a class fuzz/README.md documents, where wscheck follows RFC 6455 and
/// Beast, by design or by a bug, does not. Empty when the outcomes differ in another way.
std::optional<std::string_view> known_difference(const outcome& ours, const outcome& beast) {
    const auto ours_failed = [&](proto::violation v) {
        return ours.end.what == ending::kind::failed && ours.end.error == proto::make_error_code(v);
    };
    const bool beast_failed = beast.end.what == ending::kind::failed;
    // Finding 1: a Close whose reason is not UTF-8. Both fail the connection (8.1); wscheck
    // with 1007, Beast with 1002 (its read.hpp maps every bad Close payload to
    // protocol_error). 7.4.1 defines 1007 for data inconsistent with its type, and 7.1.7
    // leaves the code to the endpoint: both are allowed, only the code differs.
    if (ours_failed(proto::violation::bad_close_reason) && beast_failed &&
        beast.end.code == proto::close_code::protocol_error && ours.events == beast.events) {
        return "close reason not UTF-8: 1007 vs 1002";
    }
    // Finding 2: a Close code of 5000 or more. 5.5.1: the code MUST be one "defined in
    // Section 7.4", whose ranges end at 4999; wscheck fails with 1002, Beast's
    // is_valid_close_code (beast/websocket/detail/frame.hpp) accepts every code over 2999.
    if (ours_failed(proto::violation::bad_close_code) &&
        beast.end.what == ending::kind::close && beast.end.code >= 5000 &&
        ours.events == beast.events) {
        return "close code >= 5000 accepted by Beast";
    }
    // Finding 3: a text message that ends inside a code point, its last fragment empty.
    // Beast checks that the UTF-8 is complete only while copying a final frame's payload
    // (impl/read.hpp), so an empty final frame skips the check and the truncated text is
    // delivered; 8.1 requires failing the connection, as wscheck does (1007). Recognised as
    // "Beast delivers a text message that is not UTF-8" (every other invalid byte fails
    // Beast's incremental check first); Beast then reads on, so what follows is not compared.
    if (ours_failed(proto::violation::bad_utf8) && beast.events.size() > ours.events.size() &&
        std::equal(ours.events.begin(), ours.events.end(), beast.events.begin())) {
        const seen& extra = beast.events[ours.events.size()];
        if (extra.what == seen::kind::text && !proto::is_valid_utf8(extra.data)) {
            return "truncated UTF-8 before an empty final fragment delivered by Beast";
        }
    }
    // Finding 4: a 64-bit length with its most significant bit set. 5.2: that bit MUST be
    // 0, so wscheck fails with 1002 on the header; Beast compares the length with its message
    // size limit first and fails with 1009. Both fail on the same header, and 7.1.7 leaves
    // the code to the endpoint; only the code differs.
    if (ours_failed(proto::violation::length_msb_set) && beast_failed &&
        beast.end.code == proto::close_code::too_big && ours.events == beast.events) {
        return "64-bit length with the MSB set: 1002 vs 1009";
    }
    // Finding 5: Close code 1014. IANA's WebSocket Close Code Number Registry (7.4.2 leaves
    // 1000-2999 to it) assigns 1014 "Bad Gateway", a code an endpoint may send; wscheck
    // accepts it, Beast's close_code::reserved2 ("reserved and may not be sent", from before
    // the registration) makes it fail the connection with 1002.
    if (ours.end.what == ending::kind::close && ours.end.code == 1014 && beast_failed &&
        beast.end.code == proto::close_code::protocol_error && ours.events == beast.events) {
        return "close code 1014 rejected by Beast";
    }
    return std::nullopt;
}

void print(const char* who, const outcome& o) {
    static constexpr std::array<const char*, 4> kinds{"text", "binary", "ping", "pong"};
    static constexpr std::array<const char*, 4> ends{"none", "close", "eof", "failed"};
    std::fprintf(stderr, "%s: %zu events", who, o.events.size());
    for (const seen& s : o.events) {
        std::fprintf(stderr, " [%s %zu]", kinds[static_cast<std::size_t>(s.what)], s.data.size());
    }
    std::fprintf(stderr, "; end %s code %u reason %zu bytes %s\n",
                 ends[static_cast<std::size_t>(o.end.what)], o.end.code, o.end.reason.size(),
                 o.end.error ? o.end.error.message().c_str() : "");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    wf::option_bytes in{data, size, 1};
    static constexpr std::array<std::uint64_t, 4> limits{1024 * 1024, 125, 1000, 16};
    static constexpr std::array<std::size_t, 8> reads{1, 2, 3, 7, 16, 64, 512, 65536};
    const std::uint64_t limit = limits[in[0] & 3];
    const std::size_t max_read = reads[(in[0] >> 2) & 7];

    const outcome ours = run_wscheck(in.rest, limit);
    const outcome beast = run_beast(in.rest, limit, max_read);
    WSCHECK_FUZZ_CHECK(ours.end.what != ending::kind::none && beast.end.what != ending::kind::none);
    if (ours.events == beast.events && ours.end == beast.end) {
        return 0;
    }
    if (known_difference(ours, beast)) {
        return 0;
    }
    print("wscheck", ours);
    print("beast  ", beast);
    WSCHECK_FUZZ_CHECK(false);
    return 0;
}
