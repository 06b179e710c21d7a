# SPDX-License-Identifier: MIT
# The static single-file binary for x86-64 Linux (./build.sh dist), built with:
#   glibc's libc.a (libc6-dev), libuv's static archive from Debian's libuv1-dev
#   (libuv-static.pc), and cJSON compiled here from Debian's own source package,
#   since Debian ships no static libcjson: scripts/debian-source.sh cjson DIR
#   prints the directory to pass as VSORELAY_CJSON_SOURCE_DIR.
#
# Why glibc and not musl: Debian's libuv_a.a is compiled against glibc's headers
# and calls glibc-only symbols (__memcpy_chk, __snprintf_chk and the other
# _FORTIFY_SOURCE checks), which musl does not have; musl would mean rebuilding
# libuv from source as well.  glibc's static libc warns at link time that the
# NSS functions libuv's archive references (getpwuid_r for uv_os_get_passwd;
# with trixie's libuv 1.50 also getgrgid_r for uv_os_get_group) would need the
# shared glibc at run time.  vsorelay calls neither: everything it does (pipes,
# uv_spawn, signals, timers, files) works in a chroot that holds nothing
# but the binary, and
# tests/packaging/test_static.sh checks exactly that.
#
# Used from the top-level CMakeLists.txt in two steps:
#   vsorelay_static_cjson()          before the targets: PkgConfig::CJSON from source
#   vsorelay_static_link(vsorelay)   after them: link the program statically

function(vsorelay_static_cjson)
  set(dir "${VSORELAY_CJSON_SOURCE_DIR}")
  if(NOT dir OR NOT EXISTS "${dir}/cJSON.c" OR NOT EXISTS "${dir}/cJSON.h")
    message(FATAL_ERROR "VSORELAY_STATIC_BINARY needs VSORELAY_CJSON_SOURCE_DIR, the unpacked source of "
                        "Debian's cjson package (scripts/debian-source.sh cjson DIR prints it); got '${dir}'")
  endif()
  # The same floor as the shared build (libcjson>=1.7.15), read from the header.
  file(STRINGS "${dir}/cJSON.h" lines REGEX "^#define CJSON_VERSION_(MAJOR|MINOR|PATCH) ")
  foreach(part MAJOR MINOR PATCH)
    string(REGEX REPLACE ".*CJSON_VERSION_${part} ([0-9]+).*" "\\1" v_${part} "${lines}")
  endforeach()
  set(version "${v_MAJOR}.${v_MINOR}.${v_PATCH}")
  if(version VERSION_LESS 1.7.15)
    message(FATAL_ERROR "cJSON ${version} in ${dir} is older than 1.7.15")
  endif()
  message(STATUS "cJSON ${version} from source: ${dir}")

  # <cjson/cJSON.h>, as Debian's libcjson-dev lays it out.
  configure_file("${dir}/cJSON.h" "${CMAKE_BINARY_DIR}/cjson-include/cjson/cJSON.h" COPYONLY)
  add_library(vsorelay_cjson STATIC "${dir}/cJSON.c")
  # Not our code: build it as its own project does, without our -Werror set.
  target_compile_options(vsorelay_cjson PRIVATE -w)
  target_include_directories(vsorelay_cjson PUBLIC "${CMAKE_BINARY_DIR}/cjson-include")
  target_link_libraries(vsorelay_cjson PUBLIC m)
  add_library(PkgConfig::CJSON ALIAS vsorelay_cjson)
  # -static-pie (see vsorelay_static_link) wants every object position-independent.
  set(CMAKE_POSITION_INDEPENDENT_CODE ON PARENT_SCOPE)
endfunction()

function(vsorelay_static_link target)
  if(NOT TARGET PkgConfig::LIBUV_STATIC)
    message(FATAL_ERROR "VSORELAY_STATIC_BINARY needs libuv's static archive (libuv-static.pc, from libuv1-dev)")
  endif()
  # -static-pie keeps address-space randomisation; plain -static where the
  # toolchain cannot link it.
  include(CheckCSourceCompiles)
  set(CMAKE_REQUIRED_LINK_OPTIONS -static-pie)
  check_c_source_compiles("int main(void) { return 0; }" VSORELAY_HAVE_STATIC_PIE)
  if(VSORELAY_HAVE_STATIC_PIE)
    target_link_options(${target} PRIVATE -static-pie)
  else()
    target_link_options(${target} PRIVATE -static)
  endif()
endfunction()
