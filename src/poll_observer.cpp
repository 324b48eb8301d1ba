// PollObserver: the per-node statistics behind describe(f, observer).
#include <pollen/core/poll_observer.hpp>

#include <map>
#include <utility>

POLLEN_NAMESPACE_BEGIN

struct PollObserver::Nodes {
  struct Entry {
    PollStats stats;
    std::uint64_t task_poll = 0;  // the observer's task_polls() when last polled
    std::uint64_t wakes = 0;      // the task's wake count when last polled
  };
  // (node address, type key), ordered by address first so that the nodes of
  // a range of memory are one contiguous range of the map.
  using Key = std::pair<std::uintptr_t, std::uintptr_t>;

  std::map<Key, Entry> map;
};

namespace {
using Key = std::pair<std::uintptr_t, std::uintptr_t>;
Key key_of(const void* node, const void* type_key) noexcept {
  return Key(reinterpret_cast<std::uintptr_t>(node), reinterpret_cast<std::uintptr_t>(type_key));
}
}  // namespace

PollObserver::PollObserver() noexcept = default;
PollObserver::~PollObserver() { delete nodes_; }

void PollObserver::on_poll(const void* node, const void* type_key) noexcept {
  if (nodes_ == nullptr) nodes_ = new Nodes();
  ++total_polls_;
  auto inserted = nodes_->map.emplace(key_of(node, type_key), Nodes::Entry());
  Nodes::Entry& e = inserted.first->second;
  bool seen_before = !inserted.second;
  // Polled in an earlier task poll and no wake since that poll began: the
  // node returned Pending then (a Ready node is not polled again) and
  // nothing said it could make progress.
  if (seen_before && task_polls_ != 0 && e.task_poll != task_polls_ && e.wakes == wakes_) {
    ++e.stats.spurious;
    ++total_spurious_;
  }
  ++e.stats.polls;
  e.task_poll = task_polls_;
  e.wakes = wakes_;
}

const PollStats* PollObserver::find(const void* node, const void* type_key) const noexcept {
  if (nodes_ == nullptr) return nullptr;
  auto it = nodes_->map.find(key_of(node, type_key));
  return it == nodes_->map.end() ? nullptr : &it->second.stats;
}

void PollObserver::forget_range(const void* begin, std::size_t bytes) noexcept {
  if (nodes_ == nullptr || bytes == 0) return;
  std::uintptr_t lo = reinterpret_cast<std::uintptr_t>(begin);
  std::uintptr_t hi = lo + bytes;
  auto first = nodes_->map.lower_bound(Key(lo, 0));
  auto last = nodes_->map.lower_bound(Key(hi, 0));
  nodes_->map.erase(first, last);
}

void PollObserver::clear() noexcept {
  if (nodes_ != nullptr) nodes_->map.clear();
  task_polls_ = 0;
  wakes_ = 0;
  total_polls_ = 0;
  total_spurious_ = 0;
}

std::size_t PollObserver::tracked_nodes() const noexcept {
  return nodes_ != nullptr ? nodes_->map.size() : 0;
}

POLLEN_NAMESPACE_END
