// pollen/future/join_all.hpp: join_all(std::vector<F>), wait for all of a
// run-time number of futures; Ready with a std::vector of their outputs, in
// input order.
//
// States:
//
//     Running --every child Ready--> Done
//        |
//        | a child's poll threw (every child destroyed)
//        v
//     Poisoned
//
//   State::Running   holds one MaybeDone per child, the shared wake block
//                    and the count of children still running
//   State::Poisoned  holds nothing (a poll threw; polling again is an error)
//   State::Done      holds nothing (the vector was returned)
//
// What it does: like join (join.hpp), for a std::vector of futures of one
// type. Each child has its own waker; a wake appends the child's index to a
// ready list (wake_list.hpp), and a poll of join_all polls exactly the
// children in that list, never scanning the others. A wake therefore costs
// O(1) amortized, and joining N futures woken one at a time costs O(N) in
// total (futures-rs's join_all scanned every child on every wake, O(N^2),
// for years).
//
// Polling order: on the first poll, every child in index order; after that,
// the woken children in the order they were woken (sorting them by index
// would cost O(log k) per wake; see docs/design.md), each at most once per
// poll.
//
// The cooperative budget (core/context.hpp): when a child's poll leaves the
// budget spent, join_all stops there and wakes its task; the next poll
// begins with the children it did not reach, then those woken since. So a
// child that spends the whole budget cannot starve the others, and N
// children ready at once cost O(N) in total, however small the budget (the
// walk never visits a child only to find the budget gone).
//
// Cost: building it allocates the MaybeDone vector, the shared wake block
// (a reference count, a mutex, a ready list of N indices, a 16-byte slot per
// child) and a scratch list; the result vector is allocated when it is
// Ready. Child polls use borrowed wakers (no reference counting); a child
// that keeps its waker clones it (one atomic increment).
//
// Output: std::vector<output of F>, in input order. An empty input is Ready
// at once with an empty vector.
// Cancellation: destroying it while Running destroys every child still
// running and every output already produced.
// Contract errors: polling it after Ready ("JoinAll polled after it returned
// Ready"); polling it again after a poll threw.
// Example:
//   std::vector<pollen::BoxFuture<int>> fs = ...;
//   std::vector<int> all = pollen::block_on(pollen::join_all(std::move(fs)));
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/future/maybe_done.hpp>
#include <pollen/future/wake_list.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class JoinAllState : unsigned char { Running, Poisoned, Done };

// JoinAll's Running payload: the children, their wake list, and the
// children taken from it that this or the next poll visits.
template <class F>
struct JoinAllArms {
  explicit JoinAllArms(std::vector<F>&& fs) {
    POLLEN_REQUIRE(fs.size() < 0xffffffffu, "join_all() of more than 2^32 - 1 futures");
    children.reserve(fs.size());
    for (F& f : fs) children.emplace_back(std::move(f));
    remaining = static_cast<std::uint32_t>(children.size());
    wakes = WakeList::create(remaining, true);
  }
  JoinAllArms(JoinAllArms&& o) noexcept
      : children(std::move(o.children)),
        wakes(o.wakes),
        scratch(std::move(o.scratch)),
        next(o.next),
        remaining(o.remaining) {
    o.wakes = nullptr;
  }
  JoinAllArms& operator=(JoinAllArms&&) = delete;
  // Later wakes of the children do nothing; the list itself lives until its
  // last waker is gone.
  ~JoinAllArms() {
    if (wakes != nullptr) {
      wakes->close();
      wakes->release();
    }
  }

  // The children this poll visits, in scratch[next..]: those the previous
  // poll did not reach (it ran out of budget), then those woken since. Each
  // is listed once: a child stays queued in the wake list from take() until
  // it is polled. Cost O(1) per child: the visited prefix is dropped only
  // once it is at least half of the list.
  void take_wakes() {
    if (next == scratch.size()) {
      scratch.clear();
      next = 0;
    } else if (next >= scratch.size() - next) {
      scratch.erase(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(next));
      next = 0;
    }
    wakes->take(scratch);
  }

  // One walk over the children taken from the wake list, each polled with
  // its slot's waker; `remaining` counts those that became Done. The walk
  // stops after a child that left the budget spent (the rest wait for the
  // next poll, which is asked for), or at a child whose output `stop(child)`
  // rejects (called on each child that became Done): then it returns true
  // at once, that child not counted.
  template <class Stop>
  bool poll_woken(Context& cx, Stop& stop) {
    wakes->set_parent(cx.waker());
    take_wakes();
    while (next < scratch.size()) {
      std::uint32_t i = scratch[next++];
      wakes->unqueue(i);  // a wake from now on queues it again
      MaybeDone<F>& child = children[i];
      if (child.state() != MaybeDone<F>::State::Future) continue;  // a late wake
      Waker w(wakes->borrowed_raw(i));
      Context child_cx(w, cx);
      if (child.poll_step(child_cx)) {
        if (stop(child)) return true;
        --remaining;
      }
      if (cx.budget_spent()) break;  // the rest wait for the next poll
    }
    if (remaining != 0 && next < scratch.size()) cx.waker().wake();  // children left over
    return false;
  }

  std::vector<MaybeDone<F>> children;
  WakeList* wakes = nullptr;           // one reference
  std::vector<std::uint32_t> scratch;  // children taken from the wake list; those
                                       // before next were polled, the rest are
                                       // still queued in the wake list
  std::uint32_t next = 0;              // the next child of scratch to poll
  std::uint32_t remaining = 0;         // children still running
};
}  // namespace detail

template <class F>
class POLLEN_NODISCARD_TYPE JoinAll
    : public detail::Machine<JoinAll<F>, detail::JoinAllState, detail::JoinAllArms<F>,
                             detail::NoPayload, detail::NoPayload> {
  using Base = detail::Machine<JoinAll<F>, detail::JoinAllState, detail::JoinAllArms<F>,
                               detail::NoPayload, detail::NoPayload>;
  friend Base;
  using Arms = detail::JoinAllArms<F>;

 public:
  using Output = std::vector<output_t<F>>;
  using State = detail::JoinAllState;
  static constexpr bool is_cancel_safe = ::pollen::is_cancel_safe<F>::value;

  explicit JoinAll(std::vector<F>&& fs) : Base(detail::initial, std::move(fs)) {}
  JoinAll(JoinAll&&) = default;  // the moved-from JoinAll is Done

  std::size_t size() const noexcept {
    return this->state() == State::Running ? arms().children.size() : 0;
  }
  // Children that have their output (0 unless Running).
  std::size_t ready_count() const noexcept {
    return this->state() == State::Running ? arms().children.size() - arms().remaining : 0;
  }

  void describe(Describer& d) const {
    switch (this->state()) {
      case State::Running:
        d.node("JoinAll", std::to_string(ready_count()) + " of " +
                              std::to_string(arms().children.size()) + " ready");
        for (const MaybeDone<F>& child : arms().children) d.child(child);
        return;
      case State::Poisoned:
        d.node("JoinAll", "state: Poisoned");
        return;
      case State::Done:
        d.node("JoinAll", "state: Done");
        return;
    }
  }

 private:
  static const char* name() noexcept { return "JoinAll"; }
  static constexpr State kInitial = State::Running;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Done;
  static constexpr bool kFinalIsError = true;

  Arms& arms() noexcept { return this->template get<State::Running>(); }
  const Arms& arms() const noexcept { return this->template get<State::Running>(); }

  // Called in Running: polls the children taken from the wake list.
  Poll<Output> resume(Context& cx) {
    detail::KeepEveryOutput keep;
    (void)arms().poll_woken(cx, keep);
    if (arms().remaining == 0) return finish();
    return pending;
  }

  // Every child is Done: the outputs move into the result vector here,
  // before the machine enters Done. A move that throws (or the allocation of
  // the vector) leaves the JoinAll Poisoned: the outputs not moved yet go
  // with the children, those moved with the vector.
  Poll<Output> finish() {
    Output v;
    v.reserve(arms().children.size());
    for (MaybeDone<F>& child : arms().children) v.push_back(child.take_output());
    return Poll<Output>(in_place, std::move(v));
  }
};

namespace detail {
// The one check of join_all(futures): the elements must be futures. A failed
// check is the first error the compiler prints, at the call, and the call
// then yields a NotAFuture, which keeps quiet (Rejected, core/future.hpp).
template <class F>
struct join_all_check {
  static constexpr bool future = is_future<F>::value;
  struct errors {
    static_assert(future,
                  "pollen: this type is not a future: the elements of join_all()'s vector must be "
                  "futures");
  };
  using type = typename std::conditional<future, JoinAll<F>, Rejected<errors>>::type;
};
}  // namespace detail

// join_all(futures): Ready with every output, in input order. See the top of
// this file.
template <class F>
POLLEN_NODISCARD typename detail::join_all_check<F>::type join_all(std::vector<F> fs) {
  return detail::build<typename detail::join_all_check<F>::type>(std::move(fs));
}

POLLEN_NAMESPACE_END
