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
#include <pollen/core/future_ext.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/future/select.hpp>

#include <cstddef>
#include <string>
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

namespace detail {
enum class SelectAllState : unsigned char { Running, Poisoned, Done };

// SelectAll's Running payload: the children, and whether a poll has
// returned Pending yet (0 or 1: the byte's other values are a niche, where
// the machine keeps its state).
template <class F>
struct SelectAllArms {
  explicit SelectAllArms(std::vector<F>&& fs) : arms(std::move(fs)), polled(0) {
    POLLEN_REQUIRE(!arms.empty(),
                   "select_all() of an empty vector could never be Ready; give it at least one "
                   "future");
  }
  SelectAllArms(SelectAllArms&&) = default;
  using pollen_niche = Niche<sizeof(std::vector<F>), 2, 254>;
  std::vector<F> arms;
  unsigned char polled;  // 1 once a poll returned Pending (then every child was polled)
};
}  // namespace detail

template <class F>
class POLLEN_NODISCARD_TYPE SelectAll
    : public detail::Machine<SelectAll<F>, detail::SelectAllState, detail::SelectAllArms<F>,
                             detail::NoPayload, detail::NoPayload> {
  using Base = detail::Machine<SelectAll<F>, detail::SelectAllState, detail::SelectAllArms<F>,
                               detail::NoPayload, detail::NoPayload>;
  friend Base;
#ifdef POLLEN_STRICT_CANCEL_SAFETY
  static_assert(::pollen::is_cancel_safe<F>::value,
                "pollen: select_all() of a future that is not cancel safe (POLLEN_STRICT_CANCEL_SAFETY)");
#endif

 public:
  using Output = Selected<output_t<F>>;
  using State = detail::SelectAllState;
  static constexpr bool is_cancel_safe = ::pollen::is_cancel_safe<F>::value;

  explicit SelectAll(std::vector<F>&& fs) : Base(detail::initial, std::move(fs)) {}
  SelectAll(SelectAll&&) = default;  // the moved-from SelectAll is Done

  std::size_t size() const noexcept {
    return this->state() == State::Running ? arms().size() : 0;
  }

  void describe(Describer& d) const {
    switch (this->state()) {
      case State::Running:
        d.node("SelectAll", "state: Running, " + std::to_string(arms().size()) + " futures");
        for (const F& f : arms()) d.child(f);
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
  static const char* name() noexcept { return "SelectAll"; }
  static constexpr State kInitial = State::Running;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Done;
  static constexpr bool kFinalIsError = true;

  std::vector<F>& arms() noexcept { return this->template get<State::Running>().arms; }
  const std::vector<F>& arms() const noexcept { return this->template get<State::Running>().arms; }
  unsigned char& polled() noexcept { return this->template get<State::Running>().polled; }

  // Called in Running: the children in turn, from the rotating start, until
  // one is Ready. Its value moves into the result here; the machine then
  // destroys every child (the cancellation point) as it enters Done.
  Poll<Output> resume(Context& cx) {
    const std::size_t n = arms().size();
    const std::size_t start = detail::select_rotation()++ % n;
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = start + k < n ? start + k : start + k - n;
      Poll<output_t<F>> p = arms()[i].poll(cx);
      if (p.is_ready()) {
        warn_dropped(i, start, std::integral_constant<bool, is_cancel_safe>());
        return Poll<Output>(in_place, Output{i, std::move(p.value())});
      }
    }
    polled() = 1;  // every child has been polled now
    return pending;
  }

  void warn_dropped(std::size_t, std::size_t, std::true_type) noexcept {}
  void warn_dropped(std::size_t winner, std::size_t start, std::false_type) {
#ifndef NDEBUG
    const std::size_t n = arms().size();
    for (std::size_t i = 0; i < n; ++i) {
      if (i == winner) continue;
      bool started = polled() != 0 || (i + n - start) % n < (winner + n - start) % n;
      detail::warn_if_cancel_unsafe<F>("SelectAll", i, started, std::false_type());
    }
#else
    (void)winner;
    (void)start;
#endif
  }
};

namespace detail {
// The one check of select_all(futures): the elements must be futures. A
// failed check is the first error the compiler prints, at the call, and the
// call then yields a NotAFuture, which keeps quiet (Rejected,
// core/future.hpp).
template <class F>
struct select_all_check {
  static constexpr bool future = is_future<F>::value;
  struct errors {
    static_assert(future,
                  "pollen: this type is not a future: the elements of select_all()'s vector "
                  "must be futures");
  };
  using type = typename std::conditional<future, SelectAll<F>, Rejected<errors>>::type;
};
}  // namespace detail

// select_all(futures): the index and value of the first Ready. See the top
// of this file.
template <class F>
POLLEN_NODISCARD typename detail::select_all_check<F>::type select_all(std::vector<F> fs) {
  return detail::build<typename detail::select_all_check<F>::type>(std::move(fs));
}

POLLEN_NAMESPACE_END
