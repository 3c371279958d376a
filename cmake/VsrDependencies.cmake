# Every external package vsr builds against. tools/setup.sh installs them on Debian 12.
include(${CMAKE_CURRENT_LIST_DIR}/VsrBaseDependencies.cmake)
find_package(Torch REQUIRED)                      # Debian libtorch-dev 1.13.1 (CPU) or a CUDA LibTorch 2.x via CMAKE_PREFIX_PATH
find_package(OpenMP REQUIRED COMPONENTS CXX)      # g++'s libgomp, the runtime LibTorch's CPU operators use
if(VSR_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(VSR_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
include(CheckLanguage)
if(TORCH_CUDA_LIBRARIES OR TARGET torch_cuda)
  set(VSR_WITH_CUDA ON)
else()
  set(VSR_WITH_CUDA OFF)
endif()
message(STATUS "vsr: LibTorch ${Torch_VERSION}, CUDA ${VSR_WITH_CUDA}")
