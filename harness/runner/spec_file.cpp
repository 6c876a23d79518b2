#include "harness/runner/spec_file.hpp"

#include <nlohmann/json.hpp>

namespace wscheck::runner {

namespace {

using json = nlohmann::json;

bool string_list(const json& j, std::string_view key, std::vector<std::string>& out, std::string& error) {
    if (!j.is_array()) {
        error = "'" + std::string{key} + "' must be a list of case patterns";
        return false;
    }
    for (const auto& e : j) {
        if (!e.is_string()) {
            error = "'" + std::string{key} + "' must be a list of case patterns (strings)";
            return false;
        }
        out.push_back(e.get<std::string>());
    }
    return true;
}

/// The keys both spec files share: outdir, cases, exclude-cases, exclude-agent-cases.
template <typename Spec>
bool parse_selection(const json& j, Spec& spec, std::string& error) {
    if (const auto it = j.find("outdir"); it != j.end()) {
        if (!it->is_string()) {
            error = "'outdir' must be a string";
            return false;
        }
        spec.outdir = it->get<std::string>();
    }
    if (const auto it = j.find("cases"); it != j.end() && !string_list(*it, "cases", spec.cases, error)) {
        return false;
    }
    if (const auto it = j.find("exclude-cases");
        it != j.end() && !string_list(*it, "exclude-cases", spec.exclude_cases, error)) {
        return false;
    }
    if (const auto it = j.find("exclude-agent-cases"); it != j.end()) {
        if (!it->is_object()) {
            error = "'exclude-agent-cases' must map agent names to lists of case patterns";
            return false;
        }
        for (const auto& [agent, list] : it->items()) {
            if (!string_list(list, "exclude-agent-cases", spec.exclude_agent_cases[agent], error)) {
                return false;
            }
        }
    }
    return true;
}

std::optional<json> parse_object(std::string_view text, std::string& error) {
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
    if (j.is_discarded()) {
        error = "the spec file is not valid JSON";
        return std::nullopt;
    }
    if (!j.is_object()) {
        error = "the spec file must hold a JSON object";
        return std::nullopt;
    }
    return j;
}

} // namespace

std::optional<client_spec> parse_client_spec(std::string_view text, std::string& error) {
    const auto j = parse_object(text, error);
    if (!j) {
        return std::nullopt;
    }
    client_spec spec;
    const auto servers = j->find("servers");
    if (servers == j->end() || !servers->is_array() || servers->empty()) {
        error = "'servers' must be a non-empty list of {\"agent\": ..., \"url\": ...} objects";
        return std::nullopt;
    }
    for (const auto& s : *servers) {
        const auto url = s.is_object() ? s.find("url") : s.end();
        if (!s.is_object() || url == s.end() || !url->is_string()) {
            error = "each entry of 'servers' needs a \"url\" string";
            return std::nullopt;
        }
        spec_target t;
        t.url = url->get<std::string>();
        if (const auto agent = s.find("agent"); agent != s.end()) {
            if (!agent->is_string()) {
                error = "'agent' of a server must be a string";
                return std::nullopt;
            }
            t.agent = agent->get<std::string>();
        }
        spec.servers.push_back(std::move(t));
    }
    if (!parse_selection(*j, spec, error)) {
        return std::nullopt;
    }
    return spec;
}

std::optional<server_spec> parse_server_spec(std::string_view text, std::string& error) {
    const auto j = parse_object(text, error);
    if (!j) {
        return std::nullopt;
    }
    server_spec spec;
    if (const auto it = j->find("url"); it != j->end()) {
        if (!it->is_string()) {
            error = "'url' must be a string such as \"ws://127.0.0.1:9001\"";
            return std::nullopt;
        }
        spec.url = it->get<std::string>();
    }
    if (!parse_selection(*j, spec, error)) {
        return std::nullopt;
    }
    return spec;
}

} // namespace wscheck::runner
