// Section 4, Opcodes (Autobahn cases 4.1.x, 4.2.x): a frame with a reserved opcode, data
// (3-7) or control (11-15), must fail the connection (RFC 6455 5.2).
#include "cases/builders.hpp"
#include "cases/catalog.hpp"

#include <string>

namespace wscheck::cases {

namespace {

const rfc_ref opcode_rule{"5.2", "on receiving an unknown (reserved) opcode the receiver must fail the connection"};

enum class shape {
    alone,                ///< the reserved frame only
    alone_with_payload,   ///< the reserved frame only, with a payload
    between,              ///< text message, reserved frame, Ping
    between_with_payload, ///< the same, the reserved frame with a payload
    between_octet_wise,   ///< the same, everything written octet by octet
};

case_def reserved_opcode(std::string id, unsigned op_value, bool control, shape s) {
    const auto op = static_cast<proto::opcode>(op_value);
    const std::string which = std::string{control ? "control" : "non-control"} + " Opcode = " +
                              std::to_string(op_value);
    std::string description;
    switch (s) {
    case shape::alone:
        description = "Send a frame with reserved " + which + ".";
        break;
    case shape::alone_with_payload:
        description = "Send a frame with reserved " + which + " and a non-empty payload.";
        break;
    case shape::between:
        description = "Send a small text message, then a frame with reserved " + which + ", then a Ping.";
        break;
    case shape::between_with_payload:
        description = "Send a small text message, then a frame with reserved " + which +
                      " and a non-empty payload, then a Ping.";
        break;
    case shape::between_octet_wise:
        description = "Send a small text message, then a frame with reserved " + which +
                      " and a non-empty payload, then a Ping; all written octet by octet.";
        break;
    }
    const bool alone = s == shape::alone || s == shape::alone_with_payload;
    return build::make_case(std::move(id), std::move(description),
                            alone ? "The connection is failed immediately (1002, protocol error)."
                                  : "The first message is echoed, then the connection is failed immediately "
                                    "(1002) at the reserved opcode; no Pong.",
                            opcode_rule, [op, s, alone] {
        const payload hello{"Hello, world!"};
        script sc;
        if (alone) {
            sc.steps.emplace_back(build::frame(op, s == shape::alone_with_payload ? payload{"reserved opcode payload"}
                                                                             : payload{}));
            sc.outcomes = {build::ok()};
        } else {
            const std::size_t chop = s == shape::between_octet_wise ? 1 : 0;
            sc.steps.emplace_back(build::chopped(build::frame(proto::opcode::text, hello), chop));
            sc.steps.emplace_back(build::chopped(build::frame(op, s == shape::between ? payload{} : hello), chop));
            sc.steps.emplace_back(build::chopped(build::frame(proto::opcode::ping), chop));
            // Failing before echoing the first message (reading ahead) is allowed, NON-STRICT.
            sc.outcomes = {build::ok({build::text(hello)}), build::non_strict()};
        }
        sc.close = build::peer_fails();
        return sc;
    });
}

void add_family(catalog_builder& b, const std::string& sub, unsigned first_opcode, bool control) {
    const shape shapes[] = {shape::alone, shape::alone_with_payload, shape::between, shape::between_with_payload,
                            shape::between_octet_wise};
    for (unsigned i = 0; i < 5; ++i) {
        b.add(reserved_opcode(sub + "." + std::to_string(i + 1), first_opcode + i, control, shapes[i]));
    }
}

} // namespace

void add_opcodes(catalog_builder& b) {
    b.add_section("4", "Opcodes");
    b.add_section("4.1", "Non-control Opcodes");
    b.add_section("4.2", "Control Opcodes");
    add_family(b, "4.1", 3, false);
    add_family(b, "4.2", 11, true);
}

} // namespace wscheck::cases
