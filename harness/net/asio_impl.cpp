// Boost.Asio's compiled part, built once here (BOOST_ASIO_SEPARATE_COMPILATION) instead of
// inline in every file that uses Asio. Besides compile time, this keeps GCC's flow-based
// warnings (-Wnull-dereference) from firing on Asio internals inlined into our code; Asio's
// own sources are compiled without our warning set, as any third-party library is.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
