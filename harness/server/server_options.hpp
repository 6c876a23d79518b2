#pragma once

#include "harness/proto/extension_params.hpp"
#include "harness/proto/http1.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace wscheck::server {

/// How the reference server listens and what it tolerates. Every wait has a bound.
struct server_options {
    std::string host = "127.0.0.1";       ///< address to listen on (an IP literal)
    std::uint16_t port = 0;               ///< 0 = an ephemeral port (see reference_server::port)
    std::uint64_t max_message_size = 64 * 1024 * 1024; ///< larger messages: Close 1009 (7.4.1)
    std::size_t max_connections = 1024;   ///< connections past it are closed at once
    proto::http_limits http;              ///< caps on the opening handshake's HTTP head
    /// permessage-deflate (RFC 7692): unset, every offer is declined (the 101 has no
    /// extension); set, the first acceptable offer is accepted within this policy.
    std::optional<proto::deflate_server_policy> deflate;
    /// Echoes shorter than this go uncompressed (proto::session_options::deflate_min_size).
    std::size_t deflate_min_size = 0;
    /// zlib level of the echoes. 1, not zlib's 6: any valid DEFLATE is conformant (RFC 7692
    /// 7.2.1 leaves the compressor's effort to it), and a server that echoes 1000 messages of
    /// 128 KiB per case (Autobahn 12, 13) spends its time searching for matches: on the
    /// catalog's data sets level 1 is 2.7x (a noisy bitmap) to 5.6x (German text) faster than
    /// 6, for 0.17 of the size instead of 0.11 (JSON), 0.20 instead of 0.14 (German text)
    /// (docs/benchmarks.md). Stretches that do not compress are stored at any level.
    int deflate_level = 1;
    /// When not 0, each echo's first this many bytes are compressed and the rest is stored
    /// (proto::deflater_options::compress_limit): a server that echoes the catalog's 11 GB of
    /// 12.x/13.x messages at zlib's speed takes minutes, one that compresses 8 KiB of each
    /// takes seconds, and every echo still carries Huffman-coded data. 0: whole echoes.
    std::size_t deflate_compress_limit = 0;

    /// From accept to the 101 sent (TLS handshake and HTTP head included).
    std::chrono::milliseconds handshake_timeout{10'000};
    /// No byte from the peer for this long: we close with 1001 (going away, 7.4.1).
    std::chrono::milliseconds idle_timeout{60'000};
    /// How long we wait for the peer's Close after ours, and for the TCP/TLS close after it.
    std::chrono::milliseconds close_timeout{3'000};
    /// Each write to the peer (a peer that does not read is abandoned after it).
    std::chrono::milliseconds write_timeout{30'000};

    bool tls = false;       ///< wss://
    std::string cert_file;  ///< PEM certificate (chain); with key_file. Both empty with tls:
    std::string key_file;   ///< a self-signed certificate is generated at start.

    /// Threads serving connections. 1: every connection on the io_context the server was given.
    /// N > 1: N threads of the server's own, each connection living on one of them (in turn),
    /// so that many connections' compression spreads over the cores; each connection is still
    /// served by one thread, and the listening socket stays on the given io_context.
    unsigned threads = 1;

    /// One line per notable event (rejected handshake, failed connection), when set.
    /// Called on the server's io_context thread.
    std::function<void(std::string_view)> on_log;
};

} // namespace wscheck::server
