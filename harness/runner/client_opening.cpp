// case_runner's opening when the tester is the client (testing a server): connect, send the
// opening handshake the case describes, read and check the server's response (4.1).
#include "harness/runner/case_runner.hpp"

#include "harness/proto/extension_params.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/runner/case_runner_detail.hpp"

#include <algorithm>
#include <cstdlib>
#include <string_view>

namespace wscheck::runner {

using detail::as_bytes;
using detail::handshake_read_size;
using detail::sentence_for;

void case_runner::connect() {
    stream_ = net::stream::make_client(io_, options_.url.secure ? options_.tls : nullptr);
    stream_->async_connect(options_.url.host, options_.url.port, options_.connect_timeout,
                           [self = shared_from_this()](std::error_code ec) { self->on_connected(ec); });
}

void case_runner::on_connected(std::error_code ec) {
    if (finished_) {
        return;
    }
    if (ec) {
        facts_.connected = false;
        facts_.connect_error = ec == net::timed_out_error()
                                   ? "no answer within " + std::to_string(options_.connect_timeout.count()) + " ms"
                                   : ec.message();
        finish();
        return;
    }
    facts_.connected = true;
    boost::system::error_code ignored;
    // Chopped writes must leave as separate segments, as the cases intend.
    stream_->socket().set_option(net::tcp::no_delay(true), ignored);
    send_request();
}

void case_runner::send_request() {
    request_.host = options_.url.host_field();
    request_.target = options_.url.target;
    request_.key = proto::generate_key();
    request_.subprotocols = options_.subprotocols;
    request_.extra_fields = options_.extra_headers;
    if (script_.deflate) {
        const auto& d = *script_.deflate;
        request_.extensions = d.raw_offer.empty() ? proto::format_deflate_offers(d.offers) : d.raw_offer;
        facts_.deflate.offered = true;
        facts_.deflate.offer = request_.extensions;
    }
    const auto& hs = script_.handshake;
    if (hs.edit_request) {
        hs.edit_request(request_);
    }
    const std::string text = hs.raw_request ? (*hs.raw_request)(request_.host, request_.key)
                                            : proto::build_request(request_);
    facts_.handshake.attempted = true;
    facts_.handshake.request = text.substr(0, detail::kept_head_bytes);
    observer_.sent_bytes("http request", as_bytes(text), now());
    if (hs.chop == 0) {
        write({text.begin(), text.end()}, 0, [this] {
            read_response();
            if (const auto wait = script_.handshake.await_continue) {
                // RFC 9110 10.1.1: a client need not wait for the 100 for ever.
                arm_timer(step_timer_, *wait, [this] {
                    if (facts_.handshake.status == 0) {
                        send_content();
                    }
                });
            }
        });
        if (!hs.await_continue) {
            send_content();
        }
        return;
    }
    read_response();
    trickle_request({text.begin(), text.end()}, 0);
}

void case_runner::trickle_request(std::vector<std::uint8_t> request, std::size_t at) {
    const auto& hs = script_.handshake;
    const std::size_t n = std::min(hs.chop, request.size() - at);
    std::vector<std::uint8_t> piece{request.begin() + static_cast<std::ptrdiff_t>(at),
                                    request.begin() + static_cast<std::ptrdiff_t>(at + n)};
    write(std::move(piece), 0, [this, request = std::move(request), next = at + n]() mutable {
        if (next >= request.size() || facts_.handshake.status != 0) {
            return;
        }
        arm_timer(step_timer_, script_.handshake.chop_pause,
                  [this, request = std::move(request), next]() mutable { trickle_request(std::move(request), next); });
    });
}

void case_runner::read_response() {
    read_buffer_.resize(handshake_read_size);
    const auto left = options_.handshake_timeout - elapsed_ms();
    stream_->async_read_some(
        read_buffer_, std::max(left, milliseconds{1}),
        [self = shared_from_this()](std::error_code ec, std::size_t n) {
            if (self->finished_) {
                return;
            }
            if (ec) {
                auto& hs = self->facts_.handshake;
                if (ec == net::timed_out_error()) {
                    hs.error = "no complete response within " +
                               std::to_string(self->options_.handshake_timeout.count()) + " ms";
                } else {
                    hs.error = "the connection ended before a complete response (" + ec.message() + ")";
                }
                if (!hs.response.empty()) {
                    hs.error += " after " + std::to_string(hs.response.size()) + " bytes";
                }
                self->finish();
                return;
            }
            self->on_response_bytes(n);
        });
}

void case_runner::on_response_bytes(std::size_t n) {
    std::span<std::uint8_t> got{read_buffer_.data(), n};
    auto& hs = facts_.handshake;
    std::size_t used = 0;
    for (;;) {
        used = 0;
        const auto st = response_parser_.feed(got, used);
        hs.response.append(got.begin(), got.begin() + static_cast<std::ptrdiff_t>(used));
        observer_.log().bytes(direction::received, now(), "http response", got.first(used));
        if (st == proto::http_parser::status::need_more) {
            read_response();
            return;
        }
        if (st == proto::http_parser::status::error) {
            hs.error = "malformed HTTP response: " + std::string{response_parser_.error_detail()};
            finish();
            return;
        }
        const int status = response_parser_.head().status;
        if (status < 100 || status >= 200 || status == 101) {
            break;
        }
        // RFC 9110 15.2: interim responses may come before the final one, and a client
        // parses and skips them; a 100 (Continue) is what Expect: 100-continue waits for.
        got_continue_ = got_continue_ || status == 100;
        response_parser_ = proto::http_parser{proto::http_parser::kind::response};
        if (status == 100) {
            send_content();
        }
        got = got.subspan(used);
        if (got.empty()) {
            read_response();
            return;
        }
    }
    const auto& head = response_parser_.head();
    hs.status = head.status;
    using expect = cases::handshake_spec::expect;
    const auto must = script_.handshake.must;
    if (must == expect::reject || (must == expect::either && head.status != 101)) {
        after_refusal(got.subspan(used)); // the judge reads the status and fields
        return;
    }
    // Once the content went out (after await_continue), a server may skip the 100 (RFC 9110
    // 10.1.1: it has the content); before that, 7.8 leaves it no choice.
    if (script_.handshake.await_continue && !got_continue_ && !content_sent_ && head.status == 101) {
        hs.error = "it switched protocols (101) before the request's content was sent and without a 100 "
                   "(Continue), although the request carried Expect: 100-continue (RFC 9110 7.8: the 100 "
                   "comes before the 101)";
        finish();
        return;
    }
    proto::accepted_response accepted;
    if (const auto ec = proto::check_response(head, request_, accepted)) {
        hs.error = ec == proto::violation::bad_status
                       ? "status " + std::to_string(head.status) + " instead of 101"
                       : sentence_for(ec);
        finish();
        return;
    }
    if (script_.deflate && !check_deflate(accepted)) {
        finish();
        return;
    }
    hs.completed = true;
    if (script_.deflate && script_.deflate->required && facts_.deflate.agreed.empty()) {
        // A server may decline any offer (RFC 6455 9.1).
        facts_.deflate_untestable = "The server declined permessage-deflate (offered: \"" + facts_.deflate.offer +
                                    "\"); the case needs it.";
        close_instead_of_script();
    }
    open(got.subspan(used));
}

void case_runner::send_content() {
    const auto& content = script_.handshake.content;
    if (content_sent_ || content.empty() || finished_) {
        return;
    }
    content_sent_ = true;
    observer_.sent_bytes("http content", as_bytes(content), now());
    write({content.begin(), content.end()}, 0, {});
}

void case_runner::after_refusal(std::span<const std::uint8_t> rest) {
    const auto wait = script_.handshake.listen_after_refusal;
    if (wait <= milliseconds::zero()) {
        finish();
        return;
    }
    // The refusal's own content comes first; what follows it would be a second response.
    const auto& head = response_parser_.head();
    refusal_body_ = 0;
    if (const auto length = head.single("Content-Length")) {
        refusal_body_ = static_cast<std::size_t>(std::strtoull(std::string{*length}.c_str(), nullptr, 10));
    }
    listen_until_ = clock::now() + wait;
    after_refusal_.assign(rest.begin(), rest.end());
    if (!second_response_seen()) {
        read_after_refusal();
        return;
    }
    finish();
}

bool case_runner::second_response_seen() {
    std::size_t start = refusal_body_;
    if (response_parser_.head().has_token("Transfer-Encoding", "chunked")) {
        const auto end = after_refusal_.find("0\r\n\r\n");
        if (end == std::string::npos) {
            return false;
        }
        start = end + 5;
    }
    if (after_refusal_.size() < start + 5) {
        return false;
    }
    const std::string_view next = std::string_view{after_refusal_}.substr(start);
    if (next.substr(0, 5) != "HTTP/") {
        return false; // not a response (the refusal's content ran on without a length)
    }
    const std::string line{next.substr(0, std::min(next.find("\r\n"), std::size_t{120}))};
    auto& hs = facts_.handshake;
    hs.error = "then answered again (\"" + line + "\"): it read the request's content as a second request "
               "(RFC 9112 9.3: a server reads a request's whole content or closes the connection)";
    hs.response.append(next.substr(0, detail::kept_head_bytes));
    return true;
}

void case_runner::read_after_refusal() {
    const auto left = std::chrono::duration_cast<milliseconds>(listen_until_ - clock::now());
    if (left <= milliseconds::zero()) {
        finish();
        return;
    }
    read_buffer_.resize(handshake_read_size);
    stream_->async_read_some(read_buffer_, left, [self = shared_from_this()](std::error_code ec, std::size_t n) {
        if (self->finished_) {
            return;
        }
        // Closed, reset or silent until the end: no second response.
        if (ec || self->after_refusal_.size() > detail::kept_head_bytes) {
            self->finish();
            return;
        }
        const std::span<const std::uint8_t> got{self->read_buffer_.data(), n};
        self->observer_.log().bytes(direction::received, self->now(), "after the refusal", got);
        self->after_refusal_.append(got.begin(), got.end());
        if (self->second_response_seen()) {
            self->finish();
            return;
        }
        self->read_after_refusal();
    });
}

bool case_runner::check_deflate(const proto::accepted_response& accepted) {
    auto& d = facts_.deflate;
    std::vector<proto::extension_offer> answered;
    for (const auto& e : accepted.extensions) {
        if (e.name == proto::permessage_deflate) {
            answered.push_back(e);
        }
    }
    if (answered.empty()) {
        return true; // declined: any server may (RFC 6455 9.1)
    }
    d.response = proto::format_extensions(answered);
    const auto& offers = script_.deflate->offers;
    if (offers.empty()) {
        // Every offer we sent was invalid: RFC 7692 5 requires the server to decline them.
        facts_.handshake.error = "the server accepted permessage-deflate (\"" + d.response +
                                 "\") although the only offer was invalid and had to be declined (RFC 7692 5)";
        return false;
    }
    std::optional<proto::deflate_agreement> agreed;
    if (const auto ec = proto::check_deflate_response(offers, accepted.extensions, agreed)) {
        facts_.handshake.error = "the server answered permessage-deflate with \"" + d.response + "\": " +
                                 sentence_for(ec);
        return false;
    }
    if (!agreed) {
        return true;
    }
    d.agreed = agreed->describe();
    start_deflate(*agreed);
    return true;
}

} // namespace wscheck::runner
