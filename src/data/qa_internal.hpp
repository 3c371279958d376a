#pragma once
// Internal to the question builder: deterministic random numbers, the per-scene category index with cached
// closest-point distances, and the per-task generators (one file per group of tasks).
#include "vsr/data/qa.hpp"
#include "vsr/geometry/nearest.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace vsr::data::qa {

/// splitmix64: a small generator whose output is the same on every platform (std distributions are not).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, n) (n > 0), by rejection.
  std::size_t below(std::size_t n) {
    const std::uint64_t limit = ~std::uint64_t(0) - (~std::uint64_t(0) % n);
    std::uint64_t x;
    do x = next(); while (x >= limit);
    return static_cast<std::size_t>(x % n);
  }
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  std::uint64_t state_;
};

/// FNV-1a-style hash of a string, to derive a scene's seed from its name. Its offset basis (1469598103934665603) is
/// not FNV's (14695981039346656037, used by prompt::Mixture); it stays, since every generated question set derives
/// from it.
std::uint64_t hash_name(const std::string& s);

/// The question objects of a scene grouped by category, with lazily computed closest-point distances.
class SceneIndex {
 public:
  SceneIndex(const Scene& scene, const QaOptions& options, const Visibility* visibility);

  const Scene& scene() const { return scene_; }
  /// Category -> indices into scene.objects (sorted by category name).
  const std::map<std::string, std::vector<int>>& categories() const { return categories_; }
  /// Categories with exactly one instance, sorted.
  const std::vector<std::string>& singles() const { return singles_; }
  /// The only object of a single-instance category.
  const SceneObject& single(const std::string& category) const;
  /// Closest-point distance between objects i and j (cached).
  double object_distance(int i, int j);
  /// Closest-point distance between object i and the nearest instance of `category`.
  double category_distance(int i, const std::string& category);

 private:
  const geometry::KdTree& tree(int i);
  const Scene& scene_;
  std::map<std::string, std::vector<int>> categories_;
  std::vector<std::string> singles_;
  std::vector<std::unique_ptr<geometry::KdTree>> trees_;
  std::vector<std::array<geometry::Point3f, 2>> aabb_;
  std::unordered_map<std::uint64_t, double> cache_;
};

/// Everything a task generator needs.
struct Context {
  const Scene& scene;
  const QaOptions& options;
  const Visibility* visibility;
  SceneIndex& index;
  Rng& rng;
  /// The per-scene cap, or a large number when there is none.
  std::size_t cap() const;
  /// A record with the common fields filled; `choices` non-empty gives lettered options when with_options is set.
  Sample make(const std::string& type, std::string question, std::vector<std::string> categories,
              const std::string& answer, std::vector<std::string> choices = {}) const;
};

/// Formats a value with one decimal ("2.5").
std::string one_decimal(double v);

void counting(Context& c, std::vector<Sample>& out);
void size_estimation(Context& c, std::vector<Sample>& out);
void abs_distance(Context& c, std::vector<Sample>& out);
void room_size(Context& c, std::vector<Sample>& out);
void rel_distance(Context& c, std::vector<Sample>& out);
/// `level` is "easy", "medium" or "hard".
void rel_direction(Context& c, const std::string& level, std::vector<Sample>& out);
void appearance_order(Context& c, std::vector<Sample>& out);
void route_planning(Context& c, std::vector<Sample>& out);

/// Counter-clockwise angle (degrees, [0, 360)) from direction (fx, fy) to direction (qx, qy).
double ccw_angle_deg(double fx, double fy, double qx, double qy);

}  // namespace vsr::data::qa
