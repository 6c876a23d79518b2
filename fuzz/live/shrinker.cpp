#include "fuzz/live/shrinker.hpp"

#include "fuzz/live/framed_input.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

namespace wscheck::fuzz {

namespace {

/// The input's bytes up to `keep` (writes after it dropped, the last one cut).
fuzz_input prefix(const fuzz_input& in, std::size_t keep) {
    fuzz_input out = in;
    out.writes.clear();
    for (const auto& w : in.writes) {
        if (keep == 0) {
            break;
        }
        timed_write piece = w;
        if (piece.bytes.size() > keep) {
            piece.bytes.resize(keep);
        }
        keep -= piece.bytes.size();
        out.writes.push_back(std::move(piece));
    }
    return out;
}

/// The input without bytes [from, from + n) of its concatenation; empty writes are dropped.
fuzz_input without(const fuzz_input& in, std::size_t from, std::size_t n) {
    fuzz_input out = in;
    out.writes.clear();
    std::size_t at = 0;
    for (const auto& w : in.writes) {
        timed_write piece{w.pause, {}};
        for (std::size_t i = 0; i < w.bytes.size(); ++i, ++at) {
            if (at < from || at >= from + n) {
                piece.bytes.push_back(w.bytes[i]);
            }
        }
        if (!piece.bytes.empty()) {
            out.writes.push_back(std::move(piece));
        }
    }
    return out;
}

// The head as lines, each with its line end (CRLF, or the bare LF some inputs use).
using line = std::vector<std::uint8_t>;

std::vector<line> head_lines(const std::vector<std::uint8_t>& head) {
    std::vector<line> out;
    auto from = head.begin();
    while (from != head.end()) {
        auto lf = std::find(from, head.end(), std::uint8_t{'\n'});
        const auto to = lf == head.end() ? lf : lf + 1;
        out.emplace_back(from, to);
        from = to;
    }
    return out;
}

std::vector<std::uint8_t> joined(const std::vector<line>& lines) {
    std::vector<std::uint8_t> out;
    for (const auto& l : lines) {
        out.insert(out.end(), l.begin(), l.end());
    }
    return out;
}

/// The blank line that ends a head: dropping it would make the frames part of the head.
bool is_blank(const line& l) {
    return std::all_of(l.begin(), l.end(), [](std::uint8_t c) { return c == '\r' || c == '\n'; });
}

/// Where a field line's value starts (after the colon) and ends (before the line end); a
/// line without a colon has no value (from == to).
std::pair<std::size_t, std::size_t> value_span(const line& l) {
    std::size_t to = l.size();
    while (to > 0 && (l[to - 1] == '\n' || l[to - 1] == '\r')) {
        --to;
    }
    const auto colon = std::find(l.begin(), l.begin() + static_cast<std::ptrdiff_t>(to), std::uint8_t{':'});
    const auto from = static_cast<std::size_t>(colon - l.begin());
    return from == to ? std::pair{to, to} : std::pair{from + 1, to};
}

/// The field line with only the first `n` bytes of its value.
line with_value_prefix(const line& l, std::size_t n) {
    const auto [from, to] = value_span(l);
    line out{l.begin(), l.begin() + static_cast<std::ptrdiff_t>(from + n)};
    out.insert(out.end(), l.begin() + static_cast<std::ptrdiff_t>(to), l.end());
    return out;
}

class shrinking {
public:
    shrinking(fuzz_input in, const reproduces_fn& reproduces, const shrink_limits& limits)
        : best_(std::move(in)), reproduces_(reproduces), limits_(limits),
          deadline_(std::chrono::steady_clock::now() + limits.max_time) {}

    /// Tries `candidate`; keeps it when it reproduces. False once shrinking must end.
    bool attempt(const fuzz_input& candidate, bool& kept) {
        kept = false;
        if (!can_go_on()) {
            return false;
        }
        if (candidate.writes.empty() || refuses_valid_head(candidate)) {
            return true;
        }
        ++attempts_;
        const auto r = reproduces_(candidate);
        if (!r) {
            ended_early_ = true;
            return false;
        }
        if (*r) {
            best_ = candidate;
            best_head_valid_.reset();
            kept = true;
        }
        return true;
    }
    /// While the input's head is a valid opening handshake, a candidate whose head is not is
    /// not tried: a server reads no frame after a refused head, so such a candidate could only
    /// show another bug (of the handshake), and trying the required fields' values one by one
    /// would spend the attempts on refusals.
    bool refuses_valid_head(const fuzz_input& candidate) {
        if (!best_head_valid_) {
            best_head_valid_ = split_input(concatenated(best_)).head_state == framed_input::head_status::accepted;
        }
        return *best_head_valid_ &&
               split_input(concatenated(candidate)).head_state != framed_input::head_status::accepted;
    }
    bool can_go_on() {
        if (ended_early_ || attempts_ >= limits_.max_attempts || std::chrono::steady_clock::now() >= deadline_ ||
            (limits_.stop != nullptr && limits_.stop->load())) {
            ended_early_ = true;
            return false;
        }
        return true;
    }

    /// The smallest n in [lo, hi] for which make(n) reproduces, by binary search, `hi` being
    /// known to (it is the input as it is); `lo` is tried first when `try_lo`, else known not
    /// to reproduce. False once shrinking must end.
    template <class Make>
    bool smallest(std::size_t lo, std::size_t hi, bool try_lo, const Make& make) {
        if (hi <= lo) {
            return true;
        }
        bool kept = false;
        if (try_lo) {
            if (!attempt(make(lo), kept)) {
                return false;
            }
            if (kept) {
                return true;
            }
        }
        while (hi - lo > 1) {
            const std::size_t mid = lo + (hi - lo) / 2;
            if (!attempt(make(mid), kept)) {
                return false;
            }
            (kept ? hi : lo) = mid;
        }
        return true;
    }

    /// The shortest prefix that still reproduces, at least `keep` bytes long (an empty one
    /// sends nothing: it cannot reproduce).
    void shortest_prefix(std::size_t keep) {
        (void)smallest(keep, best_.total_bytes(), false, [&](std::size_t n) { return prefix(best_, n); });
    }
    /// The fewest whole frames after the head that still reproduce, cut at a frame boundary
    /// whatever the writes (binary search): the cheap first cut of a long input, which keeps
    /// its tearing and every frame it keeps whole.
    void frame_prefix() {
        const auto p = split_input(concatenated(best_));
        if (p.head_state == framed_input::head_status::unparsed) {
            return;
        }
        std::vector<std::size_t> ends{p.head.size()}; // ends[k]: the head and k frames
        for (const auto& f : p.frames) {
            ends.push_back(ends.back() + proto::header_size(f.header, f.encoding) + f.payload.size());
        }
        if (!p.rest.empty()) {
            ends.push_back(best_.total_bytes());
        }
        (void)smallest(0, ends.size() - 1, true, [&](std::size_t k) { return prefix(best_, ends[k]); });
    }
    void drop_writes() {
        for (std::size_t i = best_.writes.size(); i-- > 0 && best_.writes.size() > 1;) {
            fuzz_input c = best_;
            c.writes.erase(c.writes.begin() + static_cast<std::ptrdiff_t>(i));
            bool kept = false;
            if (!attempt(c, kept)) {
                return;
            }
        }
    }
    void flatten() {
        if (best_.total_pause().count() > 0) {
            fuzz_input c = best_;
            for (auto& w : c.writes) {
                w.pause = {};
            }
            bool kept = false;
            if (!attempt(c, kept)) {
                return;
            }
        }
        if (best_.writes.size() > 1 && best_.total_pause().count() == 0) {
            fuzz_input c = best_;
            c.writes.assign(1, timed_write{});
            for (const auto& w : best_.writes) {
                c.writes[0].bytes.insert(c.writes[0].bytes.end(), w.bytes.begin(), w.bytes.end());
            }
            bool kept = false;
            (void)attempt(c, kept);
        }
    }
    /// Cuts chunks of bytes out of the input's concatenation, all but its first `keep_front`
    /// bytes, halving the chunk size from half the rest down to one byte (delta debugging's
    /// complement step).
    void cut_chunks(std::size_t keep_front) {
        for (std::size_t chunk = std::max<std::size_t>((best_.total_bytes() - keep_front) / 2, 1);; chunk /= 2) {
            // From the end, so that a cut does not shift what is still to be tried.
            std::size_t from = best_.total_bytes();
            while (from > keep_front) {
                const std::size_t n = std::min(chunk, from - keep_front);
                from -= n;
                bool kept = false;
                if (!attempt(without(best_, from, n), kept)) {
                    return;
                }
            }
            if (chunk == 1) {
                return;
            }
        }
    }

    // The frame-aware passes work on one write without a pause (flatten() makes it when the
    // tearing does not matter); an input whose tearing matters is left to the byte passes.
    bool one_stream() const { return best_.writes.size() == 1 && best_.writes[0].pause.count() == 0; }
    framed_input parts() const { return split_input(best_.writes[0].bytes); }
    fuzz_input from_parts(const framed_input& p) const {
        fuzz_input c = best_;
        c.writes.assign(1, timed_write{{}, p.bytes()});
        return c;
    }

    /// Whole frames dropped (frame_prefix() took those after the last that matters): first the
    /// incomplete one at the end, then the others one at a time, from the last.
    void drop_frames() {
        bool kept = false;
        if (!parts().rest.empty()) {
            auto c = parts();
            c.rest.clear();
            if (!attempt(from_parts(c), kept)) {
                return;
            }
        }
        // A frame whose length runs past the end (a lie, or a cut): made whole, so that the
        // passes below can shorten its payload and clear its flags like any other's.
        if (const auto whole = completed_rest(parts())) {
            auto c = parts();
            c.rest.clear();
            c.frames.push_back(*whole);
            if (!attempt(from_parts(c), kept)) {
                return;
            }
        }
        for (std::size_t i = parts().frames.size(); i-- > 0;) {
            auto c = parts();
            c.frames.erase(c.frames.begin() + static_cast<std::ptrdiff_t>(i));
            if (!attempt(from_parts(c), kept)) {
                return;
            }
        }
    }
    /// Each payload cut to its shortest prefix that still reproduces, its length field
    /// rewritten. A prefix of a masked payload is that prefix masked with the same key (5.3),
    /// so the key stays.
    void shorten_payloads() {
        for (std::size_t i = 0; i < parts().frames.size(); ++i) {
            const auto shortened = [&](std::size_t n) {
                auto c = parts();
                c.frames[i].payload.resize(n);
                c.frames[i].header.length = n;
                return from_parts(c);
            };
            if (!smallest(0, parts().frames[i].payload.size(), true, shortened)) {
                return;
            }
        }
    }
    /// Each frame's odd header bits made ordinary, one at a time: RSV1-3 cleared, FIN set, a
    /// non-minimal length encoding made minimal (5.2), an unmasked frame masked. A shrunk
    /// reproducer then shows only the oddities that matter, and the same bug shrinks to the
    /// same shape (finding.hpp: the signature).
    void normalise_headers() {
        using edit = void (*)(wire_frame&);
        constexpr edit edits[] = {
            [](wire_frame& f) { f.header.rsv1 = false; },
            [](wire_frame& f) { f.header.rsv2 = false; },
            [](wire_frame& f) { f.header.rsv3 = false; },
            [](wire_frame& f) { f.header.fin = true; },
            [](wire_frame& f) { f.encoding = proto::length_encoding::minimal; },
            // 5.1: a client masks every frame; key 0 leaves the payload's bytes as they are.
            [](wire_frame& f) {
                if (!f.header.masked) {
                    f.header.masked = true;
                    f.header.key = {0, 0, 0, 0};
                }
            },
        };
        for (std::size_t i = 0; i < parts().frames.size(); ++i) {
            for (const auto e : edits) {
                auto c = parts();
                e(c.frames[i]);
                if (c.bytes() == best_.writes[0].bytes) {
                    continue; // already ordinary
                }
                bool kept = false;
                if (!attempt(from_parts(c), kept)) {
                    return;
                }
            }
        }
    }
    /// The head's field lines dropped one at a time, from the last (never the request line,
    /// never the blank line that ends the head), then each value cut to its shortest prefix
    /// that still reproduces.
    void simplify_head() {
        for (std::size_t i = head_lines(parts().head).size(); i-- > 1;) {
            auto c = parts();
            auto lines = head_lines(c.head);
            if (is_blank(lines[i])) {
                continue;
            }
            lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(i));
            c.head = joined(lines);
            bool kept = false;
            if (!attempt(from_parts(c), kept)) {
                return;
            }
        }
        for (std::size_t i = 1; i < head_lines(parts().head).size(); ++i) {
            const auto shortened = [&](std::size_t n) {
                auto c = parts();
                auto lines = head_lines(c.head);
                lines[i] = with_value_prefix(lines[i], n);
                c.head = joined(lines);
                return from_parts(c);
            };
            const auto [from, to] = value_span(head_lines(parts().head)[i]);
            if (!smallest(0, to - from, true, shortened)) {
                return;
            }
        }
    }
    /// The frame passes, when the input is one stream; then the byte passes on what they
    /// cannot take apart: the bytes after the last whole frame; when the input is torn, all
    /// after its head if that is valid; all of it when its head does not parse.
    void frames_then_bytes() {
        if (one_stream()) {
            drop_frames();
            shorten_payloads();
            normalise_headers();
            simplify_head(); // last: the head's bytes are mostly the fixed request
        }
        const auto p = split_input(concatenated(best_));
        std::size_t keep = 0;
        if (one_stream() && p.head_state != framed_input::head_status::unparsed) {
            keep = best_.total_bytes() - p.rest.size();
        } else if (p.head_state == framed_input::head_status::accepted) {
            keep = p.head.size(); // a torn input: its valid head stays whole (refuses_valid_head)
        }
        shortest_prefix(keep);
        cut_chunks(keep);
    }

    shrink_result result() && { return {std::move(best_), attempts_, ended_early_}; }

private:
    fuzz_input best_;
    const reproduces_fn& reproduces_;
    shrink_limits limits_;
    std::chrono::steady_clock::time_point deadline_;
    std::size_t attempts_ = 0;
    bool ended_early_ = false;
    std::optional<bool> best_head_valid_; ///< best_'s head is a valid handshake (computed once per best_)
};

} // namespace

shrink_result shrink(fuzz_input in, const reproduces_fn& reproduces, const shrink_limits& limits) {
    shrinking s{std::move(in), reproduces, limits};
    s.frame_prefix();
    s.drop_writes();
    s.flatten();
    s.frames_then_bytes();
    return std::move(s).result();
}

} // namespace wscheck::fuzz
