#include "harness/runner/client_listener.hpp"

#include "harness/proto/close.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/runner/autobahn_query.hpp"
#include "harness/runner/case_runner_detail.hpp"
#include "harness/runner/frame_writer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace wscheck::runner {

using detail::handshake_read_size;
using detail::kept_head_bytes;

/// One accepted connection until it is routed (and, for the control requests, answered).
struct client_listener::incoming {
    std::shared_ptr<net::stream> stream;
    proto::http_parser parser{proto::http_parser::kind::request};
    std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(handshake_read_size);
    std::string text;                  ///< the head as received
    std::vector<std::uint8_t> leftover;
    net::clock::time_point started = net::clock::now();
    autobahn_request request;
    std::vector<std::uint8_t> reply;   ///< bytes being written
    bool close_seen = false;
};

namespace {

std::vector<std::uint8_t> frame_bytes(proto::opcode op, std::span<const std::uint8_t> payload) {
    frame_spec spec;
    spec.op = op;
    return write_frame(spec, payload, proto::role::server).bytes; // 5.1: a server does not mask
}

std::string behavior_name(cases::behavior b) {
    return std::string{cases::to_string(b)};
}

} // namespace

client_listener::client_listener(net::asio::io_context& io, listener_options options, const cases::catalog& catalog,
                                 std::vector<const cases::case_def*> selected, exclusion exclude, callbacks cb)
    : io_(io), options_(std::move(options)), catalog_(catalog), selected_(std::move(selected)),
      exclude_(std::move(exclude)), cb_(std::move(cb)), acceptor_(io) {}

std::error_code client_listener::listen(std::string& detail) {
    boost::system::error_code ec;
    const auto address = net::asio::ip::make_address(options_.host, ec);
    if (ec) {
        detail = "'" + options_.host + "' is not an IP address";
        return ec;
    }
    const net::tcp::endpoint ep{address, options_.port};
    acceptor_.open(ep.protocol(), ec);
    if (!ec) {
        acceptor_.set_option(net::tcp::acceptor::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor_.bind(ep, ec);
    }
    if (!ec) {
        acceptor_.listen(net::asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        detail = "cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " + ec.message();
        return ec;
    }
    port_ = acceptor_.local_endpoint().port();
    accept();
    return {};
}

std::string client_listener::url() const {
    const bool v6 = options_.host.find(':') != std::string::npos;
    return (options_.tls ? "wss://" : "ws://") + (v6 ? "[" + options_.host + "]" : options_.host) + ":" + std::to_string(port_);
}

std::size_t client_listener::cases_running() const noexcept {
    std::size_t n = 0;
    for (const auto& a : agents_) {
        n += a.running.size();
    }
    return n;
}

void client_listener::stop() {
    if (stopped_) {
        return;
    }
    stopped_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (const auto& r : std::vector<std::shared_ptr<case_runner>>{runners_}) {
        r->interrupt();
    }
    runners_.clear();
    for (const auto& w : streams_) {
        if (const auto s = w.lock()) {
            s->close();
        }
    }
    streams_.clear();
}

void client_listener::accept() {
    acceptor_.async_accept([self = shared_from_this()](const boost::system::error_code& ec, net::tcp::socket socket) {
        if (self->stopped_) {
            return;
        }
        if (!ec) {
            auto in = std::make_shared<incoming>();
            in->stream = net::stream::adopt(std::move(socket), self->options_.tls);
            std::erase_if(self->streams_, [](const std::weak_ptr<net::stream>& w) { return w.expired(); });
            self->streams_.push_back(in->stream);
            ++self->open_;
            ++self->accepted_count_;
            self->last_activity_ = std::chrono::steady_clock::now();
            self->accept_tls(in);
        }
        self->accept();
    });
}

void client_listener::accept_tls(const std::shared_ptr<incoming>& in) {
    if (!options_.tls) {
        read_request(in);
        return;
    }
    // The TLS handshake is part of the opening handshake's deadline (handshake_timeout).
    in->stream->async_accept_tls(options_.connection.handshake_timeout,
                                 [self = shared_from_this(), in](std::error_code ec) {
                                     if (self->stopped_) {
                                         return;
                                     }
                                     if (ec) {
                                         in->stream->close(); // no TLS, no request to answer
                                         self->connection_done();
                                         return;
                                     }
                                     self->read_request(in);
                                 });
}

void client_listener::read_request(const std::shared_ptr<incoming>& in) {
    const auto left = options_.connection.handshake_timeout -
                      std::chrono::duration_cast<std::chrono::milliseconds>(net::clock::now() - in->started);
    in->stream->async_read_some(
        in->buffer, std::max(left, std::chrono::milliseconds{1}),
        [self = shared_from_this(), in](std::error_code ec, std::size_t n) {
            if (self->stopped_) {
                return;
            }
            if (ec) {
                in->stream->close(); // no complete request in time: nothing to answer
                self->connection_done();
                return;
            }
            std::size_t used = 0;
            const std::span<const std::uint8_t> got{in->buffer.data(), n};
            const auto st = in->parser.feed(got, used);
            if (in->text.size() < kept_head_bytes) {
                in->text.append(got.begin(), got.begin() + static_cast<std::ptrdiff_t>(used));
            }
            if (st == proto::http_parser::status::need_more) {
                self->read_request(in);
                return;
            }
            if (st == proto::http_parser::status::error) {
                self->refuse(in, 400, "malformed request head: " + std::string{in->parser.error_detail()});
                return;
            }
            in->leftover.assign(got.begin() + static_cast<std::ptrdiff_t>(used), got.end());
            self->route(in);
        });
}

agent_record& client_listener::agent_named(const std::string& name) {
    for (auto& a : agents_) {
        if (a.name == name) {
            return a;
        }
    }
    agent_record a;
    a.name = name;
    a.results.resize(selected_.size());
    a.first_seen = std::chrono::system_clock::now();
    for (std::size_t i = 0; i < selected_.size(); ++i) {
        if (exclude_ && exclude_(name, selected_[i]->id)) {
            a.excluded.insert(i);
        }
    }
    agents_.push_back(std::move(a));
    return agents_.back();
}

void client_listener::route(const std::shared_ptr<incoming>& in) {
    using kind = autobahn_request::kind;
    in->request = parse_autobahn_target(in->parser.head().target);
    const auto& req = in->request;
    if (!req.error.empty()) {
        refuse(in, req.what == kind::unknown ? 404 : 400, req.error);
        return;
    }
    const std::size_t count = selected_.size();
    std::size_t index = 0;
    if (req.case_number) {
        if (*req.case_number < 1 || static_cast<unsigned long>(*req.case_number) > count) {
            refuse(in, 400, "case " + std::to_string(*req.case_number) + " not found (there are " +
                                std::to_string(count) + " cases, numbered from 1)");
            return;
        }
        index = static_cast<std::size_t>(*req.case_number - 1);
    }
    switch (req.what) {
    case kind::get_case_count: reply(in, std::to_string(count)); return;
    case kind::get_case_info: {
        const auto* c = selected_[index];
        const nlohmann::json info{{"id", c->id}, {"description", "Case " + c->id + ": " + c->description}};
        reply(in, info.dump());
        return;
    }
    case kind::get_case_status: {
        auto& agent = agent_named(req.agent);
        if (agent.running.count(index) != 0 && !agent.results[index]) {
            status_waiters_[{agent.name, index}].push_back(in); // answered when the verdict comes
            return;
        }
        reply(in, case_status_json(agent, index));
        return;
    }
    case kind::update_reports: {
        auto& agent = agent_named(req.agent);
        agent.reports_requested = true;
        if (cb_.on_update_reports) {
            cb_.on_update_reports(agent);
        }
        reply(in, std::nullopt);
        return;
    }
    case kind::run_case: {
        auto& agent = agent_named(req.agent);
        if (agent.excluded.count(index) != 0) {
            reply(in, std::nullopt); // skipped by the spec's exclude-agent-cases, as that suite does
            return;
        }
        run_case(in, agent, index);
        return;
    }
    case kind::unknown: break;
    }
    refuse(in, 404, "unknown request");
}

std::string client_listener::case_status_json(const agent_record& agent, std::size_t index) const {
    const auto& r = agent.results[index];
    return nlohmann::json{{"behavior", r ? behavior_name(r->behavior) : std::string{"MISSING"}}}.dump();
}

void client_listener::run_case(const std::shared_ptr<incoming>& in, agent_record& agent, std::size_t index) {
    agent.running.insert(index);
    const auto* c = selected_[index];
    accepted_connection conn{in->stream, in->parser.head(), in->text, std::move(in->leftover)};
    auto runner = case_runner::start_accepted(
        io_, options_.connection, *c, std::string{catalog_.section_title(c->id)}, std::move(conn),
        [self = shared_from_this(), name = agent.name, index](reports::case_result r) {
            if (self->stopped_) {
                return; // interrupted: the verdict would be about our own drop
            }
            auto& a = self->agent_named(name);
            a.running.erase(index);
            a.results[index] = std::move(r);
            if (self->cb_.on_case) {
                self->cb_.on_case(a, *a.results[index]);
            }
            self->answer_status_waiters(name, index);
            self->connection_done();
        });
    std::erase_if(runners_, [](const std::shared_ptr<case_runner>& r) { return r.use_count() <= 1; });
    runners_.push_back(std::move(runner));
}

void client_listener::answer_status_waiters(const std::string& agent, std::size_t index) {
    const auto it = status_waiters_.find({agent, index});
    if (it == status_waiters_.end()) {
        return;
    }
    auto waiting = std::move(it->second);
    status_waiters_.erase(it);
    for (const auto& in : waiting) {
        reply(in, case_status_json(agent_named(agent), index));
    }
}

void client_listener::reply(const std::shared_ptr<incoming>& in, std::optional<std::string> message) {
    proto::accepted_request accepted;
    if (const auto ec = proto::check_request(in->parser.head(), accepted)) {
        refuse(in, 400, "not a valid WebSocket opening handshake: " + detail::sentence_for(ec));
        return;
    }
    const std::string head = proto::build_response(accepted.key);
    in->reply.assign(head.begin(), head.end());
    if (message) {
        const auto text = frame_bytes(proto::opcode::text, detail::as_bytes(*message));
        in->reply.insert(in->reply.end(), text.begin(), text.end());
    }
    const auto close = frame_bytes(proto::opcode::close, proto::build_close_payload(proto::close_code::normal));
    in->reply.insert(in->reply.end(), close.begin(), close.end());
    const auto& timeouts = options_.connection;
    in->stream->async_write_all(in->reply, timeouts.write_timeout, [self = shared_from_this(), in](std::error_code ec, std::size_t) {
        if (self->stopped_) {
            return;
        }
        if (ec) {
            in->stream->close();
            self->connection_done();
            return;
        }
        // We started the closing handshake; 7.1.1: we close TCP once the client's Close came.
        // Its frames are not looked at beyond that: async_shutdown reads and discards them
        // until its EOF, bounded by close_timeout.
        in->stream->async_shutdown(self->options_.connection.close_timeout, [self, in](std::error_code) {
            if (!self->stopped_) {
                self->connection_done();
            }
        });
    });
}

void client_listener::refuse(const std::shared_ptr<incoming>& in, int status, const std::string& why) {
    const std::string reason = status == 404 ? "Not Found" : "Bad Request";
    const std::string body = why + "\n";
    const std::string response = "HTTP/1.1 " + std::to_string(status) + " " + reason +
                                 "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    in->reply.assign(response.begin(), response.end());
    in->stream->async_write_all(in->reply, options_.connection.write_timeout,
                                [self = shared_from_this(), in](std::error_code, std::size_t) {
                                    if (self->stopped_) {
                                        return;
                                    }
                                    in->stream->async_shutdown(self->options_.connection.close_timeout,
                                                               [self, in](std::error_code) {
                                                                   if (!self->stopped_) {
                                                                       self->connection_done();
                                                                   }
                                                               });
                                });
}

void client_listener::connection_done() {
    if (open_ > 0) {
        --open_;
    }
    last_activity_ = std::chrono::steady_clock::now();
}

} // namespace wscheck::runner
