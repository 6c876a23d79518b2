// Seeds for the fuzz targets from the catalog's own traffic (issue 7, point 2): for every case
// of the server catalog, the bytes wscheck sends when it tests a server, as the case runner
// writes them (the frames of each step from harness/runner/step_frames.hpp, as
// harness/runner/case_runner.cpp has them; the opening request through proto::build_request
// and the case's edit_request / raw_request), with one fixed mask key and one fixed
// Sec-WebSocket-Key so that the output is the same on every run.
//
//   make_seeds --write CORPUS_DIR   replace CORPUS_DIR/<target>/catalog_* with fresh seeds
//   make_seeds --check CORPUS_DIR   exit 1 when those files differ from what would be written
//                                   (stale, missing or extra) or when nothing is generated
//
// Per target: the frames of a case's steps (frame_parser, session, beast_differential), the
// payload of each text message (utf8), each Close payload (close_payload), the request of the
// opening handshake (http_request), each behind the option bytes the target reads first.
// Kept small: a seed holds at most the first 2 KiB of its bytes (a 16 MiB message
// contributes its header and the start of its payload, so the header still announces the
// whole length), duplicates are dropped (for frame_parser, streams whose frame headers have
// the same first two bytes in the same order, since that target does not look into
// payloads), and each target takes at most a fixed number of seeds, drawn in turn from each
// section so that every section is represented.
#include "cases/catalog.hpp"
#include "harness/proto/handshake.hpp"
#include "harness/runner/step_frames.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace wscheck;
using bytes = std::vector<std::uint8_t>;

constexpr std::size_t max_seed_bytes = 2048;
constexpr std::string_view seed_prefix = "catalog_";
// Fixed for reproducible seeds; what a real run draws at random (5.3, 4.1).
constexpr proto::mask_key fixed_mask_key{0x37, 0xfa, 0x21, 0x3d};
constexpr std::string_view fixed_sec_key = "dGhlIHNhbXBsZSBub25jZQ=="; // RFC 6455 1.3's example
constexpr std::string_view fixed_host = "127.0.0.1:9001";

/// What the tester sends in one case, cut to the seed size.
struct case_traffic {
    bytes frames;                 ///< every frame and raw write of the steps, in order
    bytes header_shape;           ///< first two bytes of each frame header written
    std::vector<bytes> texts;     ///< the payload of each text message
    std::vector<bytes> closes;    ///< the payload of each Close frame
    std::string request;          ///< the opening handshake request
};

/// Walks a script's steps as case_runner::run_step does, writing what each sends: the frames
/// of runner/step_frames.hpp, uncompressed, every key the fixed one.
class traffic_writer {
public:
    explicit traffic_writer(case_traffic& out) : out_(out) {}

    void run(const cases::step& s) {
        if (const auto* f = std::get_if<cases::send_frame>(&s)) {
            frame(runner::frame_of(*f, fixed_keys));
            note_payload(f->op, f->fin, f->data.view());
        } else if (const auto* d = std::get_if<cases::send_frame_data>(&s)) {
            append(out_.frames, cut(runner::more_frame_data(open_, open_written_, d->data.view()), room()));
            if (text_open_) {
                append(text_, cut(d->data.view(), max_seed_bytes - std::min(max_seed_bytes, text_.size())));
            }
        } else if (const auto* m = std::get_if<cases::send_message>(&s)) {
            const auto all = m->data.view();
            for (const auto& piece : runner::message_frames(m->op, all, m->fragment_size, false, fixed_keys)) {
                if (room() == 0) { // the seed is full: a long run of small fragments adds nothing more
                    break;
                }
                frame(piece);
            }
            if (m->op == proto::opcode::text) {
                out_.texts.push_back(cut(all, max_seed_bytes));
            }
        } else if (const auto* batch = std::get_if<cases::send_batch>(&s)) {
            for (const auto& one : batch->messages) {
                run(cases::step{one});
            }
        } else if (const auto* c = std::get_if<cases::send_close>(&s)) {
            const bytes payload = runner::close_payload_of(*c);
            frame(runner::close_frame(payload, fixed_keys));
            out_.closes.push_back(payload);
        } else if (const auto* r = std::get_if<cases::send_raw>(&s)) {
            append(out_.frames, cut(r->data.view(), room()));
            out_.header_shape.push_back(0xff); // raw bytes: a marker, then their size class
            out_.header_shape.push_back(static_cast<std::uint8_t>(std::min<std::size_t>(r->data.size(), 255)));
        }
        // pause, await_events and drop_connection send nothing.
    }

    void finish() {
        if (text_open_) {
            out_.texts.push_back(std::move(text_));
            text_open_ = false;
        }
    }

private:
    std::size_t room() const { return max_seed_bytes - std::min(max_seed_bytes, out_.frames.size()); }

    static bytes cut(std::span<const std::uint8_t> data, std::size_t keep) {
        return bytes(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(std::min(keep, data.size())));
    }

    static void append(bytes& to, const bytes& from) { to.insert(to.end(), from.begin(), from.end()); }

    /// One frame as write_frame makes it; past the seed's room only its start is kept (the
    /// header still announces the whole payload).
    void frame(runner::step_frame f) {
        const auto payload = f.payload;
        if (room() == 0) {
            return;
        }
        f.spec.declared_length = f.spec.declared_length.value_or(payload.size());
        f.payload = payload.first(std::min(payload.size(), room()));
        const auto written = runner::write_step_frame(f, proto::role::client);
        open_ = written.header;
        open_written_ = std::min(payload.size(), room());
        append(out_.frames, cut(written.bytes, room()));
        out_.header_shape.push_back(written.bytes[0]);
        out_.header_shape.push_back(written.bytes[1]);
    }

    /// Text messages sent frame by frame: their payloads, joined until the final frame.
    void note_payload(proto::opcode op, bool fin, std::span<const std::uint8_t> data) {
        if (op == proto::opcode::close) {
            out_.closes.push_back(cut(data, max_seed_bytes));
            return;
        }
        if (op == proto::opcode::text) {
            finish();
            text_open_ = true;
        } else if (op != proto::opcode::cont || !text_open_) {
            return;
        }
        append(text_, cut(data, max_seed_bytes - std::min(max_seed_bytes, text_.size())));
        if (fin) {
            finish();
        }
    }

    const runner::mask_key_source fixed_keys = [] { return fixed_mask_key; };
    case_traffic& out_;
    proto::frame_header open_{};
    std::size_t open_written_ = 0;
    bytes text_;
    bool text_open_ = false;
};

case_traffic traffic_of(const cases::case_def& c) {
    const cases::script s = c.build();
    case_traffic t;
    // case_runner::send_request, with the fixed host and key.
    proto::client_request req;
    req.host = std::string{fixed_host};
    req.target = "/";
    req.key = std::string{fixed_sec_key};
    if (s.handshake.edit_request) {
        s.handshake.edit_request(req);
    }
    t.request = s.handshake.raw_request ? (*s.handshake.raw_request)(req.host, req.key) : proto::build_request(req);
    traffic_writer w{t};
    for (const auto& step : s.steps) {
        w.run(step);
    }
    w.finish();
    return t;
}

/// The seeds of one target: option bytes, then content; deduplicated; at most `cap`.
struct target_seeds {
    std::string target;
    bytes options;
    std::size_t cap;
    struct candidate {
        std::string name;
        std::string section;
        bytes content;
    };
    std::vector<candidate> candidates;
    /// What was offered already, as strings: a std::set<bytes> compares vectors with <=>, where
    /// GCC 12 at -O3 sees a memcmp bound above PTRDIFF_MAX and warns (-Wstringop-overread, a
    /// false positive that -Werror turns into a failed Release build).
    std::set<std::string> seen;

    /// `key` decides what counts as a duplicate (the content itself by default).
    void offer(std::string name, const cases::case_def& c, bytes content, const bytes* key = nullptr) {
        const bytes& identity = key != nullptr ? *key : content;
        if (content.empty() || !seen.insert(std::string(identity.begin(), identity.end())).second) {
            return;
        }
        content.resize(std::min(content.size(), max_seed_bytes));
        content.insert(content.begin(), options.begin(), options.end());
        const auto dot = c.id.rfind('.');
        candidates.push_back({std::move(name), dot == std::string::npos ? c.id : c.id.substr(0, dot), std::move(content)});
    }

    /// Up to `cap` seeds, taken in turn from each section (first of each, then second, ...).
    std::map<std::string, bytes> chosen() const {
        std::vector<std::string> order;
        std::map<std::string, std::vector<const candidate*>> by_section;
        for (const auto& c : candidates) {
            if (by_section[c.section].empty()) {
                order.push_back(c.section);
            }
            by_section[c.section].push_back(&c);
        }
        std::map<std::string, bytes> out;
        for (std::size_t round = 0; out.size() < cap; ++round) {
            bool any = false;
            for (const auto& sec : order) {
                const auto& list = by_section.at(sec);
                if (round < list.size() && out.size() < cap) {
                    out.emplace(list[round]->name, list[round]->content);
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        return out;
    }
};

std::vector<target_seeds> make_all() {
    // Option bytes as each target's header comment describes them: a server parsing a
    // client's frames, observe mode (so every frame is looked at); pieces of 1-17 bytes
    // (chunk seed 7) for the targets that split; Beast reading 512 bytes at a time.
    std::vector<target_seeds> t{
        {"frame_parser", {0x10, 0x07}, 48, {}, {}},
        {"session", {0x07, 0x00}, 64, {}, {}},
        {"beast_differential", {0x18}, 32, {}, {}},
        {"utf8", {0x07}, 96, {}, {}},
        {"close_payload", {}, 64, {}, {}},
        {"http_request", {0x07, 0x00}, 64, {}, {}},
    };
    for (const auto& c : cases::full_catalog().cases()) {
        if (c.tests_clients_only) {
            continue;
        }
        const case_traffic traffic = traffic_of(c);
        const std::string name = std::string{seed_prefix} + c.id;
        t[0].offer(name, c, traffic.frames, &traffic.header_shape);
        t[1].offer(name, c, traffic.frames);
        t[2].offer(name, c, traffic.frames);
        for (std::size_t i = 0; i < traffic.texts.size(); ++i) {
            t[3].offer(name + "_" + std::to_string(i + 1), c, traffic.texts[i]);
        }
        for (std::size_t i = 0; i < traffic.closes.size(); ++i) {
            t[4].offer(name + "_" + std::to_string(i + 1), c, traffic.closes[i]);
        }
        t[5].offer(name, c, bytes(traffic.request.begin(), traffic.request.end()));
    }
    return t;
}

bool is_seed_file(const fs::directory_entry& e) {
    return e.is_regular_file() && e.path().filename().string().starts_with(seed_prefix);
}

std::map<std::string, bytes> read_existing(const fs::path& dir) {
    std::map<std::string, bytes> out;
    if (!fs::is_directory(dir)) {
        return out;
    }
    for (const auto& e : fs::directory_iterator(dir)) {
        if (is_seed_file(e)) {
            std::ifstream in(e.path(), std::ios::binary);
            out.emplace(e.path().filename().string(), bytes(std::istreambuf_iterator<char>(in), {}));
        }
    }
    return out;
}

int usage() {
    std::fputs("usage: make_seeds --write CORPUS_DIR | --check CORPUS_DIR\n", stderr);
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        return usage();
    }
    const std::string_view mode = argv[1];
    if (mode != "--write" && mode != "--check") {
        return usage();
    }
    const fs::path root = argv[2];
    std::size_t total = 0;
    std::size_t stale = 0;
    for (const auto& target : make_all()) {
        const auto seeds = target.chosen();
        const fs::path dir = root / target.target;
        std::size_t size = 0;
        for (const auto& [name, content] : seeds) {
            size += content.size();
        }
        total += seeds.size();
        if (mode == "--write") {
            fs::create_directories(dir);
            for (const auto& e : fs::directory_iterator(dir)) {
                if (is_seed_file(e)) {
                    fs::remove(e.path());
                }
            }
            for (const auto& [name, content] : seeds) {
                std::ofstream out(dir / name, std::ios::binary);
                out.write(reinterpret_cast<const char*>(content.data()), static_cast<std::streamsize>(content.size()));
                if (!out) {
                    std::fprintf(stderr, "make_seeds: cannot write %s\n", (dir / name).c_str());
                    return 1;
                }
            }
            std::printf("%-20s %3zu seeds, %6zu bytes (of %zu distinct)\n", target.target.c_str(), seeds.size(),
                        size, target.candidates.size());
            continue;
        }
        const auto existing = read_existing(dir);
        for (const auto& [name, content] : seeds) {
            const auto it = existing.find(name);
            if (it == existing.end()) {
                std::printf("missing: %s/%s\n", target.target.c_str(), name.c_str());
                ++stale;
            } else if (it->second != content) {
                std::printf("changed: %s/%s\n", target.target.c_str(), name.c_str());
                ++stale;
            }
        }
        for (const auto& [name, content] : existing) {
            if (!seeds.contains(name)) {
                std::printf("no longer generated: %s/%s\n", target.target.c_str(), name.c_str());
                ++stale;
            }
        }
    }
    if (total == 0) {
        std::puts("make_seeds: no seed generated");
        return 1;
    }
    if (stale != 0) {
        std::printf("make_seeds: %zu seed files are stale; run: make_seeds --write fuzz/corpus\n", stale);
        return 1;
    }
    std::printf("make_seeds: %zu seeds %s\n", total, mode == "--write" ? "written" : "up to date");
    return 0;
}
