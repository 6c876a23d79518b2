// The case catalog's own traffic as seed material for the live fuzzer: each case's script
// built and its steps serialised to the bytes a client would write, opening handshake first.
#pragma once

#include "cases/catalog.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wscheck::fuzz {

struct case_seed {
    std::string case_id;
    std::vector<std::uint8_t> bytes; ///< handshake request, then every frame the script sends
};

/// The fixed Sec-WebSocket-Key of every fuzzer request (RFC 6455 1.3's sample): inputs must be
/// the same bytes on every run with a seed, and a server need not see a fresh key (4.2.1 item 5
/// asks only for a valid one).
inline constexpr std::string_view fuzz_key = "dGhlIHNhbXBsZSBub25jZQ==";

/// The seeds of every case of `cat` whose traffic is at most `max_bytes` and that sends
/// something after its handshake (timing cases of section 9, with megabytes of payload, are
/// skipped). Mask keys are drawn from a generator seeded with the case's position, so the
/// seeds are the same on every run. `host` and `target` go in the request (Host, path).
std::vector<case_seed> make_case_seeds(const cases::catalog& cat, std::string_view host,
                                       std::string_view target, std::size_t max_bytes);

} // namespace wscheck::fuzz
