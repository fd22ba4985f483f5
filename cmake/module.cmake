# driftway_module(<name> SOURCES ... DEPS ...)
# One folder, one library target driftway::<name>, public headers under
# src/<name>/include/driftway/<name>/.
function(driftway_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(driftway_${name} STATIC ${ARG_SOURCES})
  add_library(driftway::${name} ALIAS driftway_${name})
  target_include_directories(driftway_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(driftway_${name} PUBLIC ${ARG_DEPS} PRIVATE driftway_warnings ${ARG_PRIVATE_DEPS})
endfunction()

# driftway_unit_test(<module> SOURCES ... DEPS ...): one GoogleTest binary per module.
function(driftway_unit_test module)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(unit_${module} ${ARG_SOURCES})
  target_link_libraries(unit_${module} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main driftway_warnings)
  gtest_discover_tests(unit_${module} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
  if(NOT TARGET unit_tests)
    add_custom_target(unit_tests)
  endif()
  add_dependencies(unit_tests unit_${module})
endfunction()
