#include "harness/proto/http1.hpp"
