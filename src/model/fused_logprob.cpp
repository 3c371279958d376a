// One autograd node for lm_head + log_softmax + gather (see fused_logprob.hpp).
#include "fused_logprob.hpp"

#include "softmax_rows.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <vector>

namespace vsr::model::detail {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

struct LmHeadLogProb : public torch::autograd::Function<LmHeadLogProb> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& states, const at::Tensor& weight,
                            const at::Tensor& targets, std::int64_t chunk) {
    const std::int64_t rows = states.size(0), V = weight.size(0);
    at::Tensor out = at::empty({rows}, states.options().dtype(at::kFloat));
    at::Tensor lse = at::empty({rows}, states.options().dtype(at::kFloat));
    std::vector<at::Tensor> saved{states, weight, targets, lse};
    for (std::int64_t s = 0; s < rows; s += chunk) {
      const std::int64_t n = std::min(chunk, rows - s);
      const at::Tensor logits = at::mm(states.narrow(0, s, n), weight.t());  // [n, V], float32, kept for backward
      if (logits.is_cpu())
        logsumexp_rows(logits.data_ptr<float>(), n, V, lse.data_ptr<float>() + s);
      else
        lse.narrow(0, s, n).copy_(at::logsumexp(logits, {1}));
      out.narrow(0, s, n).copy_(logits.gather(1, targets.narrow(0, s, n).unsqueeze(1)).squeeze(1) - lse.narrow(0, s, n));
      saved.push_back(logits);
    }
    ctx->save_for_backward(saved);
    ctx->saved_data["chunk"] = chunk;
    return out;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    const at::Tensor& states = saved[0];
    const at::Tensor& weight = saved[1];
    const at::Tensor& targets = saved[2];
    const at::Tensor& lse = saved[3];
    const std::int64_t chunk = ctx->saved_data["chunk"].toInt();
    const at::Tensor g = grad_outputs[0].to(at::kFloat).contiguous();
    const bool want_states = ctx->needs_input_grad(0), want_weight = ctx->needs_input_grad(1);
    at::Tensor g_states = want_states ? at::empty_like(states) : at::Tensor();
    at::Tensor g_weight;  // one buffer for every chunk (no per-chunk [V, H] gradients to add up)
    for (std::size_t c = 4; c < saved.size(); ++c) {
      const std::int64_t s = static_cast<std::int64_t>(c - 4) * chunk;
      at::Tensor g_logits = saved[c];  // the forward's logits, turned into their gradient in place (backward runs once)
      const std::int64_t n = g_logits.size(0);
      // d logp[t] / d logit[j] = onehot(t)[j] - softmax[j]
      if (g_logits.is_cpu()) {
        logprob_grad_rows(g_logits.data_ptr<float>(), n, g_logits.size(1), lse.data_ptr<float>() + s,
                          g.data_ptr<float>() + s, targets.data_ptr<std::int64_t>() + s);
      } else {
        const at::Tensor gc = g.narrow(0, s, n);
        g_logits.sub_(lse.narrow(0, s, n).unsqueeze(1)).exp_().mul_(gc.neg().unsqueeze(1));
        g_logits.scatter_add_(1, targets.narrow(0, s, n).unsqueeze(1), gc.unsqueeze(1));
      }
      if (want_states) {
        at::Tensor rows_out = g_states.narrow(0, s, n);
        at::mm_out(rows_out, g_logits, weight);
      }
      if (want_weight) {
        if (!g_weight.defined())
          g_weight = at::mm(g_logits.t(), states.narrow(0, s, n));
        else
          g_weight.addmm_(g_logits.t(), states.narrow(0, s, n));
      }
      saved[c] = at::Tensor();
    }
    return {g_states, g_weight, at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor fused_token_log_probs(const at::Tensor& states, const at::Tensor& weight, const at::Tensor& targets,
                                 std::int64_t chunk) {
  chunk = std::max<std::int64_t>(1, chunk);
  if (states.scalar_type() != at::kFloat || weight.scalar_type() != at::kFloat) {
    std::vector<at::Tensor> parts;
    for (std::int64_t s = 0; s < states.size(0); s += chunk) {
      const std::int64_t n = std::min(chunk, states.size(0) - s);
      parts.push_back(at::log_softmax(at::linear(states.narrow(0, s, n), weight).to(at::kFloat), -1)
                          .gather(1, targets.narrow(0, s, n).unsqueeze(1))
                          .squeeze(1));
    }
    return parts.empty() ? at::zeros({0}, states.options().dtype(at::kFloat)) : at::cat(parts);
  }
  return LmHeadLogProb::apply(states.contiguous(), weight, targets.to(at::kLong).contiguous(), chunk);
}

}  // namespace vsr::model::detail
