#include "harness/proto/frame.hpp"
