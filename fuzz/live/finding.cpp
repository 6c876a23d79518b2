#include "fuzz/live/finding.hpp"

#include "reports/atomic_file.hpp"
#include "reports/encoding.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace wscheck::fuzz {

namespace {

constexpr std::string_view format_name = "wscheck-fuzz-finding";
constexpr int format_version = 1;
// A reproducer is small once shrunk; an unshrunk one is at most one input. Anything larger
// is not a file we wrote.
constexpr std::size_t max_writes = 100'000;

} // namespace

std::string_view to_string(finding_kind k) noexcept {
    switch (k) {
    case finding_kind::crash: return "crash";
    case finding_kind::hang: return "hang";
    case finding_kind::disconnect: return "disconnect";
    }
    return "?";
}

std::optional<finding_kind> finding_kind_from(std::string_view s) noexcept {
    for (const auto k : {finding_kind::crash, finding_kind::hang, finding_kind::disconnect}) {
        if (s == to_string(k)) {
            return k;
        }
    }
    return std::nullopt;
}

std::string finding_to_json(const finding& f) {
    nlohmann::ordered_json j;
    j["format"] = format_name;
    j["format_version"] = format_version;
    j["wscheck_version"] = "0.1.0";
    j["kind"] = to_string(f.kind);
    j["detail"] = reports::to_valid_utf8(f.detail);
    j["seed"] = f.seed;
    j["input_index"] = f.input.index;
    j["strategy"] = f.input.strategy;
    j["url_path"] = f.url_path;
    j["host"] = f.host;
    j["deflate"] = f.deflate;
    auto writes = nlohmann::ordered_json::array();
    for (const auto& w : f.input.writes) {
        writes.push_back({{"pause_ms", w.pause.count()}, {"hex", reports::to_hex(w.bytes)}});
    }
    j["writes"] = std::move(writes);
    j["bytes"] = f.input.total_bytes();
    j["shrunk"] = f.shrunk;
    j["original"] = {{"writes", f.original_writes}, {"bytes", f.original_bytes}};
    j["reproduced"] = f.reproduced;
    j["signature"] = reports::to_valid_utf8(f.signature());
    j["failure"] = reports::to_valid_utf8(f.failure);
    j["input_shape"] = f.input_shape;
    j["occurrences"] = f.occurrences;
    j["occurrence_inputs"] = f.occurrence_inputs;
    return j.dump(2) + "\n";
}

std::optional<finding> finding_from_json(std::string_view text, std::string& error) {
    const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
        error = "not a JSON object";
        return std::nullopt;
    }
    auto str = [&](const char* key) -> std::optional<std::string> {
        const auto it = j.find(key);
        if (it == j.end() || !it->is_string()) {
            return std::nullopt;
        }
        return it->get<std::string>();
    };
    if (str("format") != std::string{format_name}) {
        error = "not a wscheck fuzz finding (\"format\" is not \"wscheck-fuzz-finding\")";
        return std::nullopt;
    }
    if (!j.contains("format_version") || !j["format_version"].is_number_integer() ||
        j["format_version"].get<long long>() != format_version) {
        error = "unsupported format_version (this wscheck reads version 1)";
        return std::nullopt;
    }
    finding f;
    const auto kind = finding_kind_from(str("kind").value_or(""));
    if (!kind) {
        error = "\"kind\" must be crash, hang or disconnect";
        return std::nullopt;
    }
    f.kind = *kind;
    f.detail = str("detail").value_or("");
    f.url_path = str("url_path").value_or("/");
    f.host = str("host").value_or("");
    f.input.strategy = str("strategy").value_or("");
    if (j.contains("seed") && j["seed"].is_number_unsigned()) {
        f.seed = j["seed"].get<std::uint64_t>();
    }
    if (j.contains("input_index") && j["input_index"].is_number_unsigned()) {
        f.input.index = j["input_index"].get<std::uint64_t>();
    }
    auto flag = [&](const char* key) {
        const auto it = j.find(key);
        return it != j.end() && it->is_boolean() && it->get<bool>();
    };
    f.shrunk = flag("shrunk");
    f.deflate = flag("deflate");
    f.failure = str("failure").value_or("");
    f.input_shape = str("input_shape").value_or("");
    f.reproduced = flag("reproduced");
    const auto writes = j.find("writes");
    if (writes == j.end() || !writes->is_array() || writes->empty() || writes->size() > max_writes) {
        error = "\"writes\" must be a non-empty array";
        return std::nullopt;
    }
    for (const auto& w : *writes) {
        if (!w.is_object() || !w.contains("hex") || !w["hex"].is_string() || !w.contains("pause_ms") ||
            !w["pause_ms"].is_number_unsigned()) {
            error = "each write needs \"pause_ms\" (a non-negative integer) and \"hex\" (a string)";
            return std::nullopt;
        }
        const auto pause = w["pause_ms"].get<std::uint64_t>();
        if (pause > 60'000) {
            error = "a write's pause_ms is over 60000";
            return std::nullopt;
        }
        auto bytes = reports::from_hex(w["hex"].get<std::string>());
        if (!bytes) {
            error = "a write's \"hex\" is not hexadecimal";
            return std::nullopt;
        }
        f.input.writes.push_back({std::chrono::milliseconds{static_cast<long long>(pause)}, std::move(*bytes)});
    }
    f.original_writes = f.input.writes.size();
    f.original_bytes = f.input.total_bytes();
    if (const auto o = j.find("original"); o != j.end() && o->is_object()) {
        if (o->contains("writes") && (*o)["writes"].is_number_unsigned()) {
            f.original_writes = (*o)["writes"].get<std::size_t>();
        }
        if (o->contains("bytes") && (*o)["bytes"].is_number_unsigned()) {
            f.original_bytes = (*o)["bytes"].get<std::size_t>();
        }
    }
    // Files written before occurrences were counted: one, after the file's own input.
    if (j.contains("occurrences") && j["occurrences"].is_number_unsigned() && j["occurrences"].get<std::uint64_t>() > 0) {
        f.occurrences = j["occurrences"].get<std::uint64_t>();
    }
    if (const auto o = j.find("occurrence_inputs"); o != j.end() && o->is_array() &&
                                                    std::all_of(o->begin(), o->end(), [](const auto& i) {
                                                        return i.is_number_unsigned();
                                                    })) {
        f.occurrence_inputs = o->get<std::vector<std::uint64_t>>();
    } else {
        f.occurrence_inputs = {f.input.index};
    }
    return f;
}

std::string finding::signature() const {
    return std::string{to_string(kind)} + " | " + failure + " | " + input_shape;
}

std::filesystem::path save_finding(const finding& f, const std::filesystem::path& dir, std::string& error) {
    const auto path = dir / (std::string{to_string(f.kind)} + "-" + std::to_string(f.seed) + "-" +
                             std::to_string(f.input.index) + ".json");
    error = reports::write_file_atomically(path, finding_to_json(f));
    return error.empty() ? path : std::filesystem::path{};
}

} // namespace wscheck::fuzz
