#include "harness/runner/series_deflate.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <string_view>
#include <tuple>

namespace wscheck::runner {

namespace {

/// 7.2.1: the end of the empty stored block a sync flush writes, removed from a message's end.
constexpr std::size_t sync_tail = 4;

/// zlib's level for the cached chunks.
constexpr int chunk_level = 9;

/// The cache stops growing here (the catalog's five data sets at one window take ~2 MiB).
constexpr std::size_t max_cached_bytes = 64 * 1024 * 1024;

/// Chunks of one data set, compressed alone at one window and level. Keyed by the data's
/// contents (size and hash), not its address, so a data set that is freed and another that
/// lands at its address never share chunks.
struct chunk_key {
    std::size_t size;
    std::size_t hash;
    int window_bits;
    int level;
    std::size_t chunk;
    auto operator<=>(const chunk_key&) const = default;
};

class chunk_cache {
public:
    /// The compressed bytes of chunk `index` (of key.chunk bytes) of `source` (sync-flushed,
    /// tail kept), compressed now with `deflater` if no one did before.
    void append(const chunk_key& key, std::span<const std::uint8_t> source, std::size_t index,
                proto::message_deflater& deflater, std::vector<std::uint8_t>& out) {
        const std::lock_guard lock{mutex_};
        auto& chunks = sets_[key];
        if (chunks.empty()) {
            chunks.resize((source.size() + key.chunk - 1) / key.chunk);
        }
        auto& chunk = chunks[index];
        if (chunk.empty()) {
            const std::size_t from = index * key.chunk;
            const auto plain = source.subspan(from, std::min(key.chunk, source.size() - from));
            std::vector<std::uint8_t> compressed;
            deflater.reset();
            deflater.write(plain, compressed, /*flush=*/true);
            plain_compressed_ += plain.size();
            if (cached_ + compressed.size() > max_cached_bytes) {
                out.insert(out.end(), compressed.begin(), compressed.end());
                return;
            }
            cached_ += compressed.size();
            chunk = std::move(compressed);
        }
        out.insert(out.end(), chunk.begin(), chunk.end());
    }

    std::size_t plain_compressed() {
        const std::lock_guard lock{mutex_};
        return plain_compressed_;
    }

private:
    std::mutex mutex_;
    std::map<chunk_key, std::vector<std::vector<std::uint8_t>>> sets_;
    std::size_t cached_ = 0;
    std::size_t plain_compressed_ = 0;
};

chunk_cache& cache() {
    static chunk_cache c;
    return c;
}

std::size_t hash_of(std::span<const std::uint8_t> source) {
    return std::hash<std::string_view>{}({reinterpret_cast<const char*>(source.data()), source.size()});
}

} // namespace

namespace {

/// A compressor for one piece at a time, reset before each: zlib clears its hash table then,
/// so heads (a small chunk at most) get a small one (memLevel 3: 2^10 entries for 2^9
/// bytes), and fixed codes (no tables to build for a block of a few hundred bytes); chunks, compressed once, get zlib's default memLevel and its best level: longer
/// matches are fewer bytes to send and fewer codes for the peer to decode (on the catalog's
/// JSON in 128 KiB messages, against level 1: 30% fewer bytes, 20% less inflating time).
proto::deflater_options for_pieces(proto::deflater_options o, int level, int mem_level, bool fixed_codes = false) {
    o.level = level;
    o.mem_level = mem_level;
    o.fixed_codes = fixed_codes;
    o.store_incompressible = false; // zlib stores what does not compress
    return o;
}

} // namespace

series_deflater::series_deflater(const proto::deflater_options& ours)
    : options_(ours), heads_(for_pieces(ours, ours.level, 3, /*fixed_codes=*/true)), chunks_(for_pieces(ours, chunk_level, 8)),
      stored_(for_pieces(ours, 0, 1)) {}

series_deflater::~series_deflater() = default;
series_deflater::series_deflater(series_deflater&&) noexcept = default;
series_deflater& series_deflater::operator=(series_deflater&&) noexcept = default;

std::size_t series_deflater::chunk_bytes_compressed() noexcept { return cache().plain_compressed(); }

void series_deflater::head(std::span<const std::uint8_t> source, std::size_t at, std::size_t n,
                           std::vector<std::uint8_t>& out) {
    heads_.reset();
    const std::size_t history = std::min(sent_, small_chunk);
    if (!options_.no_context_takeover && history != 0) {
        // The bytes just before `at`, round the end of the source if need be.
        std::vector<std::uint8_t> before;
        before.reserve(history);
        const std::size_t from = (at + source.size() - history % source.size()) % source.size();
        for (std::size_t i = 0; i < history; ++i) {
            before.push_back(source[(from + i) % source.size()]);
        }
        heads_.set_dictionary(before);
    }
    heads_.write(source.subspan(at, n), out, /*flush=*/true);
}

void series_deflater::compress(std::span<const std::uint8_t> source, std::size_t at, std::size_t length,
                               std::vector<std::uint8_t>& out) {
    out.clear();
    if (length == 0 || source.empty()) {
        out.push_back(0x00); // 7.2.3.6: the empty message
        return;
    }
    at %= source.size(); // an offset past the end reads on round it, like the message itself
    if (source.data() != keyed_.data() || source.size() != keyed_.size()) {
        keyed_ = source;
        key_ = {source.size(), hash_of(source)};
    }
    // zlib runs 8 as 9 (deflate_stream.hpp): one set of chunks serves both.
    const int bits = std::max(9, int{options_.window_bits});
    // Where the piece at `from` of a grid of `size` ends: the next boundary, or the source's end.
    const auto grid_end = [&](std::size_t from, std::size_t size) {
        return std::min((from / size + 1) * size, source.size());
    };
    std::size_t left = length;
    // The head is always compressed here, so that under context takeover every message refers
    // back into the one before, even one that starts on a chunk boundary.
    std::size_t n = std::min(left, grid_end(at, small_chunk) - at);
    head(source, at, n, out);
    for (;;) {
        left -= n;
        at = (at + n) % source.size();
        if (left == 0) {
            break;
        }
        // `at` is on the smallest grid now: the largest chunk starting here that fits.
        bool cached = false;
        for (const std::size_t size : chunk_sizes) {
            if (at % size == 0 && left >= (n = grid_end(at, size) - at)) {
                cache().append({key_.size, key_.hash, bits, chunk_level, size}, source, at / size, chunks_, out);
                cached = true;
                break;
            }
        }
        if (!cached) {
            n = left;
            stored_.reset();
            stored_.write(source.subspan(at, n), out, /*flush=*/true);
        }
    }
    out.resize(out.size() - sync_tail);
    sent_ += length;
}

} // namespace wscheck::runner
