#pragma once
/// @file
/// The Qwen2-VL configuration type the model reads: the typed `config.json` of vsr::io (include/vsr/io/hf_config.hpp,
/// transformers 4.45.1 Qwen2VLConfig defaults).

#include "vsr/io/hf_config.hpp"

namespace vsr::model {

/// The configuration of a Qwen2-VL checkpoint (vsr::io::Qwen2VLConfig).
using Qwen2VLConfig = io::Qwen2VLConfig;

}  // namespace vsr::model
