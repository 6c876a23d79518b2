// The payloads of sections 12 and 13 (permessage-deflate): five kinds of data that compress
// differently, standing in for the Autobahn Testsuite's test files (a JSON file, a bitmap, a
// German text, an HTML page, a PDF), generated here, deterministically, with sizes of the
// same order, since wscheck carries no data files. The message schedule is that suite's.
#pragma once

#include "cases/case.hpp"

#include <array>
#include <cstddef>
#include <string>

namespace wscheck::cases::compression {

/// One of the data sets a message series reads round and round.
struct data_set {
    std::string title;   ///< for the section heading
    bool binary = false; ///< sent as binary messages (the suite sends its text file as binary too)
    payload (*make)();
};

/// JSON records (text), a 512x512 8-bit bitmap (binary), German prose (UTF-8 sent as
/// binary), an HTML page (text), a PDF-like file of mostly incompressible streams (binary):
/// the order of the suite's 12.1 to 12.5.
const std::array<data_set, 5>& data_sets();

/// One message size of the suite's MSG_SIZES: payload length, message count, the case's time
/// limit from the open, and the size of the frames the compressed message is cut into (0:
/// one frame).
struct series_size {
    std::size_t length;
    std::size_t count;
    int wait_seconds;
    std::size_t fragment_size;
};
const std::array<series_size, 18>& series_sizes();

/// `messages` sent one after the other as text (compressed once permessage-deflate is
/// agreed), each to come back as sent, then wscheck closes: the steps, the one OK outcome and
/// the close of 22.1's and 31.2's exchanges.
void echo_each(script& sc, const std::vector<payload>& messages);

/// Section 12's and 13's case: `size.count` messages of the set, each echoed before the
/// next. Testing a server, we send `offers` (described by `offer_text`); testing a client, we
/// answer its offers by `accept` (described by `accept_text`). UNIMPLEMENTED when no
/// permessage-deflate is agreed.
case_def series_case(std::string id, const data_set& set, const series_size& size,
                     std::vector<proto::deflate_offer> offers, const std::string& offer_text,
                     std::vector<deflate_accept_rule> accept, const std::string& accept_text);

} // namespace wscheck::cases::compression
