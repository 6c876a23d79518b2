#include "cases/builders.hpp"

#include "harness/proto/deflate_stream.hpp"

#include <algorithm>

namespace wscheck::cases::build {

case_def make_case(std::string id, std::string description, std::string expectation, rfc_ref rfc,
                   std::function<script()> build) {
    case_def c;
    c.id = std::move(id);
    c.description = std::move(description);
    c.expectation = std::move(expectation);
    c.rfc = std::move(rfc);
    c.build = std::move(build);
    return c;
}

payload repeated(std::string_view pattern, std::size_t length) {
    std::vector<std::uint8_t> out;
    out.reserve(length);
    if (pattern.empty()) {
        return payload{std::move(out)};
    }
    while (out.size() < length) {
        const auto take = std::min(pattern.size(), length - out.size());
        out.insert(out.end(), pattern.begin(), pattern.begin() + static_cast<std::ptrdiff_t>(take));
    }
    return payload{std::move(out)};
}

payload filled(std::uint8_t byte, std::size_t count) {
    return payload{std::vector<std::uint8_t>(count, byte)};
}

payload bytes(std::initializer_list<std::uint8_t> list) {
    return payload{std::vector<std::uint8_t>(list)};
}

payload join(std::initializer_list<payload> parts) {
    std::vector<std::uint8_t> out;
    for (const auto& p : parts) {
        out.insert(out.end(), p.view().begin(), p.view().end());
    }
    return payload{std::move(out)};
}

payload slice(const payload& p, std::size_t from, std::size_t count) {
    const auto all = p.view();
    const auto start = std::min(from, all.size());
    const auto n = std::min(count, all.size() - start);
    const auto first = all.begin() + static_cast<std::ptrdiff_t>(start);
    return payload{std::vector<std::uint8_t>(first, first + static_cast<std::ptrdiff_t>(n))};
}

} // namespace wscheck::cases::build

namespace wscheck::cases::build {

payload deflated(const payload& p, std::uint8_t window_bits) {
    proto::deflater_options o;
    o.window_bits = window_bits;
    proto::message_deflater d{o};
    std::vector<std::uint8_t> out;
    d.compress(p.view(), out);
    return payload{std::move(out)};
}

payload deflated_zeros(std::size_t mib) {
    constexpr std::size_t one_mib = 1024 * 1024;
    const std::vector<std::uint8_t> zeros(one_mib, 0);
    proto::message_deflater d{proto::deflater_options{15, false, 9, 8}};
    std::vector<std::uint8_t> first;
    std::vector<std::uint8_t> again;
    d.write(zeros, first, true);
    d.write(zeros, again, true);
    std::vector<std::uint8_t> out;
    out.reserve(first.size() + (mib - 1) * again.size());
    out.insert(out.end(), first.begin(), first.end());
    for (std::size_t i = 1; i < mib; ++i) {
        out.insert(out.end(), again.begin(), again.end());
    }
    out.resize(out.size() - 4); // 7.2.1: the final 0x00 0x00 0xff 0xff is not sent
    return payload{std::move(out)};
}

} // namespace wscheck::cases::build
