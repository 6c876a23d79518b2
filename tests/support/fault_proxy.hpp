// A fault-injecting WebSocket proxy for tests: it listens on 127.0.0.1, relays every client
// connection to an upstream server (the conformant reference server), and breaks one rule of
// RFC 6455 on the way (faults.hpp). Everything else passes through unchanged, so a case that
// fails against it failed because of that one fault.
//
// Theory of operation
//   One thread accepts; each connection gets two threads, one per direction, on blocking-free
//   sockets polled in short slices so that stop() is always heard within ~50 ms.
//     up:   the client's HTTP request head is relayed as it comes; after the server's 101,
//           client frames go through a frame_relay with the fault's "up" filter.
//     down: the server's response head is gathered (at most 16 KiB) and relayed, with the
//           Sec-WebSocket-Accept value altered for wrong_accept; after a 101, server frames go
//           through a frame_relay with the fault's "down" filter.
//   An EOF is passed on as a half-close (shutdown SHUT_WR), an error or stop() tears both
//   sides down. Every write that makes no progress for 10 s gives up.
//   dies_on_huge_length plays a crash: the listening socket stops listening (later connects
//   are refused) and every open connection is shut down.
#pragma once

#include "tests/support/faults.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace wscheck::test_support {

class fault_proxy {
public:
    /// Listens on 127.0.0.1 (an ephemeral port) and starts accepting; connections go to
    /// 127.0.0.1:upstream_port. Throws std::system_error when it cannot listen.
    fault_proxy(std::uint16_t upstream_port, fault f);
    /// stop().
    ~fault_proxy();
    fault_proxy(const fault_proxy&) = delete;
    fault_proxy& operator=(const fault_proxy&) = delete;

    std::uint16_t port() const noexcept;
    /// "ws://127.0.0.1:port/".
    std::string url() const;
    fault injected() const noexcept;

    /// dies_on_huge_length went off: the proxy no longer listens.
    bool crashed() const noexcept;
    std::size_t connections_accepted() const noexcept;

    /// Closes the listener and every connection, and joins every thread. Idempotent.
    void stop();

    class impl;

private:
    std::unique_ptr<impl> impl_;
};

} // namespace wscheck::test_support
