// case_runner's opening when the tester is the client (testing a server): connect, send the
// opening handshake the case describes, read and check the server's response (4.1).
#include "harness/runner/case_runner.hpp"

#include "harness/proto/extension_params.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/runner/case_runner_detail.hpp"

#include <algorithm>

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
        write({text.begin(), text.end()}, 0, [this] { read_response(); });
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
    std::size_t used = 0;
    const auto st = response_parser_.feed(got, used);
    auto& hs = facts_.handshake;
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
    const auto& head = response_parser_.head();
    hs.status = head.status;
    using expect = cases::handshake_spec::expect;
    const auto must = script_.handshake.must;
    if (must == expect::reject || (must == expect::either && head.status != 101)) {
        finish(); // the judge reads the status and fields; nothing more to do here
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
