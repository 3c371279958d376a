#pragma once
/// @file
/// Data-parallel training and evaluation over LibTorch's c10d: a process group made from the environment that
/// torchrun, `vsr launch` and SLURM wrappers set (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT), with a
/// c10d TCPStore served by rank 0 for the rendezvous and ProcessGroupGloo on CPU (ProcessGroupNCCL on CUDA when vsr
/// is built with a CUDA LibTorch). Without WORLD_SIZE (or with WORLD_SIZE=1) there is no process group at all and
/// every collective is the identity. The c10d headers stay in the .cpp. See docs/distributed.md.

#include <ATen/core/Tensor.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vsr::train {

/// The standard launcher variables, parsed.
struct DistributedEnv {
  int rank = 0;                      ///< RANK: this process among all (0..world_size-1)
  int world_size = 1;                ///< WORLD_SIZE: processes in all
  int local_rank = 0;                ///< LOCAL_RANK: this process among those of its node (picks cuda:LOCAL_RANK)
  std::string master_addr = "127.0.0.1";  ///< MASTER_ADDR: host of rank 0's store
  int master_port = 29500;           ///< MASTER_PORT: port of rank 0's store (torchrun's default 29500)

  /// Reads the variables from the process environment; absent WORLD_SIZE means a single process. vsr::Error naming
  /// the variable (file "<environment>") on a value that is not a number in range.
  static DistributedEnv from_environment();
};

/// One process of a data-parallel job (or the whole of a single-process one).
class Distributed {
 public:
  /// A single process: rank 0 of 1, no process group.
  Distributed();
  /// Joins the job described by `env` (world_size > 1: rank 0 serves a TCPStore on MASTER_PORT, every rank waits up
  /// to `timeout` for the others, then builds the process group): NCCL when `device` is CUDA and vsr was built with
  /// CUDA, Gloo otherwise. A collective that waits longer than `collective_timeout` for another rank (dead, hung,
  /// or still writing a checkpoint) fails with vsr::Error naming this rank and the timeout. vsr::Error when the
  /// rendezvous fails or times out.
  explicit Distributed(const DistributedEnv& env, const std::string& device = "cpu",
                       std::chrono::milliseconds timeout = std::chrono::minutes(5),
                       std::chrono::milliseconds collective_timeout = std::chrono::minutes(30));
  /// Distributed(DistributedEnv::from_environment(), device, 5 minutes, collective_timeout).
  static std::unique_ptr<Distributed> from_environment(const std::string& device = "cpu",
                                                       std::chrono::milliseconds collective_timeout =
                                                           std::chrono::minutes(30));
  ~Distributed();
  Distributed(const Distributed&) = delete;
  Distributed& operator=(const Distributed&) = delete;

  /// This process's rank.
  int rank() const { return env_.rank; }
  /// Number of processes.
  int world_size() const { return env_.world_size; }
  /// LOCAL_RANK.
  int local_rank() const { return env_.local_rank; }
  /// Whether this is rank 0 (the one that writes files and logs).
  bool is_main() const { return env_.rank == 0; }
  /// Whether there is a process group (world_size > 1).
  bool active() const { return env_.world_size > 1; }
  /// The backend in use: "none", "gloo" or "nccl".
  std::string backend() const;
  /// `device` with the CUDA index set to LOCAL_RANK when it is "cuda" without an index and the job is distributed
  /// (one GPU per process); other devices unchanged.
  std::string device_for_rank(const std::string& device) const;

  /// Sums `tensors` over all ranks in place (same shapes and order on every rank). Tensors of one dtype and device
  /// are flattened into buckets of about `bucket_bytes` and each bucket is reduced with one allreduce (DDP's
  /// bucketing); undefined tensors are skipped. No-op on a single process.
  void all_reduce_sum(std::vector<at::Tensor>& tensors, std::int64_t bucket_bytes = 25 << 20) const;
  /// Element-wise sum of `values` over ranks (float64; same length on every rank); returned unchanged when single.
  std::vector<double> all_reduce_sum(std::vector<double> values) const;
  /// Element-wise maximum of `values` over ranks.
  std::vector<double> all_reduce_max(std::vector<double> values) const;
  /// Waits until every rank arrives.
  void barrier() const;
  /// Rank `root`'s `bytes` on every rank (a small string such as JSON).
  std::string broadcast(const std::string& bytes, int root = 0) const;

 private:
  struct Impl;
  DistributedEnv env_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vsr::train
