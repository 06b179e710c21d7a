# SPDX-License-Identifier: MIT
# CMake toolchain for 64-bit Windows with Debian's mingw-w64 (package
# gcc-mingw-w64-x86-64).  Used by build.sh windows for libuv, cJSON and
# cmocka (from Debian's source packages) and for vsorelay itself:
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake \
#         -DVSORELAY_WINDOWS_PREFIX=<where the libraries were installed> ...
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(VSORELAY_MINGW_TRIPLET x86_64-w64-mingw32)
# Debian installs the compiler under two names: the -win32 thread model (no
# winpthread DLL to ship) and the -posix one; the plain name is an
# alternative that points to either.  vsorelay and libuv use Win32 threads.
find_program(CMAKE_C_COMPILER NAMES ${VSORELAY_MINGW_TRIPLET}-gcc-win32 ${VSORELAY_MINGW_TRIPLET}-gcc REQUIRED)
find_program(CMAKE_CXX_COMPILER NAMES ${VSORELAY_MINGW_TRIPLET}-g++-win32 ${VSORELAY_MINGW_TRIPLET}-g++)
find_program(CMAKE_RC_COMPILER NAMES ${VSORELAY_MINGW_TRIPLET}-windres)
set(CMAKE_AR ${VSORELAY_MINGW_TRIPLET}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${VSORELAY_MINGW_TRIPLET}-ranlib CACHE FILEPATH "")

# Look for libraries and headers only in the target's trees: mingw-w64's own
# and the prefix the Windows builds of the libraries were installed into.
# Programs (the compiler, pkg-config) come from the build machine.
set(CMAKE_TRY_COMPILE_PLATFORM_VARIABLES VSORELAY_WINDOWS_PREFIX)
set(CMAKE_FIND_ROOT_PATH /usr/${VSORELAY_MINGW_TRIPLET})
if(VSORELAY_WINDOWS_PREFIX)
  list(APPEND CMAKE_FIND_ROOT_PATH ${VSORELAY_WINDOWS_PREFIX})
endif()
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# One vsorelay.exe with nothing to ship beside it: libgcc and the libraries
# linked in, only Windows' own DLLs (kernel32, msvcrt, ws2_32, ...) imported.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")

# Tests of the cross build run under Wine (tests/windows/wine-run.sh).
find_program(VSORELAY_WINE_RUN NAMES wine-run.sh PATHS ${CMAKE_CURRENT_LIST_DIR}/../tests/windows NO_DEFAULT_PATH)
if(VSORELAY_WINE_RUN AND NOT CMAKE_CROSSCOMPILING_EMULATOR)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${VSORELAY_WINE_RUN})
endif()
