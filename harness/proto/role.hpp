#pragma once

namespace wscheck::proto {

/// Which end of the connection *we* are. A server expects masked frames from its peer (5.1);
/// a client expects unmasked ones and masks what it sends.
enum class role { client, server };

} // namespace wscheck::proto
