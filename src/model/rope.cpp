// Rotary tables of Qwen2-VL: vision 2-D rotary, M-RoPE position ids (get_rope_index) and cos/sin.
#include "vsr/model/rope.hpp"

#include "vsr/core/error.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <string>

namespace vsr::model {

namespace {

constexpr const char* kInput = "<model input>";

struct Grid {
  std::int64_t t, h, w;
};

std::vector<Grid> read_grids(const at::Tensor& grid_thw, const char* field, std::int64_t merge) {
  std::vector<Grid> out;
  if (!grid_thw.defined() || grid_thw.numel() == 0) return out;
  if (grid_thw.dim() != 2 || grid_thw.size(1) != 3) fail(kInput, field, "expected an [n, 3] tensor of (t, h, w)");
  const at::Tensor g = grid_thw.to(at::kCPU, at::kLong).contiguous();
  const auto* p = g.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < g.size(0); ++i) {
    Grid grid{p[3 * i], p[3 * i + 1], p[3 * i + 2]};
    if (grid.t <= 0 || grid.h <= 0 || grid.w <= 0 || grid.h % merge != 0 || grid.w % merge != 0)
      fail(kInput, std::string(field) + "[" + std::to_string(i) + "]",
           "expected positive t and h, w divisible by the spatial merge size " + std::to_string(merge) + ", got (" +
               std::to_string(grid.t) + ", " + std::to_string(grid.h) + ", " + std::to_string(grid.w) + ")");
    out.push_back(grid);
  }
  return out;
}

// Positions of one unpadded row, as get_rope_index builds them: 3 axis vectors of equal length.
struct RowPositions {
  std::vector<std::int64_t> t, h, w;
  std::int64_t max = -1;
  void push(std::int64_t a, std::int64_t b, std::int64_t c) {
    t.push_back(a);
    h.push_back(b);
    w.push_back(c);
    max = std::max({max, a, b, c});
  }
};

RowPositions row_positions(const std::vector<std::int64_t>& tokens, const Qwen2VLConfig& cfg,
                           const std::vector<Grid>& images, const std::vector<Grid>& videos, std::size_t& image_index,
                           std::size_t& video_index, std::int64_t merge, std::int64_t row) {
  const auto n = static_cast<std::int64_t>(tokens.size());
  const std::int64_t image_id = cfg.image_token_id, video_id = cfg.video_token_id;
  std::int64_t image_nums = 0, video_nums = 0;
  for (std::int64_t j = 0; j + 1 < n; ++j) {
    if (tokens[j] != cfg.vision_start_token_id) continue;
    if (tokens[j + 1] == image_id) ++image_nums;
    if (tokens[j + 1] == video_id) ++video_nums;
  }
  auto find_from = [&](std::int64_t id, std::int64_t start) -> std::int64_t {
    auto it = std::find(tokens.begin() + std::min(start, n), tokens.end(), id);
    if (it == tokens.end())
      fail(kInput, "input_ids[" + std::to_string(row) + "]",
           "a <|vision_start|> is followed by a pad token but no pad run is left to match it");
    return it - tokens.begin();
  };
  const bool has_image = std::find(tokens.begin(), tokens.end(), image_id) != tokens.end();
  const bool has_video = std::find(tokens.begin(), tokens.end(), video_id) != tokens.end();
  RowPositions pos;
  std::int64_t st = 0, remain_images = image_nums, remain_videos = video_nums;
  for (std::int64_t k = 0; k < image_nums + video_nums; ++k) {
    const std::int64_t ed_image = has_image && remain_images > 0 ? find_from(image_id, st) : n + 1;
    const std::int64_t ed_video = has_video && remain_videos > 0 ? find_from(video_id, st) : n + 1;
    Grid g{};
    std::int64_t ed = 0;
    if (ed_image < ed_video) {
      if (image_index >= images.size())
        fail(kInput, "image_grid_thw", "fewer image grids than image blocks in input_ids");
      g = images[image_index++];
      --remain_images;
      ed = ed_image;
    } else {
      if (video_index >= videos.size())
        fail(kInput, "video_grid_thw", "fewer video grids than video blocks in input_ids");
      g = videos[video_index++];
      --remain_videos;
      ed = ed_video;
    }
    const std::int64_t gt = g.t, gh = g.h / merge, gw = g.w / merge;
    const std::int64_t text_len = ed - st;
    const std::int64_t st_idx = pos.max + 1;
    for (std::int64_t i = 0; i < text_len; ++i) pos.push(st_idx + i, st_idx + i, st_idx + i);
    const std::int64_t base = st_idx + text_len;
    for (std::int64_t a = 0; a < gt; ++a)
      for (std::int64_t b = 0; b < gh; ++b)
        for (std::int64_t c = 0; c < gw; ++c) pos.push(base + a, base + b, base + c);
    st = ed + gt * gh * gw;
  }
  if (st < n) {
    const std::int64_t st_idx = pos.max + 1;
    for (std::int64_t i = 0; i < n - st; ++i) pos.push(st_idx + i, st_idx + i, st_idx + i);
  }
  if (static_cast<std::int64_t>(pos.t.size()) != n)
    fail(kInput, "input_ids[" + std::to_string(row) + "]",
         "the pad runs do not match the grids: " + std::to_string(pos.t.size()) + " positions for " +
             std::to_string(n) + " tokens");
  return pos;
}

}  // namespace

RopeIndex get_rope_index(const Qwen2VLConfig& config, const at::Tensor& input_ids_in, const at::Tensor& image_grid_thw,
                         const at::Tensor& video_grid_thw, const at::Tensor& attention_mask_in) {
  if (!input_ids_in.defined() || input_ids_in.dim() != 2) fail(kInput, "input_ids", "expected an int64 [B, L] tensor");
  const at::Tensor ids = input_ids_in.to(at::kCPU, at::kLong).contiguous();
  const std::int64_t B = ids.size(0), L = ids.size(1);
  at::Tensor mask = attention_mask_in.defined() ? attention_mask_in.to(at::kCPU, at::kLong).contiguous()
                                                : at::ones({B, L}, at::kLong);
  if (mask.sizes() != ids.sizes()) fail(kInput, "attention_mask", "expected the shape of input_ids");
  const std::int64_t merge = config.vision_config.spatial_merge_size;
  const auto images = read_grids(image_grid_thw, "image_grid_thw", merge);
  const auto videos = read_grids(video_grid_thw, "video_grid_thw", merge);

  at::Tensor position_ids = at::ones({3, B, L}, at::kLong);
  at::Tensor deltas = at::zeros({B}, at::kLong);
  auto P = position_ids.accessor<std::int64_t, 3>();
  auto D = deltas.accessor<std::int64_t, 1>();
  const auto* id = ids.data_ptr<std::int64_t>();
  const auto* m = mask.data_ptr<std::int64_t>();

  if (images.empty() && videos.empty()) {
    // Text-only branch: cumsum(mask) - 1, padded positions 1, delta = max + 1 - L.
    for (std::int64_t b = 0; b < B; ++b) {
      std::int64_t run = 0, max = 0;
      for (std::int64_t j = 0; j < L; ++j) {
        const bool on = m[b * L + j] != 0;
        if (on) run += 1;
        const std::int64_t p = on ? run - 1 : 1;
        for (int a = 0; a < 3; ++a) P[a][b][j] = p;
        max = j == 0 ? p : std::max(max, p);
      }
      D[b] = attention_mask_in.defined() ? max + 1 - L : 0;
    }
    return {position_ids.to(input_ids_in.device()), deltas.to(input_ids_in.device())};
  }

  std::size_t image_index = 0, video_index = 0;
  for (std::int64_t b = 0; b < B; ++b) {
    std::vector<std::int64_t> tokens;
    std::vector<std::int64_t> where;
    for (std::int64_t j = 0; j < L; ++j)
      if (m[b * L + j] == 1) {
        tokens.push_back(id[b * L + j]);
        where.push_back(j);
      }
    if (tokens.empty()) fail(kInput, "attention_mask[" + std::to_string(b) + "]", "row has no unmasked token");
    const RowPositions pos = row_positions(tokens, config, images, videos, image_index, video_index, merge, b);
    for (std::size_t k = 0; k < where.size(); ++k) {
      P[0][b][where[k]] = pos.t[k];
      P[1][b][where[k]] = pos.h[k];
      P[2][b][where[k]] = pos.w[k];
    }
    D[b] = pos.max + 1 - L;
  }
  if (image_index != images.size()) fail(kInput, "image_grid_thw", "more image grids than image blocks in input_ids");
  if (video_index != videos.size()) fail(kInput, "video_grid_thw", "more video grids than video blocks in input_ids");
  return {position_ids.to(input_ids_in.device()), deltas.to(input_ids_in.device())};
}

CosSin mrope_cos_sin_per_axis(const at::Tensor& position_ids, std::int64_t head_dim, double theta) {
  const auto opts = at::TensorOptions().device(position_ids.device());
  // inv_freq = 1.0 / (base ** (arange(0, dim, 2, int64).float() / dim)), all float32.
  const at::Tensor exponent = at::arange(0, head_dim, 2, opts.dtype(at::kLong)).to(at::kFloat) / head_dim;
  const at::Tensor inv_freq = at::pow(theta, exponent).reciprocal();
  // freqs[a, b, l, i] = pos[a, b, l] * inv_freq[i] (a K=1 matmul in transformers: one exact product).
  const at::Tensor freqs = position_ids.to(at::kFloat).unsqueeze(-1) * inv_freq;
  const at::Tensor emb = at::cat({freqs, freqs}, -1);
  return {emb.cos(), emb.sin()};
}

CosSin merge_mrope_sections(const CosSin& per_axis, const std::vector<std::int64_t>& mrope_section) {
  std::vector<std::int64_t> sizes;
  for (int rep = 0; rep < 2; ++rep)
    for (auto s : mrope_section) sizes.push_back(s);
  std::int64_t total = 0;
  for (auto s : sizes) total += s;
  if (total != per_axis.cos.size(-1))
    fail("config.json", "rope_scaling.mrope_section",
         "2 * sum(mrope_section) = " + std::to_string(total) + " must equal head_dim " +
             std::to_string(per_axis.cos.size(-1)));
  auto merge = [&](const at::Tensor& x) {
    const auto chunks = x.split_with_sizes(sizes, -1);
    std::vector<at::Tensor> picked;
    for (std::size_t i = 0; i < chunks.size(); ++i) picked.push_back(chunks[i][static_cast<std::int64_t>(i % 3)]);
    return at::cat(picked, -1);
  };
  return {merge(per_axis.cos), merge(per_axis.sin)};
}

at::Tensor vision_rotary_freqs(const at::Tensor& grid_thw, std::int64_t head_dim, std::int64_t merge) {
  const auto grids = read_grids(grid_thw, "grid_thw", merge);
  if (grids.empty()) fail(kInput, "grid_thw", "no grid given");
  std::int64_t max_side = 0, n = 0;
  for (const auto& g : grids) {
    max_side = std::max({max_side, g.h, g.w});
    n += g.t * g.h * g.w;
  }
  // (h, w) patch coordinates in the (t, h/merge, w/merge, merge, merge) order of the pixel rows.
  at::Tensor hw = at::empty({n, 2}, at::kLong);
  auto A = hw.accessor<std::int64_t, 2>();
  std::int64_t r = 0;
  for (const auto& g : grids)
    for (std::int64_t t = 0; t < g.t; ++t)
      for (std::int64_t bh = 0; bh < g.h / merge; ++bh)
        for (std::int64_t bw = 0; bw < g.w / merge; ++bw)
          for (std::int64_t ih = 0; ih < merge; ++ih)
            for (std::int64_t iw = 0; iw < merge; ++iw, ++r) {
              A[r][0] = bh * merge + ih;
              A[r][1] = bw * merge + iw;
            }
  // VisionRotaryEmbedding(dim = head_dim / 2, theta = 10000): freqs = outer(arange(max_side), inv_freq).
  const std::int64_t dim = head_dim / 2;
  const at::Tensor inv_freq =
      at::pow(10000.0, at::arange(0, dim, 2, at::TensorOptions().dtype(at::kFloat)) / dim).reciprocal();
  const at::Tensor table = at::outer(at::arange(max_side, at::TensorOptions().dtype(at::kFloat)), inv_freq);
  const at::Tensor out = table.index_select(0, hw.reshape({-1})).reshape({n, -1});
  return out.to(grid_thw.device());
}

CosSin vision_rotary_cos_sin(const at::Tensor& freqs) {
  const at::Tensor emb = at::cat({freqs, freqs}, -1);
  return {emb.cos(), emb.sin()};
}

at::Tensor vision_cu_seqlens(const at::Tensor& grid_thw) {
  const at::Tensor g = grid_thw.to(at::kCPU, at::kLong).contiguous();
  std::vector<std::int32_t> cu{0};
  for (std::int64_t i = 0; i < g.size(0); ++i) {
    const auto t = g[i][0].item<std::int64_t>(), hw = g[i][1].item<std::int64_t>() * g[i][2].item<std::int64_t>();
    for (std::int64_t k = 0; k < t; ++k) cu.push_back(cu.back() + static_cast<std::int32_t>(hw));
  }
  return at::tensor(cu, at::TensorOptions().dtype(at::kInt)).to(grid_thw.device());
}

}  // namespace vsr::model
