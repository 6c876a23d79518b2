#include "harness/proto/handshake.hpp"
