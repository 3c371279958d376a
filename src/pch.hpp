// The precompiled header shared by every torch translation unit (see cmake/VsrTargets.cmake). Private to the
// build: public headers never include <torch/torch.h>.
#pragma once
#include <torch/torch.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>
