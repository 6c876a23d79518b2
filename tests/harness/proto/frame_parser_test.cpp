#include "harness/proto/frame_parser.hpp"
