// case_runner's opening when the tester is the server (testing a client): the listener has
// read the client's request; check it (4.1 is the client's duty), then answer with a valid
// 101 (4.2.2) or with the broken response a section-30 case prescribes, which the client
// must refuse by failing the connection. When the case has permessage-deflate (RFC 7692), the
// client's offers are answered by the case's accept rules (or a crafted response, section 31),
// and once agreed we compress as the server and inflate what the client sends with its side of
// the agreement.
#include "harness/runner/case_runner.hpp"

#include "harness/proto/extension_params.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/runner/case_runner_detail.hpp"

#include <charconv>

namespace wscheck::runner {

using detail::as_bytes;
using detail::kept_head_bytes;
using detail::sentence_for;

namespace {

/// The status code of a response we wrote ("HTTP/1.1 302 Found" -> 302), 0 when there is none
/// (a case may write a broken status line on purpose).
int status_of(std::string_view response) {
    const auto space = response.find(' ');
    if (space == std::string_view::npos || response.size() < space + 4) {
        return 0;
    }
    int status = 0;
    const char* first = response.data() + space + 1;
    const auto [end, ec] = std::from_chars(first, first + 3, status);
    return ec == std::errc{} && end == first + 3 ? status : 0;
}

/// The first of the client's permessage-deflate elements, in its order (its preference, RFC
/// 6455 9.1), that `rule` accepts. Invalid offers are skipped: a server declines them (RFC
/// 7692 5) and may accept a later one.
std::optional<proto::deflate_acceptance> accept_by(const cases::deflate_accept_rule& rule,
                                                   const std::vector<proto::extension_offer>& elements) {
    for (std::size_t i = 0; i < elements.size(); ++i) {
        proto::deflate_offer offer;
        if (proto::parse_deflate_offer(elements[i], offer)) {
            continue;
        }
        // 7.1.2.2: client_max_window_bits may be answered only to an offer that has it.
        if (rule.ask_client_window && !offer.client_max_window_bits) {
            continue;
        }
        auto a = proto::negotiate_deflate({elements[i]}, rule.policy);
        if (!a) {
            continue;
        }
        if (rule.ask_client_window) {
            // Written out even when it is 15, as the Autobahn Testsuite's requestMaxWindowBits.
            a->response.client_max_window_bits = a->agreement.client_max_window_bits;
        }
        a->offer_index = i;
        return a;
    }
    return std::nullopt;
}

} // namespace

std::string case_runner::answer_deflate(const proto::accepted_request& request) {
    const auto& spec = *script_.deflate;
    auto& d = facts_.deflate;
    std::vector<proto::extension_offer> elements;
    std::vector<proto::deflate_offer> valid;
    for (const auto& e : request.extensions) {
        if (e.name != proto::permessage_deflate) {
            continue;
        }
        elements.push_back(e);
        proto::deflate_offer offer;
        if (!proto::parse_deflate_offer(e, offer)) {
            valid.push_back(offer);
        }
    }
    d.offered = !elements.empty();
    d.offer = proto::format_extensions(elements);
    if (valid.empty()) {
        if (spec.required) {
            facts_.deflate_untestable =
                elements.empty() ? "The client did not offer permessage-deflate; the case needs it."
                                 : "The client offered no valid permessage-deflate (\"" + d.offer +
                                       "\", declined as RFC 7692 5 requires); the case needs the extension.";
        }
        return {};
    }
    if (spec.craft) {
        auto crafted = spec.craft(valid);
        if (!crafted.untestable.empty()) {
            facts_.deflate_untestable = "Not testable with this client's offer (\"" + d.offer + "\"): " +
                                        crafted.untestable + ".";
            return {};
        }
        // A response the client must refuse: no extension is in force after it.
        d.response = crafted.extensions;
        return crafted.extensions;
    }
    for (const auto& rule : spec.accept) {
        const auto accepted = accept_by(rule, elements);
        if (!accepted) {
            continue;
        }
        d.response = proto::format_extensions({proto::to_extension(accepted->response)});
        const auto agreed = proto::deflate_agreement::from(accepted->response);
        d.agreed = agreed.describe();
        start_deflate(agreed);
        return d.response;
    }
    if (spec.required && !spec.accept.empty()) {
        facts_.deflate_untestable = "No permessage-deflate offer of the client (\"" + d.offer +
                                    "\") is one this case's answer applies to: it asks for a client window, which "
                                    "RFC 7692 7.1.2.2 allows only when the offer has client_max_window_bits.";
    }
    return {};
}

void case_runner::answer_request() {
    stream_ = accepted_.stream;
    facts_.connected = true;
    auto& hs = facts_.handshake;
    hs.attempted = true;
    hs.request = accepted_.request_text.substr(0, kept_head_bytes);
    observer_.log().bytes(direction::received, now(), "http request", as_bytes(accepted_.request_text));
    boost::system::error_code ignored;
    // Chopped writes must leave as separate segments, as the cases intend.
    stream_->socket().set_option(net::tcp::no_delay(true), ignored);

    proto::accepted_request request;
    if (const auto ec = proto::check_request(accepted_.request, request)) {
        // 4.1 lists what the client's request must hold; a server refuses one that does not
        // (4.2.1), so the case cannot run and the client failed it.
        hs.error = "the client's opening handshake request is invalid: " + sentence_for(ec);
        const std::string refusal = proto::build_rejection(ec);
        hs.status = status_of(refusal);
        hs.response = refusal.substr(0, kept_head_bytes);
        observer_.sent_bytes("http response", as_bytes(refusal), now());
        write({refusal.begin(), refusal.end()}, 0, [this] { drop(connection_facts::drop_reason::our_step, elapsed_ms()); });
        return;
    }
    const std::string extensions = script_.deflate ? answer_deflate(request) : std::string{};
    if (!facts_.deflate_untestable.empty()) {
        script_.handshake = cases::handshake_spec{}; // a valid 101, without the extension
        close_instead_of_script();
    }
    const auto& spec = script_.handshake;
    const std::string response = spec.respond ? spec.respond(request.key, accepted_.request)
                                              : proto::build_response(request.key, std::nullopt, extensions);
    hs.status = status_of(response);
    hs.response = response.substr(0, kept_head_bytes);
    // A response the client may accept (a valid 101, or an unusual but valid one of section
    // 30.2) opens the connection as far as we are concerned; for one it must refuse, the
    // judge decides from what the client did whether it treated the connection as open.
    hs.completed = spec.must != cases::handshake_spec::expect::reject;
    observer_.sent_bytes("http response", as_bytes(response), now());
    write({response.begin(), response.end()}, 0, {});
    open(accepted_.leftover);
}

void case_runner::close_tcp_first() {
    // 7.1.1: once Close frames have crossed, the server closes the TCP connection first. A
    // FIN, after our queued writes, so that the client reads everything before its EOF; the
    // read loop then waits (close_timeout) for the client to close its side.
    if (fin_wanted_) {
        return;
    }
    fin_wanted_ = true;
    pump_writes();
}

} // namespace wscheck::runner
