# SPDX-License-Identifier: MIT
add_executable(test_policy ${CMAKE_CURRENT_LIST_DIR}/test_policy.c)
target_link_libraries(test_policy PRIVATE vsoparse PkgConfig::CMOCKA PkgConfig::CJSON)
target_compile_definitions(test_policy PRIVATE VSO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_test(NAME test_policy COMMAND test_policy)
