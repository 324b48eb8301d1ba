// pollen/future/select_all.hpp: select_all(std::vector<F>), wait for the
// first of a run-time number of futures; Ready with its index and value.
//
// States:
//
//     Running --a child Ready (every child destroyed)--> Done
//        |
//        | a child's poll threw (every child destroyed)
//        v
//     Poisoned
//
//   State::Running   holds every child
//   State::Poisoned  holds nothing (a poll threw; polling again is an error)
//   State::Done      holds nothing (the result was returned)
//
// What it does: like select (select.hpp) for a std::vector of futures of one
// type: each poll polls the children until one is Ready, starting at a
// position that rotates with select's per-thread counter (fair).
//
// Output: Selected<T>{index, value}: the position of the winner in the input
// vector and its output.
// Cancellation: when a child is Ready every other child is destroyed, in that
// poll (the cancellation point); select warns about dropped children that
// are not cancel safe exactly as select does. Destroying it while Running
// destroys every child.
// Contract errors: select_all() of an empty vector (it could never be
// Ready); polling it after Ready ("SelectAll polled after it returned
// Ready"); polling it again after a poll threw.
// Polling order: every child on every poll, from the rotating start (this is
// O(N) per poll: for many futures woken one at a time, prefer join_all or a
// stream of futures).
// Example:
//   auto first = pollen::select_all(std::move(requests));
//   pollen::Selected<Reply> r = pollen::block_on(std::move(first));
//   // r.index, r.value
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/option.hpp>
#include <pollen/future/future_ext.hpp>
#include <pollen/future/select.hpp>
#include <pollen/future/state_helpers.hpp>

#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>

POLLEN_NAMESPACE_BEGIN

template <class T>
struct Selected {
  std::size_t index;  // the winner's position in the input
  T value;            // its output
  friend bool operator==(const Selected& a, const Selected& b) {
    return a.index == b.index && a.value == b.value;
  }
  friend bool operator!=(const Selected& a, const Selected& b) { return !(a == b); }
};

template <class F>
class POLLEN_NODISCARD_TYPE SelectAll : public FutureExt<SelectAll<F>> {
  POLLEN_REQUIRE_FUTURE(F);
#ifdef POLLEN_STRICT_CANCEL_SAFETY
  static_assert(::pollen::is_cancel_safe<F>::value,
                "pollen: select_all() of a future that is not cancel safe (POLLEN_STRICT_CANCEL_SAFETY)");
#endif

 public:
  using Output = Selected<output_t<F>>;
  enum class State : unsigned char { Running, Poisoned, Done };
  static constexpr bool is_cancel_safe = ::pollen::is_cancel_safe<F>::value;

  explicit SelectAll(std::vector<F> fs) : arms_(std::move(fs)), state_(State::Running) {
    POLLEN_REQUIRE(!arms_.empty(),
                   "select_all() of an empty vector could never be Ready; give it at least one "
                   "future");
  }
  SelectAll(SelectAll&& o) noexcept
      : arms_(std::move(o.arms_)), polled_(o.polled_), state_(o.state_) {
    o.leave(State::Done);
  }
  SelectAll& operator=(SelectAll&&) = delete;
  ~SelectAll() { leave(State::Done); }

  Poll<Output> poll(Context& cx) {
    detail::observe_poll(cx, this);
    switch (state_) {
      case State::Running:
        break;
      case State::Poisoned:
        detail::polled_after_throw("SelectAll");
      case State::Done:
        detail::polled_after_ready("SelectAll");
    }
    const std::size_t n = arms_.size();
    const std::size_t start = detail::select_rotation()++ % n;
    Option<Output> out;
    {
      detail::UnwindGuard<SelectAll> guard(this);
      for (std::size_t k = 0; k < n; ++k) {
        std::size_t i = start + k < n ? start + k : start + k - n;
        Poll<output_t<F>> p = arms_[i].poll(cx);
        if (p.is_ready()) {
          out.emplace(Output{i, std::move(p).value()});
          break;
        }
      }
      guard.dismiss();
    }
    if (!out.has_value()) {
      polled_ = true;
      return pending;
    }
    return finish(out, start);
  }

  State state() const noexcept { return state_; }
  std::size_t size() const noexcept { return arms_.size(); }

  void describe(Describer& d) const {
    switch (state_) {
      case State::Running:
        d.node("SelectAll", "state: Running, " + std::to_string(arms_.size()) + " futures");
        for (const F& f : arms_) d.child(f);
        return;
      case State::Poisoned:
        d.node("SelectAll", "state: Poisoned");
        return;
      case State::Done:
        d.node("SelectAll", "state: Done");
        return;
    }
  }

 private:
  friend class detail::UnwindGuard<SelectAll>;

  // A child won with `out`: moves it into the result, then destroys every
  // child (the cancellation point) and enters Done. A move that throws
  // poisons (state_helpers.hpp).
  Poll<Output> finish(Option<Output>& out, std::size_t start) {
    detail::UnwindGuard<SelectAll> guard(this);
    std::size_t winner = out->index;
    Poll<Output> r(std::move(out).value());
    warn_dropped(winner, start, std::integral_constant<bool, is_cancel_safe>());
    guard.dismiss();
    leave(State::Done);  // every child goes now
    return r;
  }

  void warn_dropped(std::size_t, std::size_t, std::true_type) noexcept {}
  void warn_dropped(std::size_t winner, std::size_t start, std::false_type) {
#ifndef NDEBUG
    const std::size_t n = arms_.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (i == winner) continue;
      bool started = polled_ || (i + n - start) % n < (winner + n - start) % n;
      detail::warn_if_cancel_unsafe<F>("SelectAll", i, started, std::false_type());
    }
#else
    (void)winner;
    (void)start;
#endif
  }

  void leave(State next) noexcept {
    arms_.clear();
    arms_.shrink_to_fit();
    state_ = next;
  }
  void poison() noexcept { leave(State::Poisoned); }

  std::vector<F> arms_;  // valid in State::Running (empty otherwise)
  bool polled_ = false;  // a poll returned Pending: every child was polled
  State state_;
};

// select_all(futures): the index and value of the first Ready. See the top
// of this file.
template <class F>
POLLEN_NODISCARD SelectAll<F> select_all(std::vector<F> fs) {
  return SelectAll<F>(std::move(fs));
}

POLLEN_NAMESPACE_END
