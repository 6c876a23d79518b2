// The reference echo server: a conformant RFC 6455 endpoint that echoes every text and binary
// message. The CLI's `serve` runs it; the case runner and the tests embed it in-process.
//
// All of it runs asynchronously: a slow or hostile peer costs a connection's buffers and
// timers, never a thread, and every wait is bounded (server_options). Connections run on the
// io_context given, or, with options.threads > 1, spread over threads of the server's own.
#pragma once

#include "harness/server/server_options.hpp"

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace wscheck::server {

class reference_server {
public:
    /// Loads or generates the TLS certificate (with options.tls), binds and listens. Throws
    /// net::setup_error with one sentence when it cannot ("cannot listen on
    /// 127.0.0.1:8080: Address already in use", "cannot read certificate file ...").
    /// Accepting begins with start().
    reference_server(boost::asio::io_context& io, server_options options);
    /// stop() without a callback: the connections still open end on the io_context, each
    /// within close_timeout (with threads of its own, it waits for them to end there).
    ~reference_server();
    reference_server(const reference_server&) = delete;
    reference_server& operator=(const reference_server&) = delete;

    /// The port bound (the ephemeral one when options.port was 0).
    std::uint16_t port() const noexcept;
    /// "ws://127.0.0.1:port/" or "wss://..." ("[::1]" for IPv6).
    std::string url() const;
    /// With TLS: the certificate presented (PEM), for clients to trust; empty without.
    const std::string& certificate_pem() const noexcept;

    /// Starts accepting connections.
    void start();
    /// Graceful shutdown: stops accepting, sends Close 1001 to open sessions, and calls
    /// `on_stopped` (on the io_context) once every connection is over; each one takes at most
    /// close_timeout more. Call on the io_context's thread (or before it runs).
    void stop(std::function<void()> on_stopped = {});
    /// Connections currently open.
    std::size_t connection_count() const noexcept;
    /// Connections accepted since start (rejected ones included).
    std::size_t connections_accepted() const noexcept;

    class impl;
    class workers;

private:
    std::unique_ptr<workers> workers_; ///< options.threads > 1; outlives impl_'s connections
    std::shared_ptr<impl> impl_;
};

/// A reference_server on its own io_context and thread: for tests and the case runner, which
/// need a server in-process while they drive a client on the calling thread.
class background_server {
public:
    /// Starts listening (throws net::setup_error as reference_server does) and serving.
    explicit background_server(server_options options);
    /// stop(), if not done yet.
    ~background_server();
    background_server(const background_server&) = delete;
    background_server& operator=(const background_server&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    const std::string& url() const noexcept { return url_; }
    const std::string& certificate_pem() const noexcept { return certificate_pem_; }
    /// Connections currently open (read on the server's thread).
    std::size_t connection_count();

    /// Graceful shutdown (see reference_server::stop), then joins the thread. Idempotent.
    void stop();

private:
    boost::asio::io_context io_;
    std::unique_ptr<reference_server> server_;
    std::uint16_t port_ = 0;
    std::string url_;
    std::string certificate_pem_;
    std::thread thread_;
};

} // namespace wscheck::server
