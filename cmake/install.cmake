# `cmake --install build --prefix P`: libfacekit, its public headers, the
# facekit and facekit-train binaries, the CMake package (find_package(facekit))
# and facekit.pc. Components, one Debian package each (cmake/package.cmake):
# `runtime` (libfacekit.so.1 and facekit), `train` (facekit-train) and `dev`
# (headers, the .so link or the .a, the CMake package, facekit.pc).
include(CMakePackageConfigHelpers)
set(FACEKIT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/facekit)

install(TARGETS facekit EXPORT facekitTargets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(TARGETS facekit_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
# OPTIONAL: a tree built by `make demo` (no facekit-train yet) installs too.
install(TARGETS facekit_train_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT train OPTIONAL)

# Public headers only (src/ keeps the private ones). train.h declares
# facekit_train, which is not installed as a library: the training API is
# reached through the facekit-train binary.
install(DIRECTORY include/facekit DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev
        PATTERN train.h EXCLUDE)
install(FILES ${FACEKIT_GENERATED_DIR}/facekit/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/facekit COMPONENT dev)

install(EXPORT facekitTargets NAMESPACE facekit:: DESTINATION ${FACEKIT_CMAKE_DIR} COMPONENT dev)
set(FACEKIT_SHARED ${BUILD_SHARED_LIBS})
configure_package_config_file(cmake/facekitConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/facekitConfig.cmake
                              INSTALL_DESTINATION ${FACEKIT_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/facekitConfigVersion.cmake
                                 COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/facekitConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/facekitConfigVersion.cmake
        DESTINATION ${FACEKIT_CMAKE_DIR} COMPONENT dev)

# facekit.pc finds its prefix from its own place (${pcfiledir}), so the
# installed tree can be moved.
file(RELATIVE_PATH FACEKIT_PC_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" FACEKIT_PC_TO_PREFIX "${FACEKIT_PC_TO_PREFIX}")
configure_file(cmake/facekit.pc.in ${CMAKE_CURRENT_BINARY_DIR}/facekit.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/facekit.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
