// pollen/core/poll_observer.hpp: PollObserver, per-node poll statistics kept
// outside the futures.
//
// Every library future (and every stream's poll_next) starts its poll with
//
//   detail::observe_poll(cx, this);
//
// which costs one predictable branch when the Context carries no observer
// (the default), and otherwise calls observer->on_poll(this, type_key). The
// futures themselves hold nothing: sizeof is unchanged and polling with the
// observer off never allocates. An executor that wants statistics owns a
// PollObserver and gives it to the Context of each poll.
//
// Example:
//
//   pollen::PollObserver obs;
//   pollen::Context cx(waker, obs);          // child contexts inherit it
//   obs.begin_task_poll(wakes_so_far);       // before each poll of the root
//   auto r = f.poll(cx);                     // Ready, or Pending
//   fmt::print("{}", pollen::describe(f, obs));
//   //   Then [state: First] 24 B, 3 polls, 1 spurious (!)
//
// Ready-made drivers: pollen::block_on(f, obs) (core/block_on.hpp). In
// tests, poll as above with the waker of a pollen::testing::CountingWaker
// (<pollen/testing.hpp>) and its wakes() as the wake count. The event loop
// keeps one observer per loop when introspection is on (runtime/).
// docs/introspection.md has a worked example.
//
// Nodes are keyed by (address, type). A combinator and its first member share
// an address (a Map and the future inside it), so the type is part of the
// key; the type key is the address of a per-type static, no RTTI needed.
//
// Spurious polls
// --------------
// A spurious poll is a poll of a node that returned Pending last time, with
// no wake since that previous poll began: the executor polled it for
// nothing. The executor supplies the wakes: before each poll of a task's root
// it calls begin_task_poll(n), n being how many times that task's waker has
// been woken so far (any monotonic count works). on_poll() flags the poll as
// spurious when the node was last polled during an EARLIER task poll and the
// count has not moved since. Honest limits of this granularity:
// * Wakes are counted per task (per waker given to the root), not per node:
//   select's arms share one waker, so when one arm is woken, re-polling the
//   other arm is not flagged, although for that arm it was for nothing.
// * Polls within the same task poll are never flagged: they are a combinator
//   looping (a stream yielding item after item) or a fresh future built where
//   a finished one was (loop_fn's body). The counts of such a future continue
//   those of the previous one at the same place and of the same type.
// * A stream whose previous poll_next yielded an item, polled again in a
//   later task poll without a wake, is flagged too: its consumer stopped
//   pulling without being woken, which is the same waste seen one level up.
// * Without begin_task_poll() calls, polls are counted but none is spurious.
//
// When a task finishes, its executor should call forget_range(task, size) so
// that a later task allocated at the same address does not inherit its
// counts; clear() forgets everything.
//
// A PollObserver is single-threaded: the thread that polls owns it.
// Recording allocates (one map node per new node); an allocation failure
// inside on_poll() terminates, as it happens inside noexcept code.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/type_key.hpp>

#include <cstddef>
#include <cstdint>

POLLEN_NAMESPACE_BEGIN

// The statistics of one node.
struct PollStats {
  std::uint64_t polls = 0;     // polls of this node
  std::uint64_t spurious = 0;  // polls with no wake since the previous one
};

class PollObserver {
 public:
  PollObserver() noexcept;
  ~PollObserver();
  PollObserver(const PollObserver&) = delete;
  PollObserver& operator=(const PollObserver&) = delete;

  // Called by the executor before it polls a task's root future.
  // `wakes_of_this_task` is the number of wakes of that task's waker so far.
  void begin_task_poll(std::uint64_t wakes_of_this_task) noexcept {
    ++task_polls_;
    wakes_ = wakes_of_this_task;
  }

  // Records one poll of the node of type `type_key` at `node` (what
  // detail::observe_poll does; executors do not call it).
  void on_poll(const void* node, const void* type_key) noexcept;

  // The statistics of a node, or nullptr if it was never polled (since the
  // last clear()/forget_range() that covered it).
  const PollStats* find(const void* node, const void* type_key) const noexcept;

  // Forgets every node whose address is in [begin, begin + bytes): the
  // executor calls it when a task's storage is freed.
  void forget_range(const void* begin, std::size_t bytes) noexcept;
  // Forgets every node and resets the totals.
  void clear() noexcept;

  // Totals over all polls recorded since construction or clear() (forgetting
  // nodes does not lower them).
  std::uint64_t total_polls() const noexcept { return total_polls_; }
  std::uint64_t total_spurious() const noexcept { return total_spurious_; }
  // Number of begin_task_poll() calls since construction or clear().
  std::uint64_t task_polls() const noexcept { return task_polls_; }
  // Number of nodes currently tracked.
  std::size_t tracked_nodes() const noexcept;

 private:
  struct Nodes;  // the per-node entries, defined in src/poll_observer.cpp

  Nodes* nodes_ = nullptr;  // owned; created at the first on_poll()
  std::uint64_t task_polls_ = 0;
  std::uint64_t wakes_ = 0;
  std::uint64_t total_polls_ = 0;
  std::uint64_t total_spurious_ = 0;
};


POLLEN_NAMESPACE_END
