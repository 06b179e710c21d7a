# SPDX-License-Identifier: MIT
# Unit tests of the parser library (cmocka): one ctest entry per binary.
#   test_vectors  the machine-readable agent/task-lib vectors + text helpers
#   test_scan     the streaming line splitter, under every chunking
#   test_expect   expectations evaluated against analysed output
foreach(t test_vectors test_scan test_expect)
  add_executable(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.c)
  target_link_libraries(${t} PRIVATE vsoparse PkgConfig::CMOCKA PkgConfig::CJSON)
  target_compile_definitions(${t} PRIVATE VSO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_test(NAME ${t} COMMAND ${t})
  set_tests_properties(${t} PROPERTIES TIMEOUT 600 LABELS unit)
endforeach()
