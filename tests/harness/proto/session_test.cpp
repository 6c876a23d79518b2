#include "harness/proto/session.hpp"
