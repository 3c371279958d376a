// Checkpoint and config reading for the model. STAND-IN (see io_bridge.hpp and include/vsr/model/config.hpp): a
// minimal safetensors reader and config.json parser until the io branch provides vsr::io::Checkpoint and
// vsr::io::Qwen2VLConfig.
#include "io_bridge.hpp"

#include "vsr/core/error.hpp"
#include "vsr/model/config.hpp"

#include <nlohmann/json.hpp>

#include <fstream>

namespace vsr::model::detail {

namespace {

at::ScalarType safetensors_dtype(const std::string& name, const std::string& file, const std::string& tensor) {
  if (name == "BF16") return at::kBFloat16;
  if (name == "F16") return at::kHalf;
  if (name == "F32") return at::kFloat;
  if (name == "F64") return at::kDouble;
  if (name == "I64") return at::kLong;
  if (name == "I32") return at::kInt;
  if (name == "I16") return at::kShort;
  if (name == "I8") return at::kChar;
  if (name == "U8") return at::kByte;
  if (name == "BOOL") return at::kBool;
  fail(file, "tensor " + quote(tensor), "unsupported safetensors dtype " + quote(name));
}

void read_one(std::ifstream& in, const std::string& file, const std::string& name, const nlohmann::json& info,
              std::uint64_t data_start, std::uint64_t size, std::map<std::string, LoadedTensor>& out);

void read_file_tensors(const std::filesystem::path& path, std::map<std::string, LoadedTensor>& out) {
  const std::string file = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(file, "", "cannot open the file");
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  unsigned char len_bytes[8] = {};
  if (size < 8 || !in.read(reinterpret_cast<char*>(len_bytes), 8)) fail(file, "header", "file shorter than 8 bytes");
  std::uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | len_bytes[i];
  if (header_len > size - 8) fail(file, "header", "header length " + std::to_string(header_len) + " exceeds the file");
  std::string header(header_len, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header_len));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(header);
  } catch (const std::exception& e) {
    fail(file, "header", std::string("invalid JSON: ") + e.what());
  }
  const std::uint64_t data_start = 8 + header_len;
  if (!j.is_object()) fail(file, "header", "expected a JSON object");
  for (const auto& [name, info] : j.items()) {
    if (name == "__metadata__") continue;
    try {
      read_one(in, file, name, info, data_start, size, out);
    } catch (const nlohmann::json::exception& e) {
      fail(file, "tensor " + quote(name), std::string("malformed header entry: ") + e.what());
    }
  }
}

void read_one(std::ifstream& in, const std::string& file, const std::string& name, const nlohmann::json& info,
              std::uint64_t data_start, std::uint64_t size, std::map<std::string, LoadedTensor>& out) {
  {
    const auto dtype = safetensors_dtype(info.at("dtype").get<std::string>(), file, name);
    std::vector<int64_t> shape = info.at("shape").get<std::vector<int64_t>>();
    const auto offsets = info.at("data_offsets").get<std::vector<std::uint64_t>>();
    std::uint64_t numel = 1;
    for (auto d : shape) {
      if (d < 0) fail(file, "tensor " + quote(name), "negative dimension");
      if (d > 0 && numel > size / static_cast<std::uint64_t>(d)) fail(file, "tensor " + quote(name), "shape exceeds the file");
      numel *= static_cast<std::uint64_t>(d);
    }
    const auto nbytes = numel * at::elementSize(dtype);
    if (offsets.size() != 2 || offsets[1] < offsets[0] || offsets[1] - offsets[0] != nbytes ||
        offsets[1] > size - data_start)
      fail(file, "tensor " + quote(name), "data_offsets do not match the dtype/shape or exceed the file");
    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
    in.seekg(static_cast<std::streamoff>(data_start + offsets[0]));
    if (!in.read(static_cast<char*>(t.data_ptr()), static_cast<std::streamsize>(nbytes)))
      fail(file, "tensor " + quote(name), "short read");
    if (out.count(name)) fail(file, "tensor " + quote(name), "appears in two checkpoint files");
    out[name] = LoadedTensor{t, file};
  }
}

}  // namespace

std::map<std::string, LoadedTensor> read_checkpoint(const std::filesystem::path& path) {
  std::map<std::string, LoadedTensor> out;
  if (std::filesystem::is_directory(path)) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(path))
      if (e.path().extension() == ".safetensors") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) fail(path.string(), "", "no .safetensors file in the folder");
    for (const auto& f : files) read_file_tensors(f, out);
  } else {
    read_file_tensors(path, out);
  }
  return out;
}

ConfigStandIn ConfigStandIn::from_file(const std::filesystem::path& path_in) {
  const auto path = std::filesystem::is_directory(path_in) ? path_in / "config.json" : path_in;
  const std::string file = path.string();
  std::ifstream in(path);
  if (!in) fail(file, "", "cannot open the file");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    fail(file, "", std::string("invalid JSON: ") + e.what());
  }
  ConfigStandIn c;
  auto get = [&](const nlohmann::json& obj, const char* key, auto& field, const std::string& prefix = "") {
    if (!obj.contains(key)) return;
    try {
      obj.at(key).get_to(field);
    } catch (const std::exception& e) {
      fail(file, prefix + key, std::string("wrong type: ") + e.what());
    }
  };
  get(j, "vocab_size", c.vocab_size);
  get(j, "hidden_size", c.hidden_size);
  get(j, "intermediate_size", c.intermediate_size);
  get(j, "num_hidden_layers", c.num_hidden_layers);
  get(j, "num_attention_heads", c.num_attention_heads);
  get(j, "num_key_value_heads", c.num_key_value_heads);
  get(j, "rms_norm_eps", c.rms_norm_eps);
  get(j, "rope_theta", c.rope_theta);
  get(j, "tie_word_embeddings", c.tie_word_embeddings);
  get(j, "image_token_id", c.image_token_id);
  get(j, "video_token_id", c.video_token_id);
  get(j, "vision_start_token_id", c.vision_start_token_id);
  get(j, "vision_end_token_id", c.vision_end_token_id);
  get(j, "bos_token_id", c.bos_token_id);
  get(j, "eos_token_id", c.eos_token_id);
  if (j.contains("rope_scaling") && j["rope_scaling"].is_object())
    get(j["rope_scaling"], "mrope_section", c.mrope_section, "rope_scaling.");
  if (j.contains("vision_config")) {
    const auto& v = j["vision_config"];
    const std::string p = "vision_config.";
    get(v, "depth", c.vision.depth, p);
    get(v, "embed_dim", c.vision.embed_dim, p);
    get(v, "hidden_size", c.vision.hidden_size, p);
    get(v, "num_heads", c.vision.num_heads, p);
    get(v, "mlp_ratio", c.vision.mlp_ratio, p);
    get(v, "in_chans", c.vision.in_chans, p);
    get(v, "patch_size", c.vision.patch_size, p);
    get(v, "spatial_merge_size", c.vision.spatial_merge_size, p);
    get(v, "temporal_patch_size", c.vision.temporal_patch_size, p);
  }
  if (c.num_attention_heads <= 0 || c.hidden_size % c.num_attention_heads != 0)
    fail(file, "num_attention_heads", "must divide hidden_size");
  return c;
}

}  // namespace vsr::model::detail
