// The Autobahn Testsuite's fuzzingclient.json, read as it is, so its users switch with no
// rewrite:
//   { "outdir": "./reports/servers",
//     "servers": [ { "agent": "MyServer", "url": "ws://127.0.0.1:9001", "options": {...} } ],
//     "cases": ["*"], "exclude-cases": ["9.*"],
//     "exclude-agent-cases": { "MyServer": ["12.*"] } }
// Keys wscheck has no use for ("options", "failByDrop", ...) are accepted and ignored.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wscheck::runner {

struct spec_target {
    std::string agent;
    std::string url;
};

struct client_spec {
    std::string outdir;
    std::vector<spec_target> servers;
    std::vector<std::string> cases;          ///< patterns; empty = all
    std::vector<std::string> exclude_cases;
    std::map<std::string, std::vector<std::string>> exclude_agent_cases;
};

/// Autobahn's fuzzingserver.json, for testing clients:
///   { "url": "ws://127.0.0.1:9001", "outdir": "./reports/clients",
///     "cases": ["*"], "exclude-cases": [], "exclude-agent-cases": {} }
/// Other keys ("options", "webport", ...) are accepted and ignored.
struct server_spec {
    std::string url;                         ///< where to listen; empty: the default
    std::string outdir;
    std::vector<std::string> cases;          ///< patterns; empty = all
    std::vector<std::string> exclude_cases;
    std::map<std::string, std::vector<std::string>> exclude_agent_cases; ///< agent glob -> patterns
};

/// Parses the text of a fuzzingclient.json. nullopt and a one-sentence `error` when it is not
/// JSON or a key has the wrong type ("'servers' must be a list of {agent, url} objects").
std::optional<client_spec> parse_client_spec(std::string_view text, std::string& error);
/// Parses the text of a fuzzingserver.json, with the same errors.
std::optional<server_spec> parse_server_spec(std::string_view text, std::string& error);

} // namespace wscheck::runner
