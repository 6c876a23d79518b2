// The tester's inflating (RFC 7692): proto::deflate_decoder, which holds a peer to its window
// exactly (message_inflater with exact_window, as runner::peer_observer uses it), against
// zlib's inflate as a server runs it (64 KiB of output room per call) and zlib held to the
// window the old way (one byte of output room per call).
//
// The messages are those of sections 12 and 13: the catalog's data sets
// (cases/compression_data.hpp) cut into messages of 1 KiB, 16 KiB and 128 KiB, each the next
// `length` bytes of its set, round and round, compressed with context takeover
//   websockets   as Python websockets compresses by default: level 6, memLevel 5, 12 bits
//   level1       zlib level 1, 15 bits (memLevel 8)
// A batch is 1 MiB of messages, inflated in order by a fresh inflater each iteration into a
// reused vector, as the tester does; rates are of inflated bytes. Each benchmark first
// checks, untimed, that every message inflates to its plaintext; a wrong answer is an error,
// never timed, and exit status 1.
#include "bench/ratio_reporter.hpp"

#include "cases/compression_data.hpp"
#include "harness/proto/deflate_stream.hpp"

#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <tuple>
#include <vector>

namespace wscheck::bench {
namespace {

using bytes = std::vector<std::uint8_t>;
constexpr std::size_t KiB = 1024;
constexpr std::size_t batch_bytes = 1024 * KiB;

/// Short names of the data sets, in the catalog's order (12.1 to 12.5).
constexpr std::array<const char*, 5> set_names{"json", "bitmap", "german", "html", "pdf"};
constexpr std::array<std::size_t, 3> message_sizes{1 * KiB, 16 * KiB, 128 * KiB};

struct profile {
    const char* name;
    int level;
    int mem_level;
    std::uint8_t window_bits;
};
constexpr std::array<profile, 2> profiles{{{"websockets", 6, 5, 12}, {"level1", 1, 8, 15}}};

enum class reader { decoder, zlib_64k, zlib_1 };

struct batch {
    std::vector<bytes> plain;
    std::vector<bytes> compressed;
    std::size_t plain_bytes = 0;
};

const batch& batch_for(std::size_t set, std::size_t length, const profile& p) {
    static std::map<std::tuple<std::size_t, std::size_t, const profile*>, batch> cache;
    auto [it, inserted] = cache.try_emplace({set, length, &p});
    if (!inserted) {
        return it->second;
    }
    batch& b = it->second;
    const cases::payload source = cases::compression::data_sets()[set].make();
    const std::span<const std::uint8_t> data = source.view();
    proto::deflater_options o;
    o.window_bits = p.window_bits;
    o.level = p.level;
    o.mem_level = p.mem_level;
    proto::message_deflater deflater(o);
    std::size_t at = 0;
    while (b.plain_bytes < batch_bytes) {
        bytes message;
        while (message.size() < length) {
            const std::size_t n = std::min(length - message.size(), data.size() - at);
            message.insert(message.end(), data.begin() + static_cast<std::ptrdiff_t>(at),
                           data.begin() + static_cast<std::ptrdiff_t>(at + n));
            at = (at + n) % data.size();
        }
        bytes c;
        deflater.compress(message, c);
        b.plain_bytes += message.size();
        b.plain.push_back(std::move(message));
        b.compressed.push_back(std::move(c));
    }
    return b;
}

proto::message_inflater inflater_for(reader r, const profile& p) {
    proto::inflater_options o;
    o.window_bits = p.window_bits;
    o.exact_window = r == reader::decoder;
    o.chunk_size = r == reader::zlib_1 ? 1 : 64 * KiB;
    return proto::message_inflater(o);
}

/// Inflates the batch in order; with `check`, each message must be its plaintext.
bool inflate_batch(reader r, const profile& p, const batch& b, bytes& out, bool check) {
    proto::message_inflater inflater = inflater_for(r, p);
    for (std::size_t i = 0; i < b.compressed.size(); ++i) {
        if (inflater.inflate(b.compressed[i], out) || (check && out != b.plain[i])) {
            return false;
        }
    }
    return true;
}

void inflate(benchmark::State& state, std::size_t set, std::size_t length, const profile* p, reader r) {
    const batch& b = batch_for(set, length, *p);
    bytes out;
    if (!inflate_batch(r, *p, b, out, true)) {
        state.SkipWithError("the batch does not inflate to its messages");
        return;
    }
    for (auto _ : state) {
        if (!inflate_batch(r, *p, b, out, false)) {
            state.SkipWithError("the batch failed to inflate");
            break;
        }
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(b.plain_bytes));
}

void register_benchmarks() {
    constexpr std::array<std::pair<reader, const char*>, 3> readers{
        {{reader::decoder, "decoder"}, {reader::zlib_64k, "zlib_64k"}, {reader::zlib_1, "zlib_1_byte"}}};
    for (const profile& p : profiles) {
        for (std::size_t set = 0; set < set_names.size(); ++set) {
            for (const std::size_t length : message_sizes) {
                for (const auto& [r, impl] : readers) {
                    const std::string name = std::string{"inflate/"} + set_names[set] + "_" +
                                             std::to_string(length / KiB) + "KiB_" + p.name + "/" + impl;
                    benchmark::RegisterBenchmark(name.c_str(), inflate, set, length, &p, r)
                        ->Unit(benchmark::kMillisecond);
                }
            }
        }
    }
}

} // namespace
} // namespace wscheck::bench

int main(int argc, char** argv) {
    wscheck::bench::comparison c;
    c.reference = "zlib_64k";
    c.ours = "reader";
    c.theirs = "zlib, 64 KiB a call";
    c.megabytes = true;
    return wscheck::bench::run_benchmarks(argc, argv, wscheck::bench::register_benchmarks, c);
}
