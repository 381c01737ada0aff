# SPDX-License-Identifier: MIT
# Writes build/generated/breachsim/version.hpp at every build, so the git commit recorded in
# result files is the commit that was actually built, not the one seen at configure time.

# Where an installed executable finds the installed configs/ (models::shipped_configs), as a
# path from its own folder: with GNUInstallDirs' relative defaults, the same under any
# --prefix given to `cmake --install`.
file(RELATIVE_PATH configs_from_bindir ${CMAKE_INSTALL_FULL_BINDIR} ${CMAKE_INSTALL_FULL_DATADIR}/breachsim/configs)
add_custom_target(breachsim_version_header
  COMMAND ${CMAKE_COMMAND}
          -DSOURCE_DIR=${CMAKE_SOURCE_DIR}
          -DOUTPUT=${CMAKE_BINARY_DIR}/generated/breachsim/version.hpp
          -DVERSION=${PROJECT_VERSION}
          -DBUILD_TYPE=${CMAKE_BUILD_TYPE}
          -DCXX_ID=${CMAKE_CXX_COMPILER_ID}
          -DCXX_VERSION=${CMAKE_CXX_COMPILER_VERSION}
          -DCONFIGS_FROM_BINDIR=${configs_from_bindir}
          -P ${CMAKE_SOURCE_DIR}/cmake/write_version.cmake
  BYPRODUCTS ${CMAKE_BINARY_DIR}/generated/breachsim/version.hpp
  COMMENT "Recording git commit in version.hpp")
add_library(breachsim_version INTERFACE)
add_dependencies(breachsim_version breachsim_version_header)
target_include_directories(breachsim_version INTERFACE ${CMAKE_BINARY_DIR}/generated)
