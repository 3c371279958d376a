#pragma once
/// @file
/// Which prompt set a prompt mode renders: the paper trains with one instruction per mode (section 4.2) and
/// evaluates the base model with another (section 3, Table 1).

namespace vsr::prompt {

/// Training prompts (vsGRPO section 4.2) or evaluation prompts (section 3, Table 1).
enum class Stage { Train, Eval };

}  // namespace vsr::prompt
