// Invariants: utf8_validator and is_valid_utf8 agree with a slow reference written from RFC 3629
// alone (a byte string is valid when it is a concatenation of encode(c) for scalar values c);
// validation fails fast, at the first byte after which the text can no longer be the prefix
// of any valid text, and at exactly that byte however the text is split into writes;
// valid_bytes() is that byte's index; ok() and finish() tell the truth after every write.
//
// Input: [chunk seed][text].
#include "fuzz/fuzz_util.hpp"
#include "harness/proto/utf8.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

using namespace wscheck::proto;

// ------------------------------------------------------------------------- the reference
// Out of coverage (WSCHECK_CHECKER): a 3-byte prefix alone tries 64 completions.

/// The bytes of one encoded code point.
struct encoded {
    std::array<std::uint8_t, 4> b{};
    std::size_t size = 0;
};

/// RFC 3629 3: the encoding of a code point, written from the table, no tricks.
WSCHECK_CHECKER encoded encode(std::uint32_t cp) {
    const auto byte = [](std::uint32_t v) { return static_cast<std::uint8_t>(v); };
    if (cp < 0x80) {
        return {{byte(cp)}, 1};
    }
    if (cp < 0x800) {
        return {{byte(0xC0 | (cp >> 6)), byte(0x80 | (cp & 0x3F))}, 2};
    }
    if (cp < 0x10000) {
        return {{byte(0xE0 | (cp >> 12)), byte(0x80 | ((cp >> 6) & 0x3F)),
                 byte(0x80 | (cp & 0x3F))},
                3};
    }
    return {{byte(0xF0 | (cp >> 18)), byte(0x80 | ((cp >> 12) & 0x3F)),
             byte(0x80 | ((cp >> 6) & 0x3F)), byte(0x80 | (cp & 0x3F))},
            4};
}

/// RFC 3629 1: the characters are U+0000..U+10FFFF less the surrogates U+D800..U+DFFF.
WSCHECK_CHECKER bool is_scalar(std::uint32_t cp) { return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF); }

/// True when `b` is encode(c) of some scalar value c. The candidate c is read off the bits
/// the way the table lays them out; a wrong guess cannot matter, since only an exact
/// re-encoding passes (so overlong forms and bad continuation bytes fail here).
WSCHECK_CHECKER bool is_encoding(std::span<const std::uint8_t> b) {
    if (b.empty() || b.size() > 4) {
        return false;
    }
    // 0xxxxxxx, 110xxxxx, 1110xxxx, 11110xxx
    const unsigned lead_bits = b.size() == 1 ? 7U : 7U - static_cast<unsigned>(b.size());
    std::uint32_t cp = b[0] & ((1U << lead_bits) - 1U);
    for (std::size_t i = 1; i < b.size(); ++i) {
        cp = (cp << 6) | (b[i] & 0x3FU);
    }
    if (!is_scalar(cp)) {
        return false;
    }
    const encoded again = encode(cp);
    if (again.size != b.size()) {
        return false;
    }
    // A loop, not std::equal: that becomes memcmp, which libFuzzer intercepts and traces
    // whatever the coverage attribute says.
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (b[i] != again.b[i]) {
            return false;
        }
    }
    return true;
}

/// True when `b` (1-3 bytes) is a proper prefix of some encoding: found by trying every
/// completion (continuation bytes 80..BF are the only bytes that follow a lead in any
/// encoding, RFC 3629 3). Answers for one and two bytes are memoized (a lone 4-byte lead
/// tries 64^3 completions); there are at most 256 + 65536 of them.
WSCHECK_CHECKER bool is_proper_prefix(std::span<const std::uint8_t> b) {
    static std::unordered_map<std::uint32_t, bool> memo;
    std::uint32_t key = static_cast<std::uint32_t>(b.size()) << 24;
    for (std::size_t i = 0; i < b.size(); ++i) {
        key |= static_cast<std::uint32_t>(b[i]) << (8 * i);
    }
    const bool memoize = b.size() <= 2;
    if (const auto it = memo.find(key); memoize && it != memo.end()) {
        return it->second;
    }
    bool found = false;
    std::array<std::uint8_t, 4> buf{};
    std::copy(b.begin(), b.end(), buf.begin());
    // Every completion length up to 4 bytes in all, every continuation byte value.
    for (std::size_t total = b.size() + 1; total <= 4 && !found; ++total) {
        const std::size_t free = total - b.size();
        std::size_t combos = 1;
        for (std::size_t i = 0; i < free; ++i) {
            combos *= 64;
        }
        for (std::size_t n = 0; n < combos && !found; ++n) {
            std::size_t v = n;
            for (std::size_t i = 0; i < free; ++i) {
                buf[b.size() + i] = static_cast<std::uint8_t>(0x80 + v % 64);
                v /= 64;
            }
            found = is_encoding(std::span{buf.data(), total});
        }
    }
    if (memoize) {
        memo.emplace(key, found);
    }
    return found;
}

struct reference_result {
    std::optional<std::size_t> fail_at; ///< the first byte proving the text invalid
    std::vector<bool> boundary;         ///< boundary[i]: bytes [0, i) are whole code points
};

WSCHECK_CHECKER reference_result reference_validate(std::span<const std::uint8_t> text) {
    reference_result r;
    r.boundary.assign(text.size() + 1, false);
    r.boundary[0] = true;
    std::size_t pos = 0;
    while (pos < text.size()) {
        // UTF-8 is prefix-free: at most one length gives a whole encoding here.
        std::size_t len = 1;
        for (; pos + len <= text.size(); ++len) {
            const auto piece = text.subspan(pos, len);
            if (is_encoding(piece)) {
                break;
            }
            if (len == 4 || !is_proper_prefix(piece)) {
                r.fail_at = pos + len - 1;
                return r;
            }
        }
        if (pos + len > text.size()) {
            return r; // the text ends inside a code point that may still complete
        }
        pos += len;
        r.boundary[pos] = true;
    }
    return r;
}

// ------------------------------------------------------------------------- the checks

/// Writes `text` in the pieces `split` gives (one piece when null) and checks the state after
/// each write against the reference.
WSCHECK_CHECKER void check_writes(std::span<const std::uint8_t> text, const reference_result& ref,
                                  wscheck::fuzz::chunker* split) {
    utf8_validator v;
    std::size_t written = 0;
    bool failed = false;
    do {
        const std::size_t len = split != nullptr ? split->next(text.size() - written)
                                                 : text.size() - written;
        const bool ok = v.write(text.subspan(written, len));
        written += len;
        // The write fails exactly when it holds the failing byte or came after it.
        const bool should_fail = ref.fail_at && *ref.fail_at < written;
        WSCHECK_FUZZ_CHECK(ok == !should_fail);
        WSCHECK_FUZZ_CHECK(v.ok() == !should_fail);
        if (should_fail) {
            WSCHECK_FUZZ_CHECK(v.valid_bytes() == *ref.fail_at);
            WSCHECK_FUZZ_CHECK(!v.finish());
            failed = true;
        } else {
            WSCHECK_FUZZ_CHECK(v.valid_bytes() == written);
            WSCHECK_FUZZ_CHECK(v.finish() == ref.boundary[written]);
        }
    } while (written < text.size());
    // Once failed, every later write fails too, even of valid text.
    if (failed) {
        WSCHECK_FUZZ_CHECK(!v.write(std::string_view{"a"}));
        WSCHECK_FUZZ_CHECK(v.valid_bytes() == *ref.fail_at);
    }
    // reset() forgets everything.
    v.reset();
    WSCHECK_FUZZ_CHECK(v.ok() && v.finish() && v.valid_bytes() == 0);
    WSCHECK_FUZZ_CHECK(v.write(std::string_view{"\xE2\x82\xAC"}) && v.finish());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    wscheck::fuzz::option_bytes in{data, size, 1};
    const std::span<const std::uint8_t> text = in.rest;
    const reference_result ref = reference_validate(text);
    const bool valid = !ref.fail_at && ref.boundary[text.size()];

    WSCHECK_FUZZ_CHECK(is_valid_utf8(text) == valid);
    check_writes(text, ref, nullptr);
    wscheck::fuzz::chunker split{in[0]};
    check_writes(text, ref, &split);
    wscheck::fuzz::chunker one_byte{0};
    check_writes(text, ref, &one_byte);
    return 0;
}
