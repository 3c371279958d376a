#pragma once
/// @file
/// SHA-256 (FIPS 180-4), for checksums that must equal Python's hashlib.sha256 (e.g. `vsr perf tokenize`'s
/// ids_sha256, the reference kit's token-id checksum).

#include <cstddef>
#include <cstdint>
#include <string>

namespace vsr {

/// Incremental SHA-256: update() any number of times, then hex_digest() (64 lower-case hex digits).
class Sha256 {
 public:
  /// An empty hash.
  Sha256();
  /// Appends bytes.
  void update(const void* data, std::size_t size);
  /// The digest of everything appended (the object must not be updated afterwards).
  std::string hex_digest();

 private:
  void block(const std::uint8_t* p);
  std::uint32_t h_[8];
  std::uint8_t buf_[64];
  std::size_t used_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace vsr
