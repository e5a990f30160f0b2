# The Python module `facekit` (python/*.cc, pybind11) in build/python, and its
# pytest suite (tests/python) in ctest. Optional: without pybind11 the rest
# builds as before.
#
# Debian's python3-pybind11, python3-numpy and python3-pytest are installed
# for /usr/bin/python3, so it is the interpreter unless another is named with
# -DPython_EXECUTABLE=... (a python3 earlier on the PATH, such as a pyenv
# shim, would lack them).
if(FACEKIT_SANITIZE OR FACEKIT_FUZZ)
  message(STATUS "Python module: not built under the sanitizers (python3 would need their runtime preloaded)")
  return()
endif()
if(NOT DEFINED Python_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python_EXECUTABLE /usr/bin/python3)
endif()
find_package(Python COMPONENTS Interpreter Development.Module)
set(PYBIND11_FINDPYTHON ON)
find_package(pybind11 CONFIG QUIET)
if(NOT Python_FOUND OR NOT pybind11_FOUND)
  message(STATUS "Python module: not built (needs pybind11-dev and python3-dev: scripts/setup.sh installs them)")
  return()
endif()

file(GLOB python_srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/python/*.cc)
# NO_EXTRAS: no link-time optimisation (GCC 12 warns falsely inside std::string under it).
pybind11_add_module(facekit_python NO_EXTRAS ${python_srcs})
set_target_properties(facekit_python PROPERTIES OUTPUT_NAME facekit
                                                LIBRARY_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/python)
target_link_libraries(facekit_python PRIVATE facekit opencv_imgproc)

if(FACEKIT_TESTS)
  execute_process(COMMAND ${Python_EXECUTABLE} -c "import numpy, pytest" RESULT_VARIABLE python_test_modules_missing
                  OUTPUT_QUIET ERROR_QUIET)
  if(python_test_modules_missing)
    message(STATUS "Python module: tests not run (needs python3-numpy and python3-pytest)")
    return()
  endif()
  # Against the CLI's --json output, so the CLI is built first by `make test`.
  add_test(NAME python_bindings
           COMMAND ${Python_EXECUTABLE} -m pytest -q -p no:cacheprovider ${CMAKE_CURRENT_SOURCE_DIR}/tests/python)
  set_tests_properties(python_bindings PROPERTIES
    ENVIRONMENT "PYTHONPATH=${CMAKE_CURRENT_BINARY_DIR}/python;FACEKIT_CLI=$<TARGET_FILE:facekit_cli>"
    SKIP_RETURN_CODE 77 COST 27)  # seconds: started early (CMakeLists.txt, long_tests)
endif()
