// Table 1: the base model (no training) on VSI-Bench under the three evaluation prompts of section 3: think ("Let's
// think step by step ..."), observe ("Please observe the video first ...") and vanilla.
#include <vsr/prompt/observe.hpp>
#include <vsr/prompt/think.hpp>
#include <vsr/prompt/vanilla.hpp>
#include <vsr/sweep.hpp>

int main(int argc, char** argv) {
  return vsr::evaluate_main<vsr::prompt::Think, vsr::prompt::Observe, vsr::prompt::Vanilla>(argc, argv,
                                                                                            "configs/vsgrpo_2b.ini");
}
