#include "ffmpeg_support.hpp"

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace vsr::video::detail {

void configure_ffmpeg() {
  static std::once_flag once;
  std::call_once(once, [] {
    av_max_alloc(kMaxFfmpegAllocation);
    int level = AV_LOG_FATAL;
    if (const char* env = std::getenv("VSR_FFMPEG_LOG")) {
      const struct {
        const char* name;
        int level;
      } levels[] = {{"quiet", AV_LOG_QUIET},     {"panic", AV_LOG_PANIC},     {"fatal", AV_LOG_FATAL},
                    {"error", AV_LOG_ERROR},     {"warning", AV_LOG_WARNING}, {"info", AV_LOG_INFO},
                    {"verbose", AV_LOG_VERBOSE}, {"debug", AV_LOG_DEBUG}};
      for (const auto& l : levels)
        if (std::strcmp(env, l.name) == 0) level = l.level;
    }
    av_log_set_level(level);
  });
}

}  // namespace vsr::video::detail
