// wscheck's sans-IO core against Boost.Beast's websocket implementation on the same bytes:
// reading masked client frames (parse, unmask, UTF-8 for text, reassembly), UTF-8 validation
// alone and masking alone. docs/benchmarks.md says what each row measures and how to read it.
//
// Every benchmark first checks, untimed, that the code under test gives the right answer on
// its input (the payloads that were sent, valid text accepted and broken text rejected, the
// same masked bytes as a plain XOR); a wrong answer is reported as an error, never timed, and
// makes the program exit with status 1.
#include "bench/corpus.hpp"
#include "bench/ratio_reporter.hpp"
#include "bench/readers.hpp"

#include "harness/proto/mask.hpp"
#include "harness/proto/utf8.hpp"

#include <benchmark/benchmark.h>
#include <boost/asio/buffer.hpp>
#include <boost/beast/websocket/detail/mask.hpp>
#include <boost/beast/websocket/detail/utf8_checker.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace wscheck::bench {
namespace {

namespace beast_detail = boost::beast::websocket::detail;

constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;

// ---------------------------------------------------------------- frames

struct frames_case {
    const char* group; ///< frames_small: shown in frames/s; frames_large: in bytes/s
    const char* name;
    proto::opcode op;
    std::size_t payload_size;
    std::size_t frame_count; ///< frames per iteration
    text_profile profile;    ///< of text payloads
};

// Small frames: the 7-bit length (at most 125 bytes, a 2-byte header + 4-byte key), thousands
// per iteration so that per-iteration overhead is noise. Large frames: 16- and 64-bit lengths,
// a few MiB per iteration.
constexpr frames_case frames_cases[] = {
    {"frames_small", "16B_binary", proto::opcode::binary, 16, 4096, text_profile::ascii},
    {"frames_small", "16B_text", proto::opcode::text, 16, 4096, text_profile::mostly_ascii},
    {"frames_small", "125B_binary", proto::opcode::binary, 125, 4096, text_profile::ascii},
    {"frames_small", "125B_text", proto::opcode::text, 125, 4096, text_profile::mostly_ascii},
    {"frames_large", "64KiB_binary", proto::opcode::binary, 64 * KiB, 64, text_profile::ascii},
    {"frames_large", "1MiB_binary", proto::opcode::binary, MiB, 4, text_profile::ascii},
    {"frames_large", "1MiB_text", proto::opcode::text, MiB, 4, text_profile::mostly_ascii},
    {"frames_large", "16MiB_binary", proto::opcode::binary, 16 * MiB, 1, text_profile::ascii},
};

/// Batches are built once, on first use, outside any timed region.
const frame_batch& batch_for(const frames_case& c) {
    static std::map<const frames_case*, frame_batch> cache;
    auto it = cache.find(&c);
    if (it == cache.end())
        it = cache.emplace(&c, make_batch(c.op, c.payload_size, c.frame_count, c.profile, 6455)).first;
    return it->second;
}

template <class Reader>
void read_frames(benchmark::State& state, const frames_case& c) {
    const frame_batch& batch = batch_for(c);
    Reader reader;
    // Untimed: the reader must deliver exactly the payloads that were sent, unmasked.
    std::vector<std::uint8_t> got;
    got.reserve(batch.plain.size());
    const bool read = reader.read_all(batch, [&got](std::span<const std::uint8_t> p) {
        got.insert(got.end(), p.begin(), p.end());
    });
    if (!read || got != batch.plain) {
        state.SkipWithError("the reader did not deliver the payloads that were sent");
        return;
    }
    for (auto _ : state) {
        const bool ok = reader.read_all(
            batch, [](std::span<const std::uint8_t> p) { benchmark::DoNotOptimize(p.data()); });
        if (!ok) {
            state.SkipWithError("the reader failed on the batch");
            break;
        }
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch.frame_count));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(batch.plain.size()));
}

// ---------------------------------------------------------------- UTF-8

struct utf8_case {
    const char* name;
    text_profile profile;
};

constexpr utf8_case utf8_cases[] = {
    {"ascii_1MiB", text_profile::ascii},
    {"mostly_ascii_1MiB", text_profile::mostly_ascii},
    {"multibyte_1MiB", text_profile::multibyte},
};

bool wscheck_utf8(std::span<const std::uint8_t> text) {
    proto::utf8_validator v;
    return v.write(text) && v.finish();
}

bool beast_utf8(std::span<const std::uint8_t> text) {
    beast_detail::utf8_checker c;
    return c.write(text.data(), text.size()) && c.finish();
}

/// Both validators accept `text` and reject it once broken, in the middle, by a byte that
/// never occurs (FF) and by a surrogate (ED A0 80), so neither row times a validator that
/// accepts everything.
bool validators_agree(const std::vector<std::uint8_t>& text) {
    if (!wscheck_utf8(text) || !beast_utf8(text))
        return false;
    std::vector<std::uint8_t> bad = text;
    bad.insert(bad.begin() + static_cast<std::ptrdiff_t>(bad.size() / 2), 0xFF);
    if (wscheck_utf8(bad) || beast_utf8(bad))
        return false;
    bad = text;
    const std::uint8_t surrogate[] = {0xED, 0xA0, 0x80};
    bad.insert(bad.begin() + static_cast<std::ptrdiff_t>(bad.size() / 2), std::begin(surrogate), std::end(surrogate));
    return !wscheck_utf8(bad) && !beast_utf8(bad);
}

template <bool (*Validate)(std::span<const std::uint8_t>)>
void validate_utf8(benchmark::State& state, const utf8_case& c) {
    const std::vector<std::uint8_t> text = make_text(MiB, c.profile, 3629);
    if (!validators_agree(text)) {
        state.SkipWithError("the validators do not tell valid from invalid text");
        return;
    }
    for (auto _ : state) {
        const bool ok = Validate(text);
        benchmark::DoNotOptimize(ok);
        if (!ok) {
            state.SkipWithError("valid text rejected");
            break;
        }
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}

// ---------------------------------------------------------------- masking

struct mask_case {
    const char* name;
    std::size_t size;
};

constexpr mask_case mask_cases[] = {
    {"125B", 125},
    {"64KiB", 64 * KiB},
    {"1MiB", MiB},
};

constexpr proto::mask_key key = {0x12, 0x34, 0x56, 0x78};
constexpr std::uint32_t beast_key = 0x78563412u; // prepare_key takes the key little-end first

std::size_t wscheck_mask(std::span<std::uint8_t> data, std::size_t phase, beast_detail::prepared_key&) {
    return proto::mask_inplace(data, key, phase);
}

std::size_t beast_mask(std::span<std::uint8_t> data, std::size_t phase, beast_detail::prepared_key& prepared) {
    beast_detail::mask_inplace(boost::asio::mutable_buffer{data.data(), data.size()}, prepared);
    return phase;
}

/// Both functions give what RFC 6455 5.3 defines: byte i XOR key[i % 4].
bool masks_agree(const std::vector<std::uint8_t>& input) {
    std::vector<std::uint8_t> expected = input;
    for (std::size_t i = 0; i < expected.size(); ++i)
        expected[i] = static_cast<std::uint8_t>(expected[i] ^ key[i % 4]);
    std::vector<std::uint8_t> ours = input;
    std::vector<std::uint8_t> theirs = input;
    beast_detail::prepared_key prepared;
    beast_detail::prepare_key(prepared, beast_key);
    wscheck_mask(ours, 0, prepared);
    beast_mask(theirs, 0, prepared);
    return ours == expected && theirs == expected;
}

template <std::size_t (*Mask)(std::span<std::uint8_t>, std::size_t, beast_detail::prepared_key&)>
void mask_payload(benchmark::State& state, const mask_case& c) {
    std::vector<std::uint8_t> data = make_binary(c.size, 5003);
    if (!masks_agree(data)) {
        state.SkipWithError("masking does not XOR with the key");
        return;
    }
    beast_detail::prepared_key prepared;
    beast_detail::prepare_key(prepared, beast_key);
    std::size_t phase = 0;
    for (auto _ : state) {
        // Masking twice restores the data, so the buffer never needs refilling.
        phase = Mask(data, phase, prepared);
        benchmark::DoNotOptimize(data.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(c.size));
}

// ---------------------------------------------------------------- registration

std::string row(const char* group, const char* name, const char* impl) {
    return std::string{group} + "/" + name + "/" + impl;
}

void register_benchmarks() {
    // Each case's implementations are registered next to each other; run with
    // --benchmark_enable_random_interleaving=true to spread machine noise over all of them.
    for (const frames_case& c : frames_cases) {
        benchmark::RegisterBenchmark(row(c.group, c.name, "wscheck_parser").c_str(),
                                     read_frames<parser_reader>, c)->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark(row(c.group, c.name, "wscheck_session").c_str(),
                                     read_frames<session_reader>, c)->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark(row(c.group, c.name, "beast_stream").c_str(),
                                     read_frames<beast_reader>, c)->Unit(benchmark::kMicrosecond);
    }
    for (const utf8_case& c : utf8_cases) {
        benchmark::RegisterBenchmark(row("utf8", c.name, "wscheck").c_str(),
                                     validate_utf8<wscheck_utf8>, c)->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark(row("utf8", c.name, "beast").c_str(),
                                     validate_utf8<beast_utf8>, c)->Unit(benchmark::kMicrosecond);
    }
    for (const mask_case& c : mask_cases) {
        benchmark::RegisterBenchmark(row("mask", c.name, "wscheck").c_str(),
                                     mask_payload<wscheck_mask>, c);
        benchmark::RegisterBenchmark(row("mask", c.name, "beast").c_str(),
                                     mask_payload<beast_mask>, c);
    }
}

} // namespace
} // namespace wscheck::bench

int main(int argc, char** argv) {
    return wscheck::bench::run_benchmarks(argc, argv, wscheck::bench::register_benchmarks);
}
