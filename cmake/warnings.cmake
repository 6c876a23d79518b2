# wscheck_warnings: the warning set every wscheck target compiles with.
add_library(wscheck_warnings INTERFACE)
target_compile_options(wscheck_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough)
if(WSCHECK_WARNINGS_AS_ERRORS)
    target_compile_options(wscheck_warnings INTERFACE -Werror)
endif()
