# The packages of vsr's torch-free libraries (vsr_base, vsr_geometry). Shared by the main build and the fuzz build.
find_package(Boost 1.74 REQUIRED COMPONENTS program_options filesystem)
find_package(fmt REQUIRED)
find_package(range-v3 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(HDF5 REQUIRED COMPONENTS C CXX)
find_package(PkgConfig REQUIRED)
pkg_check_modules(FFMPEG REQUIRED IMPORTED_TARGET libavformat libavcodec libavutil libswscale)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
find_package(CGAL REQUIRED)                       # alpha shapes of room floors (src/geometry only)
find_package(ZLIB REQUIRED)                       # depth frames of ScanNet's .sens files
find_package(Threads REQUIRED)
