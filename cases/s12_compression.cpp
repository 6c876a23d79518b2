// Section 12, WebSocket Compression (different payloads): the Autobahn Testsuite's 12.1.1 to
// 12.5.18. Testing a server, each case offers permessage-deflate as that suite's client does
// by default (client_no_context_takeover and client_max_window_bits, so the server may ask
// for either); testing a client, it accepts the client's first valid offer as offered (the
// suite's accept_deflate). Then 1000 messages of one size cut from one data set, each after
// the previous echo, compressed and, from 12.x.11 on, split into frames. Every echo must
// inflate to what was sent.
#include "cases/catalog.hpp"
#include "cases/compression_data.hpp"

namespace wscheck::cases {

void add_compression(catalog_builder& b) {
    b.add_section("12", "WebSocket Compression (different payloads)");
    proto::deflate_offer offer;
    offer.client_no_context_takeover = true;
    offer.client_max_window_bits = true;
    const std::string offer_text =
        "Use the default permessage-deflate offer (\"" + proto::format_deflate_offers(std::span{&offer, 1}) + "\").";
    const std::string accept_text = "Accept the client's first valid permessage-deflate offer as offered.";
    const auto& sets = compression::data_sets();
    for (std::size_t j = 0; j < sets.size(); ++j) {
        const std::string sub = "12." + std::to_string(j + 1);
        b.add_section(sub, sets[j].title);
        const auto& sizes = compression::series_sizes();
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            b.add(compression::series_case(sub + "." + std::to_string(i + 1), sets[j], sizes[i], {offer}, offer_text,
                                           {deflate_accept_rule{}}, accept_text));
        }
    }
}

} // namespace wscheck::cases
