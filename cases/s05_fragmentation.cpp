// Section 5, Fragmentation (Autobahn cases 5.1-5.20): control frames are never fragmented,
// a fragmented message is reassembled whatever the TCP chopping and with control frames
// between its fragments, and a continuation frame with nothing to continue (or a new data
// frame inside a message) fails the connection (RFC 6455 5.4).
#include "cases/builders.hpp"
#include "cases/catalog.hpp"

#include <string>

namespace wscheck::cases {

namespace {

using proto::opcode;

enum class writing { at_once, frame_wise, octet_wise };

std::string writing_text(writing how) {
    switch (how) {
    case writing::frame_wise:
        return " Each frame is written on its own (sync).";
    case writing::octet_wise:
        return " Written octet by octet.";
    case writing::at_once:
        break;
    }
    return "";
}

send_frame shaped(send_frame f, writing how) {
    if (how == writing::frame_wise) {
        return build::synced(std::move(f));
    }
    return build::chopped(std::move(f), how == writing::octet_wise ? 1 : 0);
}

const rfc_ref no_control_fragments{"5.5", "control frames must not be fragmented"};
const rfc_ref reassembly{"5.4", "a fragmented message is delivered whole, whatever the fragment sizes and TCP chopping"};
const rfc_ref interleaved_control{"5.4", "control frames may be injected between the fragments of a message and are handled at once"};
const rfc_ref nothing_to_continue{"5.4", "a continuation frame needs a message in progress, and a new data frame may "
                                         "not start inside one; otherwise the receiver fails the connection"};

case_def fragmented_control(std::string id, opcode op, const char* name) {
    return build::make_case(std::move(id), std::string{"Send a "} + name + " fragmented into 2 fragments.",
                            "The connection is failed immediately (1002): control frames must not be fragmented.",
                            no_control_fragments, [op] {
                                script sc;
                                sc.steps.emplace_back(build::frame(op, payload{"fragment1"}, false));
                                sc.steps.emplace_back(build::frame(opcode::cont, payload{"fragment2"}, true));
                                sc.outcomes = {build::ok()};
                                sc.close = build::peer_fails();
                                return sc;
                            });
}

case_def two_fragments(std::string id, writing how, bool ping_between) {
    auto c = build::make_case(
        std::move(id),
        std::string{"Send a text message fragmented into 2 fragments"} +
            (ping_between ? ", with a Ping (with payload) between them." : ".") + writing_text(how),
        ping_between ? "A Pong is received, then the message is echoed back."
                     : "The message is reassembled and echoed back.",
        ping_between ? interleaved_control : reassembly, [how, ping_between] {
            const payload ping_data{"ping payload"};
            script sc;
            sc.steps.emplace_back(shaped(build::frame(opcode::text, payload{"fragment1"}, false), how));
            if (ping_between) {
                sc.steps.emplace_back(shaped(build::frame(opcode::ping, ping_data), how));
            }
            sc.steps.emplace_back(shaped(build::frame(opcode::cont, payload{"fragment2"}, true), how));
            if (ping_between) {
                sc.outcomes = {build::ok({build::pong(ping_data), build::text(payload{"fragment1fragment2"})})};
            } else {
                sc.outcomes = {build::ok({build::text(payload{"fragment1fragment2"})})};
            }
            sc.close = build::we_close();
            return sc;
        });
    c.on_timeout = timeout_action::close;
    return c;
}

/// A continuation frame (FIN as given) with nothing to continue, then a text message.
case_def orphan_continuation(std::string id, bool fin, writing how) {
    return build::make_case(
        std::move(id),
        std::string{"Send a continuation frame with FIN = "} + (fin ? "true" : "false") +
            " where there is nothing to continue, then an unfragmented text message." + writing_text(how),
        "The connection is failed immediately (1002), since there is no message to continue.", nothing_to_continue,
        [fin, how] {
            script sc;
            sc.steps.emplace_back(shaped(build::frame(opcode::cont, payload{"non-continuation payload"}, fin), how));
            sc.steps.emplace_back(shaped(build::frame(opcode::text, payload{"Hello, world!"}), how));
            sc.outcomes = {build::ok()};
            sc.close = build::peer_fails();
            return sc;
        });
}

/// Twice: a continuation frame (FIN as given) with nothing to continue, then a text message
/// in 2 fragments.
case_def repeated_orphans(std::string id, bool fin) {
    return build::make_case(
        std::move(id),
        std::string{"Repeated 2x: a continuation frame with FIN = "} + (fin ? "true" : "false") +
            " (where there is nothing to continue), then a text message fragmented into 2 fragments.",
        "The connection is failed immediately (1002), since there is no message to continue.", nothing_to_continue,
        [fin] {
            script sc;
            for (int i = 0; i < 2; ++i) {
                sc.steps.emplace_back(build::frame(opcode::cont, payload{"fragment1"}, fin));
                sc.steps.emplace_back(build::frame(opcode::text, payload{"fragment2"}, false));
                sc.steps.emplace_back(build::frame(opcode::cont, payload{"fragment3"}, true));
            }
            sc.outcomes = {build::ok()};
            sc.close = build::peer_fails();
            return sc;
        });
}

/// 5.19 and 5.20: a message in 5 fragments with two Pings among them and a 1 s pause after
/// the first Ping; the first Pong must come before the message is complete.
case_def pings_during_message(std::string id, bool sync) {
    auto c = build::make_case(
        std::move(id),
        std::string{"Send a text message in 5 fragments: fragments 1 and 2, a Ping, then wait 1 s, "
                    "then fragments 3 and 4, another Ping, and the final fragment 5. Everything is legal."} +
            (sync ? " Each frame is written on its own (sync): only the TCP chopping differs from 5.19." : ""),
        "The peer answers the first Ping at once, before it has the last fragment, Pongs both "
        "Pings' payloads exactly, and echoes the reassembled message.",
        interleaved_control, [sync] {
            const payload ping1{"pongme 1!"};
            const payload ping2{"pongme 2!"};
            auto f = [sync](opcode op, const char* data, bool fin) {
                auto fr = build::frame(op, payload{data}, fin);
                fr.sync = sync;
                return fr;
            };
            script sc;
            sc.steps.emplace_back(f(opcode::text, "fragment1", false));
            sc.steps.emplace_back(f(opcode::cont, "fragment2", false));
            auto p1 = build::frame(opcode::ping, ping1);
            p1.sync = sync;
            sc.steps.emplace_back(p1);
            sc.steps.emplace_back(pause{milliseconds{1000}, {}});
            sc.steps.emplace_back(f(opcode::cont, "fragment3", false));
            sc.steps.emplace_back(f(opcode::cont, "fragment4", false));
            auto p2 = build::frame(opcode::ping, ping2);
            p2.sync = sync;
            sc.steps.emplace_back(p2);
            sc.steps.emplace_back(f(opcode::cont, "fragment5", true));
            sc.outcomes = {build::ok({build::pong(ping1), build::pong(ping2),
                                      build::text(payload{"fragment1fragment2fragment3fragment4fragment5"})})};
            sc.close = build::we_close();
            return sc;
        });
    c.on_timeout = timeout_action::close;
    return c;
}

} // namespace

void add_fragmentation(catalog_builder& b) {
    b.add_section("5", "Fragmentation");
    b.add(fragmented_control("5.1", opcode::ping, "Ping"));
    b.add(fragmented_control("5.2", opcode::pong, "Pong"));
    b.add(two_fragments("5.3", writing::at_once, false));
    b.add(two_fragments("5.4", writing::frame_wise, false));
    b.add(two_fragments("5.5", writing::octet_wise, false));
    b.add(two_fragments("5.6", writing::at_once, true));
    b.add(two_fragments("5.7", writing::frame_wise, true));
    b.add(two_fragments("5.8", writing::octet_wise, true));
    b.add(orphan_continuation("5.9", true, writing::at_once));
    b.add(orphan_continuation("5.10", true, writing::frame_wise));
    b.add(orphan_continuation("5.11", true, writing::octet_wise));
    b.add(orphan_continuation("5.12", false, writing::at_once));
    b.add(orphan_continuation("5.13", false, writing::frame_wise));
    b.add(orphan_continuation("5.14", false, writing::octet_wise));
    b.add(build::make_case(
        "5.15",
        "Send a text message fragmented into 2 fragments, then a continuation frame with "
        "FIN = false where there is nothing to continue, then an unfragmented text message.",
        "The first message is echoed, then the connection is failed immediately (1002) at the "
        "continuation frame, since there is no message to continue.",
        nothing_to_continue, [] {
            script sc;
            sc.steps.emplace_back(build::frame(opcode::text, payload{"fragment1"}, false));
            sc.steps.emplace_back(build::frame(opcode::cont, payload{"fragment2"}, true));
            sc.steps.emplace_back(build::frame(opcode::cont, payload{"fragment3"}, false));
            sc.steps.emplace_back(build::frame(opcode::text, payload{"fragment4"}, true));
            sc.outcomes = {build::ok({build::text(payload{"fragment1fragment2"})}), build::non_strict()};
            sc.close = build::peer_fails();
            return sc;
        }));
    b.add(repeated_orphans("5.16", false));
    b.add(repeated_orphans("5.17", true));
    b.add(build::make_case(
        "5.18", "Send a text message fragmented into 2 fragments, with both frames' opcodes set to text.",
        "The connection is failed immediately (1002): the frames after the first of a message "
        "must have opcode 0 (continuation).",
        nothing_to_continue, [] {
            script sc;
            sc.steps.emplace_back(build::frame(opcode::text, payload{"fragment1"}, false));
            sc.steps.emplace_back(build::frame(opcode::text, payload{"fragment2"}, true));
            sc.outcomes = {build::ok()};
            sc.close = build::peer_fails();
            return sc;
        }));
    b.add(pings_during_message("5.19", false));
    b.add(pings_during_message("5.20", true));
}

} // namespace wscheck::cases
