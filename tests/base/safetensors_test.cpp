// Tests of the safetensors reader/writer: round trips of every dtype, scalars, zero-size tensors, metadata and
// sharded folders; the golden Qwen2-VL files; and corrupt, truncated or lying files, each of which must be refused
// with a vsr::Error naming the file and the problem.
#include "test_support.hpp"
#include "vsr/core/error.hpp"
#include "vsr/core/run_dir.hpp"
#include "vsr/io/safetensors.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <initializer_list>

namespace fs = std::filesystem;
using vsr::io::Checkpoint;
using vsr::io::DType;
using vsr::io::SafetensorsFile;
using vsr::io::SafetensorsWriter;

namespace {

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

std::vector<std::byte> pattern(std::size_t n, int seed) {
  std::vector<std::byte> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::byte>((i * 31 + seed * 7 + 1) & 0xff);
  return out;
}

std::vector<std::byte> view_bytes(const vsr::io::TensorView& t) { return {t.data, t.data + t.nbytes}; }

/// A safetensors file from a header text, a data buffer and (optionally) a lying length field.
std::string raw_file(const std::string& header, const std::string& data = "", std::int64_t length = -1) {
  const std::uint64_t n = length < 0 ? header.size() : static_cast<std::uint64_t>(length);
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}

fs::path put(const fs::path& dir, const std::string& name, const std::string& contents) {
  std::ofstream(dir / name, std::ios::binary) << contents;
  return dir / name;
}

/// Opening `path` must throw a vsr::Error whose message names the file and contains every part of `needles`.
void expect_refused(const fs::path& path, std::initializer_list<const char*> needles) {
  try {
    SafetensorsFile::open(path);
    ADD_FAILURE() << path << " was accepted";
  } catch (const vsr::Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path.string()), std::string::npos) << what;
    for (const char* n : needles) EXPECT_NE(what.find(n), std::string::npos) << "missing \"" << n << "\" in: " << what;
  }
}

void expect_checkpoint_refused(const fs::path& path, const std::string& file, std::initializer_list<const char*> needles) {
  try {
    Checkpoint::open(path);
    ADD_FAILURE() << path << " was accepted";
  } catch (const vsr::Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(file), std::string::npos) << what;
    for (const char* n : needles) EXPECT_NE(what.find(n), std::string::npos) << "missing \"" << n << "\" in: " << what;
  }
}

const char* kF32Entry = R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";

}  // namespace

TEST(Safetensors, DTypeNamesAndSizes) {
  const std::vector<std::pair<DType, std::pair<const char*, std::size_t>>> table{
      {DType::BOOL, {"BOOL", 1}}, {DType::U8, {"U8", 1}},   {DType::I8, {"I8", 1}},     {DType::I16, {"I16", 2}},
      {DType::I32, {"I32", 4}},   {DType::I64, {"I64", 8}}, {DType::F16, {"F16", 2}},   {DType::BF16, {"BF16", 2}},
      {DType::F32, {"F32", 4}},   {DType::F64, {"F64", 8}}};
  for (const auto& [d, info] : table) {
    EXPECT_EQ(vsr::io::dtype_name(d), info.first);
    EXPECT_EQ(vsr::io::dtype_size(d), info.second);
    DType back{};
    ASSERT_TRUE(vsr::io::parse_dtype(info.first, back));
    EXPECT_EQ(back, d);
  }
  DType out{};
  EXPECT_FALSE(vsr::io::parse_dtype("F8_E4M3", out));
  EXPECT_FALSE(vsr::io::parse_dtype("f32", out));
}

TEST(Safetensors, RoundTripEveryDtypeScalarZeroSizeAndMetadata) {
  const auto dir = vsr::test::temp_dir("st_roundtrip");
  SafetensorsWriter w;
  const std::vector<DType> all{DType::BOOL, DType::U8,  DType::I8,   DType::I16, DType::I32,
                               DType::I64,  DType::F16, DType::BF16, DType::F32, DType::F64};
  for (std::size_t i = 0; i < all.size(); ++i) {
    const std::string name = "t." + std::string(vsr::io::dtype_name(all[i]));
    auto data = all[i] == DType::BOOL ? bytes_of({1, 0, 1, 1, 0, 1}) : pattern(6 * vsr::io::dtype_size(all[i]), int(i));
    w.add(name, all[i], {2, 3}, data);
  }
  const float pi = 3.14159f;
  w.add("scalar", DType::F32, {}, std::as_bytes(std::span(&pi, 1)));
  w.add("empty", DType::F32, {0, 3}, {});
  w.add("empty2", DType::BF16, {4, 0}, {});
  w.set_metadata("format", "pt");
  w.set_metadata("note", "zero-size and scalar tensors");
  w.write(dir / "all.safetensors");

  const auto f = SafetensorsFile::open(dir / "all.safetensors");
  EXPECT_EQ(f.header_size() % 8, 0u);
  EXPECT_EQ(f.names().size(), all.size() + 3);
  EXPECT_EQ(f.metadata(), (std::map<std::string, std::string>{{"format", "pt"}, {"note", "zero-size and scalar tensors"}}));
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& t = f.tensor("t." + std::string(vsr::io::dtype_name(all[i])));
    EXPECT_EQ(t.dtype, all[i]);
    EXPECT_EQ(t.shape, (std::vector<std::int64_t>{2, 3}));
    EXPECT_EQ(t.numel(), 6);
    EXPECT_EQ(view_bytes(t), w.entries()[i].data);
  }
  const auto& s = f.tensor("scalar");
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(s.numel(), 1);
  float back = 0;
  std::memcpy(&back, s.data, 4);
  EXPECT_EQ(back, pi);
  EXPECT_EQ(f.tensor("empty").numel(), 0);
  EXPECT_EQ(f.tensor("empty").nbytes, 0u);
  EXPECT_EQ(f.tensor("empty2").shape, (std::vector<std::int64_t>{4, 0}));
  // The file is exactly what serialize() says, tensors in sorted-name order.
  EXPECT_EQ(vsr::read_file(dir / "all.safetensors"), w.serialize());
  EXPECT_TRUE(std::is_sorted(f.names().begin(), f.names().end()));
}

TEST(Safetensors, EmptyWriterGivesTheReferenceEmptyFile) {
  // Same bytes as the reference library's test_empty: length 8, "{}" padded with six spaces.
  SafetensorsWriter w;
  EXPECT_EQ(w.serialize(), raw_file("{}      "));
  w.set_metadata("framework", "pt");
  EXPECT_EQ(w.serialize(), raw_file(R"({"__metadata__":{"framework":"pt"}})" + std::string(5, ' ')));
}

TEST(Safetensors, MovedFileKeepsViewsValid) {
  const auto dir = vsr::test::temp_dir("st_move");
  SafetensorsWriter w;
  w.add("x", DType::U8, {3}, bytes_of({7, 8, 9}));
  w.write(dir / "x.safetensors");
  auto f = SafetensorsFile::open(dir / "x.safetensors");
  const auto* view = &f.tensor("x");
  SafetensorsFile g = std::move(f);
  EXPECT_EQ(&g.tensor("x"), view);
  EXPECT_EQ(view_bytes(g.tensor("x")), bytes_of({7, 8, 9}));
  EXPECT_EQ(g.path(), dir / "x.safetensors");
}

TEST(Safetensors, ReadsGoldenTinyQwen2VL) {
  const auto path = vsr::test::data_dir() / "qwen2vl-tiny/model/model.safetensors";
  const auto f = SafetensorsFile::open(path);
  EXPECT_EQ(f.names().size(), 57u);
  for (const auto& t : f.tensors()) EXPECT_EQ(t.dtype, DType::BF16) << t.name;
  EXPECT_EQ(f.metadata().at("format"), "pt");
  EXPECT_FALSE(f.contains("lm_head.weight"));  // tied embeddings
  const auto& qkv = f.tensor("visual.blocks.0.attn.qkv.weight");
  EXPECT_EQ(qkv.shape, (std::vector<std::int64_t>{96, 32}));
  std::uint16_t first[4];
  std::memcpy(first, qkv.data, sizeof first);
  EXPECT_EQ(first[0], 0x3ec8);  // values read with Python from the file
  EXPECT_EQ(first[1], 0xbec3);
  EXPECT_EQ(first[2], 0x3e06);
  EXPECT_EQ(first[3], 0xbec1);
  EXPECT_EQ(f.tensor("model.embed_tokens.weight").shape, (std::vector<std::int64_t>{151936, 32}));
  EXPECT_EQ(f.tensor("model.layers.0.self_attn.q_proj.bias").shape, (std::vector<std::int64_t>{32}));
  EXPECT_EQ(f.tensor("model.layers.1.self_attn.k_proj.weight").shape, (std::vector<std::int64_t>{16, 32}));

  // Unknown tensors are errors naming the file and the tensor.
  try {
    f.tensor("lm_head.weight");
    FAIL();
  } catch (const vsr::Error& e) {
    EXPECT_EQ(e.file(), path.string());
    EXPECT_NE(e.field().find("lm_head.weight"), std::string::npos);
  }
}

TEST(Safetensors, GoldenFilesReserializeByteIdentical) {
  for (const char* rel : {"qwen2vl-tiny/model/model.safetensors", "qwen2vl-tiny/cases/text.safetensors",
                          "qwen2vl-tiny/cases/image.safetensors", "qwen2vl-tiny/cases/video.safetensors",
                          "qwen2vl-tiny/cases/image_video.safetensors"}) {
    const auto path = vsr::test::data_dir() / rel;
    const auto f = SafetensorsFile::open(path);
    SafetensorsWriter w;
    for (const auto& t : f.tensors()) w.add(t.name, t.dtype, t.shape, {t.data, t.nbytes});
    for (const auto& [k, v] : f.metadata()) w.set_metadata(k, v);
    EXPECT_TRUE(w.serialize() == vsr::read_file(path)) << rel;
  }
}

TEST(Safetensors, GoldenCaseFilesMatchTheirDescriptions) {
  const std::map<std::string, DType> torch_names{{"int64", DType::I64}, {"float32", DType::F32}, {"int32", DType::I32},
                                                 {"uint8", DType::U8},  {"bfloat16", DType::BF16}, {"float64", DType::F64}};
  for (const char* name : {"text", "image", "video", "image_video"}) {
    const auto dir = vsr::test::data_dir() / "qwen2vl-tiny/cases";
    const auto desc = nlohmann::json::parse(vsr::read_file(dir / (std::string(name) + ".json")));
    const auto f = SafetensorsFile::open(dir / desc["tensors_file"].get<std::string>());
    EXPECT_EQ(f.names().size(), desc["tensors"].size()) << name;
    for (const auto& [tname, info] : desc["tensors"].items()) {
      ASSERT_TRUE(f.contains(tname)) << name << " " << tname;
      const auto& t = f.tensor(tname);
      EXPECT_EQ(t.dtype, torch_names.at(info["dtype"].get<std::string>())) << tname;
      EXPECT_EQ(t.shape, info["shape"].get<std::vector<std::int64_t>>()) << tname;
    }
    // The ids in the tensor file equal the ids in the description.
    const auto& ids = f.tensor("input_ids");
    std::vector<std::int64_t> got(static_cast<std::size_t>(ids.numel()));
    std::memcpy(got.data(), ids.data, ids.nbytes);
    EXPECT_EQ(got, desc["input_ids"].get<std::vector<std::int64_t>>()) << name;
  }
}

TEST(Safetensors, CheckpointOpensFolderFileAndReportsMissingTensors) {
  const auto dir = vsr::test::data_dir() / "qwen2vl-tiny/model";
  const auto from_dir = Checkpoint::open(dir);
  const auto from_file = Checkpoint::open(dir / "model.safetensors");
  EXPECT_EQ(from_dir.names(), from_file.names());
  EXPECT_EQ(from_dir.names().size(), 57u);
  EXPECT_EQ(from_dir.file_of("model.norm.weight"), dir / "model.safetensors");
  EXPECT_TRUE(from_dir.index_path().empty());
  EXPECT_EQ(from_dir.total_bytes(), fs::file_size(dir / "model.safetensors") - 8 - from_dir.files()[0].header_size());
  EXPECT_EQ(view_bytes(from_dir.tensor("model.norm.weight")), view_bytes(from_file.tensor("model.norm.weight")));
  try {
    from_dir.tensor("lm_head.weight");
    FAIL();
  } catch (const vsr::Error& e) {
    EXPECT_NE(std::string(e.what()).find("lm_head.weight"), std::string::npos);
    EXPECT_EQ(e.file(), dir.string());
  }
  expect_checkpoint_refused(vsr::test::data_dir() / "qwen2vl-tiny/tokenizer", "qwen2vl-tiny/tokenizer",
                            {"neither model.safetensors nor model.safetensors.index.json"});
}

TEST(Safetensors, ShardedWriteReadsBackAndRewritesCleanly) {
  const auto dir = vsr::test::temp_dir("st_sharded");
  SafetensorsWriter w;
  w.add("a", DType::F32, {10}, pattern(40, 1));
  w.add("b", DType::F32, {10}, pattern(40, 2));
  w.add("c", DType::I64, {20}, pattern(160, 3));  // larger than a shard: a shard of its own
  w.add("d", DType::U8, {30}, pattern(30, 4));
  w.add("e", DType::BF16, {}, pattern(2, 5));
  w.set_metadata("format", "pt");
  vsr::io::write_sharded(dir, w, 100);
  // Greedy in name order: [a b] (80) | [c] (160) | [d e] (32).
  for (const char* name : {"model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                           "model-00003-of-00003.safetensors", "model.safetensors.index.json"})
    EXPECT_TRUE(fs::exists(dir / name)) << name;
  EXPECT_FALSE(fs::exists(dir / "model.safetensors"));
  const auto index = nlohmann::json::parse(vsr::read_file(dir / "model.safetensors.index.json"));
  EXPECT_EQ(index["metadata"]["total_size"], 272);
  EXPECT_EQ(index["weight_map"]["b"], "model-00001-of-00003.safetensors");
  EXPECT_EQ(index["weight_map"]["c"], "model-00002-of-00003.safetensors");
  EXPECT_EQ(index["weight_map"]["e"], "model-00003-of-00003.safetensors");

  const auto ck = Checkpoint::open(dir);
  EXPECT_EQ(ck.names(), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(ck.files().size(), 3u);
  EXPECT_EQ(ck.total_bytes(), 272u);
  EXPECT_EQ(ck.index_path(), dir / "model.safetensors.index.json");
  for (const auto& e : w.entries()) {
    EXPECT_EQ(view_bytes(ck.tensor(e.name)), e.data) << e.name;
    EXPECT_EQ(ck.tensor(e.name).shape, e.shape);
  }
  EXPECT_EQ(ck.file_of("d"), dir / "model-00003-of-00003.safetensors");
  EXPECT_EQ(ck.files()[1].metadata().at("format"), "pt");
  // The index file itself can be opened too.
  EXPECT_EQ(Checkpoint::open(dir / "model.safetensors.index.json").names().size(), 5u);

  // Saving again with room for everything leaves one model.safetensors and no stale shards or index.
  put(dir, "unrelated.safetensors", "keep me");
  vsr::io::write_sharded(dir, w, 1 << 20);
  std::vector<std::string> files;
  for (const auto& item : fs::directory_iterator(dir)) files.push_back(item.path().filename().string());
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"model.safetensors", "unrelated.safetensors"}));
  EXPECT_EQ(Checkpoint::open(dir).names().size(), 5u);
}

TEST(Safetensors, WriterRefusesBadTensors) {
  SafetensorsWriter w;
  w.add("x", DType::F32, {2}, pattern(8, 0));
  EXPECT_TRUE(w.contains("x"));
  EXPECT_EQ(w.data_bytes(), 8u);
  auto refused = [&](std::string name, std::vector<std::int64_t> shape, std::size_t n, const char* needle) {
    try {
      w.add(name, DType::F32, shape, pattern(n, 0));
      ADD_FAILURE() << name;
    } catch (const vsr::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  };
  refused("x", {2}, 8, "duplicate");
  refused("y", {3}, 8, "needs 12 bytes, got 8");
  refused("z", {-1}, 0, "negative dimension");
  refused("__metadata__", {}, 4, "reserved");
  EXPECT_THROW(w.write(fs::path("/nonexistent-folder/x.safetensors")), vsr::Error);
}

// ---- corrupt, truncated and lying files: at least one refusal per validation rule ----

TEST(SafetensorsCorrupt, TooShortForTheLengthField) {
  const auto dir = vsr::test::temp_dir("st_short");
  expect_refused(put(dir, "empty.safetensors", ""), {"0 bytes, shorter than the 8-byte header length"});
  expect_refused(put(dir, "five.safetensors", "abcde"), {"5 bytes"});
  expect_refused(dir / "absent.safetensors", {"no such file"});
  expect_refused(dir, {"not a regular file"});
}

TEST(SafetensorsCorrupt, HeaderLengthPastEndOfFile) {
  const auto dir = vsr::test::temp_dir("st_len");
  expect_refused(put(dir, "a.safetensors", raw_file("{}", "", 1000)), {"header length 1000 runs past the end"});
  expect_refused(put(dir, "b.safetensors", raw_file("{}", "", 0x7fffffffffffffffLL)), {"runs past the end"});
}

TEST(SafetensorsCorrupt, HeaderLengthAbsurdlyLarge) {
  // A sparse 120 MB file whose length field claims a 110 MB header: refused before anything is read.
  const auto dir = vsr::test::temp_dir("st_huge");
  const auto path = put(dir, "huge.safetensors", raw_file("{}", "", 110'000'000));
  fs::resize_file(path, 120'000'000);
  expect_refused(path, {"header length 110000000 is larger than the 100 MB limit"});
}

TEST(SafetensorsCorrupt, HeaderNotJsonOrNotAnObject) {
  const auto dir = vsr::test::temp_dir("st_json");
  expect_refused(put(dir, "a.safetensors", raw_file("{not json}")), {"header", "not valid JSON"});
  expect_refused(put(dir, "b.safetensors", raw_file("[1, 2]   ")), {"header", "starting with '{'"});
  expect_refused(put(dir, "c.safetensors", raw_file("{\"a\xff\":1}")), {"not valid JSON"});  // bad UTF-8
  // The length field lies: it cuts the JSON short.
  const std::string h = std::string("{") + kF32Entry + "}";
  expect_refused(put(dir, "d.safetensors", raw_file(h, std::string(8, '\0'), h.size() - 3) ), {"not valid JSON"});
}

TEST(SafetensorsCorrupt, EntryNotAnObjectOrMissingFields) {
  const auto dir = vsr::test::temp_dir("st_entry");
  expect_refused(put(dir, "a.safetensors", raw_file(R"({"w":5})")), {"tensor \"w\"", "expected an object"});
  expect_refused(put(dir, "b.safetensors", raw_file(R"({"w":{"shape":[],"data_offsets":[0,0]}})")),
                 {"tensor \"w\"", "missing \"dtype\""});
}

TEST(SafetensorsCorrupt, UnknownDtype) {
  const auto dir = vsr::test::temp_dir("st_dtype");
  expect_refused(put(dir, "a.safetensors", raw_file(R"({"w":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})", "x")),
                 {"tensor \"w\"", "unknown dtype \"F8_E4M3\""});
  expect_refused(put(dir, "b.safetensors", raw_file(R"({"w":{"dtype":32,"shape":[1],"data_offsets":[0,4]}})", "xxxx")),
                 {"dtype: expected a string"});
}

TEST(SafetensorsCorrupt, ShapeNotAListOfNonNegativeIntegers) {
  const auto dir = vsr::test::temp_dir("st_shape");
  expect_refused(put(dir, "a.safetensors", raw_file(R"({"w":{"dtype":"U8","shape":4,"data_offsets":[0,4]}})", "xxxx")),
                 {"tensor \"w\"", "shape: expected a list"});
  expect_refused(put(dir, "b.safetensors", raw_file(R"({"w":{"dtype":"U8","shape":[-4],"data_offsets":[0,4]}})", "xxxx")),
                 {"shape: expected a non-negative integer, got -4"});
  expect_refused(put(dir, "c.safetensors", raw_file(R"({"w":{"dtype":"U8","shape":[2.5],"data_offsets":[0,4]}})", "xxxx")),
                 {"shape: expected a non-negative integer, got 2.5"});
}

TEST(SafetensorsCorrupt, ShapeProductOverflows) {
  const auto dir = vsr::test::temp_dir("st_overflow");
  expect_refused(put(dir, "a.safetensors",
                     raw_file(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})")),
                 {"tensor \"w\"", "overflows"});
  expect_refused(put(dir, "b.safetensors",
                     raw_file(R"({"w":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,0]}})")),
                 {"overflows"});
}

TEST(SafetensorsCorrupt, BadDataOffsets) {
  const auto dir = vsr::test::temp_dir("st_offsets");
  expect_refused(put(dir, "a.safetensors", raw_file(R"({"w":{"dtype":"U8","shape":[2],"data_offsets":[0,1,2]}})", "xx")),
                 {"tensor \"w\"", "data_offsets: expected [begin, end]"});
  expect_refused(put(dir, "b.safetensors", raw_file(R"({"w":{"dtype":"U8","shape":[2],"data_offsets":[-1,1]}})", "xx")),
                 {"data_offsets: expected a non-negative integer"});
  expect_refused(put(dir, "c.safetensors", raw_file(R"({"w":{"dtype":"U8","shape":[0],"data_offsets":[2,0]}})", "xx")),
                 {"data_offsets [2, 0]: begin is after end"});
  expect_refused(put(dir, "d.safetensors", raw_file(R"({"w":{"dtype":"U8","shape":[2],"data_offsets":"0-2"}})", "xx")),
                 {"data_offsets: expected [begin, end]"});
}

TEST(SafetensorsCorrupt, OffsetsBeyondTheBuffer) {
  const auto dir = vsr::test::temp_dir("st_beyond");
  expect_refused(put(dir, "a.safetensors", raw_file(std::string("{") + kF32Entry + "}", "1234")),
                 {"tensor \"a\"", "data_offsets [0, 8] end beyond the data buffer, which has 4 bytes"});
  // A real file cut short by one byte (an interrupted download).
  auto golden = vsr::read_file(vsr::test::data_dir() / "qwen2vl-tiny/model/model.safetensors");
  golden.pop_back();
  expect_refused(put(dir, "truncated.safetensors", golden), {"end beyond the data buffer", "truncated?"});
}

TEST(SafetensorsCorrupt, ByteLengthDisagreesWithShape) {
  const auto dir = vsr::test::temp_dir("st_nbytes");
  expect_refused(put(dir, "a.safetensors", raw_file(R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})",
                                                    std::string(20, 'x'))),
                 {"tensor \"w\"", "shape [2, 3] of F32 needs 24 bytes but data_offsets [0, 20] span 20 bytes"});
}

TEST(SafetensorsCorrupt, OverlappingTensors) {
  const auto dir = vsr::test::temp_dir("st_overlap");
  expect_refused(put(dir, "a.safetensors",
                     raw_file(R"({"x":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                              R"("y":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})",
                              "123456")),
                 {"tensor \"y\"", "overlap tensor \"x\" at [0, 4]"});
  // Two names for the same bytes.
  expect_refused(put(dir, "b.safetensors",
                     raw_file(R"({"x":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                              R"("y":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})",
                              "1234")),
                 {"overlap"});
}

TEST(SafetensorsCorrupt, GapsAndTrailingBytesAreRefusedLikeTheRustLibrary) {
  const auto dir = vsr::test::temp_dir("st_gap");
  expect_refused(put(dir, "gap.safetensors",
                     raw_file(R"({"x":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                              R"("y":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}})",
                              "123456")),
                 {"tensor \"y\"", "gap: bytes [2, 4)"});
  expect_refused(put(dir, "lead.safetensors", raw_file(R"({"y":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}})", "123")),
                 {"gap: bytes [0, 1)"});
  expect_refused(put(dir, "tail.safetensors", raw_file(R"({"y":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})", "1234")),
                 {"data", "2 trailing bytes"});
}

TEST(SafetensorsCorrupt, DuplicateKeys) {
  const auto dir = vsr::test::temp_dir("st_dup");
  expect_refused(put(dir, "a.safetensors",
                     raw_file(R"({"x":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                              R"("x":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}})",
                              "1234")),
                 {"duplicate key \"x\""});
  expect_refused(put(dir, "b.safetensors", raw_file(R"({"x":{"dtype":"U8","dtype":"I8","shape":[0],"data_offsets":[0,0]}})")),
                 {"duplicate key \"x.dtype\""});
}

TEST(SafetensorsCorrupt, MetadataMustMapStringsToStrings) {
  const auto dir = vsr::test::temp_dir("st_meta");
  expect_refused(put(dir, "a.safetensors", raw_file(R"({"__metadata__":{"format":"pt","step":3}})")),
                 {"__metadata__.step", "must be strings, got an integer"});
  expect_refused(put(dir, "b.safetensors", raw_file(R"({"__metadata__":["pt"]})")), {"__metadata__", "expected an object"});
  // null metadata is accepted, as by the reference library.
  const auto ok = put(dir, "c.safetensors", raw_file(R"({"__metadata__":null}   )"));
  EXPECT_TRUE(SafetensorsFile::open(ok).metadata().empty());
}

TEST(SafetensorsCorrupt, IndexDefects) {
  const auto dir = vsr::test::temp_dir("st_index");
  SafetensorsWriter w;
  w.add("a", DType::U8, {2}, bytes_of({1, 2}));
  w.add("b", DType::U8, {2}, bytes_of({3, 4}));
  w.write(dir / "shard1.safetensors");
  const auto index = dir / "model.safetensors.index.json";
  const std::string idx = index.string();

  put(dir, "model.safetensors.index.json", "{\"weight_map\": {\"a\": ");
  expect_checkpoint_refused(dir, idx, {"not valid JSON"});
  put(dir, "model.safetensors.index.json", R"({"metadata": {"total_size": 4}})");
  expect_checkpoint_refused(dir, idx, {"weight_map", "missing"});
  put(dir, "model.safetensors.index.json", R"({"weight_map": ["a"]})");
  expect_checkpoint_refused(dir, idx, {"weight_map", "expected an object"});
  put(dir, "model.safetensors.index.json", R"({"weight_map": {"a": "shard1.safetensors", "b": "shard2.safetensors"}})");
  expect_checkpoint_refused(dir, idx, {"weight_map.b", "shard file", "shard2.safetensors", "does not exist"});
  put(dir, "model.safetensors.index.json",
      R"({"weight_map": {"a": "shard1.safetensors", "b": "shard1.safetensors", "c": "shard1.safetensors"}})");
  expect_checkpoint_refused(dir, idx, {"weight_map.c", "absent from its shard \"shard1.safetensors\""});
  put(dir, "model.safetensors.index.json", R"({"weight_map": {"a": "shard1.safetensors"}})");
  expect_checkpoint_refused(dir, (dir / "shard1.safetensors").string(), {"tensor \"b\"", "maps it nowhere"});
  put(dir, "model.safetensors.index.json", R"({"weight_map": {"a": "../shard1.safetensors"}})");
  expect_checkpoint_refused(dir, idx, {"weight_map.a", "inside the checkpoint folder"});
  put(dir, "model.safetensors.index.json", R"({"weight_map": {"a": 1}})");
  expect_checkpoint_refused(dir, idx, {"weight_map.a", "expected a shard file name"});
  put(dir, "model.safetensors.index.json", R"({"weight_map": {"a": "shard1.safetensors", "a": "shard1.safetensors"}})");
  expect_checkpoint_refused(dir, idx, {"duplicate key \"weight_map.a\""});
  // A corrupt shard is reported with the shard's own name.
  put(dir, "shard3.safetensors", "short");
  put(dir, "model.safetensors.index.json", R"({"weight_map": {"a": "shard3.safetensors"}})");
  expect_checkpoint_refused(dir, (dir / "shard3.safetensors").string(), {"shorter than the 8-byte"});

  put(dir, "model.safetensors.index.json", R"({"metadata": {"total_size": 4}, "weight_map": {"a": "shard1.safetensors", "b": "shard1.safetensors"}})");
  EXPECT_EQ(Checkpoint::open(dir).names(), (std::vector<std::string>{"a", "b"}));
}
