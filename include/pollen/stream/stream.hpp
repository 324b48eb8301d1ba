// pollen/stream/stream.hpp: what a stream is, and the traits that detect one.
//
// A stream is the many-values counterpart of a future: any movable type S
// with
//
//   using Item = T;
//   pollen::Poll<pollen::Option<T>> poll_next(pollen::Context& cx);
//   void describe(pollen::Describer& d) const;   // optional, as for futures
//
// poll_next() returns Ready(some(item)) for each item, Ready(none) once the
// stream has ended, and Pending (after arranging for cx.waker() to be woken)
// when the next item is not there yet. Library streams are fused: after the
// end they keep returning Ready(none).
//
// An item is handed over only in the poll_next() call that returns it, so a
// future that waits for the next item (next(s)) is cancel safe when it
// borrows the stream: dropping it leaves every item in the stream.
//
// The cooperative budget. A stream that is always ready must not starve its
// loop. Leaf streams (a channel Receiver, iter()) spend one unit of the
// budget per item they produce, and every combinator that loops over items
// inside one poll (filter skipping items, fold, for_each, collect) spends one
// unit per item too, after the item: with a budget of n it handles exactly n
// items in one poll (one, if the poll began with nothing left). When the
// budget is spent they return Pending with the task already re-woken (see
// core/context.hpp).
//
// Exceptions. The futures over a stream (next, fold, for_each, collect) are
// poisoned by any exception out of their poll, from the stream or from the
// function: the item in flight is lost with the exception, so polling them
// again is the ContractError "polled again after its poll threw" rather than
// a result silently missing that item.
//
// is_stream<S>::value tells whether S is one; item_t<S> is its Item.
// Functions that take a stream check with POLLEN_REQUIRE_STREAM(S), one
// readable static_assert line; each factory does it in a check class (next
// to the combinator), whose static_assert is the first error the compiler
// prints, after which the call yields NotAStream (or NotAFuture) and adds
// no error of its own.
//
// The combinators are built on the machine base (future/machine.hpp) through
// its stream entry point: Machine::poll_next() reports the poll to an
// observer, returns Ready(none) once the stream has ended (fused), and
// enters the ended state when the combinator's resume_next() reports the
// end. The futures over a stream use the future entry point, poll().
//
// The combinators live in namespace pollen::stream (pollen::stream::map is
// not pollen::map, the future combinator): next, map, filter, take, fold,
// for_each, collect, iter, merge. <pollen/stream.hpp> includes them all.
// Also there: the futures-of-a-stream runners (buffer_unordered, buffered,
// then), unfold, zip, chain, skip, take_while, chunks, flatten, fuse.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/future.hpp>  // detail::build
#include <pollen/core/option.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/type_traits.hpp>

#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

template <class S, class = void>
struct is_stream : std::false_type {};

template <class S>
struct is_stream<S, detail::void_t<typename S::Item,
                                   decltype(std::declval<S&>().poll_next(std::declval<Context&>()))>>
    : std::integral_constant<
          bool, std::is_same<decltype(std::declval<S&>().poll_next(std::declval<Context&>())),
                             Poll<Option<typename S::Item>>>::value &&
                    std::is_move_constructible<S>::value && !std::is_reference<S>::value> {};

namespace detail {
// What a stream combinator's factory (stream::map, filter, take, merge)
// returns when its arguments are wrong (as Rejected<errors, NotAStream>, see
// core/future.hpp), and the stand-in Item of a type that is not a stream.
// The factory's static_assert is the error the user reads; NotAStream then
// keeps quiet: it passes for a stream (its poll_next() is declared, never
// defined: only a build that has already failed sees it), so a combinator or
// a future over it adds no error of its own.
struct NotAStream {
  using Item = NotAStream;
  Poll<Option<NotAStream>> poll_next(Context&);
};
template <>
struct builder<NotAStream> {
  template <class... Args>
  static NotAStream make(Args&&...) noexcept {
    return {};
  }
};
template <class S, bool = is_stream<S>::value>
struct item_of {
  using type = NotAStream;
};
template <class S>
struct item_of<S, true> {
  using type = typename S::Item;
};
}  // namespace detail

template <class S>
using item_t = typename detail::item_of<S>::type;

// is_fused_stream<S>::value: S is a stream that says when it has ended, with
//
//   bool is_terminated() const noexcept;  // true: poll_next returns none, forever
//
// Every library stream combinator has it (future/machine.hpp), and so does
// stream::fuse(s), which makes any stream fused. A select loop over several
// streams can skip those that have terminated instead of polling them.
template <class S, class = void>
struct is_fused_stream : std::false_type {};
template <class S>
struct is_fused_stream<S, detail::void_t<decltype(std::declval<const S&>().is_terminated())>>
    : std::integral_constant<
          bool, is_stream<S>::value &&
                    std::is_same<decltype(std::declval<const S&>().is_terminated()), bool>::value> {
};

namespace detail {
// A stream is a stand-in when it came out of a call whose check has failed
// (its Item is NotAStream): that call's error is the one to read.
template <class S>
struct is_stand_in
    : std::integral_constant<bool, is_stream<S>::value &&
                                       std::is_same<item_t<S>, NotAStream>::value> {};

// The result of a stream factory's check: T when the check passed,
// Rejected<Errors, Quiet> when it failed (Errors' static_assert is then the
// first error, core/future.hpp), and plain Quiet, checking nothing, when the
// stream argument is already a stand-in, so that a chain over a failed call
// adds no error of its own. Quiet is NotAStream for a stream adaptor and
// NotAFuture for a future over a stream.
template <bool StandIn, bool Ok, class T, class Errors, class Quiet>
using stream_result = typename std::conditional<
    StandIn, Quiet, typename std::conditional<Ok, T, Rejected<Errors, Quiet>>::type>::type;
}  // namespace detail

namespace detail {
// For a combinator that handles several items in one poll: spends the unit
// of the item it has just handled. False when the poll must stop here: the
// budget is spent and the task has been re-woken.
inline bool spend_item_budget(const Context& cx) noexcept {
  if (!cx.consume_budget()) return false;  // consume_budget() woke the task
  if (!cx.budget_spent()) return true;
  cx.waker().wake();  // that was the last unit: the next item waits for the next poll
  return false;
}
}  // namespace detail

POLLEN_NAMESPACE_END

#define POLLEN_REQUIRE_STREAM(S)                                                              \
  static_assert(::pollen::is_stream<S>::value,                                                \
                "pollen: this type is not a stream: a stream is a movable type with "         \
                "`using Item = T;` and `pollen::Poll<pollen::Option<T>> poll_next(pollen::Context&)`")
