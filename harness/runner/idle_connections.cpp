#include "harness/runner/idle_connections.hpp"

#include "harness/proto/handshake.hpp"

namespace wscheck::runner {

struct idle_connections::one {
    std::shared_ptr<net::stream> stream;
    std::string request;
    std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(4096);
    proto::http_parser parser{proto::http_parser::kind::response};
};

std::shared_ptr<idle_connections> idle_connections::open(net::asio::io_context& io, const net::ws_url& url,
                                                         net::ssl::context* tls, std::size_t n,
                                                         std::chrono::milliseconds connect_timeout,
                                                         std::chrono::milliseconds handshake_timeout,
                                                         std::function<void()> on_ready) {
    std::shared_ptr<idle_connections> self{new idle_connections};
    self->io_ = &io;
    self->url_ = url;
    self->tls_ = tls;
    self->connect_timeout_ = connect_timeout;
    self->handshake_timeout_ = handshake_timeout;
    self->on_ready_ = std::move(on_ready);
    self->pending_ = n;
    for (std::size_t i = 0; i < n; ++i) {
        self->all_.push_back(std::make_shared<one>());
    }
    for (const auto& c : self->all_) {
        self->start(c);
    }
    if (n == 0) {
        self->on_ready_();
    }
    return self;
}

void idle_connections::start(const std::shared_ptr<one>& c) {
    proto::client_request req;
    req.host = url_.host_field();
    req.target = url_.target;
    req.key = proto::generate_key();
    c->request = proto::build_request(req);
    c->stream = net::stream::make_client(*io_, url_.secure ? tls_ : nullptr);
    auto self = shared_from_this();
    c->stream->async_connect(url_.host, url_.port, connect_timeout_, [self, c](std::error_code ec) {
        if (ec) {
            ++self->counts_.failed;
            self->done();
            return;
        }
        const std::span<const std::uint8_t> bytes{reinterpret_cast<const std::uint8_t*>(c->request.data()),
                                                  c->request.size()};
        c->stream->async_write_all(bytes, self->handshake_timeout_, [self, c](std::error_code wec, std::size_t) {
            if (wec) {
                ++self->counts_.failed;
                self->done();
                return;
            }
            self->read(c);
        });
    });
}

void idle_connections::read(const std::shared_ptr<one>& c) {
    auto self = shared_from_this();
    c->stream->async_read_some(c->buffer, handshake_timeout_, [self, c](std::error_code ec, std::size_t n) {
        if (ec) {
            ++self->counts_.failed;
            self->done();
            return;
        }
        std::size_t used = 0;
        switch (c->parser.feed(std::span<const std::uint8_t>{c->buffer.data(), n}, used)) {
        case proto::http_parser::status::need_more: self->read(c); return;
        case proto::http_parser::status::error: ++self->counts_.failed; break;
        case proto::http_parser::status::done:
            ++(c->parser.head().status == 101 ? self->counts_.opened : self->counts_.refused);
            break;
        }
        self->done(); // and then idle: nothing more is read or written
    });
}

void idle_connections::done() {
    if (pending_ > 0 && --pending_ == 0 && on_ready_) {
        auto ready = std::move(on_ready_);
        ready();
    }
}

void idle_connections::close_all() noexcept {
    for (auto& c : all_) {
        if (c->stream) {
            c->stream->close();
        }
    }
}

std::string idle_connections::summary() const {
    return "Held " + std::to_string(all_.size()) + " other connections: " + std::to_string(counts_.opened) +
           " opened (101), " + std::to_string(counts_.refused) + " refused, " + std::to_string(counts_.failed) +
           " failed.";
}

} // namespace wscheck::runner
