#include "harness/proto/mask.hpp"
