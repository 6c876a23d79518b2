// Section 1, Framing: text (1.1.x) and binary (1.2.x) messages of the sizes around the three
// payload length encodings of RFC 6455 5.2, echoed back by the peer (Autobahn cases 1.x).
#include "cases/builders.hpp"
#include "cases/catalog.hpp"

#include <array>
#include <string>

namespace wscheck::cases {

namespace {

struct size_case {
    std::size_t length;
    std::size_t chop;       ///< write the frame in pieces of this many bytes (0: at once)
    milliseconds timeout;   ///< Autobahn's killAfter: 1 s, 10 s from 64 KiB on
};

// 5.2: 0-125 fit the 7-bit length, 126 and 127 are the first lengths needing the 16-bit
// form, 65535 its last, 65536 the first needing the 64-bit form.
constexpr std::array<size_case, 8> sizes{{
    {0, 0, milliseconds{1000}},
    {125, 0, milliseconds{1000}},
    {126, 0, milliseconds{1000}},
    {127, 0, milliseconds{1000}},
    {128, 0, milliseconds{1000}},
    {65535, 0, milliseconds{10'000}},
    {65536, 0, milliseconds{10'000}},
    {65536, 997, milliseconds{10'000}},
}};

void add_sized_messages(catalog_builder& b, const std::string& sub, bool binary) {
    const std::string kind = binary ? "binary" : "text";
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        const auto s = sizes[i];
        auto c = build::make_case(
            sub + "." + std::to_string(i + 1),
            "Send a " + kind + " message with a payload of " + std::to_string(s.length) + " bytes" +
                (s.chop != 0 ? ", written in chops of " + std::to_string(s.chop) + " bytes" : "") + ".",
            "The " + kind + " message is echoed back with the payload as sent; clean close with normal code "
                            "when we close.",
            s.chop != 0
                ? rfc_ref{"5.2", "a frame is a byte stream: how TCP splits it must not change what it means"}
                : rfc_ref{"5.2", "payload lengths use 7 bits up to 125, 16 bits up to 65535, 64 bits above; a receiver handles all three"},
            [binary, s] {
                // Autobahn's payloads: '*' for text, 0xFE (never valid UTF-8) for binary.
                const payload data = binary ? build::filled(0xFE, s.length) : build::repeated("*", s.length);
                script sc;
                sc.steps.emplace_back(build::chopped(
                    build::frame(binary ? proto::opcode::binary : proto::opcode::text, data), s.chop));
                sc.outcomes = {build::ok({binary ? build::binary(data) : build::text(data)})};
                sc.close = build::we_close();
                return sc;
            });
        c.timeout = s.timeout;
        b.add(std::move(c));
    }
}

} // namespace

void add_framing(catalog_builder& b) {
    b.add_section("1", "Framing");
    b.add_section("1.1", "Text Messages");
    b.add_section("1.2", "Binary Messages");
    add_sized_messages(b, "1.1", false);
    add_sized_messages(b, "1.2", true);
}

} // namespace wscheck::cases
