// SceneGraph CoT with GRPO (spatial-vlm-investigator, "Enhancing Spatial Reasoning in Vision-Language Models via
// Chain-of-Thought Prompting and Reinforcement Learning"): the model writes a JSON scene graph of the question's
// objects and relations before its answer; format (the graph must parse) plus accuracy rewards, k3 KL as vsGRPO.
#include <vsr/experiment.hpp>
#include <vsr/kl/k3.hpp>
#include <vsr/prompt/scene_graph.hpp>
#include <vsr/reward/format.hpp>

using Recipe = vsr::Experiment<vsr::algo::Grpo,                                 // vsGRPO's GRPO
                               vsr::prompt::SceneGraph,                         // <scene_graph> then <answer>
                               vsr::reward::Sum<vsr::reward::Format,            // a graph that parses
                                                vsr::reward::Accuracy>,         // the answer
                               vsr::kl::K3>;                                    // kl.beta from the config

int main(int argc, char** argv) { return vsr::main<Recipe>(argc, argv, "configs/vsgrpo_2b.ini"); }
