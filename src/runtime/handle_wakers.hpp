// src/runtime/handle_wakers.hpp: HandleWakers, the waker of each JoinHandle that
// waits for an unfinished task (private to src/runtime).
//
// A task's header has no room for a JoinHandle's waker (most tasks are never
// awaited while they run: detached, or collected after they finished), so
// the loop keeps them in this table, keyed by the task: an entry exists from
// the handle's first Pending poll until the task finishes (the waker is
// taken and woken) or the handle lets go. The task's state bit kJoinWaker
// says it has one. Open addressing with linear probing and backward-shift
// deletion; the array keeps its capacity, so awaiting allocates only when
// more handles wait at once than ever before. Loop thread only.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/waker.hpp>
#include <pollen/runtime/task.hpp>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

POLLEN_NAMESPACE_BEGIN
namespace detail {

class HandleWakers {
 public:
  // The waker registered for `t`, or nullptr.
  Waker* find(const TaskHeader* t) noexcept {
    if (count_ == 0) return nullptr;
    for (std::size_t i = home(t);; i = (i + 1) & mask()) {
      if (slots_[i].key == t) return &slots_[i].waker;
      if (slots_[i].key == nullptr) return nullptr;
    }
  }
  // Registers `w` for `t` (which has none). May throw std::bad_alloc while
  // growing; nothing changes then.
  void insert(const TaskHeader* t, const Waker& w) {
    if ((count_ + 1) * 4 > slots_.size() * 3) grow();
    std::size_t i = home(t);
    while (slots_[i].key != nullptr) i = (i + 1) & mask();
    slots_[i].key = t;
    slots_[i].waker = w;
    ++count_;
  }
  // Removes the waker registered for `t` and returns it.
  Waker take(const TaskHeader* t) noexcept {
    std::size_t i = home(t);
    while (slots_[i].key != t) i = (i + 1) & mask();
    Waker out = std::move(slots_[i].waker);
    slots_[i].key = nullptr;
    --count_;
    // Backward shift: move later entries of the cluster into the hole when
    // their home is not between the hole and them.
    for (std::size_t j = (i + 1) & mask(); slots_[j].key != nullptr; j = (j + 1) & mask()) {
      const std::size_t k = home(slots_[j].key);
      const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
      if (stays) continue;
      slots_[i].key = slots_[j].key;
      slots_[i].waker = std::move(slots_[j].waker);
      slots_[j].key = nullptr;
      i = j;
    }
    return out;
  }
  std::size_t size() const noexcept { return count_; }

 private:
  struct Entry {
    const TaskHeader* key = nullptr;
    Waker waker;
  };
  std::size_t mask() const noexcept { return slots_.size() - 1; }
  std::size_t home(const TaskHeader* t) const noexcept {
    const std::uint64_t h = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(t) >> 3) *
                            0x9E3779B97F4A7C15ull;
    return static_cast<std::size_t>(h >> 32) & mask();
  }
  void grow() {
    std::vector<Entry> old(slots_.size() < 8 ? 16 : slots_.size() * 2);
    old.swap(slots_);  // slots_ is the new, empty array
    count_ = 0;
    for (Entry& e : old) {
      if (e.key == nullptr) continue;
      std::size_t i = home(e.key);
      while (slots_[i].key != nullptr) i = (i + 1) & mask();
      slots_[i].key = e.key;
      slots_[i].waker = std::move(e.waker);
      ++count_;
    }
  }

  std::vector<Entry> slots_;  // a power of two entries, or none
  std::size_t count_ = 0;
};

}  // namespace detail
POLLEN_NAMESPACE_END
