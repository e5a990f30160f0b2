# Debian packages (`cd build && cpack -G DEB`):
#   facekit_<version>_amd64.deb        libfacekit.so.1 and the facekit binary
#   facekit-dev_<version>_amd64.deb    headers, libfacekit.so, CMake package, facekit.pc
#   facekit-train_<version>_amd64.deb  facekit-train (libtorch), so that facekit
#                                      itself does not pull libtorch in
# Depends: from dpkg-shlibdeps for the binaries; by hand for -dev (the
# packages whose headers facekit's public headers include).
set(CPACK_PACKAGE_NAME facekit)
set(CPACK_PACKAGE_VENDOR facekit)
set(CPACK_PACKAGE_CONTACT "facekit maintainers <facekit@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "face detection, alignment, recognition and analysis")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime train dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME facekit)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "face recognition engine: library and command-line tool
 libfacekit and `facekit`: detection, alignment, embeddings, verification,
 identification (SQLite or PostgreSQL galleries), analysis and photometric
 stereo. Models are installed per user with `facekit models install`.")
set(CPACK_DEBIAN_TRAIN_PACKAGE_NAME facekit-train)
set(CPACK_DEBIAN_TRAIN_DESCRIPTION "face recognition engine: training (libtorch)
 facekit-train, run by `facekit train`: trains a recognizer and exports ONNX.")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME facekit-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libopencv-dev, nlohmann-json3-dev")
set(CPACK_DEBIAN_DEV_DESCRIPTION "face recognition engine: development files
 Headers, the CMake package (find_package(facekit)) and facekit.pc.")
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)

# The packages hold what `make package` (or `make test`) built: cpack does not
# build everything again first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
include(CPack)
cpack_add_component(runtime DISPLAY_NAME "facekit")
cpack_add_component(train DISPLAY_NAME "facekit-train" DEPENDS runtime)
cpack_add_component(dev DISPLAY_NAME "facekit-dev" DEPENDS runtime)
