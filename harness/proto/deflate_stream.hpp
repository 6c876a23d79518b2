// The compression of permessage-deflate (RFC 7692 7.2) with zlib: one compressor and one
// decompressor per direction, each living as long as the connection when context takeover
// is on, and reset after every message when it is off.
//
//   message_deflater   raw DEFLATE (no zlib header: windowBits negative), each message ended
//                      with Z_SYNC_FLUSH, whose empty stored block's 0x00 0x00 0xff 0xff is
//                      then removed (7.2.1)
//   message_inflater   the 4 bytes appended again at the end of each message (7.2.2); output
//                      produced in chunks of at most options.chunk_size bytes and refused
//                      (inflated_too_big, 1009) the moment a message passes
//                      options.max_message_size, so a decompression bomb costs at most the
//                      cap, never what it would inflate to; anything zlib refuses is
//                      bad_compressed_data (1007). With options.exact_window the inflating
//                      is deflate_decoder's instead of zlib's: the same results, and every
//                      back-reference held to the agreed window exactly (a tester's choice)
//
// Window bits 8 (zlib's caveat, zlib.h on deflateInit2): zlib's deflate has no 256-byte
// window; since 1.2.9 it refuses windowBits -8 for raw deflate (and silently uses 9 with a
// zlib header). message_deflater asks for 9 when 8 was agreed. That keeps the promise made to
// the peer: zlib's deflate never emits a distance beyond its window minus MIN_LOOKAHEAD (262
// bytes; MAX_DIST in deflate.c), 250 bytes for a 512-byte window, within the peer's 256.
// Inflating needs no such care: inflate takes 8 for raw deflate, and a zlib peer's "9" output
// reads within it for the same reason. The unit tests check both with a strict reader.
//
// Sans-IO, no exceptions on data: errors are std::error_code of `violation`. Only setting up
// zlib can fail otherwise (out of memory): the constructors throw std::bad_alloc then.
#pragma once

#include "harness/proto/extension_params.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <system_error>
#include <vector>

namespace wscheck::proto {

struct deflater_options {
    std::uint8_t window_bits = max_window_bits; ///< 8..15: the window the peer agreed to read
    bool no_context_takeover = false;           ///< reset after every message (7.1.1)
    int level = 6;                              ///< zlib level 0..9 (6: zlib's default)
    int mem_level = 8;                          ///< zlib memLevel 1..9 (8: zlib's default)
    /// zlib's fixed Huffman codes only (Z_FIXED): a block costs no code tables to build, which
    /// is most of compressing a few hundred bytes; for pieces that small, hardly bigger.
    bool fixed_codes = false;
    /// Store (zlib level 0) the stretches of a message that do not compress, instead of
    /// searching them for matches at `level` only for zlib to store them anyway (it keeps the
    /// smallest of stored, fixed and dynamic per block). Each message's first 8 KiB is
    /// compressed at `level` as a probe, ended with a block boundary; if that saved under
    /// 1/16, the message goes on stored, probing again after 128 KiB (then 256 KiB, ... up
    /// to 1 MiB). Random or already-compressed data costs a copy instead of ~15 ns a byte; what
    /// compresses costs one extra block boundary a message. Off: zlib's output, byte for byte.
    bool store_incompressible = false;
    /// When not 0: each message's first `compress_limit` bytes are compressed at `level` and
    /// flushed to a byte boundary, and the rest goes in stored blocks written without zlib. A
    /// cap on the effort a message costs, for an endpoint that echoes gigabytes (the reference
    /// server as the catalog's control): every message still carries Huffman-coded data, and
    /// what follows costs a copy. Under context takeover, the message after one that was
    /// partly stored may refer back into the last 512 bytes of it (zlib starts over with them
    /// as its dictionary). 0: no cap.
    std::size_t compress_limit = 0;
};

class message_deflater {
public:
    explicit message_deflater(const deflater_options& options = {});
    ~message_deflater();
    message_deflater(message_deflater&&) noexcept;
    message_deflater& operator=(message_deflater&&) noexcept;

    /// One whole message: its compressed payload replaces `out`'s contents.
    void compress(std::span<const std::uint8_t> message, std::vector<std::uint8_t>& out);

    /// A message in pieces: appends what zlib gives for `piece` to `out`. With `flush`, all
    /// of the piece is flushed out (Z_SYNC_FLUSH, the 4-byte tail kept: it is mid-message),
    /// so a fragment can carry its own bytes.
    void write(std::span<const std::uint8_t> piece, std::vector<std::uint8_t>& out, bool flush = false);
    /// Ends the message: flushes, removes the 0x00 0x00 0xff 0xff tail (7.2.1), resets the
    /// stream when there is no context takeover. An empty message gives the single byte 0x00.
    /// The data always ends flushed, so each piece's output can go in its own frame.
    void finish(std::vector<std::uint8_t>& out);

    /// Back to the state of a new compressor with the same options: no history, nothing
    /// pending. Cheaper than constructing one (zlib keeps its ~256 KiB of buffers), for a
    /// user that compresses many independent streams (fuzz/fuzz_inflate.cpp).
    void reset();
    /// Right after reset(): the next message may refer back into `history`, the bytes the
    /// peer's decompressor holds from earlier messages (context takeover, 7.1.1). zlib uses
    /// at most its window minus 262 bytes of it, so the agreed window still bounds every
    /// distance. A compressor that skipped messages (they were compressed elsewhere) thus
    /// takes the context up again without keeping it.
    void set_dictionary(std::span<const std::uint8_t> history);

    const deflater_options& options() const noexcept { return options_; }
    /// Bytes zlib holds for this compressor now (counted through its allocation hooks).
    std::size_t memory_in_use() const noexcept;

private:
    /// write() without compress_limit's split.
    void compress_part(std::span<const std::uint8_t> piece, std::vector<std::uint8_t>& out, bool flush);

    struct impl;
    deflater_options options_;
    std::unique_ptr<impl> impl_;
};

struct inflater_options {
    std::uint8_t window_bits = max_window_bits;       ///< 8..15: the window the peer agreed to
    bool no_context_takeover = false;                 ///< the peer resets after every message
    std::uint64_t max_message_size = 64 * 1024 * 1024; ///< inflated bytes of one message
    /// Inflate with deflate_decoder rather than zlib: a back-reference further back than
    /// 2^window_bits bytes (or than any output) is bad_compressed_data exactly, which zlib
    /// checks only for bytes no longer in the output room of the current call. Otherwise the
    /// same behaviour, errors and output, and faster than zlib.
    bool exact_window = false;
    /// zlib only: output grows by at most this per inflate() call. 1 makes zlib check every
    /// distance against its window (each reference then reads from it), as exact_window does,
    /// at a tenth of the speed or less: the reference fuzz/fuzz_inflate_exact.cpp compares
    /// deflate_decoder with.
    std::size_t chunk_size = 64 * 1024;
};

class message_inflater {
public:
    explicit message_inflater(const inflater_options& options = {});
    ~message_inflater();
    message_inflater(message_inflater&&) noexcept;
    message_inflater& operator=(message_inflater&&) noexcept;

    /// A piece of a compressed message's payload (unmasked): appends what it inflates to to
    /// `out`. Errors: bad_compressed_data, inflated_too_big (the message has then grown
    /// `out` by at most max_message_size + 1 bytes). After an error the inflater is spent:
    /// the connection is to be failed.
    std::error_code write(std::span<const std::uint8_t> piece, std::vector<std::uint8_t>& out);
    /// Ends the message: inflates the 0x00 0x00 0xff 0xff tail (7.2.2), checks the data ended
    /// at a block boundary (a cut-off message is bad_compressed_data), and resets when there
    /// is no context takeover. A message whose payload was empty is the empty message and
    /// leaves the stream as it was (zlib would otherwise be left inside a stored block).
    std::error_code finish(std::vector<std::uint8_t>& out);
    /// One whole message: replaces `out`'s contents with the inflated message.
    std::error_code inflate(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out);

    /// Inflated bytes of the message in progress.
    std::uint64_t message_size() const noexcept { return message_size_; }
    const inflater_options& options() const noexcept { return options_; }
    /// Bytes zlib holds for this decompressor now (counted through its allocation hooks;
    /// inflate allocates its window on first use), or with exact_window the decoder's tables
    /// and buffer (allocated on first use too).
    std::size_t memory_in_use() const noexcept;

private:
    struct impl;
    std::error_code run(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out, bool tail);
    std::error_code run_exact(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out);
    std::error_code end_of_stream();
    bool at_block_boundary() const noexcept;

    inflater_options options_;
    std::unique_ptr<impl> impl_;
    std::uint64_t message_size_ = 0;
    std::uint64_t message_input_ = 0;
    bool stream_ended_ = false; ///< the message ended its DEFLATE stream (BFINAL, 7.2.3.4)
    bool spent_ = false;
};

} // namespace wscheck::proto
