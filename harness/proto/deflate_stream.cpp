#include "harness/proto/deflate_stream.hpp"

#include "harness/proto/deflate_decoder.hpp"
#include "harness/proto/error.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <optional>

namespace wscheck::proto {
namespace {

/// 7.2.1, 7.2.2: the end of the empty stored block a sync flush writes.
constexpr std::array<std::uint8_t, 4> deflate_tail{0x00, 0x00, 0xff, 0xff};

/// Output room given to deflate() per call: one buffer per compressor, reused, so that no
/// room is zero-filled per call (resizing the output vector would value-initialise it).
constexpr std::size_t deflate_step = 16 * 1024;

/// store_incompressible (see the header): the probe at the start of each message, what it
/// must save (1/probe_saving of its input) for the message to go on compressed, and the first
/// and longest stored stretch between probes.
constexpr std::size_t probe_size = 8 * 1024;
constexpr std::size_t probe_saving = 16;
constexpr std::size_t first_store_run = 128 * 1024;
constexpr std::size_t max_store_run = 1024 * 1024;

/// compress_limit: how much of a message that was partly stored the next one may refer back
/// into (the last bytes of it, given to zlib as a dictionary). A few hundred bytes keep
/// back-references across messages in the output at a cost of a few hundred hash insertions;
/// a whole window would cost as much as the compressing.
constexpr std::size_t limit_history = 512;

/// RFC 1951 3.2.4: LEN of a stored block is 16 bits.
constexpr std::size_t max_stored_block = 65535;

/// Stored blocks (not last) holding `data`, written without zlib, from a byte boundary.
void append_stored(std::span<const std::uint8_t> data, std::vector<std::uint8_t>& out) {
    out.reserve(out.size() + data.size() + 5 * (data.size() / max_stored_block + 1));
    while (!data.empty()) {
        const std::size_t n = std::min(data.size(), max_stored_block);
        const auto len = static_cast<std::uint16_t>(n);
        const auto nlen = static_cast<std::uint16_t>(~len);
        // BFINAL 0, BTYPE 00, then the bits up to the byte boundary: one zero byte.
        const std::array<std::uint8_t, 5> head{0x00, static_cast<std::uint8_t>(len & 0xff),
                                               static_cast<std::uint8_t>(len >> 8),
                                               static_cast<std::uint8_t>(nlen & 0xff),
                                               static_cast<std::uint8_t>(nlen >> 8)};
        out.insert(out.end(), head.begin(), head.end());
        out.insert(out.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
        data = data.subspan(n);
    }
}

/// The smallest output room given to inflate() per call (unless the chunk size is smaller).
constexpr std::size_t min_inflate_step = 1024;

/// zlib counts in uInt: longer inputs go in slices.
constexpr std::size_t max_slice = std::numeric_limits<uInt>::max() / 2;

/// Bytes zlib holds, counted through its allocation hooks, so that memory_in_use() is what
/// the stream really costs rather than a formula. Each block carries its size in front.
struct counted_memory {
    std::size_t in_use = 0;
};

constexpr std::size_t block_prefix = alignof(std::max_align_t);

voidpf counted_alloc(voidpf opaque, uInt items, uInt size) {
    const std::size_t n = std::size_t{items} * std::size_t{size};
    auto* block = static_cast<unsigned char*>(std::malloc(n + block_prefix));
    if (block == nullptr) {
        return Z_NULL;
    }
    std::memcpy(block, &n, sizeof n);
    static_cast<counted_memory*>(opaque)->in_use += n;
    return block + block_prefix;
}

void counted_free(voidpf opaque, voidpf address) {
    if (address == Z_NULL) {
        return;
    }
    auto* block = static_cast<unsigned char*>(address) - block_prefix;
    std::size_t n = 0;
    std::memcpy(&n, block, sizeof n);
    static_cast<counted_memory*>(opaque)->in_use -= n;
    std::free(block);
}

void use_counted_memory(z_stream& s, counted_memory& memory) {
    s.zalloc = counted_alloc;
    s.zfree = counted_free;
    s.opaque = &memory;
}

Bytef* as_zlib(const std::uint8_t* p) {
    // zlib's next_in is not const-qualified (unless ZLIB_CONST), but inflate and deflate never
    // write through it.
    return const_cast<Bytef*>(p);
}

} // namespace

// ---------------------------------------------------------------- deflater

struct message_deflater::impl {
    counted_memory memory;
    z_stream s{};
    std::unique_ptr<std::uint8_t[]> room = std::make_unique_for_overwrite<std::uint8_t[]>(deflate_step);

    // store_incompressible: where the message is at.
    enum class mode : std::uint8_t {
        probing,     ///< compressing at the level, `left` bytes before the probe is judged
        compressing, ///< the probe compressed: the level to the end of the message
        storing,     ///< level 0 for `left` more bytes, then a new probe
    };
    mode now = mode::probing;
    std::size_t left = probe_size;
    std::size_t store_run = first_store_run; ///< the next stored stretch
    uLong probe_in = 0;                      ///< total_in when the probe began
    uLong probe_out = 0;                     ///< total_out when the probe began
    int level = 0;                           ///< zlib's level now
    int strategy = Z_DEFAULT_STRATEGY;
    /// compress_limit: bytes of this message still to compress before storing the rest.
    std::size_t compress_left = std::numeric_limits<std::size_t>::max();
    /// compress_limit: the rest of this message goes out in stored blocks written here, past
    /// zlib, whose window then lacks them (so the next message starts from a reset stream and
    /// the last limit_history bytes as its dictionary).
    bool bypassing = false;
    bool window_stale = false;
    std::vector<std::uint8_t> recent; ///< the message's last bytes, up to limit_history

    void remember(std::span<const std::uint8_t> piece);

    void run(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out, int flush);
    bool set_level(int to);
    void decide(std::vector<std::uint8_t>& out, int configured_level);
    void start_message(int configured_level, std::size_t compress_limit);
};

void message_deflater::impl::run(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out, int flush) {
    do {
        const std::size_t slice = std::min(in.size(), max_slice);
        const bool last_slice = slice == in.size();
        s.next_in = as_zlib(in.data());
        s.avail_in = static_cast<uInt>(slice);
        // Each call either takes input or fills its output room, so this ends once the slice
        // is taken and, with a flush, once a call leaves room unused (all pending output out).
        for (;;) {
            s.next_out = room.get();
            s.avail_out = static_cast<uInt>(deflate_step);
            const int rc = ::deflate(&s, last_slice ? flush : Z_NO_FLUSH);
            out.insert(out.end(), room.get(), room.get() + (deflate_step - s.avail_out));
            // Z_BUF_ERROR: nothing to do (no input, nothing pending); not an error.
            if (rc != Z_OK || (s.avail_in == 0 && s.avail_out != 0)) {
                break;
            }
        }
        in = in.subspan(slice);
    } while (!in.empty());
}

bool message_deflater::impl::set_level(int to) {
    // Called at a block boundary with no input held (after a flush that left output room
    // unused), where deflateParams has nothing to compress (zlib.h). No output room is given,
    // so that it can write nothing whatever happens: were anything held, it would refuse
    // (Z_BUF_ERROR) and leave the level as it was, which costs time, never bytes.
    s.next_out = room.get();
    s.avail_out = 0;
    if (deflateParams(&s, to, strategy) != Z_OK) {
        return false;
    }
    level = to;
    return true;
}

void message_deflater::impl::decide(std::vector<std::uint8_t>& out, int configured_level) {
    // A block boundary (Z_BLOCK): all the input so far is in `out` (but for up to 7 bits), so
    // the probe's bytes in and out compare, and the level can change.
    run({}, out, Z_BLOCK);
    if (now == mode::probing) {
        const uLong in = s.total_in - probe_in;
        const uLong made = s.total_out - probe_out;
        if (made < in - in / probe_saving || !set_level(0)) {
            now = mode::compressing;
            return;
        }
        now = mode::storing;
        left = store_run;
        store_run = std::min(store_run * 2, max_store_run);
        return;
    }
    if (!set_level(configured_level)) {
        left = store_run; // still storing; tried again after the next stretch
        return;
    }
    now = mode::probing;
    left = probe_size;
    probe_in = s.total_in;
    probe_out = s.total_out;
}

void message_deflater::impl::remember(std::span<const std::uint8_t> piece) {
    if (piece.size() >= limit_history) {
        recent.assign(piece.end() - static_cast<std::ptrdiff_t>(limit_history), piece.end());
        return;
    }
    recent.insert(recent.end(), piece.begin(), piece.end());
    if (recent.size() > limit_history) {
        recent.erase(recent.begin(), recent.end() - static_cast<std::ptrdiff_t>(limit_history));
    }
}

void message_deflater::impl::start_message(int configured_level, std::size_t compress_limit) {
    compress_left = compress_limit == 0 ? std::numeric_limits<std::size_t>::max() : compress_limit;
    bypassing = false;
    if (level != configured_level && !set_level(configured_level)) {
        // Still at level 0 (zlib refused the change, which it does only with input held):
        // this message is stored, a fresh probe tries again with the next one.
        now = mode::storing;
        left = std::numeric_limits<std::size_t>::max();
        return;
    }
    now = mode::probing;
    left = probe_size;
    store_run = first_store_run;
    probe_in = s.total_in;
    probe_out = s.total_out;
}

message_deflater::message_deflater(const deflater_options& options)
    : options_(options), impl_(std::make_unique<impl>()) {
    options_.window_bits = std::clamp(options_.window_bits, min_window_bits, max_window_bits);
    options_.level = std::clamp(options_.level, 0, 9);
    options_.mem_level = std::clamp(options_.mem_level, 1, 9);
    // zlib refuses a 256-byte window for raw deflate: 8 becomes 9, whose distances stay
    // within 250 bytes (MAX_DIST, see the header), inside the 256 the peer agreed to read.
    const int bits = std::max(9, int{options_.window_bits});
    use_counted_memory(impl_->s, impl_->memory);
    // Negative windowBits: raw DEFLATE, no zlib header or trailer (7.2.1).
    // zlib shifts its whole hash table (2^(memLevel+7) slots) every window's worth of input:
    // with a 512-byte window and memLevel 8 that is 64 slots a byte, more than the matching
    // costs. Under compress_limit, where a message's compressed part is short and its fixed
    // costs are what count, the table has at most four slots per byte of window (memLevel
    // also sizes zlib's blocks, so elsewhere it stays as asked: smaller blocks compress worse).
    const int mem_level =
        options_.compress_limit != 0 ? std::min(options_.mem_level, std::max(1, bits - 5)) : options_.mem_level;
    if (deflateInit2(&impl_->s, options_.level, Z_DEFLATED, -bits, mem_level,
                     options_.fixed_codes ? Z_FIXED : Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::bad_alloc();
    }
    impl_->level = options_.level;
    impl_->strategy = options_.fixed_codes ? Z_FIXED : Z_DEFAULT_STRATEGY;
    impl_->start_message(options_.level, options_.compress_limit);
}

message_deflater::~message_deflater() {
    if (impl_) {
        deflateEnd(&impl_->s);
    }
}

message_deflater::message_deflater(message_deflater&&) noexcept = default;

message_deflater& message_deflater::operator=(message_deflater&& other) noexcept {
    if (this != &other) {
        if (impl_) {
            deflateEnd(&impl_->s);
        }
        options_ = other.options_;
        impl_ = std::move(other.impl_);
    }
    return *this;
}

std::size_t message_deflater::memory_in_use() const noexcept {
    return impl_ ? impl_->memory.in_use : 0;
}

void message_deflater::write(std::span<const std::uint8_t> piece, std::vector<std::uint8_t>& out,
                             bool flush) {
    impl& d = *impl_;
    if (options_.compress_limit != 0 && !options_.no_context_takeover) {
        d.remember(piece);
    }
    if (d.bypassing) {
        append_stored(piece, out); // always flushed: stored blocks end on a byte boundary
        return;
    }
    if (piece.size() >= d.compress_left) {
        // The message's compressed part ends here, flushed to a byte boundary; the rest is
        // stored, not through zlib: at level 0 zlib copies every byte into its window too, and
        // going back to the level at the next message costs a pass over its hash tables
        // (deflateParams' slide_hash), most of the reference server's time in 12.x and 13.x.
        const std::size_t split = d.compress_left;
        compress_part(piece.first(split), out, true);
        d.compress_left = std::numeric_limits<std::size_t>::max();
        d.bypassing = true;
        d.window_stale = true;
        append_stored(piece.subspan(split), out);
        return;
    }
    if (d.compress_left != std::numeric_limits<std::size_t>::max()) {
        d.compress_left -= piece.size();
    }
    compress_part(piece, out, flush);
}

void message_deflater::compress_part(std::span<const std::uint8_t> piece, std::vector<std::uint8_t>& out,
                                     bool flush) {
    impl& d = *impl_;
    if (options_.store_incompressible) {
        // Up to each point where the probe is judged or a stored stretch ends, then on.
        while (d.now != impl::mode::compressing && piece.size() >= d.left) {
            d.run(piece.first(d.left), out, Z_NO_FLUSH);
            piece = piece.subspan(d.left);
            d.decide(out, options_.level);
        }
        if (d.now != impl::mode::compressing) {
            d.left -= piece.size();
        }
    }
    d.run(piece, out, flush ? Z_SYNC_FLUSH : Z_NO_FLUSH);
}

void message_deflater::finish(std::vector<std::uint8_t>& out) {
    const std::size_t before = out.size();
    write({}, out, true);
    if (out.size() == before) {
        // zlib writes nothing for a flush right after a flush (an empty message after
        // another, or a last piece after a flushed one): the stream is byte-aligned, and the
        // empty stored block 7.2.1 ends the data with is ours to write (RFC 1951 3.2.4).
        static constexpr std::array<std::uint8_t, 5> empty_stored_block{0x00, 0x00, 0x00, 0xff, 0xff};
        out.insert(out.end(), empty_stored_block.begin(), empty_stored_block.end());
    }
    // 7.2.1: the data ends with an empty stored block; its LEN and NLEN are removed.
    out.resize(out.size() - deflate_tail.size());
    impl& d = *impl_;
    // 7.1.1: without context takeover every message starts with an empty window.
    if (options_.no_context_takeover) {
        deflateReset(&d.s);
    } else if (d.window_stale) {
        // The stored part went past zlib: it starts over from the message's last bytes, which
        // the peer's window holds too.
        deflateReset(&d.s);
        set_dictionary(d.recent);
    }
    d.window_stale = false;
    d.recent.clear();
    d.start_message(options_.level, options_.compress_limit);
}

void message_deflater::reset() {
    deflateReset(&impl_->s);
    impl_->window_stale = false;
    impl_->recent.clear();
    impl_->start_message(options_.level, options_.compress_limit);
}

void message_deflater::set_dictionary(std::span<const std::uint8_t> history) {
    // zlib keeps only the dictionary's last window's worth; longer is wasted hashing.
    const std::size_t window = std::size_t{1} << std::max(9, int{options_.window_bits});
    if (history.size() > window) {
        history = history.last(window);
    }
    if (!history.empty()) {
        deflateSetDictionary(&impl_->s, as_zlib(history.data()), static_cast<uInt>(history.size()));
    }
}

void message_deflater::compress(std::span<const std::uint8_t> message, std::vector<std::uint8_t>& out) {
    out.clear();
    write(message, out);
    finish(out);
}

// ---------------------------------------------------------------- inflater

struct message_inflater::impl {
    counted_memory memory;
    z_stream s{};                          ///< zlib's stream, unless exact_window
    std::optional<deflate_decoder> exact;  ///< with exact_window

    ~impl() {
        if (!exact) {
            inflateEnd(&s);
        }
    }
};

message_inflater::message_inflater(const inflater_options& options)
    : options_(options), impl_(std::make_unique<impl>()) {
    options_.window_bits = std::clamp(options_.window_bits, min_window_bits, max_window_bits);
    options_.chunk_size = std::max<std::size_t>(options_.chunk_size, 1);
    if (options_.exact_window) {
        deflate_decoder_options d;
        d.window_bits = options_.window_bits;
        d.no_context_takeover = options_.no_context_takeover;
        d.max_message_size = options_.max_message_size;
        impl_->exact.emplace(d);
        return;
    }
    use_counted_memory(impl_->s, impl_->memory);
    if (inflateInit2(&impl_->s, -int{options_.window_bits}) != Z_OK) {
        throw std::bad_alloc();
    }
}

message_inflater::~message_inflater() = default;

message_inflater::message_inflater(message_inflater&&) noexcept = default;

message_inflater& message_inflater::operator=(message_inflater&& other) noexcept {
    if (this != &other) {
        options_ = other.options_;
        impl_ = std::move(other.impl_);
        message_size_ = other.message_size_;
        message_input_ = other.message_input_;
        stream_ended_ = other.stream_ended_;
        spent_ = other.spent_;
    }
    return *this;
}

std::size_t message_inflater::memory_in_use() const noexcept {
    if (!impl_) {
        return 0;
    }
    return impl_->exact ? impl_->exact->memory_in_use() : impl_->memory.in_use;
}

bool message_inflater::at_block_boundary() const noexcept {
    // zlib's data_type has 128 when inflate stopped at a block boundary (zlib.h).
    return impl_->exact ? impl_->exact->at_block_boundary() : (impl_->s.data_type & 128) != 0;
}

std::error_code message_inflater::end_of_stream() {
    // 7.2.3.4: a message may end its DEFLATE stream with a BFINAL block; what follows in the
    // message (the example's extra 0x00, our tail) is not DEFLATE data. The next message
    // starts a new stream, with the window of this one when the context is taken over.
    stream_ended_ = true;
    z_stream& s = impl_->s;
    if (options_.no_context_takeover) {
        inflateReset(&s);
        return {};
    }
    std::vector<Bytef> window(std::size_t{1} << max_window_bits);
    uInt length = 0;
    if (inflateGetDictionary(&s, window.data(), &length) != Z_OK || inflateReset(&s) != Z_OK ||
        (length != 0 && inflateSetDictionary(&s, window.data(), length) != Z_OK)) {
        spent_ = true;
        return violation::bad_compressed_data;
    }
    return {};
}

std::error_code message_inflater::run(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out,
                                      bool tail) {
    if (spent_) {
        return violation::bad_compressed_data;
    }
    if (!tail) {
        message_input_ += in.size();
    }
    if (impl_->exact) {
        return run_exact(in, out);
    }
    z_stream& s = impl_->s;
    // The output room starts near what the input may inflate to and doubles up to the chunk
    // size: every byte of room is zero-filled by resize(), so a small message must not pay
    // for a whole chunk.
    std::size_t step = std::min(std::max(std::min(in.size(), options_.chunk_size) * 4, min_inflate_step),
                                options_.chunk_size);
    while (!stream_ended_) {
        const std::size_t slice = std::min(in.size(), max_slice);
        s.next_in = as_zlib(in.data());
        s.avail_in = static_cast<uInt>(slice);
        // Each round either takes input or fills its output room (at least one byte, which
        // counts towards the cap), so it ends within slice + max_message_size + 1 rounds.
        for (;;) {
            // Room for at most one chunk, and never more than one byte past the cap, which
            // is how passing the cap is seen without inflating further.
            const std::uint64_t left = options_.max_message_size - message_size_;
            const std::uint64_t allowed = left == UINT64_MAX ? left : left + 1;
            const std::size_t room = static_cast<std::size_t>(std::min<std::uint64_t>({step, allowed, max_slice}));
            step = std::min(step * 2, options_.chunk_size);
            const std::size_t at = out.size();
            if (at + room > out.capacity()) {
                // Geometric growth, but never reserving past what the cap allows.
                const std::size_t most = at + static_cast<std::size_t>(std::min<std::uint64_t>(
                                                  allowed, std::numeric_limits<std::size_t>::max() - at));
                out.reserve(std::min(std::max(at + room, 2 * out.capacity()), most));
            }
            out.resize(at + room);
            s.next_out = out.data() + at;
            s.avail_out = static_cast<uInt>(room);
            const int rc = ::inflate(&s, Z_SYNC_FLUSH);
            const std::size_t got = room - s.avail_out;
            out.resize(at + got);
            message_size_ += got;
            if (message_size_ > options_.max_message_size) {
                // RFC 7692 8.1 and RFC 6455 10.4: refused before inflating any further.
                spent_ = true;
                return violation::inflated_too_big;
            }
            if (rc == Z_STREAM_END) {
                if (const auto ec = end_of_stream()) {
                    return ec;
                }
                return {};
            }
            if (rc == Z_BUF_ERROR) {
                break; // no progress possible: all input taken and all output given
            }
            if (rc != Z_OK) {
                spent_ = true;
                return violation::bad_compressed_data;
            }
            // All input taken, and either room left over (nothing more to come out) or the
            // stream between blocks (nothing pending). The second matters: another call
            // there, making no progress, would clear data_type's block-boundary bit, and a
            // whole message would be refused when its last byte filled the room exactly.
            if (s.avail_in == 0 && (s.avail_out != 0 || (s.data_type & 128) != 0)) {
                break;
            }
        }
        in = in.subspan(slice);
        if (in.empty()) {
            break;
        }
    }
    return {};
}

std::error_code message_inflater::run_exact(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out) {
    if (stream_ended_) {
        return {}; // 7.2.3.4: the rest of the message is not DEFLATE data
    }
    deflate_decoder& d = *impl_->exact;
    const std::size_t before = out.size();
    const std::error_code ec = d.write(in, out);
    message_size_ += out.size() - before;
    stream_ended_ = d.stream_ended();
    if (ec) {
        spent_ = true;
    }
    return ec;
}

std::error_code message_inflater::write(std::span<const std::uint8_t> piece, std::vector<std::uint8_t>& out) {
    return run(piece, out, false);
}

std::error_code message_inflater::finish(std::vector<std::uint8_t>& out) {
    if (spent_) {
        return violation::bad_compressed_data;
    }
    const bool empty = message_input_ == 0;
    if (!empty && !stream_ended_) {
        // 7.2.2: append 0x00 0x00 0xff 0xff, then inflate.
        if (const auto ec = run(deflate_tail, out, true)) {
            return ec;
        }
        // The tail is an empty stored block, so a message that was whole ends at a block
        // boundary. Anything else means the message's data stopped inside a block.
        if (!stream_ended_ && !at_block_boundary()) {
            spent_ = true;
            return violation::bad_compressed_data;
        }
    }
    if (impl_->exact) {
        if (!empty) {
            impl_->exact->end_message();
        }
    } else if (options_.no_context_takeover && !empty && !stream_ended_) {
        inflateReset(&impl_->s);
    }
    message_size_ = 0;
    message_input_ = 0;
    stream_ended_ = false;
    return {};
}

std::error_code message_inflater::inflate(std::span<const std::uint8_t> payload,
                                          std::vector<std::uint8_t>& out) {
    out.clear();
    if (const auto ec = write(payload, out)) {
        return ec;
    }
    return finish(out);
}

} // namespace wscheck::proto
