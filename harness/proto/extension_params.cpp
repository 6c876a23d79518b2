#include "harness/proto/extension_params.hpp"

#include "harness/proto/error.hpp"

#include <algorithm>

namespace wscheck::proto {
namespace {

constexpr std::string_view server_no_context_takeover = "server_no_context_takeover";
constexpr std::string_view client_no_context_takeover = "client_no_context_takeover";
constexpr std::string_view server_max_window_bits = "server_max_window_bits";
constexpr std::string_view client_max_window_bits = "client_max_window_bits";

/// 7.1.2.1: 1*DIGIT without leading zeros, 8 to 15. Anything else is nullopt.
std::optional<std::uint8_t> parse_window_bits(std::string_view v) noexcept {
    if (v.empty() || v.size() > 2 || v.front() == '0' ||
        !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    int n = 0;
    for (const char c : v) {
        n = n * 10 + (c - '0');
    }
    if (n < min_window_bits || n > max_window_bits) {
        return std::nullopt;
    }
    return static_cast<std::uint8_t>(n);
}

/// The four parameters as they appear in one element, before the offer/response rules.
struct raw_params {
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;
    bool server_bits_present = false;
    std::optional<std::uint8_t> server_bits;
    bool client_bits_present = false;
    std::optional<std::uint8_t> client_bits;
};

/// Names (compared exactly: 9.1 tokens, and RFC 7692 spells them in lower case), duplicates
/// (5) and values; both window-bits parameters may come without a value here, the callers
/// decide whether that is allowed.
std::error_code parse_raw(const extension_offer& ext, raw_params& out) {
    raw_params p;
    for (const auto& [name, value] : ext.params) {
        bool* seen = nullptr;
        bool flag = false;
        if (name == server_no_context_takeover) {
            seen = &p.server_no_context_takeover;
            flag = true;
        } else if (name == client_no_context_takeover) {
            seen = &p.client_no_context_takeover;
            flag = true;
        } else if (name == server_max_window_bits) {
            seen = &p.server_bits_present;
        } else if (name == client_max_window_bits) {
            seen = &p.client_bits_present;
        } else {
            return violation::deflate_unknown_param;
        }
        if (*seen) {
            return violation::deflate_duplicate_param;
        }
        *seen = true;
        if (flag) {
            // 7.1.1.1, 7.1.1.2: these have no value.
            if (value) {
                return violation::deflate_bad_param_value;
            }
            continue;
        }
        if (value) {
            const auto bits = parse_window_bits(*value);
            if (!bits) {
                return violation::deflate_bad_param_value;
            }
            (seen == &p.server_bits_present ? p.server_bits : p.client_bits) = bits;
        }
    }
    out = p;
    return {};
}

void add_flag(extension_offer& ext, bool on, std::string_view name) {
    if (on) {
        ext.params.emplace_back(std::string(name), std::nullopt);
    }
}

void add_bits(extension_offer& ext, std::optional<std::uint8_t> bits, std::string_view name) {
    if (bits) {
        ext.params.emplace_back(std::string(name), std::to_string(unsigned{*bits}));
    }
}

} // namespace

deflate_agreement deflate_agreement::from(const deflate_response& response) noexcept {
    deflate_agreement a;
    a.server_no_context_takeover = response.server_no_context_takeover;
    a.client_no_context_takeover = response.client_no_context_takeover;
    a.server_max_window_bits = response.server_max_window_bits.value_or(max_window_bits);
    a.client_max_window_bits = response.client_max_window_bits.value_or(max_window_bits);
    return a;
}

std::string deflate_agreement::describe() const {
    const auto side = [](std::uint8_t bits, bool reset) {
        return std::to_string(unsigned{bits}) + "-bit window, " +
               (reset ? "no context takeover" : "context takeover");
    };
    return "server: " + side(server_max_window_bits, server_no_context_takeover) +
           "; client: " + side(client_max_window_bits, client_no_context_takeover);
}

std::error_code parse_deflate_offer(const extension_offer& ext, deflate_offer& out) {
    raw_params p;
    if (const auto ec = parse_raw(ext, p)) {
        return ec;
    }
    // 7.1.2.1: server_max_window_bits always has a value.
    if (p.server_bits_present && !p.server_bits) {
        return violation::deflate_bad_param_value;
    }
    out.server_no_context_takeover = p.server_no_context_takeover;
    out.client_no_context_takeover = p.client_no_context_takeover;
    out.server_max_window_bits = p.server_bits;
    out.client_max_window_bits = p.client_bits_present;
    out.client_max_window_bits_value = p.client_bits;
    return {};
}

std::error_code parse_deflate_response(const extension_offer& ext, deflate_response& out) {
    raw_params p;
    if (const auto ec = parse_raw(ext, p)) {
        return ec;
    }
    // 7.1.2.1, 7.1.2.2: in a response both window-bits parameters carry a value.
    if ((p.server_bits_present && !p.server_bits) || (p.client_bits_present && !p.client_bits)) {
        return violation::deflate_bad_param_value;
    }
    out.server_no_context_takeover = p.server_no_context_takeover;
    out.client_no_context_takeover = p.client_no_context_takeover;
    out.server_max_window_bits = p.server_bits;
    out.client_max_window_bits = p.client_bits;
    return {};
}

extension_offer to_extension(const deflate_offer& offer) {
    extension_offer ext{std::string(permessage_deflate), {}};
    add_flag(ext, offer.server_no_context_takeover, server_no_context_takeover);
    add_flag(ext, offer.client_no_context_takeover, client_no_context_takeover);
    add_bits(ext, offer.server_max_window_bits, server_max_window_bits);
    if (offer.client_max_window_bits) {
        ext.params.emplace_back(std::string(client_max_window_bits),
                                offer.client_max_window_bits_value
                                    ? std::optional<std::string>(std::to_string(
                                          unsigned{*offer.client_max_window_bits_value}))
                                    : std::nullopt);
    }
    return ext;
}

extension_offer to_extension(const deflate_response& response) {
    extension_offer ext{std::string(permessage_deflate), {}};
    add_flag(ext, response.server_no_context_takeover, server_no_context_takeover);
    add_flag(ext, response.client_no_context_takeover, client_no_context_takeover);
    add_bits(ext, response.server_max_window_bits, server_max_window_bits);
    add_bits(ext, response.client_max_window_bits, client_max_window_bits);
    return ext;
}

std::string format_deflate_offers(std::span<const deflate_offer> offers) {
    std::vector<extension_offer> exts;
    exts.reserve(offers.size());
    for (const auto& offer : offers) {
        exts.push_back(to_extension(offer));
    }
    return exts.empty() ? std::string() : format_extensions(exts);
}

std::error_code check_deflate_acceptance(const deflate_offer& offer, const deflate_response& response) {
    // 7.1.1.1: a server accepts an offer with server_no_context_takeover by answering with it.
    if (offer.server_no_context_takeover && !response.server_no_context_takeover) {
        return violation::deflate_param_dropped;
    }
    // 7.1.2.1: an offer with server_max_window_bits is accepted with a value no larger; the
    // server may send the parameter unasked (a smaller window costs the client nothing).
    if (offer.server_max_window_bits) {
        if (!response.server_max_window_bits) {
            return violation::deflate_param_dropped;
        }
        if (*response.server_max_window_bits > *offer.server_max_window_bits) {
            return violation::deflate_not_offered;
        }
    }
    // 7.1.2.2: client_max_window_bits only in answer to an offer that has it, and no larger
    // than the offer's value when it had one.
    if (response.client_max_window_bits) {
        if (!offer.client_max_window_bits) {
            return violation::deflate_not_offered;
        }
        if (offer.client_max_window_bits_value &&
            *response.client_max_window_bits > *offer.client_max_window_bits_value) {
            return violation::deflate_not_offered;
        }
    }
    // client_no_context_takeover may be sent whether offered or not (7.1.1.2).
    return {};
}

std::error_code check_deflate_response(std::span<const deflate_offer> offers,
                                       const std::vector<extension_offer>& response,
                                       std::optional<deflate_agreement>& out) {
    const extension_offer* accepted = nullptr;
    for (const auto& ext : response) {
        if (ext.name != permessage_deflate) {
            continue;
        }
        // 9.1 and RFC 7692 5: one response element per accepted extension.
        if (accepted != nullptr) {
            return violation::deflate_duplicate_extension;
        }
        accepted = &ext;
    }
    if (accepted == nullptr) {
        out.reset();
        return {};
    }
    if (offers.empty()) {
        return violation::bad_extension; // 4.1 item 5: never offered
    }
    deflate_response parsed;
    if (const auto ec = parse_deflate_response(*accepted, parsed)) {
        return ec;
    }
    // The response does not say which offer it accepts: it is valid if it fits one of them.
    std::error_code first_error;
    for (const auto& offer : offers) {
        const auto ec = check_deflate_acceptance(offer, parsed);
        if (!ec) {
            out = deflate_agreement::from(parsed);
            return {};
        }
        if (!first_error) {
            first_error = ec;
        }
    }
    return first_error;
}

std::optional<deflate_acceptance> negotiate_deflate(const std::vector<extension_offer>& offered,
                                                    const deflate_server_policy& policy) {
    std::size_t index = 0;
    for (const auto& ext : offered) {
        if (ext.name != permessage_deflate) {
            continue;
        }
        deflate_offer offer;
        // 5: a server declines an offer with an unknown, repeated or invalid parameter; it
        // may accept a later one.
        if (parse_deflate_offer(ext, offer)) {
            ++index;
            continue;
        }
        deflate_response r;
        r.server_no_context_takeover = policy.server_no_context_takeover || offer.server_no_context_takeover;
        r.client_no_context_takeover = policy.client_no_context_takeover;
        const std::uint8_t server_bits = std::clamp(
            std::min(policy.server_max_window_bits, offer.server_max_window_bits.value_or(max_window_bits)),
            min_window_bits, max_window_bits);
        if (offer.server_max_window_bits || server_bits < max_window_bits) {
            r.server_max_window_bits = server_bits;
        }
        if (offer.client_max_window_bits) {
            const std::uint8_t client_bits = std::clamp(
                std::min(policy.client_max_window_bits,
                         offer.client_max_window_bits_value.value_or(max_window_bits)),
                min_window_bits, max_window_bits);
            if (offer.client_max_window_bits_value || client_bits < max_window_bits) {
                r.client_max_window_bits = client_bits;
            }
        }
        return deflate_acceptance{index, r, deflate_agreement::from(r)};
    }
    return std::nullopt;
}

} // namespace wscheck::proto
