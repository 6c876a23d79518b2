// permessage-deflate (RFC 7692): wscheck's session (zlib) against Boost.Beast's websocket
// stream (its own port of zlib's deflate and inflate) with the same settings: window 15 bits
// both ways, level 6, memLevel 8, the server's compressor keeping its context and the client's
// resetting after every message (so that a batch of compressed client messages can be read
// again and again). Both sides are servers that negotiated the extension with a real
// handshake.
//
//   compress/<case>     one message sent: compressed, framed, written to an in-memory sink
//   decompress/<case>   a batch of masked compressed client messages read: unmasked,
//                       inflated, UTF-8 checked for text, one message per event or read()
//   and, printed after the table, the heap memory of one compressing connection that has
//   sent and received one 64 KiB message (buffers and zlib state, what a server pays per
//   connection).
//
// Each benchmark first checks, untimed, that the output is right: our compressed frames
// inflate (with our inflater) to the message, Beast's too, and both readers deliver exactly
// the messages in the batch. A wrong answer is an error, never timed, and exit status 1.
#include "bench/corpus.hpp"
#include "bench/memory_stream.hpp"
#include "bench/ratio_reporter.hpp"

#include "harness/proto/deflate_stream.hpp"
#include "harness/proto/extension_params.hpp"
#include "harness/proto/frame_parser.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/proto/http1.hpp"
#include "harness/proto/session.hpp"

#include <benchmark/benchmark.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <malloc.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// ---------------------------------------------------------------- heap accounting
// Live heap bytes through operator new, for the memory figures. Beast's zlib allocates with
// new[]; ours allocates through zlib's hooks, which the session counts (deflate_memory()).

namespace {
std::atomic<std::int64_t> live_heap{0};
}

void* operator new(std::size_t n) {
    void* p = std::malloc(n == 0 ? 1 : n);
    if (p == nullptr)
        throw std::bad_alloc();
    live_heap += static_cast<std::int64_t>(malloc_usable_size(p));
    return p;
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void operator delete(void* p) noexcept {
    if (p == nullptr)
        return;
    live_heap -= static_cast<std::int64_t>(malloc_usable_size(p));
    std::free(p);
}
void operator delete[](void* p) noexcept { ::operator delete(p); }
void operator delete(void* p, std::size_t) noexcept { ::operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { ::operator delete(p); }

namespace wscheck::bench {
namespace {

using bytes = std::vector<std::uint8_t>;
constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;
constexpr std::size_t read_size = 64 * 1024; // as harness/server/connection.cpp
constexpr int level = 6;
constexpr int mem_level = 8;

/// JSON-like records: the kind of payload permessage-deflate is used for.
bytes make_json(std::size_t size, std::uint32_t seed) {
    static constexpr std::string_view names[] = {"alpha", "bravo", "charlie", "delta", "echo",
                                                 "foxtrot", "golf", "hotel"};
    std::uint32_t s = seed;
    const auto next = [&s] {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        return s;
    };
    std::string out;
    while (out.size() < size) {
        out += "{\"id\":" + std::to_string(next() % 100000) + ",\"name\":\"" +
               std::string(names[next() % 8]) + "\",\"price\":" + std::to_string(next() % 10000) +
               "." + std::to_string(next() % 100) + ",\"tags\":[\"" + std::string(names[next() % 8]) +
               "\",\"" + std::string(names[next() % 8]) + "\"]},";
    }
    out.resize(size);
    return {out.begin(), out.end()};
}

struct deflate_case {
    const char* name;
    proto::opcode op;
    std::size_t size;
    std::size_t count; ///< messages per decompress batch
    bool json;         ///< JSON-like text, else random bytes (incompressible)
};

constexpr deflate_case cases[] = {
    {"1KiB_json", proto::opcode::text, KiB, 1024, true},
    {"64KiB_json", proto::opcode::text, 64 * KiB, 32, true},
    {"1MiB_json", proto::opcode::text, MiB, 4, true},
    {"1MiB_random", proto::opcode::binary, MiB, 4, false},
};

bytes payload_of(const deflate_case& c, std::uint32_t seed) {
    return c.json ? make_json(c.size, seed) : make_binary(c.size, seed);
}

/// What both servers agree to (and check they did).
proto::deflate_agreement agreement() {
    proto::deflate_agreement a;
    a.client_no_context_takeover = true;
    return a;
}

proto::session_options session_options_for(proto::role r) {
    proto::session_options o;
    o.local_role = r;
    o.deflate = agreement();
    o.deflate_level = level;
    o.deflate_mem_level = mem_level;
    // Beast searches every byte for matches: so does ours here, for the same work on both
    // sides (the reference server stores what does not compress: docs/benchmarks.md).
    o.deflate_store_incompressible = false;
    o.mask_source = [] { return proto::mask_key{0x12, 0x34, 0x56, 0x78}; };
    return o;
}

// ---------------------------------------------------------------- the wire

/// Compressed masked client messages, back to back, and what they carry.
struct compressed_batch {
    proto::opcode op = proto::opcode::text;
    std::size_t count = 0;
    bytes wire;
    std::vector<bytes> messages;
};

const compressed_batch& batch_for(const deflate_case& c) {
    static std::map<const deflate_case*, compressed_batch> cache;
    auto it = cache.find(&c);
    if (it != cache.end())
        return it->second;
    compressed_batch b;
    b.op = c.op;
    b.count = c.count;
    proto::session client(session_options_for(proto::role::client));
    for (std::size_t i = 0; i < c.count; ++i) {
        b.messages.push_back(payload_of(c, static_cast<std::uint32_t>(7692 + i)));
        if (c.op == proto::opcode::text) {
            client.send_text({reinterpret_cast<const char*>(b.messages.back().data()), b.messages.back().size()});
        } else {
            client.send_binary(b.messages.back());
        }
    }
    b.wire.assign(client.output().begin(), client.output().end());
    return cache.emplace(&c, std::move(b)).first->second;
}

/// Inflates what a server sent (frames of compressed messages) as a client would.
bool server_frames_inflate_to(std::span<const std::uint8_t> wire, const std::vector<bytes>& expected) {
    proto::session client(session_options_for(proto::role::client));
    bytes copy(wire.begin(), wire.end());
    client.receive(copy);
    proto::session_event e;
    std::size_t i = 0;
    while (client.next_event(e)) {
        if (i >= expected.size() || e.data != expected[i])
            return false;
        ++i;
    }
    return i == expected.size();
}

// ---------------------------------------------------------------- Beast

/// A Beast server stream that accepted "permessage-deflate; client_max_window_bits" with the
/// settings above, and checked that it agreed to what our session uses.
class beast_server {
public:
    beast_server() : ws_{ioc_, read_size} {
        ws_.next_layer().capture_writes(&written_);
        boost::beast::websocket::permessage_deflate pmd;
        pmd.server_enable = true;
        pmd.client_no_context_takeover = true;
        pmd.compLevel = level;
        pmd.memLevel = mem_level;
        ws_.set_option(pmd);
        ws_.read_message_max(64 * MiB);
        ws_.auto_fragment(false);
        static constexpr std::string_view request =
            "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
        ws_.next_layer().reset({reinterpret_cast<const std::uint8_t*>(request.data()), request.size()});
        boost::beast::error_code ec;
        ws_.accept(ec);
        open_ = !ec && ws_.next_layer().at_end() && agreed_as_we_do();
        written_.clear();
    }
    bool open() const noexcept { return open_; }
    memory_stream& stream() noexcept { return ws_.next_layer(); }
    /// What Beast wrote since the last clear().
    bytes& written() noexcept { return written_; }
    boost::beast::websocket::stream<memory_stream, true>& ws() noexcept { return ws_; }

private:
    /// The 101 Beast wrote says what it agreed to: it must be our agreement.
    bool agreed_as_we_do() {
        const bytes& out = written_;
        proto::http_parser parser(proto::http_parser::kind::response);
        std::size_t used = 0;
        if (parser.feed(std::string_view{reinterpret_cast<const char*>(out.data()), out.size()}, used) !=
            proto::http_parser::status::done)
            return false;
        const auto value = parser.head().single("Sec-WebSocket-Extensions");
        const auto exts = proto::parse_extensions(value.value_or(""));
        proto::deflate_response r;
        return exts && exts->size() == 1 && !proto::parse_deflate_response(exts->front(), r) &&
               proto::deflate_agreement::from(r) == agreement();
    }

    boost::asio::io_context ioc_;
    bytes written_;
    boost::beast::websocket::stream<memory_stream, true> ws_;
    bool open_ = false;
};

// ---------------------------------------------------------------- compress

void compress_wscheck(benchmark::State& state, const deflate_case& c) {
    const bytes msg = payload_of(c, 1);
    proto::session server(session_options_for(proto::role::server));
    const auto send = [&] {
        if (c.op == proto::opcode::text) {
            server.send_text({reinterpret_cast<const char*>(msg.data()), msg.size()});
        } else {
            server.send_binary(msg);
        }
    };
    send();
    send();
    if (!server_frames_inflate_to(server.output(), {msg, msg})) {
        state.SkipWithError("our compressed frames do not inflate to the message");
        return;
    }
    server.consume_output(server.output().size());
    for (auto _ : state) {
        send();
        benchmark::DoNotOptimize(server.output().data());
        server.consume_output(server.output().size());
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(msg.size()));
}

void compress_beast(benchmark::State& state, const deflate_case& c) {
    const bytes msg = payload_of(c, 1);
    beast_server server;
    if (!server.open()) {
        state.SkipWithError("Beast did not agree to the same permessage-deflate settings");
        return;
    }
    server.ws().text(c.op == proto::opcode::text);
    boost::beast::error_code ec;
    server.ws().write(boost::asio::buffer(msg), ec);
    server.ws().write(boost::asio::buffer(msg), ec);
    if (ec || !server_frames_inflate_to(server.written(), {msg, msg})) {
        state.SkipWithError("Beast's compressed frames do not inflate to the message");
        return;
    }
    for (auto _ : state) {
        server.written().clear();
        server.ws().write(boost::asio::buffer(msg), ec);
        benchmark::DoNotOptimize(server.written().data());
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(msg.size()));
}

// ---------------------------------------------------------------- decompress

bool read_wscheck(proto::session& server, proto::session_event& e, bytes& rd_buf,
                  const compressed_batch& b, bool check) {
    std::size_t got = 0;
    for (std::size_t at = 0; at < b.wire.size();) {
        const std::size_t n = std::min(read_size, b.wire.size() - at);
        std::memcpy(rd_buf.data(), b.wire.data() + at, n);
        at += n;
        server.receive(std::span{rd_buf}.first(n));
        while (server.next_event(e)) {
            if (got >= b.count || (check && e.data != b.messages[got]) || e.data.size() != b.messages[got].size())
                return false;
            ++got;
        }
    }
    return got == b.count;
}

void decompress_wscheck(benchmark::State& state, const deflate_case& c) {
    const compressed_batch& b = batch_for(c);
    proto::session server(session_options_for(proto::role::server));
    proto::session_event e;
    bytes rd_buf(read_size);
    if (!read_wscheck(server, e, rd_buf, b, true)) {
        state.SkipWithError("our session did not read the messages that were sent");
        return;
    }
    for (auto _ : state) {
        if (!read_wscheck(server, e, rd_buf, b, false)) {
            state.SkipWithError("our session failed on the batch");
            break;
        }
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(c.size * c.count));
}

bool read_beast(beast_server& server, boost::beast::flat_buffer& buffer, const compressed_batch& b, bool check) {
    server.stream().reset(b.wire);
    for (std::size_t i = 0; i < b.count; ++i) {
        boost::beast::error_code ec;
        buffer.clear();
        server.ws().read(buffer, ec);
        const auto data = buffer.data();
        if (ec || data.size() != b.messages[i].size() ||
            (check && std::memcmp(data.data(), b.messages[i].data(), data.size()) != 0))
            return false;
    }
    return server.stream().at_end();
}

void decompress_beast(benchmark::State& state, const deflate_case& c) {
    const compressed_batch& b = batch_for(c);
    beast_server server;
    boost::beast::flat_buffer buffer;
    if (!server.open() || !read_beast(server, buffer, b, true)) {
        state.SkipWithError("Beast did not read the messages that were sent");
        return;
    }
    for (auto _ : state) {
        if (!read_beast(server, buffer, b, false)) {
            state.SkipWithError("Beast failed on the batch");
            break;
        }
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(c.size * c.count));
}

// ---------------------------------------------------------------- memory per connection

struct memory_figures {
    std::int64_t wscheck = 0;      ///< 0 when the side failed its check
    std::int64_t wscheck_zlib = 0; ///< of which zlib's state
    std::int64_t beast = 0;
};

/// Heap bytes of one server connection after it read and sent a 64 KiB JSON message (its
/// object and its read buffer included).
memory_figures connection_memory() {
    const deflate_case& c = cases[1];
    const compressed_batch& b = batch_for(c);
    compressed_batch one = b;
    one.count = 1;
    one.messages.resize(1);
    {
        // The batch's first message alone: the frames up to the second message's header.
        proto::session client(session_options_for(proto::role::client));
        client.send_text({reinterpret_cast<const char*>(b.messages[0].data()), b.messages[0].size()});
        one.wire.assign(client.output().begin(), client.output().end());
    }
    const bytes msg = b.messages[0];
    memory_figures m;
    {
        const std::int64_t before = live_heap;
        auto* server = new proto::session(session_options_for(proto::role::server));
        proto::session_event e;
        bytes rd_buf(read_size);
        const bool read = read_wscheck(*server, e, rd_buf, one, true);
        server->send_text({reinterpret_cast<const char*>(msg.data()), msg.size()});
        server->consume_output(server->output().size());
        m.wscheck_zlib = static_cast<std::int64_t>(server->deflate_memory());
        m.wscheck = read ? live_heap - before + m.wscheck_zlib : 0;
        delete server;
    }
    {
        const std::int64_t before = live_heap;
        auto* server = new beast_server;
        boost::beast::flat_buffer buffer;
        const bool read = server->open() && read_beast(*server, buffer, one, true);
        server->ws().write(boost::asio::buffer(msg));
        server->written().clear();
        server->written().shrink_to_fit(); // the sink is the socket's, not Beast's
        m.beast = read ? live_heap - before : 0;
        delete server;
    }
    return m;
}

std::string row(const char* group, const char* name, const char* impl) {
    return std::string{group} + "/" + name + "/" + impl;
}

void register_benchmarks() {
    for (const deflate_case& c : cases) {
        benchmark::RegisterBenchmark(row("compress", c.name, "wscheck_session").c_str(), compress_wscheck, c)
            ->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark(row("compress", c.name, "beast_stream").c_str(), compress_beast, c)
            ->Unit(benchmark::kMicrosecond);
    }
    for (const deflate_case& c : cases) {
        benchmark::RegisterBenchmark(row("decompress", c.name, "wscheck_session").c_str(), decompress_wscheck, c)
            ->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark(row("decompress", c.name, "beast_stream").c_str(), decompress_beast, c)
            ->Unit(benchmark::kMicrosecond);
    }
}

} // namespace
} // namespace wscheck::bench

int main(int argc, char** argv) {
    const int status = wscheck::bench::run_benchmarks(argc, argv, wscheck::bench::register_benchmarks);
    if (status == 2)
        return status;
    const auto m = wscheck::bench::connection_memory();
    std::printf("\nHeap per compressing server connection (after one 64 KiB JSON message each way):\n"
                "  wscheck_session %lld bytes (zlib state %lld)\n  beast_stream    %lld bytes\n",
                static_cast<long long>(m.wscheck), static_cast<long long>(m.wscheck_zlib),
                static_cast<long long>(m.beast));
    return status != 0 || m.wscheck == 0 || m.beast == 0 ? 1 : 0;
}
