// pollen/stream/buffered.hpp: stream::buffer_unordered(s, n) and
// stream::buffered(s, n): run the futures of a stream of futures, at most n
// at a time; the outputs in completion order (buffer_unordered) or in the
// order the futures came out of s (buffered).
//
// States:
//
//     Running --s ended and no future in flight--> Ended
//        |
//        | a future's poll, s's poll_next or a move threw (all destroyed)
//        v
//     Poisoned
//
//   State::Running   holds s, n slots and the wake list; inside it, s may
//                    already have ended (the futures in flight still run)
//   State::Ended     holds nothing; none forever (fused)
//   State::Poisoned  holds nothing (a poll threw; polling again is an error)
//
// What it does: takes futures out of s while fewer than n are in flight,
// polls each at once, and after that only when its own waker fires: each
// slot has its waker (future/wake_list.hpp), a wake queues the slot's index,
// and a poll_next polls the queued slots and no other. buffer_unordered
// yields an output as soon as its future is Ready; buffered keeps the
// outputs of futures that finish early in their slot and yields them in
// source order, so a slow first future holds back the others' outputs (but
// not their progress: every slot keeps running). futures-rs's
// StreamExt::buffer_unordered and buffered.
//
// Cost: building it allocates, once, an array of n slots (each an Option of
// the future, for buffered of the future or its output), the wake list (a
// block with n 16-byte slots and a ready list reserved for n), a ready list
// and (buffer_unordered) a free list of n indices. After that no item
// allocates: futures are built in the slot they run in, the lists never grow
// past n. Child polls use borrowed wakers; a child that keeps its waker
// clones it (one atomic increment).
//
// Polling order, per poll_next: the slots woken since the last poll, in wake
// order (those an earlier poll_next took and did not reach come first;
// buffered: first of all, the head slot if its output is there); then, while
// fewer than n are in flight and s is ready, the next future of s, polled at
// once. The first output that can be yielded is returned; the rest stay
// queued for the next poll_next.
//
// The cooperative budget (core/context.hpp): the futures and s spend their
// own; when a poll of a future or of s leaves the budget spent, poll_next
// stops there, wakes its task and is Pending (the slots it did not reach stay
// queued).
//
// Item: output_t<item_t<S>>. n must be at least 1 and below 2^32 - 1.
// Cancellation: poll_next returning Pending takes nothing from anyone: the
//   futures taken from s stay in their slots (is_cancel_safe is true, so
//   next(s) over it is cancel safe). Destroying the stream destroys s and
//   every future in flight (and, for buffered, the outputs not yet yielded).
// Contract errors: n == 0 (no future would ever run); polling it again after
//   a poll threw: a future that throws, s's poll_next that throws, or a
//   future's move that throws, leaves it Poisoned with s and every future in
//   flight destroyed (the future that threw cannot be polled again, and its
//   output would be missing from the stream without a trace).
// Example:
//   auto fetches = pollen::stream::map(pollen::stream::iter(urls), fetch);
//   auto pages = pollen::stream::buffer_unordered(std::move(fetches), 8);
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/future/machine.hpp>
#include <pollen/future/maybe_done.hpp>
#include <pollen/future/wake_list.hpp>
#include <pollen/stream/stream.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

POLLEN_NAMESPACE_BEGIN

namespace detail {
enum class BufferState : unsigned char { Running, Poisoned, Ended };

// What buffer_unordered and buffered share: s, n slots of type Slot (an
// Option), the wake list and the slots taken from it.
template <class S, class Slot>
struct BufferCore {
  BufferCore(S&& src, std::size_t n, const char* what) : source(std::move(src)) {
    POLLEN_REQUIRE(n != 0, what);
    POLLEN_REQUIRE(n < 0xffffffffu,
                   "stream::buffer_unordered()/buffered() with n >= 2^32 - 1: pass a smaller n");
    size = static_cast<std::uint32_t>(n);
    slots.reset(new Slot[n]);
    wakes = WakeList::create(size, false);
    ready.reserve(n);
  }
  BufferCore(BufferCore&& o) noexcept(std::is_nothrow_move_constructible<S>::value)
      : source(std::move(o.source)),
        slots(std::move(o.slots)),
        wakes(o.wakes),
        ready(std::move(o.ready)),
        next(o.next),
        size(o.size),
        in_flight(o.in_flight),
        source_ended(o.source_ended) {
    o.wakes = nullptr;
  }
  BufferCore& operator=(BufferCore&&) = delete;
  // Later wakes of the slots do nothing; the list itself lives until its
  // last waker is gone.
  ~BufferCore() {
    if (wakes != nullptr) {
      wakes->close();
      wakes->release();
    }
  }

  // The next queued slot this poll visits, in ready[next..]: first those an
  // earlier poll took and did not reach, then (once per poll, when those are
  // done: `refilled` records it) those woken since, taken from the wake list
  // in one swap. Each is listed once: a slot stays queued in the wake list
  // from take() until it is polled (unqueue()). The list is refilled only
  // when every index in it was visited, so it never holds more than n
  // indices, never reallocates and is never shifted.
  bool next_wake(std::uint32_t& i, bool& refilled) {
    if (next == ready.size()) {
      if (refilled) return false;
      refilled = true;
      ready.clear();
      next = 0;
      wakes->take(ready);
      if (ready.empty()) return false;
    }
    i = ready[next++];
    return true;
  }

  S source;
  std::unique_ptr<Slot[]> slots;     // n of them; never reallocated
  WakeList* wakes = nullptr;         // one reference
  std::vector<std::uint32_t> ready;  // slots taken from the wake list; those before
                                     // next were polled, the rest are still queued
  std::uint32_t next = 0;            // the next index of ready to visit
  std::uint32_t size = 0;            // n
  std::uint32_t in_flight = 0;       // slots holding a future (buffered: or an output)
  bool source_ended = false;         // s returned none; it is not polled again
};

// Polls `f` with slot i's borrowed waker and the rest of cx. The borrowed
// waker holds no reference: it is forgotten after the poll rather than
// dropped (its drop does nothing, but would cost an indirect call).
template <class F>
Poll<output_t<F>> poll_in_slot(F& f, WakeList* wakes, std::uint32_t i, Context& cx) {
  Waker w(wakes->borrowed_raw(i));
  Context child(w, cx);
  Poll<output_t<F>> p = f.poll(child);
  (void)w.into_raw();
  return p;
}

template <class Core>
void describe_buffer(Describer& d, const char* name, BufferState s, const Core* c) {
  if (s != BufferState::Running) {
    d.node(name, s == BufferState::Ended ? "state: Ended" : "state: Poisoned");
    return;
  }
  d.node(name, "state: Running, " + std::to_string(c->in_flight) + " of " +
                   std::to_string(c->size) + " in flight" +
                   (c->source_ended ? ", source ended" : ""));
  if (!c->source_ended) d.child(c->source);
  for (std::uint32_t i = 0; i < c->size; ++i) {
    if (c->slots[i].has_value()) d.child(c->slots[i].value());
  }
}
}  // namespace detail

namespace stream {

// buffer_unordered(s, n): see the top of this file.
template <class S>
class BufferUnordered
    : public detail::Machine<BufferUnordered<S>, detail::BufferState,
                             detail::BufferCore<S, Option<item_t<S>>>, detail::NoPayload,
                             detail::NoPayload> {
  using F = item_t<S>;
  using Core = detail::BufferCore<S, Option<F>>;
  using Base = detail::Machine<BufferUnordered<S>, detail::BufferState, Core, detail::NoPayload,
                               detail::NoPayload>;
  friend Base;

 public:
  using Item = output_t<F>;
  using State = detail::BufferState;
  static constexpr bool is_cancel_safe = true;  // Pending takes nothing: see the top

  BufferUnordered(S&& s, std::size_t n)
      : Base(detail::initial, std::move(s), n,
             "stream::buffer_unordered(s, n) with n == 0 would never run a future: pass n >= 1"),
        free_(new std::uint32_t[n]) {
    for (std::uint32_t i = 0; i < core().size; ++i) free_[i] = core().size - 1 - i;
    free_top_ = core().size;
  }
  BufferUnordered(BufferUnordered&& o) noexcept(std::is_nothrow_move_constructible<S>::value)
      : Base(std::move(o)), free_(std::move(o.free_)), free_top_(o.free_top_) {}

  // Futures taken from s and not finished (0 unless Running).
  std::size_t in_flight() const noexcept {
    return this->state() == State::Running ? core().in_flight : 0;
  }
  void describe(Describer& d) const {
    detail::describe_buffer(d, "stream::BufferUnordered", this->state(),
                            this->state() == State::Running ? &core() : nullptr);
  }

 private:
  static const char* name() noexcept { return "stream::BufferUnordered"; }
  static constexpr State kInitial = State::Running;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Ended;
  static constexpr bool kPoisonsOnThrow = true;  // a future that threw cannot be polled again

  Core& core() noexcept { return this->template get<State::Running>(); }
  const Core& core() const noexcept { return this->template get<State::Running>(); }

  // Called in Running: the woken slots, then new futures from s.
  Poll<Option<Item>> resume_next(Context& cx) {
    Core& c = core();
    c.wakes->set_parent(cx.waker());
    bool refilled = false;
    std::uint32_t woken;
    while (c.next_wake(woken, refilled)) {
      const std::uint32_t i = woken;
      c.wakes->unqueue(i);  // a wake from now on queues it again
      if (!c.slots[i].has_value()) continue;  // a late wake of a finished future
      Poll<Item> p = detail::poll_in_slot(c.slots[i].value(), c.wakes, i, cx);
      if (p.is_ready()) return finish(i, p);
      if (cx.budget_spent()) return out_of_budget(cx);
    }
    while (!c.source_ended && c.in_flight < c.size) {
      Poll<Option<F>> f = c.source.poll_next(cx);
      if (f.is_pending()) break;
      if (!f.value().has_value()) {
        c.source_ended = true;
        break;
      }
      const std::uint32_t i = free_[free_top_ - 1];
      c.slots[i].emplace(std::move(*f.value()));
      --free_top_;
      ++c.in_flight;
      Poll<Item> p = detail::poll_in_slot(c.slots[i].value(), c.wakes, i, cx);
      if (p.is_ready()) return finish(i, p);
      if (cx.budget_spent()) return out_of_budget(cx);
    }
    if (c.source_ended && c.in_flight == 0) return Option<Item>();
    return pending;
  }

  // Slot i's future is Ready: it is destroyed, the slot is free.
  Poll<Option<Item>> finish(std::uint32_t i, Poll<Item>& p) {
    Core& c = core();
    c.slots[i].reset();
    free_[free_top_++] = i;
    --c.in_flight;
    return Option<Item>(std::move(p.value()));
  }
  static Poll<Option<Item>> out_of_budget(Context& cx) {
    cx.waker().wake();  // the rest waits for the next poll
    return pending;
  }

  std::unique_ptr<std::uint32_t[]> free_;  // free_[0..free_top_): the empty slots
  std::uint32_t free_top_ = 0;
};

// buffered(s, n): see the top of this file.
template <class S>
class Buffered
    : public detail::Machine<Buffered<S>, detail::BufferState,
                             detail::BufferCore<S, Option<MaybeDone<item_t<S>>>>,
                             detail::NoPayload, detail::NoPayload> {
  using F = item_t<S>;
  using Slot = MaybeDone<F>;
  using Core = detail::BufferCore<S, Option<Slot>>;
  using Base = detail::Machine<Buffered<S>, detail::BufferState, Core, detail::NoPayload,
                               detail::NoPayload>;
  friend Base;

 public:
  using Item = output_t<F>;
  using State = detail::BufferState;
  static constexpr bool is_cancel_safe = true;  // Pending takes nothing: see the top

  Buffered(S&& s, std::size_t n)
      : Base(detail::initial, std::move(s), n,
             "stream::buffered(s, n) with n == 0 would never run a future: pass n >= 1") {}
  Buffered(Buffered&& o) noexcept(std::is_nothrow_move_constructible<S>::value)
      : Base(std::move(o)), head_(o.head_) {}

  // Futures taken from s whose output was not yielded yet (0 unless Running).
  std::size_t in_flight() const noexcept {
    return this->state() == State::Running ? core().in_flight : 0;
  }
  void describe(Describer& d) const {
    detail::describe_buffer(d, "stream::Buffered", this->state(),
                            this->state() == State::Running ? &core() : nullptr);
  }

 private:
  static const char* name() noexcept { return "stream::Buffered"; }
  static constexpr State kInitial = State::Running;
  static constexpr State kPoisoned = State::Poisoned;
  static constexpr State kFinal = State::Ended;
  static constexpr bool kPoisonsOnThrow = true;  // a future that threw cannot be polled again

  Core& core() noexcept { return this->template get<State::Running>(); }
  const Core& core() const noexcept { return this->template get<State::Running>(); }

  // The slots in flight are head_, head_ + 1, ... (mod n), in source order.
  bool head_done() const noexcept {
    const Core& c = core();
    return c.in_flight != 0 && c.slots[head_]->state() == Slot::State::Done;
  }

  // Called in Running: the head's output if it is there; else the woken
  // slots, then new futures from s, until the head's output is there.
  Poll<Option<Item>> resume_next(Context& cx) {
    Core& c = core();
    if (head_done()) return pop();
    c.wakes->set_parent(cx.waker());
    bool refilled = false;
    std::uint32_t woken;
    while (c.next_wake(woken, refilled)) {
      const std::uint32_t i = woken;
      c.wakes->unqueue(i);
      if (!c.slots[i].has_value()) continue;  // a late wake of a yielded slot
      if (step(i, cx) && i == head_) return pop();
      if (cx.budget_spent()) return out_of_budget(cx);
    }
    while (!c.source_ended && c.in_flight < c.size) {
      Poll<Option<F>> f = c.source.poll_next(cx);
      if (f.is_pending()) break;
      if (!f.value().has_value()) {
        c.source_ended = true;
        break;
      }
      const std::uint32_t i = (head_ + c.in_flight) % c.size;
      c.slots[i].emplace(std::move(*f.value()));
      ++c.in_flight;
      if (step(i, cx) && i == head_) return pop();
      if (cx.budget_spent()) return out_of_budget(cx);
    }
    if (c.source_ended && c.in_flight == 0) return Option<Item>();
    return pending;
  }

  // Polls slot i (if its future is still running); true when its output is
  // there.
  bool step(std::uint32_t i, Context& cx) {
    Core& c = core();
    Waker w(c.wakes->borrowed_raw(i));
    Context child(w, cx);
    const bool done = c.slots[i]->poll_step(child);
    (void)w.into_raw();  // borrowed: nothing to drop (see poll_in_slot)
    return done;
  }
  // The head's output, and the next slot becomes the head.
  Poll<Option<Item>> pop() {
    Core& c = core();
    Option<Item> out(c.slots[head_]->take_output());
    c.slots[head_].reset();
    head_ = (head_ + 1) % c.size;
    --c.in_flight;
    return out;
  }
  static Poll<Option<Item>> out_of_budget(Context& cx) {
    cx.waker().wake();
    return pending;
  }

  std::uint32_t head_ = 0;  // the slot of the oldest future in flight
};

}  // namespace stream

namespace detail {
// The one check of buffer_unordered(s, n) and buffered(s, n): s must be a
// stream of futures.
template <class S, template <class> class Combinator>
struct buffer_check {
  static constexpr bool a_stream = is_stream<S>::value;
  static constexpr bool of_futures = is_future<item_t<S>>::value;
  struct errors {
    POLLEN_REQUIRE_STREAM(S);
    static_assert(!a_stream || of_futures,
                  "pollen: stream::buffer_unordered() and buffered() need a stream of futures "
                  "(use stream::map(s, fn) to make a future of each item)");
  };
  using type = stream_result<is_stand_in<S>::value, a_stream && of_futures, Combinator<S>, errors,
                             NotAStream>;
};
}  // namespace detail

namespace stream {
template <class S>
POLLEN_NODISCARD typename detail::buffer_check<S, BufferUnordered>::type buffer_unordered(
    S s, std::size_t n) {
  return detail::build<typename detail::buffer_check<S, BufferUnordered>::type>(std::move(s), n);
}
template <class S>
POLLEN_NODISCARD typename detail::buffer_check<S, Buffered>::type buffered(S s, std::size_t n) {
  return detail::build<typename detail::buffer_check<S, Buffered>::type>(std::move(s), n);
}
}  // namespace stream

POLLEN_NAMESPACE_END
