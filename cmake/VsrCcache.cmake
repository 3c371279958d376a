# Use ccache when present. With precompiled headers ccache only hits when told to be sloppy about them
# (measured: see ../shared/toolchain-notes.md and docs/build.md).
find_program(VSR_CCACHE ccache)
if(VSR_CCACHE)
  # CCACHE_BASEDIR makes paths relative, so a second clone or build folder reuses the cache.
  set(CMAKE_C_COMPILER_LAUNCHER "${CMAKE_COMMAND};-E;env;CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime;CCACHE_BASEDIR=${PROJECT_SOURCE_DIR};${VSR_CCACHE}")
  set(CMAKE_CXX_COMPILER_LAUNCHER "${CMAKE_C_COMPILER_LAUNCHER}")
  message(STATUS "vsr: compiling through ccache (${VSR_CCACHE})")
endif()
