#include "harness/server/reference_server.hpp"

#include "harness/net/setup_error.hpp"
#include "harness/net/stream.hpp"
#include "harness/net/tls.hpp"
#include "harness/server/connection.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include <boost/asio/executor_work_guard.hpp>

#include <future>
#include <optional>
#include <thread>
#include <vector>
#include <unordered_set>

namespace wscheck::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/// options.threads > 1: io_contexts of the server's own, one thread each, kept running until
/// destroyed, when the connections still on them end first.
class reference_server::workers {
public:
    explicit workers(unsigned n) {
        for (unsigned i = 0; i < n; ++i) {
            auto& w = *pool_.emplace_back(std::make_unique<worker>());
            w.thread = std::thread([&w] { w.io.run(); });
        }
    }
    ~workers() {
        for (auto& w : pool_) {
            w->guard.reset();
        }
        for (auto& w : pool_) {
            w->thread.join();
        }
    }
    /// The io_context of the next connection, in turn.
    asio::io_context& next() { return pool_[next_++ % pool_.size()]->io; }

private:
    struct worker {
        asio::io_context io;
        std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard{io.get_executor()};
        std::thread thread;
    };
    std::vector<std::unique_ptr<worker>> pool_;
    std::size_t next_ = 0;
};

class reference_server::impl : public std::enable_shared_from_this<impl> {
public:
    impl(asio::io_context& io, server_options options, workers* pool)
        : options_(std::make_shared<const server_options>(std::move(options))), acceptor_(io), workers_(pool) {
        if (options_->tls) {
            certificate_ = options_->cert_file.empty() && options_->key_file.empty()
                               ? net::generate_self_signed()
                               : net::load_certificate_files(options_->cert_file, options_->key_file);
            tls_.emplace(net::make_server_context(certificate_));
        }
        listen();
    }

    void listen() {
        boost::system::error_code ec;
        const auto address = asio::ip::make_address(options_->host, ec);
        if (ec) {
            throw net::setup_error("cannot listen on '" + options_->host +
                                   "': not an IP address (use 127.0.0.1 or ::1)");
        }
        const tcp::endpoint endpoint(address, options_->port);
        const auto where = [&] {
            return (address.is_v6() ? "[" + options_->host + "]" : options_->host) + ":" +
                   std::to_string(options_->port);
        };
        acceptor_.open(endpoint.protocol(), ec);
        if (!ec) {
            // Lets a restarted server bind while old connections sit in TIME_WAIT; it does not
            // let two listeners share a port on Linux.
            acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
        }
        if (!ec) {
            acceptor_.bind(endpoint, ec);
        }
        if (!ec) {
            acceptor_.listen(asio::socket_base::max_listen_connections, ec);
        }
        if (ec) {
            throw net::setup_error("cannot listen on " + where() + ": " + ec.message());
        }
        port_ = acceptor_.local_endpoint().port();
        url_ = std::string(options_->tls ? "wss://" : "ws://") +
               (address.is_v6() ? "[" + options_->host + "]" : options_->host) + ":" +
               std::to_string(port_) + "/";
    }

    void accept_next() {
        // With workers, the new socket (and so the connection's handlers) lives on the next one.
        auto& io = workers_ != nullptr ? workers_->next()
                                       : static_cast<asio::io_context&>(acceptor_.get_executor().context());
        acceptor_.async_accept(io, [self = shared_from_this()](const boost::system::error_code& ec,
                                                               tcp::socket socket) {
            if (self->stopping_ || !self->acceptor_.is_open()) {
                return;
            }
            if (!ec) {
                self->adopt(std::move(socket));
            } else if (self->options_->on_log) {
                // EMFILE and the like: keep accepting; the next attempt may succeed.
                self->options_->on_log("accept failed: " + ec.message());
            }
            self->accept_next();
        });
    }

    void adopt(tcp::socket socket) {
        ++accepted_;
        if (connections_.size() >= options_->max_connections) {
            boost::system::error_code ignored;
            socket.close(ignored);
            return;
        }
        auto stream = net::stream::adopt(std::move(socket), tls_ ? &*tls_ : nullptr);
        // The connection reports its end from inside its own handlers: erase it later, so it
        // is not destroyed while one of its member functions is still running.
        auto key = std::make_shared<connection*>(nullptr);
        auto on_done = [self = shared_from_this(), key] {
            asio::post(self->acceptor_.get_executor(), [self, key] { self->forget(*key); });
        };
        auto conn = std::make_shared<connection>(std::move(stream), options_, std::move(on_done));
        *key = conn.get();
        connections_.insert(conn);
        if (workers_ == nullptr) {
            conn->start();
            return;
        }
        // The listening io_context must not run out of work while connections on other threads
        // still have to report their end to it.
        if (!busy_) {
            busy_.emplace(acceptor_.get_executor());
        }
        asio::post(conn->executor(), [conn] { conn->start(); });
    }

    void forget(connection* key) {
        for (auto it = connections_.begin(); it != connections_.end(); ++it) {
            if (it->get() == key) {
                connections_.erase(it);
                break;
            }
        }
        if (connections_.empty()) {
            busy_.reset();
        }
        maybe_stopped();
    }

    void stop(std::function<void()> on_stopped) {
        if (stopping_) {
            return;
        }
        stopping_ = true;
        on_stopped_ = std::move(on_stopped);
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        // go_away may end a connection synchronously: iterate over a copy.
        const auto open = connections_;
        for (const auto& conn : open) {
            if (workers_ == nullptr) {
                conn->go_away("server shutting down");
            } else {
                asio::post(conn->executor(), [conn] { conn->go_away("server shutting down"); });
            }
        }
        maybe_stopped();
    }

    void maybe_stopped() {
        if (stopping_ && connections_.empty() && on_stopped_) {
            auto done = std::move(on_stopped_);
            on_stopped_ = nullptr;
            done();
        }
    }

    std::shared_ptr<const server_options> options_;
    tcp::acceptor acceptor_;
    net::certificate_pair certificate_;
    std::optional<net::ssl::context> tls_;
    std::uint16_t port_ = 0;
    std::string url_;
    std::unordered_set<std::shared_ptr<connection>> connections_;
    std::size_t accepted_ = 0;
    bool stopping_ = false;
    std::function<void()> on_stopped_;
    workers* workers_ = nullptr;
    std::optional<asio::executor_work_guard<asio::any_io_executor>> busy_;
};

reference_server::reference_server(asio::io_context& io, server_options options)
    : workers_(options.threads > 1 ? std::make_unique<workers>(options.threads) : nullptr),
      impl_(std::make_shared<impl>(io, std::move(options), workers_.get())) {}

reference_server::~reference_server() {
    impl_->stop({});
    // The connections still open end on the workers, each within close_timeout; the workers
    // then run out of work and their threads end.
    workers_.reset();
}

std::uint16_t reference_server::port() const noexcept { return impl_->port_; }
std::string reference_server::url() const { return impl_->url_; }
const std::string& reference_server::certificate_pem() const noexcept {
    return impl_->certificate_.cert_pem;
}
void reference_server::start() { impl_->accept_next(); }
void reference_server::stop(std::function<void()> on_stopped) { impl_->stop(std::move(on_stopped)); }
std::size_t reference_server::connection_count() const noexcept { return impl_->connections_.size(); }
std::size_t reference_server::connections_accepted() const noexcept { return impl_->accepted_; }

// ---------------------------------------------------------------- background_server

background_server::background_server(server_options options)
    : server_(std::make_unique<reference_server>(io_, std::move(options))) {
    port_ = server_->port();
    url_ = server_->url();
    certificate_pem_ = server_->certificate_pem();
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
}

background_server::~background_server() { stop(); }

std::size_t background_server::connection_count() {
    if (!thread_.joinable()) {
        return 0;
    }
    std::promise<std::size_t> count;
    auto result = count.get_future();
    asio::post(io_, [&] { count.set_value(server_->connection_count()); });
    return result.get();
}

void background_server::stop() {
    if (!thread_.joinable()) {
        return;
    }
    // io_.run() returns by itself once the server has stopped and every connection is over.
    asio::post(io_, [this] { server_->stop(); });
    thread_.join();
    server_.reset();
}

} // namespace wscheck::server
