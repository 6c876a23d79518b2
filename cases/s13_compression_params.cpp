// Section 13, WebSocket Compression (different parameters): the Autobahn Testsuite's 13.1.1 to
// 13.7.18. The JSON data of 12.1 with the same message schedule, under seven offers: what
// that suite's client offers in each (its requestNoContextTakeover is server_no_context_takeover,
// its requestMaxWindowBits server_max_window_bits; every offer also says the client accepts
// client_no_context_takeover and client_max_window_bits). 13.7 makes three offers in order.
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

} // namespace

void add_compression_params(catalog_builder& b) {
    b.add_section("13", "WebSocket Compression (different parameters)");
    const std::vector<std::vector<proto::deflate_offer>> offer_sets{
        {suite_offer(false, 0)},
        {suite_offer(true, 0)},
        {suite_offer(false, 8)},
        {suite_offer(false, 15)},
        {suite_offer(true, 8)},
        {suite_offer(true, 15)},
        {suite_offer(true, 8), suite_offer(true, 0), suite_offer(false, 0)},
    };
    const auto& json = compression::data_sets()[0];
    for (std::size_t j = 0; j < offer_sets.size(); ++j) {
        const std::string sub = "13." + std::to_string(j + 1);
        const std::string offered = proto::format_deflate_offers(offer_sets[j]);
        b.add_section(sub, json.title + " - offers \"" + offered + "\"");
        const auto& sizes = compression::series_sizes();
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            b.add(compression::series_case(sub + "." + std::to_string(i + 1), json, sizes[i], offer_sets[j],
                                           "Offer permessage-deflate as \"" + offered + "\"."));
        }
    }
}

} // namespace wscheck::cases
