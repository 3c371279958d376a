#pragma once
/// @file
/// The scene-graph prompt mode (SceneGraph CoT of spatial-vlm-investigator; Compositional CoT, arXiv 2311.17076):
/// the model first writes a scene graph of the objects the question involves and their relations as JSON in
/// <scene_graph></scene_graph>, then answers in <answer></answer>. Its format check (eval/scene_graph.hpp) requires
/// the graph to parse, so a format reward pays only for a structured graph, not for free text in the tags.

#include "vsr/data/sample.hpp"
#include "vsr/eval/answer_format.hpp"
#include "vsr/eval/scene_graph.hpp"
#include "vsr/prompt/rationale.hpp"
#include "vsr/prompt/stage.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace vsr::prompt {

/// Scene-graph mode: `<scene_graph>{"objects": [...], "relationships": [[s, r, o], ...]}</scene_graph>` then
/// `<answer>...</answer>`.
struct SceneGraph {
  static constexpr std::string_view kName = "scene_graph";
  static constexpr bool kHasFormat = true;  ///< outputs have a checkable format, so a format reward applies
  /// Training instruction.
  static constexpr std::string_view kTrain =
      "First write a scene graph of the video as JSON in <scene_graph> </scene_graph> tags: \"objects\", the objects "
      "the question involves, and \"relationships\", a list of [subject, relation, object] triples between them; "
      "then provide the short answer with one or two words or a number in <answer> </answer>.";
  /// Evaluation instruction (the same request: the graph is the method, not a training device).
  static constexpr std::string_view kEval = kTrain;

  /// The text appended to the question.
  std::string instruction(const data::Sample&, Stage stage = Stage::Train) const {
    return std::string(stage == Stage::Train ? kTrain : kEval);
  }
  /// `answer` in this mode's format, the supervised target of `[sft] target = formatted`: a graph of the question's
  /// objects (`meta.categories`; "scene" when the record names none) without relations, then the answer.
  std::string formatted(const data::Sample& s, std::string_view answer) const {
    eval::SceneGraph graph;
    if (const auto cats = s.meta.find("categories"); cats != s.meta.end() && cats->is_array())
      for (const auto& c : *cats)
        if (c.is_string()) graph.objects.push_back(c.get<std::string>());
    if (graph.objects.empty()) graph.objects.push_back("scene");
    return tagged_output("scene_graph", eval::to_json(graph), answer);
  }
  /// The trimmed content of the first <answer></answer>, or nullopt.
  std::optional<std::string> extract_answer(std::string_view output) const {
    const auto a = eval::tag_content(output, "answer");
    return a ? std::optional<std::string>(eval::trim(*a)) : std::nullopt;
  }
  /// Whether the output is `<scene_graph>G</scene_graph>\s*<answer>...</answer>` with G a valid scene graph.
  bool format_ok(std::string_view output) const { return eval::scene_graph_format_ok(output); }
};

}  // namespace vsr::prompt
