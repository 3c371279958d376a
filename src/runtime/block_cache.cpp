// A CPU allocator that keeps large freed blocks for reuse (see cache_large_cpu_blocks in vsr/runtime/runtime.hpp).
#include "vsr/runtime/runtime.hpp"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

namespace vsr {

namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

/// Blocks of at least `min_bytes` are whole 2 MB pages from mmap (transparent huge pages asked for), kept after
/// free up to `cap_bytes` in all and handed out again for a request of the same rounded size; smaller requests go
/// to the allocator that was installed before.
class BlockCacheAllocator final : public c10::Allocator {
 public:
  BlockCacheAllocator(c10::Allocator* fallback, std::size_t min_bytes, std::size_t cap_bytes)
      : fallback_(fallback), min_bytes_(min_bytes), cap_bytes_(cap_bytes) {}

  c10::DataPtr allocate(std::size_t n) const override {
    if (n < min_bytes_) return fallback_->allocate(n);
    const std::size_t size = (n + kHugePage - 1) / kHugePage * kHugePage;
    void* p = take(size);
    if (!p) p = map_block(size);
    if (!p) return fallback_->allocate(n);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      live_[p] = size;
    }
    return {p, p, &release, c10::Device(c10::DeviceType::CPU)};
  }

  /// For raw_allocate / raw_deallocate users: frees a block of either kind (this cache's or the fallback's).
  c10::DeleterFnPtr raw_deleter() const override { return &release; }

  /// LibTorch 2.3+ declares this pure virtual (no `override` here, so 1.13, which lacks it, builds too).
  void copy_data(void* dest, const void* src, std::size_t count) const { std::memcpy(dest, src, count); }

  static BlockCacheAllocator* instance;

 private:
  static void release(void* p) { instance->give_back(p); }

  void* take(std::size_t size) const {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = free_.find(size);
    if (it == free_.end()) return nullptr;
    void* p = it->second;
    free_.erase(it);
    cached_bytes_ -= size;
    return p;
  }

  void give_back(void* p) const {
    std::size_t size = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      const auto it = live_.find(p);
      if (it == live_.end()) {
        if (const c10::DeleterFnPtr other = fallback_->raw_deleter()) other(p);
        return;
      }
      size = it->second;
      live_.erase(it);
      if (cached_bytes_ + size <= cap_bytes_) {
        free_.emplace(size, p);
        cached_bytes_ += size;
        return;
      }
    }
    munmap(p, size);
  }

  /// `size` bytes (a multiple of 2 MB) at a 2 MB boundary, so the kernel can back them with huge pages.
  static void* map_block(std::size_t size) {
    void* raw = mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return nullptr;
    const auto base = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = (base + kHugePage - 1) / kHugePage * kHugePage;
    if (aligned > base) munmap(raw, aligned - base);
    const std::uintptr_t end = base + size + kHugePage;
    if (end > aligned + size) munmap(reinterpret_cast<void*>(aligned + size), end - (aligned + size));
    void* p = reinterpret_cast<void*>(aligned);
#ifdef MADV_HUGEPAGE
    madvise(p, size, MADV_HUGEPAGE);
#endif
    return p;
  }

  c10::Allocator* fallback_;
  std::size_t min_bytes_, cap_bytes_;
  mutable std::mutex mutex_;
  mutable std::multimap<std::size_t, void*> free_;
  mutable std::unordered_map<void*, std::size_t> live_;
  mutable std::size_t cached_bytes_ = 0;
};

BlockCacheAllocator* BlockCacheAllocator::instance = nullptr;

std::size_t default_cap_bytes() {
  if (const char* env = std::getenv("VSR_CPU_BLOCK_CACHE_MB")) return std::strtoull(env, nullptr, 10) << 20;
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  const std::size_t ram = pages > 0 && page > 0 ? std::size_t(pages) * std::size_t(page) : std::size_t{8} << 30;
  return std::min<std::size_t>(ram / 4, std::size_t{4} << 30);
}

}  // namespace

void cache_large_cpu_blocks() {
  static std::once_flag once;
  std::call_once(once, [] {
    const std::size_t cap = default_cap_bytes();
    if (cap == 0) return;
    // Leaked on purpose: tensors freed during static destruction still reach it.
    BlockCacheAllocator::instance = new BlockCacheAllocator(c10::GetCPUAllocator(), std::size_t{4} << 20, cap);
    c10::SetCPUAllocator(BlockCacheAllocator::instance, /*priority=*/1);
  });
}

}  // namespace vsr
