#include "harness/proto/close.hpp"
