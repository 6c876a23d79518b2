# wscheck_options: flags shared by every wscheck target (sanitizers when WSCHECK_SANITIZE is on).
add_library(wscheck_options INTERFACE)
if(WSCHECK_SANITIZE)
    target_compile_options(wscheck_options INTERFACE
        -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    target_link_options(wscheck_options INTERFACE -fsanitize=address,undefined)
endif()
