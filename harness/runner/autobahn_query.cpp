#include "harness/runner/autobahn_query.hpp"

#include <charconv>
#include <map>

namespace wscheck::runner {

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
            continue;
        }
        unsigned byte = 0;
        const char* digits = s.data() + i + 1;
        if (s[i] == '%' && i + 2 < s.size() && std::from_chars(digits, digits + 2, byte, 16).ptr == digits + 2) {
            out += static_cast<char>(byte);
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

autobahn_request parse_autobahn_target(std::string_view target) {
    using kind = autobahn_request::kind;
    autobahn_request r;
    const auto q = target.find('?');
    r.path = std::string{target.substr(0, q)};
    std::map<std::string, std::string, std::less<>> params;
    if (q != std::string_view::npos) {
        std::string_view rest = target.substr(q + 1);
        while (!rest.empty()) {
            const auto amp = rest.find('&');
            const auto pair = rest.substr(0, amp);
            rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
            if (pair.empty()) {
                continue;
            }
            const auto eq = pair.find('=');
            const std::string name = percent_decode(pair.substr(0, eq));
            const std::string value = eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
            if (!params.emplace(name, value).second) {
                r.error = "the parameter '" + name + "' is given more than once";
                return r;
            }
        }
    }
    if (r.path == "/getCaseCount") {
        r.what = kind::get_case_count;
    } else if (r.path == "/runCase") {
        r.what = kind::run_case;
    } else if (r.path == "/getCaseInfo") {
        r.what = kind::get_case_info;
    } else if (r.path == "/getCaseStatus") {
        r.what = kind::get_case_status;
    } else if (r.path == "/updateReports") {
        r.what = kind::update_reports;
    } else {
        r.error = "unknown path '" + r.path + "' (the Autobahn client protocol has /getCaseCount, /runCase, "
                  "/getCaseInfo, /getCaseStatus and /updateReports)";
        return r;
    }
    if (const auto it = params.find("agent"); it != params.end()) {
        r.agent = it->second;
    }
    if (const auto it = params.find("case"); it != params.end()) {
        long n = 0;
        const auto& v = it->second;
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (ec != std::errc{} || end != v.data() + v.size()) {
            r.error = "invalid test case ID '" + v + "'";
            return r;
        }
        r.case_number = n;
    }
    const bool needs_case = r.what == kind::run_case || r.what == kind::get_case_info || r.what == kind::get_case_status;
    const bool needs_agent = r.what == kind::run_case || r.what == kind::get_case_status || r.what == kind::update_reports;
    if (needs_case && !r.case_number) {
        r.error = r.path + " needs a case parameter (case=N, 1-based)";
    } else if (needs_agent && r.agent.empty()) {
        r.error = r.path + " needs an agent parameter (agent=NAME)";
    }
    return r;
}

} // namespace wscheck::runner
