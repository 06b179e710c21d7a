# SPDX-License-Identifier: MIT
# Unit tests for parser/matrix.c and parser/manifest.c; include()d from
# tests/CMakeLists.txt.  The manifest tests read samples/*/manifest.json
# through VSO_SOURCE_DIR and write scratch files under /tmp.
foreach(t test_matrix test_manifest)
  add_executable(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.c)
  target_link_libraries(${t} PRIVATE vsoparse PkgConfig::CMOCKA)
  target_compile_definitions(${t} PRIVATE VSO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_test(NAME ${t} COMMAND ${t})
endforeach()
