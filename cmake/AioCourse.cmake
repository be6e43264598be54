# How one chapter becomes targets. Everything is found by folder and file name
# (tools/README.md), so a new chapter needs no edit here.

# Warnings: high for everyone; errors only for the reference code when AIO_WERROR is on.
set(AIO_WARNINGS -Wall -Wextra -Wpedantic)
# A starter is full of stubs: their unused parameters are expected, not a student's mistake.
set(AIO_STARTER_WARNINGS -Wno-unused-parameter -Wno-unused-variable -Wno-unused-function
    $<$<CXX_COMPILER_ID:Clang>:-Wno-unused-private-field>)

# True when chapter NUMBER (an integer) builds from the student's code.
function(aio_is_mine number out)
  set(mine OFF)
  if(AIO_MINE STREQUAL "all")
    set(mine ON)
  else()
    foreach(n IN LISTS AIO_MINE)
      if(n EQUAL number)
        set(mine ON)
      endif()
    endforeach()
  endif()
  set(${out} ${mine} PARENT_SCOPE)
endfunction()

# aio_add_chapter(NN-topic previous_target): library aio_chNN, its tests, examples, benchmarks.
# Sets AIO_LAST_CHAPTER_TARGET in the caller.
function(aio_add_chapter dir previous)
  string(SUBSTRING ${dir} 0 2 nn)
  math(EXPR number "${nn}")
  set(lib aio_ch${nn})
  aio_is_mine(${number} mine)
  if(mine)
    set(root ${AIO_STUDENT_ROOT}/${dir})
    message(STATUS "chapter ${nn}: the student's code (${root})")
  else()
    set(root ${PROJECT_SOURCE_DIR}/solutions/${dir})
  endif()

  file(GLOB sources CONFIGURE_DEPENDS ${root}/src/*.cpp)
  if(sources)
    add_library(${lib} STATIC ${sources})
    set(scope PUBLIC)
  else()
    add_library(${lib} INTERFACE)
    set(scope INTERFACE)
  endif()
  add_library(aio::ch${nn} ALIAS ${lib})
  target_include_directories(${lib} ${scope} ${root}/include)
  # fmt is linked by the chapters that use it, so that a linker dropping unused libraries
  # (Debian's --as-needed) still finds it after them.
  target_link_libraries(${lib} ${scope} ${previous} fmt::fmt)
  target_compile_options(${lib} ${scope} ${AIO_WARNINGS})
  if(mine)
    target_compile_options(${lib} ${scope} ${AIO_STARTER_WARNINGS})
  elseif(AIO_WERROR)
    target_compile_options(${lib} ${scope} -Werror)
  endif()

  aio_add_examples(${dir} ${lib})
  aio_add_tests(${dir} ${nn} ${lib})
  if(AIO_BUILD_BENCHMARKS)
    aio_add_benchmarks(${dir} ${nn} ${lib})
  endif()
  set(AIO_LAST_CHAPTER_TARGET ${lib} PARENT_SCOPE)
endfunction()

# Examples are not exercises: they live in chapters/ and build against the chosen library.
function(aio_add_examples dir lib)
  file(GLOB examples CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/chapters/${dir}/examples/*.cpp)
  foreach(source IN LISTS examples)
    get_filename_component(name ${source} NAME_WLE)
    add_executable(${name} ${source})
    target_link_libraries(${name} PRIVATE ${lib} fmt::fmt)
    set_property(GLOBAL APPEND PROPERTY AIO_EXAMPLES ${name})
  endforeach()
endfunction()

# tests/NN-topic/exN.E_what_test.cpp: labels chNN and exN.E; other *_test.cpp: label chNN.
function(aio_add_tests dir nn lib)
  if(NOT BUILD_TESTING)
    return()
  endif()
  file(GLOB tests CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/${dir}/*_test.cpp)
  get_property(examples GLOBAL PROPERTY AIO_EXAMPLES)
  foreach(source IN LISTS tests)
    get_filename_component(name ${source} NAME_WLE)
    set(labels ch${nn})
    if(name MATCHES "^ex([0-9]+\\.[0-9]+)_")
      list(APPEND labels ex${CMAKE_MATCH_1})
    endif()
    set(target ch${nn}_${name})
    add_executable(${target} ${source})
    target_link_libraries(${target} PRIVATE ${lib} aio_test_support GTest::gtest_main)
    target_precompile_headers(${target} REUSE_FROM aio_test_pch)
    # Tests of examples run the example programs, found here.
    target_compile_definitions(${target} PRIVATE AIO_BIN_DIR="${PROJECT_BINARY_DIR}/bin")
    if(examples)
      add_dependencies(${target} ${examples})
    endif()
    # PRE_TEST: list the tests when ctest runs, so a build against stubs never runs them.
    # NO_PRETTY_VALUES: a parametrised test keeps the name its instantiation gives it, without
    # the printed parameter (which may hold addresses that change from build to build).
    gtest_discover_tests(${target} DISCOVERY_MODE PRE_TEST TEST_LIST ${target}_TESTS
                         NO_PRETTY_VALUES)
    # Labels are a list, and gtest_discover_tests(PROPERTIES) flattens lists: set them from a
    # script that CTest includes after the discovered tests are known.
    set(properties ${CMAKE_CURRENT_BINARY_DIR}/${target}_properties.cmake)
    file(WRITE ${properties} "if(${target}_TESTS)\n"
                             "  set_tests_properties(\${${target}_TESTS} PROPERTIES "
                             "LABELS \"${labels}\" TIMEOUT ${AIO_TEST_TIMEOUT})\n"
                             "endif()\n")
    set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${properties})
  endforeach()
endfunction()

# bench/NN-topic/what_bench.cpp -> bin/bench_chNN_what
function(aio_add_benchmarks dir nn lib)
  file(GLOB benches CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/bench/${dir}/*_bench.cpp)
  foreach(source IN LISTS benches)
    get_filename_component(name ${source} NAME_WLE)
    string(REGEX REPLACE "_bench$" "" name ${name})
    set(target bench_ch${nn}_${name})
    add_executable(${target} ${source})
    target_link_libraries(${target} PRIVATE ${lib} benchmark::benchmark fmt::fmt)
  endforeach()
endfunction()
