// A raw DEFLATE (RFC 1951) decoder for one direction of permessage-deflate (RFC 7692), built
// for a tester: it holds the peer to the window it agreed exactly, and it is faster than
// zlib's inflate, which holds a peer to its window only for bytes no longer in the output
// buffer of the current call.
//
// Sans-IO and incremental: input comes in pieces split anywhere (a message's payload arrives
// across reads and frames, even mid-code), output is appended to the caller's vector, and
// nothing is thrown on data: errors are std::error_code of `violation`.
//
// What it accepts and refuses is exactly what zlib's inflate (1.2.13) does, with the output
// zlib gives with one byte of output room per call (the only way to make zlib check the
// window exactly): every symbol before the one that fails, none of a match that reaches too
// far back. On top of zlib's rules (deflate_huffman.hpp has the code-length ones), a
// back-reference may reach at most min(history, 2^window_bits) bytes back, where history is
// this message's output so far plus, with context takeover, the earlier messages' output.
// fuzz/fuzz_inflate_exact.cpp holds it to zlib byte for byte.
//
// Theory of operation:
//   - Output is decoded into a buffer of its own: the last 2^window_bits bytes of history,
//     then room for 64 KiB more. Every match is one copy within it, whether it reaches into
//     this call's output, an earlier call's or an earlier message's; what is new is appended
//     to the caller's vector at the end of each call, and when the room is used up the
//     window's worth of history slides to the front.
//   - Input goes through a 64-bit bit buffer. While at least 16 bytes of input and a
//     match's worth of room remain, a fast loop refills it a word at a time and decodes a
//     literal, or a length and distance, per refill (up to three literals when they are
//     short enough), through tables indexed by 10 bits (literal/length) and 8 bits
//     (distance), copying matches by 16 or 8 bytes, or by an 8-byte pattern for distances
//     under 8.
//   - Near the end of the input, the output cap or a block, one symbol at a time: a symbol
//     is used only once all of its bits are in (a length with its distance), so that
//     stopping for input never leaves anything half-done but the bits in the buffer, and
//     the next call resumes where the bits end. Block headers and stored blocks take this
//     path too.
//   - A message's output is capped at max_message_size: when it would pass the cap, exactly
//     max_message_size + 1 bytes of it are output and the call returns inflated_too_big, so
//     a decompression bomb costs at most the cap.
//   - A block with BFINAL ends the message's DEFLATE stream (RFC 7692 7.2.3.4): the rest of
//     the message is ignored, and end_message() starts a new stream with the history kept
//     (context takeover) or dropped.
//   - After an error the decoder is spent: every later write() returns bad_compressed_data.
#pragma once

#include "harness/proto/extension_params.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <system_error>
#include <vector>

namespace wscheck::proto {

struct deflate_decoder_options {
    std::uint8_t window_bits = max_window_bits;        ///< 8..15: the window the peer agreed to
    bool no_context_takeover = false;                  ///< history is dropped after each message
    std::uint64_t max_message_size = 64 * 1024 * 1024; ///< decoded bytes of one message
};

class deflate_decoder {
public:
    explicit deflate_decoder(const deflate_decoder_options& options = {});
    ~deflate_decoder();
    deflate_decoder(deflate_decoder&&) noexcept;
    deflate_decoder& operator=(deflate_decoder&&) noexcept;

    /// Decodes a piece of the message's compressed data, appending its output to `out`.
    /// Errors: bad_compressed_data (the data breaks RFC 1951 as zlib reads it, or refers
    /// further back than the window), inflated_too_big (the message passed the cap: exactly
    /// max_message_size + 1 of its bytes were output). Input after the end of the stream
    /// (BFINAL) is ignored until end_message().
    std::error_code write(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out);

    /// The message ended (its input is all written): the next write() is the next message's.
    /// Without context takeover everything is forgotten; with it, the history stays, and so
    /// does the stream unless it ended with BFINAL (a new one then starts).
    void end_message() noexcept;

    /// The message's stream ended with a BFINAL block.
    bool stream_ended() const noexcept;
    /// The stream stands between two blocks: all input decoded and no part of a next block's
    /// header read (zlib's data_type bit 128), so a message that stops here is whole.
    bool at_block_boundary() const noexcept;
    /// Decoded bytes of the message in progress.
    std::uint64_t message_size() const noexcept;
    /// Bytes the decoder holds: its tables and its output buffer (allocated on first use).
    std::size_t memory_in_use() const noexcept;
    const deflate_decoder_options& options() const noexcept;

private:
    struct state;
    std::unique_ptr<state> s_;
};

} // namespace wscheck::proto
