// The exchange every echo-server test runs with the reference client, so that our server,
// Python's and Node's are held to the same bar.
#pragma once

#include "harness/client/reference_client.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace wscheck::test {

/// The next message, pong or close from the peer, skipping pings; fails the test on error.
proto::session_event next_reply(client::reference_client& client);

/// text, binary, fragmented text and binary, 16 MiB binary and text, ping/pong, then
/// Close 4000 answered with 4000 and the server closing TCP. Use with ASSERT_NO_FATAL_FAILURE.
void run_echo_exchange(client::reference_client& client);

std::vector<std::uint8_t> pattern_bytes(std::size_t n);

} // namespace wscheck::test
