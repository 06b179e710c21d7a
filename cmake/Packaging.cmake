# SPDX-License-Identifier: MIT
# Installation (GNUInstallDirs) and packages (CPack: a .deb and a .tar.gz).
# Included at the end of the top-level CMakeLists.txt, once the targets exist.
#
#   cmake --install build/default --prefix /usr/local   binary, man page, README, LICENSE, docs
#   cpack --config build/default/CPackConfig.cmake      vsorelay_<version>_<arch>.deb and
#                                                       vsorelay-<version>-Linux.tar.gz
#
# The .deb's Depends come from dpkg-shlibdeps (dpkg-dev), so they name exactly the
# shared libraries the binary links: libc6 and libcjson1 (libuv is linked
# statically when libuv1-dev's static archive is there, see the top level).

install(TARGETS vsorelay RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The man page, gzip-compressed as Debian policy asks (-n: no name or time
# stamp in the header, so the package is reproducible).
find_program(VSORELAY_GZIP gzip REQUIRED)
set(vsorelay_man_gz ${CMAKE_CURRENT_BINARY_DIR}/man/vsorelay.1.gz)
add_custom_command(OUTPUT ${vsorelay_man_gz}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/man
  COMMAND sh -c "\"$1\" -9nc \"$2\" > \"$3\"" sh ${VSORELAY_GZIP} ${PROJECT_SOURCE_DIR}/man/vsorelay.1 ${vsorelay_man_gz}
  DEPENDS ${PROJECT_SOURCE_DIR}/man/vsorelay.1
  COMMENT "Compressing the man page vsorelay(1)"
  VERBATIM)
add_custom_target(vsorelay-man ALL DEPENDS ${vsorelay_man_gz})
install(FILES ${vsorelay_man_gz} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# README and licence in the doc dir; docs/ beside the README so that its links hold.
install(FILES README.md LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs FILES_MATCHING PATTERN "*.md")

# ---- CPack --------------------------------------------------------------------
set(VSORELAY_PACKAGE_CONTACT "vsorelay maintainers <maintainers@vsorelay.invalid>"
    CACHE STRING "The Maintainer of the .deb (set it for a release)")
set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_PACKAGE_NAME vsorelay)
set(CPACK_PACKAGE_VENDOR "vsorelay contributors")
set(CPACK_PACKAGE_CONTACT "${VSORELAY_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "fail an Azure Pipelines step when a generator's output variable is lost")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_PACKAGE_CHECKSUM SHA256)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
# The body of Description: CPack puts the summary above it as the synopsis.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "vsorelay runs a build-matrix generator (such as ImageBuilder's
generateBuildMatrix) and relays its output to the Azure Pipelines agent. It
reads every logging command as the agent does, holds back task.setvariable
commands until the generator has ended, checks that every expected output
variable arrived with a usable value, and then re-emits them all, or fails
the step naming what was lost, so that no job is skipped in silence.")

include(CPack)
