#pragma once
/// @file
/// The scene graph of SceneGraph CoT (spatial-vlm-investigator, "Enhancing Spatial Reasoning in Vision-Language
/// Models via Chain-of-Thought Prompting and Reinforcement Learning"; after Compositional CoT, Mitra et al. 2024,
/// arXiv 2311.17076): before answering, the model writes the objects the question involves and the relations between
/// them as JSON, `{"objects": ["chair", ...], "relationships": [["chair", "left of", "table"], ...]}`, inside
/// `<scene_graph></scene_graph>`, then the answer inside `<answer></answer>`. Torch-free.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vsr::eval {

/// A parsed scene graph.
struct SceneGraph {
  std::vector<std::string> objects;                         ///< object names (an object may be {"name": ...})
  std::vector<std::array<std::string, 3>> relationships;    ///< (subject, relation, object) triples
};

/// The scene graph in `json` when it is a JSON object with a non-empty "objects" array of names (strings, or
/// objects with a string "name") and a "relationships" array of [subject, relation, object] string triples (may be
/// empty); nullopt otherwise.
std::optional<SceneGraph> parse_scene_graph(std::string_view json);

/// Whether the whole output is `<scene_graph>G</scene_graph>\s*<answer>...</answer>` with G a scene graph that
/// parse_scene_graph accepts: the format rule of the scene-graph prompt mode (its format reward).
bool scene_graph_format_ok(std::string_view output);

/// The JSON text of a scene graph (compact, the objects and the triples in order).
std::string to_json(const SceneGraph& graph);

}  // namespace vsr::eval
