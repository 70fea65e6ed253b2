# cmake -DEXE=<faceatlas> -DEXPECTED="faceatlas x.y.z" -P check_version.cmake
execute_process(COMMAND ${EXE} --version OUTPUT_VARIABLE out ERROR_VARIABLE err
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "faceatlas --version exited ${rc}: ${err}")
endif()
if(NOT out STREQUAL "${EXPECTED}\n")
  message(FATAL_ERROR "faceatlas --version printed [${out}], expected [${EXPECTED}\\n]")
endif()
if(NOT err STREQUAL "")
  message(FATAL_ERROR "faceatlas --version wrote to stderr: [${err}]")
endif()
message(STATUS "faceatlas --version: [${EXPECTED}\\n]")
