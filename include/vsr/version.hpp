#pragma once
/// @file
/// The library version (semantic versioning; see CHANGELOG.md).

namespace vsr {
/// vsr's version string.
inline constexpr const char* kVersion = "0.1.0";
}  // namespace vsr
