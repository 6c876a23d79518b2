#include "harness/proto/error.hpp"
