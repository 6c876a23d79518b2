#include "harness/proto/utf8.hpp"
