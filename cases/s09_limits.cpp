// Section 9, Limits/Performance (Autobahn cases 9.1.1-9.8.6): large messages, whole, in many
// fragments or in many small TCP writes, and round trips of many small messages. The time is
// part of the result; they run alone (serial) so that other traffic does not skew it, and
// get the suite's long limits (its closeAfter(WAITSECS) from the open).
#include "cases/builders.hpp"
#include "cases/catalog.hpp"

#include <array>
#include <string>

namespace wscheck::cases {

namespace {

using proto::opcode;

constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * 1024;

/// Autobahn's repeated patterns for the big single-frame messages.
const char* const text_pattern = "BAsd7&jh23";
payload big_payload(bool binary, std::size_t size) {
    return binary ? build::repeated(std::string_view{"\x00\xfe\x23\xfa\xf0", 5}, size)
                  : build::repeated(text_pattern, size);
}

std::string size_text(std::size_t n) {
    if (n >= MiB && n % MiB == 0) {
        return std::to_string(n / MiB) + " MiB";
    }
    if (n >= KiB && n % KiB == 0) {
        return std::to_string(n / KiB) + " KiB";
    }
    return std::to_string(n) + " bytes";
}

/// A 9.x case (build::make_case): serial, timed, bounded by `wait` from the open; when the
/// time runs out we start the closing handshake, as the suite does.
case_def timed_case(std::string id, std::string description, std::string expectation, rfc_ref rfc, milliseconds wait,
                    std::function<script()> make_script) {
    auto c = build::timed(build::make_case(std::move(id), std::move(description), std::move(expectation),
                                           std::move(rfc), std::move(make_script)),
                          wait, timeout_action::close);
    c.deadline = wait;
    return c;
}

const rfc_ref big_message{"5.2", "a payload length may be up to 2^63-1; an endpoint echoes what it accepts (limits are its own)"};

/// 9.1 / 9.2: one message in one frame, of increasing size.
void add_whole(catalog_builder& b, const std::string& sub, bool binary) {
    const std::array<std::size_t, 6> sizes{64 * KiB, 256 * KiB, 1 * MiB, 4 * MiB, 8 * MiB, 16 * MiB};
    // The suite's WAITSECS: text gets 100 s from 1 MiB on, binary from 8 MiB on.
    const std::array<int, 6> text_wait{10, 10, 100, 100, 100, 100};
    const std::array<int, 6> binary_wait{10, 10, 10, 10, 100, 100};
    const std::string kind = binary ? "binary" : "text";
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        const auto size = sizes[i];
        b.add(timed_case(sub + "." + std::to_string(i + 1),
                         "Send a " + kind + " message with a payload of " + size_text(size) + " in one frame.",
                         "The " + kind + " message is echoed back with the payload as sent.", big_message,
                         milliseconds{1000 * (binary ? binary_wait[i] : text_wait[i])}, [binary, size] {
                             const payload data = big_payload(binary, size);
                             script sc;
                             sc.steps.emplace_back(build::frame(binary ? opcode::binary : opcode::text, data));
                             sc.outcomes = {build::ok({binary ? build::binary(data) : build::text(data)})};
                             sc.close = build::we_close();
                             return sc;
                         }));
    }
}

/// 9.3 / 9.4: a 4 MiB message in fragments of increasing size.
void add_fragmented(catalog_builder& b, const std::string& sub, bool binary) {
    const std::array<std::size_t, 9> fragments{64, 256, 1 * KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, 1 * MiB, 4 * MiB};
    const std::string kind = binary ? "binary" : "text";
    for (std::size_t i = 0; i < fragments.size(); ++i) {
        const auto fragment = fragments[i];
        b.add(timed_case(
            sub + "." + std::to_string(i + 1),
            "Send a fragmented " + kind + " message with a payload of 4 MiB, in fragments of " + size_text(fragment) +
                ".",
            "The " + kind + " message is echoed back with the payload as sent.",
            {"5.4", "a fragmented message is delivered whole, whatever the fragment size"}, milliseconds{100'000},
            [binary, fragment] {
                const payload data = binary ? build::filled(0xfe, 4 * MiB) : build::repeated("*", 4 * MiB);
                script sc;
                sc.steps.emplace_back(send_message{binary ? opcode::binary : opcode::text, data, fragment, 0});
                sc.outcomes = {build::ok({binary ? build::binary(data) : build::text(data)})};
                sc.close = build::we_close();
                return sc;
            }));
    }
}

/// 9.5 / 9.6: a 1 MiB message in one frame, written in chops of increasing size.
void add_chopped(catalog_builder& b, const std::string& sub, bool binary) {
    const std::array<std::size_t, 6> chops{64, 128, 256, 512, 1024, 2048};
    const std::string kind = binary ? "binary" : "text";
    for (std::size_t i = 0; i < chops.size(); ++i) {
        const auto chop = chops[i];
        b.add(timed_case(sub + "." + std::to_string(i + 1),
                         "Send a " + kind + " message with a payload of 1 MiB in one frame, written in chops of " +
                             std::to_string(chop) + " bytes.",
                         "The " + kind + " message is echoed back with the payload as sent.",
                         {"5.2", "a frame is a byte stream: how TCP splits it must not change what it means"},
                         milliseconds{1'000'000}, [binary, chop] {
                             const payload data = big_payload(binary, 1 * MiB);
                             script sc;
                             sc.steps.emplace_back(
                                 build::chopped(build::frame(binary ? opcode::binary : opcode::text, data), chop));
                             sc.outcomes = {build::ok({binary ? build::binary(data) : build::text(data)})};
                             sc.close = build::we_close();
                             return sc;
                         }));
    }
}

/// 9.7 / 9.8: 1000 messages one after another, each sent when the previous one's echo
/// arrived, to measure the round trip time.
void add_round_trips(catalog_builder& b, const std::string& sub, bool binary) {
    struct round_trip {
        std::size_t size;
        int wait_seconds;
    };
    const std::array<round_trip, 6> runs{{{0, 60}, {16, 60}, {64, 60}, {256, 120}, {1024, 240}, {4096, 480}}};
    constexpr std::size_t count = 1000;
    const std::string kind = binary ? "binary" : "text";
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const auto run = runs[i];
        const milliseconds wait{1000 * run.wait_seconds};
        b.add(timed_case(
            sub + "." + std::to_string(i + 1),
            "Send " + std::to_string(count) + " " + kind + " messages with a payload of " + std::to_string(run.size) +
                " bytes, each after the previous one's echo, to measure "
                "the round trip time.",
            "Every " + kind + " message is echoed back with the payload as sent, within " +
                std::to_string(run.wait_seconds) + " s in all.",
            {"6.1", "every message sent is delivered; an echo peer answers each"}, wait, [binary, run, wait] {
                const payload data = binary ? build::filled(0xfe, run.size) : build::repeated("*", run.size);
                const auto op = binary ? opcode::binary : opcode::text;
                script sc;
                std::vector<event> echoes;
                echoes.reserve(count);
                for (std::size_t n = 1; n <= count; ++n) {
                    sc.steps.emplace_back(build::frame(op, data));
                    sc.steps.emplace_back(await_events{n, wait});
                    echoes.push_back(binary ? build::binary(data) : build::text(data));
                }
                sc.outcomes = {build::ok(std::move(echoes))};
                sc.close = build::we_close();
                return sc;
            }));
    }
}

} // namespace

void add_limits(catalog_builder& b) {
    b.add_section("9", "Limits/Performance");
    b.add_section("9.1", "Text Message (increasing size)");
    add_whole(b, "9.1", false);
    b.add_section("9.2", "Binary Message (increasing size)");
    add_whole(b, "9.2", true);
    b.add_section("9.3", "Fragmented Text Message (fixed size, increasing fragment size)");
    add_fragmented(b, "9.3", false);
    b.add_section("9.4", "Fragmented Binary Message (fixed size, increasing fragment size)");
    add_fragmented(b, "9.4", true);
    b.add_section("9.5", "Text Message (fixed size, increasing chop size)");
    add_chopped(b, "9.5", false);
    b.add_section("9.6", "Binary Text Message (fixed size, increasing chop size)");
    add_chopped(b, "9.6", true);
    b.add_section("9.7", "Text Message Roundtrip Time (fixed number, increasing size)");
    add_round_trips(b, "9.7", false);
    b.add_section("9.8", "Binary Message Roundtrip Time (fixed number, increasing size)");
    add_round_trips(b, "9.8", true);
}

} // namespace wscheck::cases
