// pollen/future/try_join_all.hpp: try_join_all(std::vector<F>), wait for
// all of a run-time number of futures of Result<T, E>, or for the first
// error; Ready with Result<std::vector<T>, E>.
//
// States:
//
//     Running --every child Ready with a value--> Done
//        |  |                                         ^
//        |  +--a child Ready with an error------------+
//        |     (every other child destroyed at once)
//        |
//        | a child's poll threw (every child destroyed)
//        v
//     Poisoned
//
//   State::Running   holds one MaybeDone per child, the shared wake block
//                    and the count of children still running (the payload
//                    of join_all, join_all.hpp)
//   State::Poisoned  holds nothing (a poll threw; polling again is an error)
//   State::Done      holds nothing (the output was returned)
//
// This is futures-rs's TryJoinAll. It polls exactly as join_all does
// (join_all.hpp): every child on the first poll, then only the children
// whose own waker fired, in the order they were woken, each at most once per
// poll, O(1) per wake, stopping where the cooperative budget runs out.
//
// The first error ends it: as soon as a child is Ready with an error, the
// error moves out, every other child (still running, or holding its value)
// is destroyed there and then, in the same poll, and try_join_all is Ready
// with that error. The children after it in this poll are not polled.
//
// Output: Result<std::vector<T>, E>: the values in input order, or the first
// error (in polling order). An empty input is Ready at once with an empty
// vector.
// Cancellation: destroying it while Running destroys every child still
// running and every value already produced. Cancel-safe when F is.
// Contract errors: polling it after Ready ("TryJoinAll polled after it
// returned Ready"); polling it again after a poll threw.
// Example:
//   std::vector<pollen::BoxFuture<pollen::Result<int>>> fs = ...;
//   pollen::Result<std::vector<int>> all = pollen::block_on(pollen::try_join_all(std::move(fs)));
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/future_ext.hpp>
#include <pollen/core/result.hpp>
#include <pollen/future/join_all.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/future/maybe_done.hpp>
#include <pollen/future/result_traits.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class TryJoinAllState : unsigned char { Running, Poisoned, Done };
}

template <class F>
class POLLEN_NODISCARD_TYPE TryJoinAll
    : public detail::Machine<TryJoinAll<F>, detail::TryJoinAllState, detail::JoinAllArms<F>,
                             detail::NoPayload, detail::NoPayload> {
  using Base = detail::Machine<TryJoinAll<F>, detail::TryJoinAllState, detail::JoinAllArms<F>,
                               detail::NoPayload, detail::NoPayload>;
  friend Base;
  using Arms = detail::JoinAllArms<F>;

 public:
  using Error = detail::err_t<F>;
  using Output = Result<std::vector<detail::ok_t<F>>, Error>;
  using State = detail::TryJoinAllState;
  static constexpr bool is_cancel_safe = ::pollen::is_cancel_safe<F>::value;

  explicit TryJoinAll(std::vector<F>&& fs) : Base(detail::initial, std::move(fs)) {}
  TryJoinAll(TryJoinAll&&) = default;  // the moved-from TryJoinAll is Done

  std::size_t size() const noexcept {
    return this->state() == State::Running ? arms().children.size() : 0;
  }
  // Children that have their value (0 unless Running).
  std::size_t ready_count() const noexcept {
    return this->state() == State::Running ? arms().children.size() - arms().remaining : 0;
  }

  void describe(Describer& d) const {
    switch (this->state()) {
      case State::Running:
        d.node("TryJoinAll", std::to_string(ready_count()) + " of " +
                                 std::to_string(arms().children.size()) + " ok");
        for (const MaybeDone<F>& child : arms().children) d.child(child);
        return;
      case State::Poisoned:
        d.node("TryJoinAll", "state: Poisoned");
        return;
      case State::Done:
        d.node("TryJoinAll", "state: Done");
        return;
    }
  }

 private:
  static const char* name() noexcept { return "TryJoinAll"; }
  static constexpr State kInitial = State::Running;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Done;
  static constexpr bool kFinalIsError = true;

  Arms& arms() noexcept { return this->template get<State::Running>(); }
  const Arms& arms() const noexcept { return this->template get<State::Running>(); }

  // Called in Running: polls the children taken from the wake list. At an
  // error, every child is destroyed (Running's payload) before the error is
  // returned.
  Poll<Output> resume(Context& cx) {
    Option<Error> error;  // the first error, moved out of its child
    auto stop_at_error = [&error](MaybeDone<F>& child) {
      if (!child.output().is_err()) return false;
      error.emplace(std::move(child.output()).error());
      return true;
    };
    if (arms().poll_woken(cx, stop_at_error)) {
      this->leave(State::Poisoned);  // every child destroyed, now; Done once returned
      return Poll<Output>(in_place, Err<Error>{std::move(error).value()});
    }
    if (arms().remaining == 0) return finish();
    return pending;
  }

  // Every child has its value: the values move into the result vector here,
  // before the machine enters Done. A move that throws (or the allocation of
  // the vector) leaves it Poisoned.
  Poll<Output> finish() {
    std::vector<detail::ok_t<F>> v;
    v.reserve(arms().children.size());
    for (MaybeDone<F>& child : arms().children) v.push_back(child.take_output().value());
    return Poll<Output>(in_place, Ok<std::vector<detail::ok_t<F>>>{std::move(v)});
  }
};

namespace detail {
// The one check of try_join_all(futures): the elements must be futures of a
// Result. A failed check is the first error the compiler prints, at the call
// (Rejected, core/future.hpp).
template <class F>
struct try_join_all_check {
  static constexpr bool future = is_future<F>::value;
  static constexpr bool result = outputs_result<F>::value;
  struct errors {
    static_assert(future,
                  "pollen: this type is not a future: the elements of try_join_all()'s vector "
                  "must be futures");
    static_assert(!future || result,
                  "pollen: the futures given to try_join_all() must have a pollen::Result output "
                  "(use join_all() for futures that cannot fail)");
  };
  using type = typename std::conditional<future && result, TryJoinAll<F>, Rejected<errors>>::type;
};
}  // namespace detail

// try_join_all(futures): Ready with every value in input order, or with the
// first error. See the top of this file.
template <class F>
POLLEN_NODISCARD typename detail::try_join_all_check<F>::type try_join_all(std::vector<F> fs) {
  return detail::build<typename detail::try_join_all_check<F>::type>(std::move(fs));
}

POLLEN_NAMESPACE_END
