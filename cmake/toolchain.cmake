# Compiler flags, linker and cache choices shared by every target.

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

# mold links the test binaries in a fraction of ld's time.
find_program(MOLD_PROGRAM mold)
if(MOLD_PROGRAM)
  add_link_options(-fuse-ld=mold)
endif()

add_library(driftway_warnings INTERFACE)
target_compile_options(driftway_warnings INTERFACE -Wall -Wextra -Wpedantic
  -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # g++ 12 pairs Asio's awaitable frame operator new/delete wrongly once
  # coroutines are inlined at -O2 (a false -Wmismatched-new-delete).
  target_compile_options(driftway_warnings INTERFACE -Wshadow=local -Wno-mismatched-new-delete)
endif()
if(DRIFTWAY_WERROR)
  target_compile_options(driftway_warnings INTERFACE -Werror)
endif()

if(DRIFTWAY_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  # clang 14's -fsanitize=function cannot instrument coroutine frames
  # ("Cannot represent a difference across sections").
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    add_compile_options(-fno-sanitize=function)
  endif()
  add_link_options(-fsanitize=address,undefined)
endif()

# Asio and Beast are compiled once (src/net/asio_impl.cpp) instead of in every TU.
add_compile_definitions(BOOST_ASIO_SEPARATE_COMPILATION BOOST_BEAST_SEPARATE_COMPILATION
  BOOST_ASIO_NO_DEPRECATED BOOST_JSON_NO_LIB BOOST_URL_NO_LIB)
