#include "cases/compression_data.hpp"

#include "cases/builders.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace wscheck::cases::compression {

namespace {

/// A fixed xorshift generator: the same bytes on every run and machine.
class pseudo_random {
public:
    explicit pseudo_random(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 7;
        state_ ^= state_ << 17;
        return state_;
    }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }

private:
    std::uint64_t state_;
};

void append(std::vector<std::uint8_t>& out, std::string_view s) { out.insert(out.end(), s.begin(), s.end()); }

template <std::size_t N>
std::string_view pick(pseudo_random& r, const std::array<std::string_view, N>& words) {
    return words[r.below(N)];
}

// The sizes of the suite's files, so that the messages wrap around their sources alike.
constexpr std::size_t json_size = 194056;
constexpr std::size_t bitmap_size = 263222;
constexpr std::size_t german_size = 222218;
constexpr std::size_t html_size = 83108;
constexpr std::size_t pdf_size = 1042328;

payload json_records() {
    static const payload data = [] {
        pseudo_random r{0x6a736f6e};
        const std::array<std::string_view, 8> names{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"};
        std::vector<std::uint8_t> out;
        append(out, "[\n");
        for (std::size_t id = 1; out.size() < json_size; ++id) {
            const auto name = pick(r, names);
            append(out, "  {\"id\": " + std::to_string(id) + ", \"name\": \"" + std::string{name} + "_" +
                            std::to_string(r.below(10000)) + "\", \"email\": \"" + std::string{name} +
                            "@example.org\", \"active\": " + (r.below(2) ? "true" : "false") +
                            ", \"score\": " + std::to_string(r.below(100000)) + ", \"tags\": [\"" +
                            std::string{pick(r, names)} + "\", \"" + std::string{pick(r, names)} + "\"]},\n");
        }
        out.resize(json_size);
        return payload{std::move(out)};
    }();
    return data;
}

payload bitmap() {
    static const payload data = [] {
        pseudo_random r{0x626d70};
        std::vector<std::uint8_t> out(bitmap_size, 0);
        // BITMAPFILEHEADER + BITMAPINFOHEADER (54 bytes) and a 256-entry grey palette.
        const std::array<std::uint8_t, 54> head{'B', 'M', 0x36, 0x04, 0x04, 0, 0, 0, 0, 0, 0x36, 0x04, 0, 0,
                                                40, 0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 1, 0, 8, 0};
        std::copy(head.begin(), head.end(), out.begin());
        for (std::size_t i = 0; i < 256; ++i) {
            for (std::size_t c = 0; c < 3; ++c) {
                out[54 + 4 * i + c] = static_cast<std::uint8_t>(i);
            }
        }
        // A smooth picture with some noise, as a photograph compresses.
        for (std::size_t y = 0; y < 512; ++y) {
            for (std::size_t x = 0; x < 512; ++x) {
                const std::size_t v = (x * y) / 1024 + (x + y) / 4 + r.below(6);
                out[1078 + y * 512 + x] = static_cast<std::uint8_t>(v & 0xff);
            }
        }
        return payload{std::move(out)};
    }();
    return data;
}

payload german_text() {
    static const payload data = [] {
        pseudo_random r{0x6661757374};
        const std::array<std::string_view, 16> words{
            "Habe", "nun", "ach", "Philosophie", "Juristerei", "und", "Medizin", "leider", "auch",
            "Theologie", "durchaus", "studiert", "mit", "heißem", "Bemühn", "Tor"};
        const std::array<std::string_view, 6> more{"schön", "Größe", "über", "Mädchen", "Fräulein", "Straße"};
        std::vector<std::uint8_t> out;
        while (out.size() < german_size) {
            const std::size_t n = 4 + r.below(9);
            for (std::size_t i = 0; i < n; ++i) {
                append(out, r.below(4) == 0 ? pick(r, more) : pick(r, words));
                append(out, i + 1 == n ? (r.below(3) == 0 ? "!\n" : ".\n") : " ");
            }
        }
        out.resize(german_size);
        return payload{std::move(out)};
    }();
    return data;
}

payload html_page() {
    static const payload data = [] {
        pseudo_random r{0x68746d6c};
        const std::array<std::string_view, 12> words{"the", "server", "echoes", "every", "message", "it",
                                                     "receives", "while", "compression", "saves", "bandwidth", "here"};
        std::vector<std::uint8_t> out;
        append(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Data</title></head>\n<body>\n");
        for (std::size_t i = 1; out.size() < html_size; ++i) {
            append(out, "<div class=\"item\" id=\"item-" + std::to_string(i) + "\"><h2>Item " + std::to_string(i) +
                            "</h2>\n<p>");
            const std::size_t n = 8 + r.below(24);
            for (std::size_t w = 0; w < n; ++w) {
                append(out, pick(r, words));
                append(out, w + 1 == n ? "." : " ");
            }
            append(out, "</p>\n<a href=\"/items/" + std::to_string(i) + "\">more</a></div>\n");
        }
        out.resize(html_size);
        return payload{std::move(out)};
    }();
    return data;
}

payload pdf_like() {
    static const payload data = [] {
        pseudo_random r{0x706466};
        std::vector<std::uint8_t> out;
        append(out, "%PDF-1.4\n");
        // A PDF's bulk is streams that are compressed already: random bytes, framed by text.
        for (std::size_t obj = 1; out.size() < pdf_size; ++obj) {
            append(out, std::to_string(obj) + " 0 obj\n<< /Length 4096 /Filter /FlateDecode >>\nstream\n");
            for (std::size_t i = 0; i < 4096; ++i) {
                out.push_back(static_cast<std::uint8_t>(r.next() >> 56));
            }
            append(out, "\nendstream\nendobj\n");
        }
        out.resize(pdf_size);
        return payload{std::move(out)};
    }();
    return data;
}

} // namespace

const std::array<data_set, 5>& data_sets() {
    static const std::array<data_set, 5> sets{{
        {"Large JSON data (utf8, 194056 bytes)", false, json_records},
        {"Bitmap 512x512, 8-bit grey (binary, 263222 bytes)", true, bitmap},
        {"Human readable text, German (utf8 sent as binary, 222218 bytes)", true, german_text},
        {"Large HTML page (utf8, 83108 bytes)", false, html_page},
        {"A larger PDF-like file (binary, 1042328 bytes)", true, pdf_like},
    }};
    return sets;
}

const std::array<series_size, 18>& series_sizes() {
    // The Autobahn Testsuite's MSG_SIZES (case12_x_x.py): the first ten in one frame, the
    // rest cut into frames of 256 to 32768 bytes of compressed data.
    static const std::array<series_size, 18> sizes{{
        {16, 1000, 60, 0},        {64, 1000, 60, 0},        {256, 1000, 120, 0},
        {1024, 1000, 240, 0},     {4096, 1000, 480, 0},     {8192, 1000, 480, 0},
        {16384, 1000, 480, 0},    {32768, 1000, 480, 0},    {65536, 1000, 480, 0},
        {131072, 1000, 480, 0},   {8192, 1000, 480, 256},   {16384, 1000, 480, 256},
        {32768, 1000, 480, 256},  {65536, 1000, 480, 256},  {131072, 1000, 480, 256},
        {131072, 1000, 480, 1024}, {131072, 1000, 480, 4096}, {131072, 1000, 480, 32768},
    }};
    return sizes;
}

void echo_each(script& sc, const std::vector<payload>& messages) {
    std::vector<event> echoes;
    for (const auto& m : messages) {
        send_message s;
        s.op = proto::opcode::text;
        s.data = m;
        sc.steps.push_back(s);
        echoes.push_back(build::text(m));
    }
    sc.outcomes = {build::ok(std::move(echoes))};
    sc.close = build::we_close();
}

case_def series_case(std::string id, const data_set& set, const series_size& size,
                     std::vector<proto::deflate_offer> offers, const std::string& offer_text,
                     std::vector<deflate_accept_rule> accept, const std::string& accept_text) {
    case_def c;
    c.id = std::move(id);
    const std::string sending = "Send " + std::to_string(size.count) + " compressed messages each of payload size " +
                                std::to_string(size.length) + ", auto-fragment to " +
                                std::to_string(size.fragment_size) + " octets. ";
    c.description = sending + offer_text;
    c.client_description = sending + accept_text;
    const std::string echoed = "Receive echoed messages (with payload as sent). Timeout case after " +
                               std::to_string(size.wait_seconds) + " secs. ";
    c.expectation = echoed + "A server that declines permessage-deflate gets UNIMPLEMENTED.";
    c.client_expectation = echoed + "A client that offers no permessage-deflate this answer can accept gets "
                                    "UNIMPLEMENTED.";
    c.rfc = {"RFC 7692 7.2", "a compressed message inflates to what was sent, in the agreed window and context"};
    c.report_time = true;
    c.timeout = milliseconds{1000 * size.wait_seconds};
    c.deadline = c.timeout;
    c.on_timeout = timeout_action::close;
    c.build = [make = set.make, binary = set.binary, size, offers = std::move(offers), accept = std::move(accept)] {
        script sc;
        sc.deflate = deflate_spec{offers, {}, true, accept, {}};
        echo_series series;
        series.op = binary ? proto::opcode::binary : proto::opcode::text;
        series.source = make();
        series.length = size.length;
        series.count = size.count;
        series.fragment_size = size.fragment_size;
        sc.steps.push_back(std::move(series));
        sc.outcomes = {build::ok({build::series_done(size.count)})};
        sc.close = build::we_close();
        return sc;
    };
    return c;
}

} // namespace wscheck::cases::compression
