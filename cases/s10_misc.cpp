// Section 10, Misc (Autobahn case 10.1.1): a 64 KiB message sent as 51 frames of at most
// 1300 bytes, as an endpoint that fragments its messages automatically would.
#include "cases/builders.hpp"
#include "cases/catalog.hpp"

namespace wscheck::cases {

void add_misc(catalog_builder& b) {
    b.add_section("10", "Misc");
    b.add_section("10.1", "Auto-Fragmentation");
    auto c = build::make_case(
        "10.1.1",
        "Send a text message with a payload of 65536 bytes, fragmented into frames of 1300 bytes "
        "(50 full frames and a last one of 536).",
        "The message is echoed back with the payload as sent; clean close with normal code.",
        {"5.4", "a fragmented message is delivered whole, whatever the fragment size"}, [] {
            const payload data = build::repeated("*", 65536);
            script sc;
            sc.steps.emplace_back(send_message{proto::opcode::text, data, 1300, 0});
            sc.outcomes = {build::ok({build::text(data)})};
            sc.close = build::we_close();
            return sc;
        });
    c.timeout = milliseconds{10'000};
    b.add(std::move(c));
}

} // namespace wscheck::cases
