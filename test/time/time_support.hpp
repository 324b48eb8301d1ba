// test/time/time_support.hpp: helpers for the timer tests.
//
// * RecordingWakers: N wakers without reference counting whose wakes append
//   their index to a vector (to check the order in which timers fire).
// * splitmix64: the PRNG of the benchmark workloads.
#pragma once

#include <pollen/core/waker.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pollen {
namespace test {

inline std::uint64_t splitmix64(std::uint64_t& s) {
  s += 0x9E3779B97F4A7C15ull;
  std::uint64_t z = s;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class RecordingWakers {
 public:
  explicit RecordingWakers(std::size_t n) : slots_(n) {
    for (std::size_t i = 0; i < n; ++i) slots_[i] = Slot{this, i};
  }
  RecordingWakers(const RecordingWakers&) = delete;
  RecordingWakers& operator=(const RecordingWakers&) = delete;

  // The waker of index i (valid while this object lives).
  Waker waker(std::size_t i) const { return Waker(RawWaker{&slots_[i], &kVTable}); }
  const std::vector<std::size_t>& order() const noexcept { return order_; }
  void clear() { order_.clear(); }

 private:
  struct Slot {
    RecordingWakers* owner;
    std::size_t index;
  };
  static RawWaker clone(const void* d) { return RawWaker{d, &kVTable}; }
  static void wake(const void* d) {
    const Slot* s = static_cast<const Slot*>(d);
    s->owner->order_.push_back(s->index);
  }
  static void drop(const void*) {}
  static constexpr WakerVTable kVTable{&clone, &wake, &wake, &drop};

  std::vector<Slot> slots_;
  std::vector<std::size_t> order_;
};

constexpr WakerVTable RecordingWakers::kVTable;

}  // namespace test
}  // namespace pollen
