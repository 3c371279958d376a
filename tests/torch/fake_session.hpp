#pragma once
// A fake trainer core for millisecond tests of an algorithm's step logic: it models train::Session's interface (the
// members the Steps classes call) around a toy policy over a tiny vocabulary, so GrpoSteps<...>::step and
// SftSteps<...>::step run their real glue (rollouts, rewards, group filters, advantages, masks, loss shares, the
// update) without a model, a tokenizer or a video.
//
// The toy policy: one row of logits per question and completion position, theta [Q, T, V] (T = max_new_tokens);
// tokens 0 .. V-2 are the digits "0" .. "V-2", token V-1 is the stop token. A prompt is the one token q (the
// question's index in `questions`); completion token t is sampled from softmax(theta[q, t]) until the stop token or
// T tokens. log pi(o_t) = log_softmax(theta[q, t])[o_t] (no dependence on earlier tokens), the reference policy is
// theta at construction, and the update is plain SGD theta -= lr * grad (no clipping, no momentum), so one step's
// change can be computed by hand.
#include "vsr/core/run_dir.hpp"
#include "vsr/data/sample.hpp"
#include "vsr/model/sampler.hpp"
#include "vsr/model/sample_encoder.hpp"
#include "vsr/train/distributed.hpp"
#include "vsr/train/options.hpp"
#include "vsr/train/session.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <span>
#include <string>
#include <vector>

namespace vsr::test {

/// The fake's stand-in for model::SampleEncoder: rows "prompt + completion" of token ids.
class FakeEncoder {
 public:
  /// `stop`: the stop (and padding) token; `questions`: the session's questions (a prompt is the question's index).
  FakeEncoder(std::int64_t stop, const std::vector<data::Sample>* questions) : stop_(stop), questions_(questions) {}
  /// The prompt of `sample` (one of the session's questions); the text is ignored.
  model::MultimodalInputs prompt(const data::Sample& sample, std::string_view) const {
    return prompt_of(static_cast<std::int64_t>(&sample - questions_->data()));
  }
  /// The prompt of question `q`: the one token q.
  model::MultimodalInputs prompt_of(std::int64_t q) const {
    model::MultimodalInputs in;
    in.input_ids = at::full({1, 1}, q, at::kLong);
    in.attention_mask = at::ones({1, 1}, at::kLong);
    return in;
  }
  /// As model::SampleEncoder::with_completions: rows right-padded with the stop token, mask 1 on completion tokens.
  model::CompletionBatch with_completions(const model::MultimodalInputs& prompt,
                                          std::span<const std::vector<std::int64_t>> completions) const {
    std::size_t longest = 0;
    for (const auto& c : completions) longest = std::max(longest, c.size());
    const auto b = static_cast<std::int64_t>(completions.size());
    const std::int64_t p = prompt.input_ids.size(1), l = p + static_cast<std::int64_t>(longest);
    at::Tensor ids = at::full({b, l}, stop_, at::kLong), mask = at::zeros({b, l}, at::kFloat);
    for (std::int64_t r = 0; r < b; ++r) {
      ids[r].narrow(0, 0, p).copy_(prompt.input_ids[0]);
      const auto& c = completions[static_cast<std::size_t>(r)];
      for (std::size_t t = 0; t < c.size(); ++t) {
        ids[r][p + static_cast<std::int64_t>(t)] = c[t];
        mask[r][p + static_cast<std::int64_t>(t)] = 1.0f;
      }
    }
    model::CompletionBatch out;
    out.inputs.input_ids = ids;
    out.inputs.attention_mask = (mask.sum(1, true) >= 0).to(at::kLong).expand({b, l}).contiguous();
    out.mask = mask;
    out.prompt_length = p;
    return out;
  }
  /// As model::SampleEncoder::stack.
  model::CompletionBatch stack(std::span<const model::CompletionBatch> batches) const {
    std::int64_t longest = 0;
    for (const auto& b : batches) longest = std::max(longest, b.inputs.input_ids.size(1));
    std::vector<at::Tensor> ids, attention, mask;
    for (const auto& b : batches) {
      const std::int64_t pad = longest - b.inputs.input_ids.size(1);
      ids.push_back(at::constant_pad_nd(b.inputs.input_ids, {0, pad}, static_cast<double>(stop_)));
      attention.push_back(at::constant_pad_nd(b.inputs.attention_mask, {0, pad}, 0));
      mask.push_back(at::constant_pad_nd(b.mask, {0, pad}, 0));
    }
    model::CompletionBatch out;
    out.inputs.input_ids = at::cat(ids);
    out.inputs.attention_mask = at::cat(attention);
    out.mask = at::cat(mask);
    out.prompt_length = batches[0].prompt_length;
    return out;
  }
  /// The answer "digits" as tokens, then the stop token (SFT targets).
  std::vector<std::int64_t> answer_ids(std::string_view answer) const {
    std::vector<std::int64_t> ids;
    for (char c : answer) ids.push_back(c - '0');
    ids.push_back(stop_);
    return ids;
  }

 private:
  std::int64_t stop_;
  const std::vector<data::Sample>* questions_;
};

/// The fake trainer core (see the file comment).
class FakeSession {
 public:
  /// A toy policy for `questions` over `vocab` tokens (vocab - 1 digits and the stop token), all logits `init`,
  /// sampling at most `max_new_tokens` tokens, SGD at `lr`; `batch_size` questions per micro-batch, `grad_accum`
  /// micro-batches per step; `seed` for the sampling.
  FakeSession(std::vector<data::Sample> questions, std::int64_t vocab, std::int64_t max_new_tokens, double lr,
              std::int64_t batch_size, std::int64_t grad_accum, std::uint64_t seed, const std::filesystem::path& run)
      : questions_(std::move(questions)), vocab_(vocab), max_new_tokens_(max_new_tokens), encoder_(vocab - 1, &questions_),
        run_dir_(run) {
    theta_ = at::zeros({static_cast<std::int64_t>(questions_.size()), max_new_tokens, vocab}, at::kDouble)
                 .requires_grad_(true);
    reference_ = theta_.detach().clone();
    options_.lr = lr;
    options_.batch_size = batch_size;
    options_.grad_accum = grad_accum;
    generator_ = model::make_generator(seed, at::kCPU);
  }

  FakeSession(const FakeSession&) = delete;             ///< the encoder points at this session's questions
  FakeSession& operator=(const FakeSession&) = delete;  ///< see above

  /// Optimizer steps taken (train::Session::step).
  std::int64_t step() const { return step_; }
  /// lr, batch_size and grad_accum as given (train::Session::options).
  const train::TrainOptions& options() const { return options_; }
  /// The run folder (rollouts.jsonl goes here).
  const RunDir& run_dir() const { return run_dir_; }
  /// The fake encoder.
  const FakeEncoder& encoder() const { return encoder_; }
  /// A single process.
  const train::Distributed& distributed() const { return dist_; }
  /// Always rank 0.
  bool is_main() const { return true; }
  /// 1: one process holds the whole loss.
  double global_share(double) const { return 1.0; }
  /// `v` itself: one process.
  std::vector<double> global_max(std::vector<double> v) const { return v; }
  /// Restarts the step timer.
  void start_step_timer() { start_ = std::chrono::steady_clock::now(); }
  /// Seconds since start_step_timer().
  double seconds_since_step_start() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

  /// The next `batch_size` questions, in order, cycling.
  std::vector<const data::Sample*> next_batch() {
    std::vector<const data::Sample*> out;
    for (std::int64_t i = 0; i < options_.batch_size; ++i) out.push_back(&questions_[next_++ % questions_.size()]);
    return out;
  }

  /// Makes the next rollout return these completions (token ids) instead of sampling, for hand-computed steps.
  void script_next_rollout(std::vector<std::vector<std::int64_t>> completions) { script_ = std::move(completions); }

  /// G completions of `sample` sampled from softmax(theta[q, t]) (or the scripted ones).
  train::RolloutGroup rollout(const data::Sample& sample, const std::string&, std::int64_t G) {
    const std::int64_t q = index_of(sample);
    if (!script_.empty()) return scripted(q, G);
    const at::Tensor position_probs = at::softmax(theta_.detach()[q], 1);
    train::RolloutGroup g;
    g.prompt = encoder_.prompt_of(q);
    g.max_new_tokens = max_new_tokens_;
    g.logprobs = at::zeros({G, max_new_tokens_}, at::kFloat);
    for (std::int64_t i = 0; i < G; ++i) {
      std::vector<std::int64_t> tokens;
      std::string text;
      bool stopped = false;
      while (static_cast<std::int64_t>(tokens.size()) < max_new_tokens_) {
        const at::Tensor probs = position_probs[static_cast<std::int64_t>(tokens.size())];
        const std::int64_t t = at::multinomial(probs, 1, false, generator_).item<std::int64_t>();
        g.logprobs[i][static_cast<std::int64_t>(tokens.size())] = std::log(probs[t].item<double>());
        tokens.push_back(t);
        if (t == vocab_ - 1) {
          stopped = true;
          break;
        }
        text += std::to_string(t);
      }
      g.new_tokens += static_cast<std::int64_t>(tokens.size());
      g.truncated.push_back(!stopped);
      g.tokens.push_back(std::move(tokens));
      g.texts.push_back(text);
    }
    return g;
  }

  /// Token log-probs [B, L] of the rows under theta (with autograd when `train`), 0 outside batch.mask.
  at::Tensor logprobs(const model::CompletionBatch& batch, bool train, std::span<const model::CompletionBatch> = {}) {
    at::AutoGradMode grad(train);
    return token_logprobs(theta_, batch).to(at::kFloat);
  }
  /// The same under the reference logits (no autograd).
  at::Tensor reference_logprobs(const model::CompletionBatch& batch, std::span<const model::CompletionBatch> = {}) {
    at::NoGradGuard no_grad;
    return token_logprobs(reference_, batch).to(at::kFloat);
  }
  /// Accumulates the gradient of loss / grad_accum.
  void backward(const at::Tensor& loss) { (loss / static_cast<double>(options_.grad_accum)).backward(); }
  /// SGD: theta -= lr * grad (skipped when `finite` is false), gradients zeroed, the step counted.
  train::UpdateOutcome update(bool finite) {
    train::UpdateOutcome out;
    out.lr = options_.lr;
    const at::Tensor grad = theta_.grad().defined() ? theta_.grad() : at::zeros_like(theta_);
    out.grad_norm = grad.norm().item<double>();
    out.skipped = !finite || !std::isfinite(out.grad_norm);
    if (!out.skipped) {
      at::NoGradGuard no_grad;
      theta_.sub_(grad * options_.lr);
    }
    if (theta_.grad().defined()) theta_.mutable_grad().zero_();
    ++step_;
    return out;
  }

  /// The policy's logits (read them, or set them before a step with set_logits).
  at::Tensor logits() const { return theta_.detach().clone(); }
  /// Sets the policy's logits (the reference stays as constructed).
  void set_logits(const at::Tensor& theta) {
    at::NoGradGuard no_grad;
    theta_.copy_(theta);
  }
  /// pi(ground truth followed by stop | q): the probability that question q is answered exactly right.
  double p_correct(std::int64_t q) const {
    const at::Tensor p = at::softmax(theta_.detach()[q], 1);
    const std::string& truth = questions_[static_cast<std::size_t>(q)].ground_truth;
    double out = 1.0;
    for (std::size_t t = 0; t < truth.size(); ++t) out *= p[static_cast<std::int64_t>(t)][truth[t] - '0'].item<double>();
    return out * p[static_cast<std::int64_t>(truth.size())][vocab_ - 1].item<double>();
  }

 private:
  train::RolloutGroup scripted(std::int64_t q, std::int64_t G) {
    train::RolloutGroup g;
    g.prompt = encoder_.prompt_of(q);
    g.max_new_tokens = max_new_tokens_;
    g.logprobs = at::zeros({G, max_new_tokens_}, at::kFloat);
    for (std::int64_t i = 0; i < G; ++i) {
      const auto& tokens = script_.at(static_cast<std::size_t>(i));
      std::string text;
      for (auto t : tokens)
        if (t != vocab_ - 1) text += std::to_string(t);
      g.truncated.push_back(tokens.empty() || tokens.back() != vocab_ - 1);
      g.new_tokens += static_cast<std::int64_t>(tokens.size());
      g.tokens.push_back(tokens);
      g.texts.push_back(text);
    }
    script_.clear();
    return g;
  }
  std::int64_t index_of(const data::Sample& s) const {
    return static_cast<std::int64_t>(&s - questions_.data());
  }
  static at::Tensor token_logprobs(const at::Tensor& theta, const model::CompletionBatch& batch) {
    const at::Tensor& ids = batch.inputs.input_ids;
    const std::int64_t B = ids.size(0), L = ids.size(1), P = batch.prompt_length, n = L - P;
    const at::Tensor logp = at::log_softmax(theta.index_select(0, ids.select(1, 0)), 2);  // [B, T, V]
    const at::Tensor completion = logp.narrow(1, 0, n).gather(2, ids.narrow(1, P, n).unsqueeze(2)).squeeze(2);
    const at::Tensor per_token = at::cat({at::zeros({B, P}, completion.options()), completion}, 1);  // [B, L]
    return per_token * batch.mask.to(per_token.scalar_type());
  }

  std::vector<data::Sample> questions_;
  std::vector<std::vector<std::int64_t>> script_;
  std::int64_t vocab_, max_new_tokens_;
  FakeEncoder encoder_;
  RunDir run_dir_;
  train::Distributed dist_;
  train::TrainOptions options_;
  at::Tensor theta_, reference_;
  at::Generator generator_;
  std::size_t next_ = 0;
  std::int64_t step_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace vsr::test
