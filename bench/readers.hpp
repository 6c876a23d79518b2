// The three readers the frame benchmarks compare, each reading a frame_batch the way a server
// reads a client (server role, masked frames, UTF-8 checked for text):
//
//   parser_reader   wscheck's raw core: proto::frame_parser (strict) plus proto::utf8_validator
//                   for text; payload is unmasked in place and handed out in pieces, nothing is
//                   copied or reassembled.
//   session_reader  wscheck's message layer: proto::session, which reassembles each message
//                   into an event that owns its bytes, the like-for-like peer of Beast's read().
//   beast_reader    boost::beast::websocket::stream<memory_stream, false>::read() into a
//                   flat_buffer, one message per call, after a real accept() handshake.
//
// All three read through the same window: at most read_size bytes per read, copied from the
// batch into a read buffer (ours) or by memory_stream::read_some (Beast's), as a socket read
// would. read_size is what harness/server/connection.cpp reads at a time.
//
// read_all(batch, sink) reads the whole batch once and calls sink(span) with the payload
// (pieces for the parser, whole messages for the others). It returns true only if exactly
// batch.frame_count messages of the batch's opcode and size were read and every byte was used.
#pragma once

#include "bench/corpus.hpp"
#include "bench/memory_stream.hpp"

#include "harness/proto/frame_parser.hpp"
#include "harness/proto/session.hpp"
#include "harness/proto/utf8.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace wscheck::bench {

inline constexpr std::size_t read_size = 64 * 1024;
/// The message size limit every reader gets (proto::session's default); 16 MiB frames fit.
inline constexpr std::uint64_t max_message_size = 64 * 1024 * 1024;

// ---------------------------------------------------------------- wscheck: raw parser

class parser_reader {
public:
    parser_reader() : rd_buf_(read_size) {}

    template <class Sink>
    bool read_all(const frame_batch& batch, Sink&& sink) {
        std::size_t frames = 0;
        for (std::size_t at = 0; at < batch.wire.size();) {
            const std::size_t n = std::min(read_size, batch.wire.size() - at);
            std::memcpy(rd_buf_.data(), batch.wire.data() + at, n);
            at += n;
            if (!parse(std::span{rd_buf_}.first(n), batch, frames, sink))
                return false;
        }
        return frames == batch.frame_count && parser_.at_frame_boundary();
    }

private:
    template <class Sink>
    bool parse(std::span<std::uint8_t> input, const frame_batch& batch, std::size_t& frames,
               Sink& sink) {
        // At most two events per byte plus the last frame_end (see proto::session::receive).
        const std::size_t max_events = 2 * input.size() + 2;
        for (std::size_t i = 0; i < max_events; ++i) {
            const proto::frame_parser::result r = parser_.feed(input);
            input = input.subspan(r.consumed);
            switch (r.what) {
            case proto::frame_parser::event::need_more:
                return true;
            case proto::frame_parser::event::header: {
                const proto::frame_header& h = parser_.header();
                if (h.op != batch.op || h.length != batch.payload_size)
                    return false;
                // 8.1: each text message is validated on its own.
                text_ = h.op == proto::opcode::text;
                utf8_.reset();
                break;
            }
            case proto::frame_parser::event::payload:
                if (text_ && !utf8_.write(r.data))
                    return false;
                sink(std::span<const std::uint8_t>{r.data});
                break;
            case proto::frame_parser::event::frame_end:
                if (text_ && !utf8_.finish())
                    return false;
                ++frames;
                break;
            case proto::frame_parser::event::error:
                return false;
            }
        }
        return false;
    }

    proto::frame_parser parser_{proto::frame_parser_options{}}; // server role, strict
    proto::utf8_validator utf8_;
    bool text_ = false;
    std::vector<std::uint8_t> rd_buf_;
};

// ---------------------------------------------------------------- wscheck: session

class session_reader {
public:
    session_reader() : session_{make_options()}, rd_buf_(read_size) {}

    template <class Sink>
    bool read_all(const frame_batch& batch, Sink&& sink) {
        const auto expected = batch.op == proto::opcode::text ? proto::session_event::kind::text
                                                              : proto::session_event::kind::binary;
        std::size_t frames = 0;
        for (std::size_t at = 0; at < batch.wire.size();) {
            const std::size_t n = std::min(read_size, batch.wire.size() - at);
            std::memcpy(rd_buf_.data(), batch.wire.data() + at, n);
            at += n;
            session_.receive(std::span{rd_buf_}.first(n));
            // As the reference server does: after each read, take every event it produced.
            while (session_.next_event(event_)) {
                if (event_.what != expected || event_.data.size() != batch.payload_size)
                    return false;
                sink(std::span<const std::uint8_t>{event_.data});
                ++frames;
            }
        }
        return frames == batch.frame_count && session_.state() == proto::session_state::open;
    }

private:
    static proto::session_options make_options() {
        proto::session_options o;
        o.local_role = proto::role::server;
        o.max_message_size = max_message_size;
        return o;
    }

    proto::session session_;
    proto::session_event event_;
    std::vector<std::uint8_t> rd_buf_;
};

// ---------------------------------------------------------------- Boost.Beast: stream

class beast_reader {
public:
    beast_reader() : ws_{ioc_, read_size} {
        // deflateSupported = false: we do not negotiate permessage-deflate either, and Beast
        // then compiles its inflate path out.
        ws_.read_message_max(max_message_size);
        // 4.1: a real opening handshake, so the stream is open in the server role.
        static constexpr std::string_view request =
            "GET / HTTP/1.1\r\n"
            "Host: localhost\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n"
            "\r\n";
        ws_.next_layer().reset(
            {reinterpret_cast<const std::uint8_t*>(request.data()), request.size()});
        boost::beast::error_code ec;
        ws_.accept(ec);
        open_ = !ec && ws_.next_layer().at_end();
    }

    /// False when the handshake failed (then read_all fails too).
    bool open() const noexcept { return open_; }

    template <class Sink>
    bool read_all(const frame_batch& batch, Sink&& sink) {
        if (!open_)
            return false;
        const bool text = batch.op == proto::opcode::text;
        ws_.next_layer().reset(batch.wire);
        for (std::size_t i = 0; i < batch.frame_count; ++i) {
            boost::beast::error_code ec;
            ws_.read(buffer_, ec);
            if (ec) {
                open_ = false; // Beast failed the connection; the stream is done
                return false;
            }
            if (ws_.got_text() != text || buffer_.size() != batch.payload_size)
                return false;
            const auto data = buffer_.data();
            sink(std::span<const std::uint8_t>{static_cast<const std::uint8_t*>(data.data()), data.size()});
            buffer_.clear(); // keeps the capacity, as a server reusing its buffer would
        }
        return ws_.next_layer().at_end();
    }

private:
    boost::asio::io_context ioc_;
    boost::beast::websocket::stream<memory_stream, false> ws_;
    boost::beast::flat_buffer buffer_;
    bool open_ = false;
};

} // namespace wscheck::bench
