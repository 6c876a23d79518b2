// Section 3, Reserved Bits (Autobahn cases 3.1-3.7): with no extension negotiated, a frame
// with any of RSV1-3 set must fail the connection (RFC 6455 5.2). The rsv values are those
// of the suite: bit 2 is RSV1, bit 0 is RSV3.
#include "cases/builders.hpp"
#include "cases/catalog.hpp"

#include <string>

namespace wscheck::cases {

namespace {

const rfc_ref rsv_rule{"5.2", "RSV1-3 must be 0 unless an extension defining them was negotiated; "
                              "otherwise the receiver fails the connection"};

const char* const hello = "Hello, world!";

/// A frame with reserved bits alone: the peer fails the connection, nothing comes back.
case_def lone_frame(std::string id, std::string description, send_frame f) {
    return build::make_case(std::move(id), std::move(description),
                            "The connection is failed immediately (1002, protocol error), since no extension "
                            "giving the reserved bits a meaning was negotiated.",
                            rsv_rule, build::fails_at(std::move(f)));
}

enum class writing { at_once, frame_wise, octet_wise };

/// A valid text message, the same with reserved bits, then a Ping: the first is echoed, the
/// connection fails at the second, the Ping is never answered. Not echoing the first message
/// (having read ahead) is allowed, as NON-STRICT.
case_def after_valid(std::string id, std::uint8_t rsv, writing how) {
    const std::string description = "Send a small text message, then the same with RSV = " + std::to_string(rsv) +
                                    ", then a Ping" +
                                    (how == writing::frame_wise   ? "; each frame written on its own (sync)."
                                     : how == writing::octet_wise ? "; written octet by octet."
                                                                  : ".");
    return build::make_case(std::move(id), description,
                            "The first message is echoed, then the connection is failed immediately (1002); "
                            "no Pong.",
                            rsv_rule, [rsv, how] {
        const payload data{hello};
        auto shape = [how](send_frame f) {
            if (how == writing::frame_wise) {
                return build::synced(std::move(f));
            }
            return build::chopped(std::move(f), how == writing::octet_wise ? 1 : 0);
        };
        script sc;
        sc.steps.emplace_back(shape(build::frame(proto::opcode::text, data)));
        sc.steps.emplace_back(shape(build::with_rsv(build::frame(proto::opcode::text, data), rsv)));
        sc.steps.emplace_back(shape(build::frame(proto::opcode::ping)));
        sc.outcomes = {build::ok({build::text(data)}), build::non_strict()};
        sc.close = build::peer_fails();
        return sc;
    });
}

} // namespace

void add_reserved_bits(catalog_builder& b) {
    b.add_section("3", "Reserved Bits");
    b.add(lone_frame("3.1", "Send a small text message (\"Hello, world!\") with RSV = 1.",
                     build::with_rsv(build::frame(proto::opcode::text, payload{hello}), 1)));
    b.add(after_valid("3.2", 2, writing::at_once));
    b.add(after_valid("3.3", 3, writing::frame_wise));
    b.add(after_valid("3.4", 4, writing::octet_wise));
    b.add(lone_frame("3.5", "Send a small binary message (00 ff fe fd fc fb 00 ff) with RSV = 5.",
                     build::with_rsv(build::frame(proto::opcode::binary,
                                                  build::bytes({0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff})),
                                     5)));
    // Autobahn titles 3.6 "Send Ping with RSV = 6" but its code sends a binary frame with the
    // payload "Hello, world!"; we send what it sends.
    b.add(lone_frame("3.6", "Send a binary frame (\"Hello, world!\") with RSV = 6 (Autobahn's title says Ping; "
                            "its code sends a binary frame).",
                     build::with_rsv(build::frame(proto::opcode::binary, payload{hello}), 6)));
    b.add(lone_frame("3.7", "Send a Close frame (no payload) with RSV = 7.",
                     build::with_rsv(build::frame(proto::opcode::close), 7)));
}

} // namespace wscheck::cases
