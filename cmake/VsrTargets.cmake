# Helpers shared by src/, tests/, bench/ and experiments/.

# Sources of one folder of the compiled core. A folder is one idea (core, io, text, model, ...); new files are
# picked up at the next build without editing a list.
function(vsr_glob_sources out)
  set(files)
  foreach(dir IN LISTS ARGN)
    file(GLOB found CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*.cpp")
    list(APPEND files ${found})
  endforeach()
  set(${out} ${files} PARENT_SCOPE)
endfunction()

# Warnings for vsr's own code.
function(vsr_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter -Winvalid-pch)
endfunction()

# Give a torch-using target the shared precompiled header (made once, for the `vsr` core library).
function(vsr_use_torch_pch target)
  if(VSR_USE_PCH)
    target_precompile_headers(${target} REUSE_FROM vsr_pch)
  endif()
endfunction()

# One experiment program per file in experiments/: `vsr_add_experiment(table2_vsgrpo_v)`.
function(vsr_add_experiment name)
  add_executable(${name} ${CMAKE_CURRENT_SOURCE_DIR}/${name}.cpp)
  target_link_libraries(${name} PRIVATE vsr::vsr)
  vsr_use_torch_pch(${name})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/experiments)
  set_property(GLOBAL APPEND PROPERTY VSR_EXPERIMENT_TARGETS ${name})
endfunction()
