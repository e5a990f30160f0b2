# libfacekit: the objects of every part (facekit_component without
# OUTSIDE_LIBRARY), linked once into one library so that a user links
# -lfacekit. The parts stay static libraries for the tests, which link only the
# part they test.
get_property(facekit_parts GLOBAL PROPERTY FACEKIT_LIBRARY_PARTS)
get_property(facekit_dependencies GLOBAL PROPERTY FACEKIT_LIBRARY_DEPENDENCIES)
list(REMOVE_DUPLICATES facekit_dependencies)

add_library(facekit)
foreach(part ${facekit_parts})
  target_sources(facekit PRIVATE $<TARGET_OBJECTS:${part}>)
endforeach()
set_target_properties(facekit PROPERTIES LINKER_LANGUAGE CXX
                                         VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
# The public headers include OpenCV's core and nlohmann/json; everything else
# is the library's own business.
target_link_libraries(facekit PUBLIC nlohmann_json::nlohmann_json opencv_core PRIVATE ${facekit_dependencies})
target_include_directories(facekit PUBLIC $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
                                          $<BUILD_INTERFACE:${FACEKIT_GENERATED_DIR}>
                                          $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_include_directories(facekit SYSTEM PUBLIC $<BUILD_INTERFACE:${OpenCV_INCLUDE_DIRS}>)
if(BUILD_SHARED_LIBS)
  # Only facekit::* C++ symbols are exported (cmake/facekit.map): the copies
  # of third-party code inside (hnswlib, flatbuffers, template instances of
  # the standard library) stay private, and a missing dependency is a link
  # error here rather than in the user's program.
  set(facekit_map ${CMAKE_CURRENT_SOURCE_DIR}/cmake/facekit.map)
  target_link_options(facekit PRIVATE -Wl,--version-script=${facekit_map})
  if(NOT FACEKIT_SANITIZE)  # the sanitizers' runtime is the program's
    target_link_options(facekit PRIVATE -Wl,--no-undefined)
  endif()
  set_property(TARGET facekit APPEND PROPERTY LINK_DEPENDS ${facekit_map})
endif()
add_library(facekit::facekit ALIAS facekit)

# The project's own programs that reach into src/ (tests, benchmarks, the CLI):
# libfacekit plus what the parts' private headers need. Linked to the shared
# library they link in a fraction of the time a static link of the parts
# takes, and a change inside the library relinks only the library.
add_library(facekit_inside INTERFACE)
target_link_libraries(facekit_inside INTERFACE facekit ${facekit_dependencies})
target_include_directories(facekit_inside INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/src ${HNSWLIB_INCLUDE_DIR})
