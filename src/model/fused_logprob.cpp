// One autograd node for lm_head + log_softmax + gather (see fused_logprob.hpp).
#include "fused_logprob.hpp"

#include <torch/torch.h>

namespace vsr::model::detail {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

struct LmHeadLogProb : public torch::autograd::Function<LmHeadLogProb> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& states, const at::Tensor& weight,
                            const at::Tensor& targets) {
    at::Tensor lsm = at::mm(states, weight.t());           // logits [M, V], float32
    at::_log_softmax_out(lsm, lsm, 1, /*half_to_float=*/false);  // in place: log_softmax over the vocabulary
    const at::Tensor out = lsm.gather(1, targets.unsqueeze(1)).squeeze(1);
    ctx->save_for_backward({states, weight, targets, lsm});
    return out;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& states = saved[0];
    const at::Tensor& weight = saved[1];
    const at::Tensor& targets = saved[2];
    at::Tensor g_logits = saved[3];  // the forward's log-softmax, reused in place (backward runs once)
    const at::Tensor g = grad_outputs[0].contiguous();
    // d logp[t] / d logit[j] = onehot(t)[j] - softmax[j]
    g_logits.exp_().mul_(g.neg().unsqueeze(1));
    g_logits.scatter_add_(1, targets.unsqueeze(1), g.unsqueeze(1));
    at::Tensor g_states, g_weight;
    if (ctx->needs_input_grad(0)) g_states = at::mm(g_logits, weight);
    if (ctx->needs_input_grad(1)) g_weight = at::mm(g_logits.t(), states);
    return {g_states, g_weight, at::Tensor()};
  }
};

}  // namespace

at::Tensor fused_token_log_probs(const at::Tensor& states, const at::Tensor& weight, const at::Tensor& targets) {
  if (states.scalar_type() != at::kFloat || weight.scalar_type() != at::kFloat)
    return at::log_softmax(at::linear(states, weight).to(at::kFloat), -1).gather(1, targets.unsqueeze(1)).squeeze(1);
  return LmHeadLogProb::apply(states, weight, targets);
}

}  // namespace vsr::model::detail
