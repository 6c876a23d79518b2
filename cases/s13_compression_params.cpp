// Section 13, WebSocket Compression (different parameters): the Autobahn Testsuite's 13.1.1 to
// 13.7.18. The JSON data of 12.1 with the same message schedule, under seven parameter sets,
// the suite's (requestNoContextTakeover, requestMaxWindowBits) pairs
// (F,0) (T,0) (F,8) (F,15) (T,8) (T,15) and, for 13.7, (T,8) then (T,0) then (F,0).
//
// Testing a server, they are what our offers ask of the server: server_no_context_takeover and
// server_max_window_bits (every offer also says the client accepts client_no_context_takeover
// and client_max_window_bits); 13.7 makes three offers in order.
// Testing a client, they are what our answer asks of the client: client_no_context_takeover
// and client_max_window_bits=N (the suite's SERVER_ACCEPT accept1..accept7); 13.7 tries the
// three answers in order. Where the suite differs from RFC 7692, we follow the RFC:
//   - its accept2, accept5 and accept6 take only an offer that has client_no_context_takeover;
//     7.1.1.2 lets a server send client_no_context_takeover whatever the offer, and a client
//     must honour it, so we answer it to any offer (a client that offers it without the
//     parameter gets a verdict here and UNIMPLEMENTED there; docs/testing-clients.md);
//   - client_max_window_bits is answered only to an offer that has it, as the suite does and
//     7.1.2.2 requires.
#include "cases/catalog.hpp"
#include "cases/compression_data.hpp"

namespace wscheck::cases {

namespace {

/// The suite's PerMessageDeflateOffer(requestNoContextTakeover, requestMaxWindowBits).
proto::deflate_offer suite_offer(bool server_no_context_takeover, std::uint8_t server_window_bits) {
    proto::deflate_offer o;
    o.client_no_context_takeover = true;
    o.client_max_window_bits = true;
    o.server_no_context_takeover = server_no_context_takeover;
    if (server_window_bits != 0) {
        o.server_max_window_bits = server_window_bits;
    }
    return o;
}

/// The suite's PerMessageDeflateOfferAccept(offer, requestNoContextTakeover, requestMaxWindowBits).
deflate_accept_rule suite_accept(bool client_no_context_takeover, std::uint8_t client_window_bits) {
    deflate_accept_rule r;
    r.policy.client_no_context_takeover = client_no_context_takeover;
    if (client_window_bits != 0) {
        r.policy.client_max_window_bits = client_window_bits;
        r.ask_client_window = true;
    }
    return r;
}

std::string describe(const deflate_accept_rule& r) {
    if (!r.policy.client_no_context_takeover && !r.ask_client_window) {
        return "as offered";
    }
    std::string out = "with";
    if (r.policy.client_no_context_takeover) {
        out += " client_no_context_takeover";
    }
    if (r.ask_client_window) {
        out += std::string{r.policy.client_no_context_takeover ? " and" : ""} + " client_max_window_bits=" +
               std::to_string(r.policy.client_max_window_bits);
    }
    return out;
}

std::string describe(const std::vector<deflate_accept_rule>& rules) {
    std::string out;
    for (const auto& r : rules) {
        out += (out.empty() ? "" : ", else ") + describe(r);
    }
    return out;
}

} // namespace

void add_compression_params(catalog_builder& b) {
    b.add_section("13", "WebSocket Compression (different parameters)");
    struct parameter_set {
        std::vector<proto::deflate_offer> offers;
        std::vector<deflate_accept_rule> accept;
    };
    const std::vector<parameter_set> sets{
        {{suite_offer(false, 0)}, {suite_accept(false, 0)}},
        {{suite_offer(true, 0)}, {suite_accept(true, 0)}},
        {{suite_offer(false, 8)}, {suite_accept(false, 8)}},
        {{suite_offer(false, 15)}, {suite_accept(false, 15)}},
        {{suite_offer(true, 8)}, {suite_accept(true, 8)}},
        {{suite_offer(true, 15)}, {suite_accept(true, 15)}},
        {{suite_offer(true, 8), suite_offer(true, 0), suite_offer(false, 0)},
         {suite_accept(true, 8), suite_accept(true, 0), suite_accept(false, 0)}},
    };
    const auto& json = compression::data_sets()[0];
    for (std::size_t j = 0; j < sets.size(); ++j) {
        const std::string sub = "13." + std::to_string(j + 1);
        const std::string offered = proto::format_deflate_offers(sets[j].offers);
        const std::string answered = describe(sets[j].accept);
        b.add_section(sub, json.title + " - offers \"" + offered + "\"");
        b.sections.back().client_title = json.title + " - accepts the client's offer " + answered;
        const std::string accept_text = "Accept the client's first valid permessage-deflate offer " + answered + ".";
        const auto& sizes = compression::series_sizes();
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            b.add(compression::series_case(sub + "." + std::to_string(i + 1), json, sizes[i], sets[j].offers,
                                           "Offer permessage-deflate as \"" + offered + "\".", sets[j].accept,
                                           accept_text));
        }
    }
}

} // namespace wscheck::cases
