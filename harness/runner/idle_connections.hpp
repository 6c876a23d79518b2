// Other connections a case holds open and idle while its own connection runs (10.4: a server
// protects itself, but must keep serving). Each one connects, completes an opening handshake
// and then sends nothing more; what the server answered is counted for the verdict's reason.
#pragma once

#include "harness/net/stream.hpp"
#include "harness/net/url.hpp"
#include "harness/proto/http1.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace wscheck::runner {

class idle_connections : public std::enable_shared_from_this<idle_connections> {
public:
    struct counts {
        std::size_t opened = 0;   ///< answered 101
        std::size_t refused = 0;  ///< answered anything else
        std::size_t failed = 0;   ///< no connection, or no complete answer in time
    };

    /// Opens `n` connections to `url` at once; `on_ready` runs once every one has its answer
    /// (or failed), each bounded by the connect and handshake timeouts.
    static std::shared_ptr<idle_connections> open(net::asio::io_context& io, const net::ws_url& url,
                                                  net::ssl::context* tls, std::size_t n,
                                                  std::chrono::milliseconds connect_timeout,
                                                  std::chrono::milliseconds handshake_timeout,
                                                  std::function<void()> on_ready);
    /// Closes every connection (the case is over).
    void close_all() noexcept;
    const counts& result() const noexcept { return counts_; }
    /// "Held 100 other connections: 100 opened (101), 0 refused, 0 failed."
    std::string summary() const;

private:
    struct one;
    idle_connections() = default;
    void start(const std::shared_ptr<one>& c);
    void read(const std::shared_ptr<one>& c);
    void done();

    net::asio::io_context* io_ = nullptr;
    net::ws_url url_;
    net::ssl::context* tls_ = nullptr;
    std::chrono::milliseconds connect_timeout_{};
    std::chrono::milliseconds handshake_timeout_{};
    std::function<void()> on_ready_;
    std::vector<std::shared_ptr<one>> all_;
    std::size_t pending_ = 0;
    counts counts_;
};

} // namespace wscheck::runner
