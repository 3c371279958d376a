// Data-parallel process group from the launcher's environment: TCPStore rendezvous, Gloo (CPU) or NCCL (CUDA).
#include "vsr/train/distributed.hpp"

#include "vsr/core/error.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#if defined(VSR_WITH_CUDA)
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <charconv>
#include <cstring>
#include <cstdlib>
#include <map>
#include <string_view>

namespace vsr::train {

namespace {

constexpr const char* kEnv = "<environment>";

/// The integer value of environment variable `name` in [lo, hi], or nullopt when unset or empty.
std::optional<long> env_int(const char* name, long lo, long hi) {
  const char* raw = std::getenv(name);
  if (raw == nullptr || *raw == '\0') return std::nullopt;
  const std::string_view text(raw);
  long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < lo || value > hi)
    fail(kEnv, name,
         "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], found " + quote(text));
  return value;
}

bool is_loopback(const std::string& host) { return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1"; }

/// Runs a c10d call, turning LibTorch's exceptions into a vsr::Error naming the operation.
template <class F>
auto guarded(const char* what, F&& f) {
  try {
    return f();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    std::string message = e.what();
    if (const auto nl = message.find('\n'); nl != std::string::npos) message.resize(nl);
    fail("<distributed>", what, message);
  }
}

}  // namespace

DistributedEnv DistributedEnv::from_environment() {
  DistributedEnv env;
  const auto world = env_int("WORLD_SIZE", 1, 1 << 20);
  if (!world || *world == 1) {
    env.local_rank = static_cast<int>(env_int("LOCAL_RANK", 0, 1 << 20).value_or(0));
    return env;
  }
  env.world_size = static_cast<int>(*world);
  const auto rank = env_int("RANK", 0, env.world_size - 1);
  if (!rank) fail(kEnv, "RANK", "expected this process's rank (WORLD_SIZE is " + std::to_string(env.world_size) + ")");
  env.rank = static_cast<int>(*rank);
  env.local_rank = static_cast<int>(env_int("LOCAL_RANK", 0, 1 << 20).value_or(env.rank));
  const char* addr = std::getenv("MASTER_ADDR");
  if (addr == nullptr || *addr == '\0') fail(kEnv, "MASTER_ADDR", "expected the host of rank 0 (WORLD_SIZE > 1)");
  env.master_addr = addr;
  const auto port = env_int("MASTER_PORT", 1, 65535);
  if (!port) fail(kEnv, "MASTER_PORT", "expected the rendezvous port of rank 0 (WORLD_SIZE > 1)");
  env.master_port = static_cast<int>(*port);
  return env;
}

struct Distributed::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> group;
  at::Device device = at::kCPU;
  std::string backend = "none";

  std::string who;                   ///< "rank R of N", for errors
  double collective_timeout_s = 0;   ///< for errors
  /// Waits for a collective; a failure (a peer gone, or silent past the timeout) is a vsr::Error saying so.
  void wait(c10::intrusive_ptr<c10d::Work> work, const char* what) const {
    collective(what, [&] { work->wait(); });
  }
  template <class F>
  void collective(const char* what, F&& f) const {
    try {
      f();
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      std::string message = e.what();
      if (const auto nl = message.find('\n'); nl != std::string::npos) message.resize(nl);
      fail("<distributed>", what,
           fmt::format("{}: the collective failed: another rank died or did not answer within "
                       "collective_timeout_s = {:g} s ({})", who, collective_timeout_s, message));
    }
  }
  at::TensorOptions doubles() const { return at::TensorOptions(at::kDouble).device(device); }
  /// All-reduces doubles with `op` (one collective).
  std::vector<double> reduce(std::vector<double> values, c10d::ReduceOp op) const {
    if (values.empty()) return values;
    std::vector<at::Tensor> t{at::tensor(values, at::TensorOptions(at::kDouble)).to(device)};
    c10d::AllreduceOptions options;
    options.reduceOp = op;
    collective("allreduce", [&] { group->allreduce(t, options)->wait(); });
    const at::Tensor cpu = t[0].to(at::kCPU).contiguous();
    const double* p = cpu.data_ptr<double>();
    return std::vector<double>(p, p + cpu.numel());
  }
};

Distributed::Distributed() : impl_(std::make_unique<Impl>()) {}

Distributed::Distributed(const DistributedEnv& env, const std::string& device, std::chrono::milliseconds timeout,
                         std::chrono::milliseconds collective_timeout)
    : env_(env), impl_(std::make_unique<Impl>()) {
  if (env_.world_size < 1 || env_.rank < 0 || env_.rank >= env_.world_size)
    fail(kEnv, "RANK", "expected 0 <= RANK < WORLD_SIZE, found " + std::to_string(env_.rank) + " of " +
                           std::to_string(env_.world_size));
  if (env_.world_size == 1) return;
  impl_->device = at::Device(device_for_rank(device));
  c10d::TCPStoreOptions options;
  options.port = static_cast<std::uint16_t>(env_.master_port);
  options.isServer = env_.rank == 0;
  options.numWorkers = static_cast<std::size_t>(env_.world_size);
  options.waitWorkers = true;
  options.timeout = timeout;
  impl_->store = guarded("MASTER_PORT", [&] {
    return c10::intrusive_ptr<c10d::Store>(c10::make_intrusive<c10d::TCPStore>(env_.master_addr, options));
  });
  // Collectives may wait on a rank that is writing a checkpoint or evaluating ([runtime] collective_timeout_s).
  const auto op_timeout = collective_timeout;
  impl_->who = fmt::format("rank {} of {}", env_.rank, env_.world_size);
  impl_->collective_timeout_s = std::chrono::duration<double>(collective_timeout).count();
  if (impl_->device.is_cuda()) {
#if defined(VSR_WITH_CUDA)
    c10::cuda::set_device(static_cast<c10::DeviceIndex>(impl_->device.index()));
    auto nccl = c10d::ProcessGroupNCCL::Options::create();
    nccl->timeout = op_timeout;
    impl_->group = guarded("nccl", [&] {
      return c10::intrusive_ptr<c10d::ProcessGroup>(
          c10::make_intrusive<c10d::ProcessGroupNCCL>(impl_->store, env_.rank, env_.world_size, nccl));
    });
    impl_->backend = "nccl";
    return;
#else
    fail("[runtime]", "device", "a CUDA device needs vsr built with a CUDA LibTorch");
#endif
  }
  auto gloo = c10d::ProcessGroupGloo::Options::create(op_timeout);
  if (const char* iface = std::getenv("GLOO_SOCKET_IFNAME"); iface != nullptr && *iface != '\0') {
    gloo->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(iface));
  } else if (is_loopback(env_.master_addr)) {
    gloo->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
  } else {
    gloo->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  }
  gloo->threads = 2;
  impl_->group = guarded("gloo", [&] {
    return c10::intrusive_ptr<c10d::ProcessGroup>(
        c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, env_.rank, env_.world_size, gloo));
  });
  impl_->backend = "gloo";
}

std::unique_ptr<Distributed> Distributed::from_environment(const std::string& device,
                                                       std::chrono::milliseconds collective_timeout) {
  return std::make_unique<Distributed>(DistributedEnv::from_environment(), device, std::chrono::minutes(5),
                                       collective_timeout);
}

Distributed::~Distributed() = default;

std::string Distributed::backend() const { return impl_->backend; }

std::string Distributed::device_for_rank(const std::string& device) const {
  if (env_.world_size > 1 && device == "cuda") return "cuda:" + std::to_string(env_.local_rank);
  return device;
}

void Distributed::all_reduce_sum(std::vector<at::Tensor>& tensors, std::int64_t bucket_bytes) const {
  if (!active()) return;
  at::NoGradGuard no_grad;
  // Buckets of consecutive tensors sharing dtype and device, each up to bucket_bytes (one tensor at least).
  std::vector<std::vector<std::size_t>> buckets;
  std::map<std::pair<int, std::string>, std::size_t> open;  // (dtype, device) -> index into buckets
  std::map<std::size_t, std::int64_t> filled;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const at::Tensor& t = tensors[i];
    if (!t.defined()) continue;
    const std::pair<int, std::string> key{static_cast<int>(t.scalar_type()), t.device().str()};
    const std::int64_t bytes = t.numel() * static_cast<std::int64_t>(t.element_size());
    auto it = open.find(key);
    if (it == open.end() || filled[it->second] + bytes > bucket_bytes) {
      buckets.emplace_back();
      it = open.insert_or_assign(key, buckets.size() - 1).first;
    }
    buckets[it->second].push_back(i);
    filled[it->second] += bytes;
  }
  for (const auto& bucket : buckets) {
    std::vector<at::Tensor> flat;
    for (const auto i : bucket) flat.push_back(tensors[i].reshape({-1}));
    std::vector<at::Tensor> one{at::cat(flat)};
    impl_->wait(impl_->group->allreduce(one), "allreduce");
    std::int64_t offset = 0;
    for (const auto i : bucket) {
      const std::int64_t n = tensors[i].numel();
      tensors[i].copy_(one[0].narrow(0, offset, n).view(tensors[i].sizes()));
      offset += n;
    }
  }
}


std::vector<double> Distributed::all_reduce_sum(std::vector<double> values) const {
  if (!active()) return values;
  return impl_->reduce(std::move(values), c10d::ReduceOp::SUM);
}

std::vector<double> Distributed::all_reduce_max(std::vector<double> values) const {
  if (!active()) return values;
  return impl_->reduce(std::move(values), c10d::ReduceOp::MAX);
}

void Distributed::barrier() const {
  if (!active()) return;
  impl_->wait(impl_->group->barrier(), "barrier");
}

std::string Distributed::broadcast(const std::string& bytes, int root) const {
  if (!active()) return bytes;
  if (root < 0 || root >= env_.world_size) fail("<distributed>", "broadcast", "root rank out of range");
  const auto opt = at::TensorOptions(at::kLong).device(impl_->device);
  c10d::BroadcastOptions options;
  options.rootRank = root;
  std::vector<at::Tensor> size{at::full({1}, static_cast<std::int64_t>(bytes.size()), opt)};
  impl_->wait(impl_->group->broadcast(size, options), "broadcast");
  const std::int64_t n = size[0].to(at::kCPU).item<std::int64_t>();
  if (n == 0) return {};
  at::Tensor data = at::empty({n}, at::TensorOptions(at::kByte));
  if (env_.rank == root) std::memcpy(data.data_ptr<std::uint8_t>(), bytes.data(), bytes.size());
  std::vector<at::Tensor> payload{data.to(impl_->device)};
  impl_->wait(impl_->group->broadcast(payload, options), "broadcast");
  const at::Tensor back = payload[0].to(at::kCPU).contiguous();
  return std::string(reinterpret_cast<const char*>(back.data_ptr<std::uint8_t>()), static_cast<std::size_t>(n));
}

}  // namespace vsr::train
