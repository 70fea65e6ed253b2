# Installing faceatlas: the CLI, the modules as static libraries behind one exported target
# (faceatlas::faceatlas), the headers, a CMake package config, a pkg-config file, the man page and
# the networks; `cpack -G DEB` packages the same tree.
#
# Static modules + an INTERFACE umbrella rather than one libfaceatlas.so: the API is C++ classes
# and std types with no ABI promise yet (a shared library would need a SONAME policy), the modules
# stay the unit a consumer links (faceatlas::cluster alone needs no OpenCV), and the build does
# not need a second, position-independent compile of every module.
include(CMakePackageConfigHelpers)

option(FACEATLAS_INSTALL_MODELS
  "Install the networks named in models/manifest.json (MIT / Apache-2.0 / CC0, shipped with the \
npm packages' LICENSE files) to share/faceatlas/models" ON)

set(_fa_modules)
foreach(m IN LISTS FACEATLAS_MODULES)
  list(APPEND _fa_modules faceatlas_${m})
endforeach()
add_library(faceatlas_lib INTERFACE)
target_link_libraries(faceatlas_lib INTERFACE ${_fa_modules} faceatlas_version)
set_target_properties(faceatlas_lib PROPERTIES EXPORT_NAME faceatlas)
add_library(faceatlas::faceatlas ALIAS faceatlas_lib)

install(TARGETS faceatlas RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# `faceatlas train` execs faceatlas-train from the same folder (exec_train.cpp).
if(TARGET faceatlas-train)
  install(TARGETS faceatlas-train RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(TARGETS ${_fa_modules} faceatlas_version faceatlas_lib EXPORT faceatlasTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
foreach(m IN LISTS FACEATLAS_MODULES)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/faceatlas/${m}
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/faceatlas FILES_MATCHING PATTERN "*.h")
endforeach()
install(FILES ${CMAKE_SOURCE_DIR}/include/faceatlas/faceatlas.h
              ${FACEATLAS_GENERATED_INCLUDE}/faceatlas/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/faceatlas)

# CMake package: find_package(faceatlas) finds its dependencies itself (find_dependency).
set(_fa_cmakedir ${CMAKE_INSTALL_LIBDIR}/cmake/faceatlas)
install(EXPORT faceatlasTargets NAMESPACE faceatlas:: DESTINATION ${_fa_cmakedir})
set(FACEATLAS_CFG_OPENMP OFF)
set(FACEATLAS_CFG_FAISS OFF)
if(OpenMP_CXX_FOUND)
  set(FACEATLAS_CFG_OPENMP ON)
endif()
if(faiss_FOUND)
  set(FACEATLAS_CFG_FAISS ON)
endif()
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/faceatlasConfig.cmake.in
  ${CMAKE_BINARY_DIR}/faceatlasConfig.cmake INSTALL_DESTINATION ${_fa_cmakedir})
# 0.x: a new minor version may change the API.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/faceatlasConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/faceatlasConfig.cmake
              ${CMAKE_BINARY_DIR}/faceatlasConfigVersion.cmake DESTINATION ${_fa_cmakedir})

# pkg-config: the static module libraries dependents first (FACEATLAS_MODULES lists every module
# after the modules it uses), then what they link privately. The prefix is found from the .pc
# file's own place, so an installed tree can be moved.
set(FACEATLAS_PC_LIBS)
set(_fa_reversed ${FACEATLAS_MODULES})
list(REVERSE _fa_reversed)
foreach(m IN LISTS _fa_reversed)
  string(APPEND FACEATLAS_PC_LIBS " -lfaceatlas_${m}")
endforeach()
string(APPEND FACEATLAS_PC_LIBS " -lxxhash")
if(FACEATLAS_LIBHEIF_INCLUDE AND FACEATLAS_LIBHEIF)
  string(APPEND FACEATLAS_PC_LIBS " -lheif")
endif()
if(FACEATLAS_LIBRAW_INCLUDE AND FACEATLAS_LIBRAW)
  string(APPEND FACEATLAS_PC_LIBS " -lraw_r")
endif()
if(FACEATLAS_OPENBLAS)
  string(APPEND FACEATLAS_PC_LIBS " -lopenblas")
endif()
if(faiss_FOUND)
  string(APPEND FACEATLAS_PC_LIBS " -lfaiss")
endif()
if(OpenMP_CXX_FOUND)
  string(APPEND FACEATLAS_PC_LIBS " ${OpenMP_CXX_FLAGS}")
endif()
string(APPEND FACEATLAS_PC_LIBS " -pthread")
string(STRIP "${FACEATLAS_PC_LIBS}" FACEATLAS_PC_LIBS)
file(RELATIVE_PATH FACEATLAS_PC_TO_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig
     ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" FACEATLAS_PC_TO_PREFIX "${FACEATLAS_PC_TO_PREFIX}")
configure_file(${CMAKE_SOURCE_DIR}/cmake/faceatlas.pc.in ${CMAKE_BINARY_DIR}/faceatlas.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/faceatlas.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# Man page from the binary's own --help (cmake/manpage.cmake).
set(_fa_man ${CMAKE_BINARY_DIR}/man/faceatlas.1)
add_custom_command(OUTPUT ${_fa_man}
  COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:faceatlas> -DVERSION=${PROJECT_VERSION}
          -DOUT=${_fa_man} -P ${CMAKE_SOURCE_DIR}/cmake/manpage.cmake
  DEPENDS faceatlas ${CMAKE_SOURCE_DIR}/cmake/manpage.cmake
  COMMENT "Writing faceatlas.1 from faceatlas --help")
add_custom_target(faceatlas_manpage ALL DEPENDS ${_fa_man})
install(FILES ${_fa_man} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# The networks: exactly the files the manifest names (weights manifest or graph + its shards),
# in the same layout as models/vendor, plus each package's LICENSE and package.json.
if(FACEATLAS_INSTALL_MODELS)
  set(_fa_models_dest ${CMAKE_INSTALL_DATADIR}/faceatlas/models)
  file(READ ${CMAKE_SOURCE_DIR}/models/manifest.json _fa_manifest)
  string(JSON _fa_nets GET "${_fa_manifest}" networks)
  string(JSON _fa_count LENGTH "${_fa_nets}")
  math(EXPR _fa_last "${_fa_count} - 1")
  set(_fa_missing)
  set(_fa_packages)
  foreach(i RANGE ${_fa_last})
    string(JSON _fa_name MEMBER "${_fa_nets}" ${i})
    string(JSON _fa_weights GET "${_fa_nets}" ${_fa_name} weights)
    set(_fa_file ${FACEATLAS_MODEL_DIR}/${_fa_weights})
    if(NOT EXISTS ${_fa_file})
      list(APPEND _fa_missing ${_fa_weights})
      continue()
    endif()
    get_filename_component(_fa_rel_dir ${_fa_weights} DIRECTORY)
    string(REGEX MATCH "^[^/]+" _fa_package ${_fa_weights})
    list(APPEND _fa_packages ${_fa_package})
    # TFJS layers weights are a JSON array of groups; a graph model keeps them in weightsManifest.
    file(READ ${_fa_file} _fa_json)
    string(JSON _fa_type TYPE "${_fa_json}")
    if(NOT _fa_type STREQUAL "ARRAY")
      string(JSON _fa_json GET "${_fa_json}" weightsManifest)
    endif()
    set(_fa_files ${_fa_file})
    string(JSON _fa_groups LENGTH "${_fa_json}")
    math(EXPR _fa_glast "${_fa_groups} - 1")
    foreach(g RANGE ${_fa_glast})
      string(JSON _fa_paths GET "${_fa_json}" ${g} paths)
      string(JSON _fa_np LENGTH "${_fa_paths}")
      math(EXPR _fa_plast "${_fa_np} - 1")
      foreach(p RANGE ${_fa_plast})
        string(JSON _fa_shard GET "${_fa_paths}" ${p})
        list(APPEND _fa_files ${FACEATLAS_MODEL_DIR}/${_fa_rel_dir}/${_fa_shard})
      endforeach()
    endforeach()
    install(FILES ${_fa_files} DESTINATION ${_fa_models_dest}/${_fa_rel_dir})
  endforeach()
  list(REMOVE_DUPLICATES _fa_packages)
  foreach(p IN LISTS _fa_packages)
    install(FILES ${FACEATLAS_MODEL_DIR}/${p}/LICENSE ${FACEATLAS_MODEL_DIR}/${p}/package.json
            DESTINATION ${_fa_models_dest}/${p})
  endforeach()
  if(_fa_missing)
    message(WARNING "FACEATLAS_INSTALL_MODELS: ${FACEATLAS_MODEL_DIR} lacks ${_fa_missing}; "
                    "run scripts/fetch_models.sh and configure again, or set "
                    "-DFACEATLAS_INSTALL_MODELS=OFF (then pass --models or $FACEATLAS_MODELS).")
  endif()
endif()

# cpack -G DEB: one package with the CLI, libraries, headers, CMake/pkg-config files, man page
# and networks. Building against the library needs the -dev packages it recommends.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME faceatlas)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "organize photo and video collections by face")
set(FACEATLAS_DEB_MAINTAINER "faceatlas developers <faceatlas@localhost>"
    CACHE STRING "Maintainer field of the .deb")
set(CPACK_PACKAGE_CONTACT "${FACEATLAS_DEB_MAINTAINER}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION graphics)
find_program(FACEATLAS_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(FACEATLAS_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends: from the CLI's shared libraries
endif()
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
  "libopencv-dev (>= 4.6), libsqlite3-dev, libexiv2-dev, libxxhash-dev, libeigen3-dev, \
nlohmann-json3-dev, libopenblas-dev, pkg-config")
include(CPack)
