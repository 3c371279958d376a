// SceneGraph CoT's scene graph: parsing, the output format rule, JSON text.
#include "vsr/eval/scene_graph.hpp"

#include "vsr/eval/answer_format.hpp"

#include <nlohmann/json.hpp>

namespace vsr::eval {

std::optional<SceneGraph> parse_scene_graph(std::string_view json) {
  const auto j = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  const auto objects = j.find("objects"), relations = j.find("relationships");
  if (objects == j.end() || !objects->is_array() || objects->empty()) return std::nullopt;
  if (relations == j.end() || !relations->is_array()) return std::nullopt;
  SceneGraph graph;
  for (const auto& o : *objects) {
    if (o.is_string()) {
      graph.objects.push_back(o.get<std::string>());
    } else if (o.is_object() && o.contains("name") && o["name"].is_string()) {
      graph.objects.push_back(o["name"].get<std::string>());
    } else {
      return std::nullopt;
    }
  }
  for (const auto& r : *relations) {
    if (!r.is_array() || r.size() != 3) return std::nullopt;
    std::array<std::string, 3> triple;
    for (std::size_t i = 0; i < 3; ++i) {
      if (!r[i].is_string()) return std::nullopt;
      triple[i] = r[i].get<std::string>();
    }
    graph.relationships.push_back(std::move(triple));
  }
  return graph;
}

bool scene_graph_format_ok(std::string_view output) {
  if (!tagged_format_ok(output, "scene_graph")) return false;
  const auto graph = tag_content(output, "scene_graph");
  if (!graph || !parse_scene_graph(*graph)) return false;
  // The graph that parsed must be the one the answer follows: only white space between its closing tag and <answer>.
  std::size_t q = static_cast<std::size_t>(graph->data() - output.data()) + graph->size() + 14;  // "</scene_graph>"
  while (q < output.size() && (output[q] == ' ' || output[q] == '\t' || output[q] == '\n' || output[q] == '\r' ||
                               output[q] == '\f' || output[q] == '\v'))
    ++q;
  return output.substr(q).starts_with("<answer>");
}

std::string to_json(const SceneGraph& graph) {
  nlohmann::json j{{"objects", graph.objects}, {"relationships", nlohmann::json::array()}};
  for (const auto& t : graph.relationships) j["relationships"].push_back({t[0], t[1], t[2]});
  return j.dump();
}

}  // namespace vsr::eval
