// Section 2, Pings/Pongs (Autobahn cases 2.1-2.11): a Ping is answered by a Pong with the
// same payload (RFC 6455 5.5.2, 5.5.3), an unsolicited Pong is ignored, and a control frame
// over 125 bytes fails the connection (5.5).
#include "cases/builders.hpp"
#include "cases/catalog.hpp"

#include <string>

namespace wscheck::cases {

namespace {

const rfc_ref pong_rule{"5.5.2", "a Ping is answered with a Pong carrying the same application data"};

/// One Ping, answered by one Pong with its payload; we close after `wait` at the latest
/// (Autobahn's closeAfter), as soon as the Pong arrives otherwise.
case_def ping_case(std::string id, std::string description, payload data, std::size_t chop,
                   milliseconds wait) {
    auto c = build::make_case(
        std::move(id), std::move(description),
        "A Pong with the Ping's payload is sent in reply; clean close with normal code when we close.", pong_rule,
        [data, chop] {
            script sc;
            sc.steps.emplace_back(build::chopped(build::frame(proto::opcode::ping, data), chop));
            sc.outcomes = {build::ok({build::pong(data)})};
            sc.close = build::we_close();
            return sc;
        });
    c.timeout = wait;
    c.on_timeout = timeout_action::close;
    return c;
}

/// An unsolicited Pong, then our Close: nothing comes back but the closing handshake.
case_def unsolicited_pong(std::string id, payload data) {
    auto c = build::make_case(
        std::move(id),
        std::string{"Send an unsolicited Pong "} + (data.empty() ? "without payload" : "with payload") +
            ", then a Close (1000).",
        "Nothing is received in reply to the Pong; clean close with normal code.",
        {"5.5.3", "an unsolicited Pong is allowed and expects no response"}, [data] {
            script sc;
            sc.steps.emplace_back(build::frame(proto::opcode::pong, data));
            sc.steps.emplace_back(send_close{});
            sc.outcomes = {build::ok()};
            sc.close = build::we_close();
            return sc;
        });
    c.on_timeout = timeout_action::close;
    return c;
}

/// Ten Pings back to back; every one answered (2.10, and octet-wise in 2.11).
case_def ten_pings(std::string id, std::size_t chop) {
    auto c = build::make_case(
        std::move(id),
        std::string{"Send 10 Pings with payloads \"payload-0\" to \"payload-9\""} +
            (chop != 0 ? ", written octet by octet." : "."),
        "A Pong for every Ping, with its payload, in order; clean close with normal code. (The RFC lets a peer "
        "answer only the latest of several Pings; Autobahn, and this case, expect all ten.)",
        {"5.5.3", "a Pong answers a Ping with its payload; a peer may skip Pongs for older Pings"}, [chop] {
            script sc;
            std::vector<event> pongs;
            for (int i = 0; i < 10; ++i) {
                const payload data{"payload-" + std::to_string(i)};
                sc.steps.emplace_back(build::chopped(build::frame(proto::opcode::ping, data), chop));
                pongs.push_back(build::pong(data));
            }
            sc.outcomes = {build::ok(std::move(pongs))};
            sc.close = build::we_close();
            return sc;
        });
    c.strict = strictness::should;
    c.timeout = milliseconds{3000};
    c.on_timeout = timeout_action::close;
    return c;
}

} // namespace

void add_pings(catalog_builder& b) {
    b.add_section("2", "Pings/Pongs");
    const milliseconds one_second{1000};
    b.add(ping_case("2.1", "Send a Ping without payload.", payload{}, 0, one_second));
    b.add(ping_case("2.2", "Send a Ping with a small text payload (\"Hello, world!\").",
                    payload{"Hello, world!"}, 0, one_second));
    b.add(ping_case("2.3", "Send a Ping with a small binary payload that is not UTF-8 (00 ff fe fd fc fb 00 ff).",
                    build::bytes({0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff}), 0, one_second));
    b.add(ping_case("2.4", "Send a Ping with a binary payload of 125 bytes (0xfe), the most a control frame may carry.",
                    build::filled(0xfe, 125), 0, one_second));
    b.add(build::make_case("2.5", "Send a Ping with a binary payload of 126 bytes (0xfe).",
                           "The connection is failed immediately (1002, protocol error): control frames carry "
                           "at most 125 bytes. No Pong.",
                           {"5.5", "control frames must have a payload of 125 bytes or less"},
                           build::fails_at(build::frame(proto::opcode::ping, build::filled(0xfe, 126)))));
    b.add(ping_case("2.6", "Send a Ping with a binary payload of 125 bytes (0xfe), written octet by octet.",
                    build::filled(0xfe, 125), 1, milliseconds{2000}));
    b.add(unsolicited_pong("2.7", payload{}));
    b.add(unsolicited_pong("2.8", payload{"unsolicited pong payload"}));
    {
        auto c = build::make_case(
            "2.9", "Send an unsolicited Pong with payload, then a Ping with payload (\"ping payload\").",
            "Nothing in reply to the Pong; a Pong with the Ping's payload in reply to the Ping; clean close with "
            "normal code.",
            {"5.5.3", "an unsolicited Pong expects no response; a Ping still gets its Pong"}, [] {
                const payload data{"ping payload"};
                script sc;
                sc.steps.emplace_back(build::frame(proto::opcode::pong, payload{"unsolicited pong payload"}));
                sc.steps.emplace_back(build::frame(proto::opcode::ping, data));
                sc.outcomes = {build::ok({build::pong(data)})};
                sc.close = build::we_close();
                return sc;
            });
        c.on_timeout = timeout_action::close;
        b.add(std::move(c));
    }
    b.add(ten_pings("2.10", 0));
    b.add(ten_pings("2.11", 1));
}

} // namespace wscheck::cases
