// test/fuzz/futures.hpp: the futures the fuzzer builds its trees from.
//
// * Recorded<F, Conv>: wraps the future of one node. Reports creation,
//   polls, the outcome (after converting F's output to a Val with Conv,
//   which also notes details such as a select's winner) and destruction to
//   the World, which checks them (model.cpp). It also carries the repoll
//   probe: when the node's Repoll parent arms it, the next poll of a
//   finished node polls F once more and records what F did (a ContractError
//   is what every finished future must raise; Fuse returns Pending).
// * LeafFuture: the controlled leaf. Ready once the driver completed it
//   (with the driver's value), throws LeafError once the driver made it
//   throw, Pending until then (its waker is kept in the LeafCtl, where the
//   driver, or another thread, wakes it).
// * RecvN, SendNow, DroppableFuture, RepollFuture, DropHookFuture: the
//   fuzzer's own nodes (see Kind in world.hpp).
//
// Every one of them holds a Tracked: it must be destroyed exactly once.
#pragma once

#include "support.hpp"
#include "world.hpp"

#include <pollen/pollen.hpp>

#include <memory>
#include <type_traits>
#include <utility>

namespace fuzz {

using Fut = pollen::BoxFuture<Val>;

// The code of an exception that escaped a poll (LeafError, MoveFault), or a
// failure for anything else (a ContractError nobody expected, ...).
#if POLLEN_HAS_EXCEPTIONS
std::uint64_t current_exception_code(int node);
#endif

// ---- the recorder ------------------------------------------------------------

template <class F, class Conv>
class Recorded : public pollen::FutureExt<Recorded<F, Conv>> {
 public:
  using Output = Val;

  Recorded(int id, F f, Conv conv) : id_(id), f_(std::move(f)), conv_(std::move(conv)) {
    world().on_created(id_);
  }
  Recorded(Recorded&& o)
      : id_(o.id_), live_(o.live_), f_(std::move(o.f_)), conv_(std::move(o.conv_)) {
    o.live_ = false;
  }
  Recorded& operator=(Recorded&&) = delete;
  ~Recorded() {
    if (live_) world().on_destroyed(id_);
  }

  pollen::Poll<Val> poll(pollen::Context& cx) {
    if (world().node(id_).obs.completed) return repoll(cx);
    world().on_polled(id_);
    return finish(cx, guarded_poll(cx));
  }

  // Only when F has it (Then whose function returns a box): the box around
  // this node may adopt F's second future; this node is then forwarded.
  template <class G = F>
  auto poll_adopting(pollen::Context& cx, Fut& out)
      -> decltype(std::declval<G&>().poll_adopting(cx, out)) {
    if (world().node(id_).obs.completed) return repoll(cx);
    world().on_polled(id_);
    pollen::Poll<pollen::output_t<F>> p = guarded_poll_adopting(cx, out);
    if (!out.empty()) {
      world().on_forwarded(id_);
      return pollen::pending;
    }
    return finish(cx, std::move(p));
  }

  void describe(pollen::Describer& d) const { d.describe_here(f_); }

 private:
  // Converts and records the output. With injected move faults a move in
  // here may throw: that is recorded as the node's outcome too.
  pollen::Poll<Val> finish(pollen::Context& cx, pollen::Poll<pollen::output_t<F>>&& p) {
    if (p.is_pending()) return pollen::pending;
#if POLLEN_HAS_EXCEPTIONS
    try {
#endif
      pollen::Poll<Val> out(conv_(id_, std::move(p.value())));
      world().on_finished(id_, Outcome::value(out.value().get("a node's output")),
                          cx.budget_spent());
      return out;
#if POLLEN_HAS_EXCEPTIONS
    } catch (...) {
      // Whatever threw in here (the conversion, or returning `out`), the
      // node's own poll had returned Ready.
      world().node(id_).obs.threw_after_ready = true;
      if (!world().node(id_).obs.completed) {
        world().on_finished(id_, Outcome::thrown(current_exception_code(id_)), cx.budget_spent());
      }
      throw;
    }
#endif
  }

  pollen::Poll<pollen::output_t<F>> guarded_poll(pollen::Context& cx) {
#if POLLEN_HAS_EXCEPTIONS
    try {
      return f_.poll(cx);
    } catch (...) {
      world().on_finished(id_, Outcome::thrown(current_exception_code(id_)), cx.budget_spent());
      throw;
    }
#else
    return f_.poll(cx);
#endif
  }
  template <class G = F>
  pollen::Poll<pollen::output_t<F>> guarded_poll_adopting(pollen::Context& cx, Fut& out) {
#if POLLEN_HAS_EXCEPTIONS
    try {
      return f_.poll_adopting(cx, out);
    } catch (...) {
      world().on_finished(id_, Outcome::thrown(current_exception_code(id_)), cx.budget_spent());
      throw;
    }
#else
    return f_.poll_adopting(cx, out);
#endif
  }

  // A finished node polled again: only its Repoll parent may do that (then
  // F is polled once more and what it does is recorded); anyone else is a
  // combinator polling a finished child.
  pollen::Poll<Val> repoll(pollen::Context& cx) {
    NodeObs& o = world().node(id_).obs;
    if (!o.repoll_armed) {
      fail(world().describe_node(id_) + " was polled again after it finished (" + to_string(o.out) +
           "): its parent polled a finished child");
      return pollen::pending;
    }
    o.repoll_armed = false;
#if POLLEN_HAS_EXCEPTIONS
    try {
      pollen::Poll<pollen::output_t<F>> p = f_.poll(cx);
      world().node(id_).obs.repolled = p.is_pending() ? Repolled::Pending : Repolled::Ready;
    } catch (const pollen::ContractError&) {
      world().node(id_).obs.repolled = Repolled::ContractError;
    } catch (...) {
      world().node(id_).obs.repolled = Repolled::OtherThrow;
    }
#else
    (void)cx;
#endif
    return pollen::pending;
  }

  int id_;
  bool live_ = true;  // false once moved from
  F f_;
  Conv conv_;
  Tracked tracked_;
};

// ---- keeping move faults out --------------------------------------------------

// F, with injected move faults kept out of its poll and of its destructor
// when the avoid switches say so (a class of scenario behind a known bug).
template <class F>
class FaultFree : public pollen::FutureExt<FaultFree<F>> {
 public:
  using Output = pollen::output_t<F>;
  FaultFree(F f, bool in_poll, bool in_drop)
      : f_(std::move(f)), in_poll_(in_poll), in_drop_(in_drop) {}
  FaultFree(FaultFree&& o) : f_(std::move(o.f_)), in_poll_(o.in_poll_), in_drop_(o.in_drop_) {}
  FaultFree& operator=(FaultFree&&) = delete;
  ~FaultFree() {
    if (!in_drop_) return;
    FaultPause pause;
    f_.reset();
  }
  pollen::Poll<Output> poll(pollen::Context& cx) {
    if (!in_poll_) return f_->poll(cx);
    FaultPause pause;
    return f_->poll(cx);
  }
  void describe(pollen::Describer& d) const { d.describe_here(*f_); }

 private:
  pollen::Option<F> f_;  // empty only when moved from
  bool in_poll_, in_drop_;
};

// ---- the controlled leaf -------------------------------------------------------

class LeafFuture : public pollen::FutureExt<LeafFuture> {
 public:
  using Output = Val;
  explicit LeafFuture(int leaf);
  LeafFuture(LeafFuture&& o) noexcept;
  LeafFuture& operator=(LeafFuture&&) = delete;
  ~LeafFuture();
  pollen::Poll<Val> poll(pollen::Context& cx);
  void describe(pollen::Describer& d) const;

 private:
  enum class State : std::uint8_t { Waiting, Done, Threw, MovedFrom };
  int leaf_;
  State state_ = State::Waiting;
  Tracked tracked_;
};

// ---- the fuzzer's own nodes ------------------------------------------------------

// Receives up to n messages of one channel; owns the channel's receiver
// (destroying the node destroys the receiver, and the buffered messages).
// Output: the fold of the payloads received (and kRecvEnd when it saw the
// end of the stream).
class RecvN : public pollen::FutureExt<RecvN> {
 public:
  using Output = Val;
  RecvN(int node, int chan, int n, std::unique_ptr<pollen::Receiver<Val>> rx);
  RecvN(RecvN&& o) noexcept;
  RecvN& operator=(RecvN&&) = delete;
  ~RecvN();
  pollen::Poll<Val> poll(pollen::Context& cx);
  void describe(pollen::Describer& d) const;

 private:
  int node_, chan_, n_;
  std::unique_ptr<pollen::Receiver<Val>> rx_;
  // The waker of its last Pending poll, where the driver finds it: closing
  // the receiver is something its owner does, and the owner's task then
  // polls it again (Receiver::close() itself wakes only waiting senders).
  std::unique_ptr<pollen::Waker> waker_;
  std::uint64_t acc_ = 0;
  int got_ = 0;
  bool done_ = false;
  Tracked tracked_;
};
const std::uint64_t kRecvEnd = 0x7133d0a7c0ffee10ULL;
// What a Recv node's output must be, given what it received.
std::uint64_t recv_fold(const std::vector<std::uint64_t>& payloads, bool ended);

// An unbounded send as a node: sends at its first poll (an unbounded send
// never waits). Holds a sender of its own until then.
class SendNow : public pollen::FutureExt<SendNow> {
 public:
  using Output = pollen::SendResult<Val>;
  SendNow(pollen::UnboundedSender<Val> tx, Val v) : tx_(std::move(tx)), v_(std::move(v)) {}
  SendNow(SendNow&&) = default;
  SendNow& operator=(SendNow&&) = delete;
  pollen::Poll<Output> poll(pollen::Context& cx);
  void describe(pollen::Describer& d) const {
    d.node("SendNow", tx_.is_valid() ? "pending" : "done");
  }

 private:
  pollen::UnboundedSender<Val> tx_;  // valid until it sent
  pollen::Option<Val> v_;
  Tracked tracked_;
};

// The driver may destroy the child of a Droppable at any time between two
// turns (World::drops[res].slot); the node is then Ready(kDropped).
struct DropSlot {
  Fut child;
  pollen::Waker waker;  // of the node's last poll
  bool dropped = false;
};

class DroppableFuture : public pollen::FutureExt<DroppableFuture> {
 public:
  using Output = Val;
  DroppableFuture(int drop, Fut child);
  DroppableFuture(DroppableFuture&& o) noexcept;
  DroppableFuture& operator=(DroppableFuture&&) = delete;
  ~DroppableFuture();
  pollen::Poll<Val> poll(pollen::Context& cx);
  void describe(pollen::Describer& d) const;

 private:
  int drop_;
  std::unique_ptr<DropSlot> slot_;  // null when moved from
  bool done_ = false;
  Tracked tracked_;
};

// Polls its child; once the child is Ready or threw, polls it once more
// (through the child's recorder, see Recorded::repoll) and checks what it
// did: a ContractError, or Pending for a Fuse after Ready. Exception builds.
class RepollFuture : public pollen::FutureExt<RepollFuture> {
 public:
  using Output = Val;
  RepollFuture(int node, int child_node, Fut child)
      : node_(node), child_node_(child_node), child_(std::move(child)) {}
  RepollFuture(RepollFuture&&) = default;
  RepollFuture& operator=(RepollFuture&&) = delete;
  pollen::Poll<Val> poll(pollen::Context& cx);
  void describe(pollen::Describer& d) const {
    d.node("Repoll");
    d.child(child_);
  }

 private:
  void probe(pollen::Context& cx, bool threw);
  int node_, child_node_;
  Fut child_;
  bool done_ = false;
  Tracked tracked_;
};

// Its destructor aborts a task (a JoinHandle it holds: abort-on-drop), or
// spawns a task; otherwise it is its child.
class DropHookFuture : public pollen::FutureExt<DropHookFuture> {
 public:
  using Output = Val;
  DropHookFuture(int node, Fut child, pollen::Option<pollen::JoinHandle<Val>> victim,
                 int victim_task, int spawn_task)
      : node_(node),
        child_(std::move(child)),
        victim_(std::move(victim)),
        victim_task_(victim_task),
        spawn_task_(spawn_task) {}
  DropHookFuture(DropHookFuture&& o) noexcept;
  DropHookFuture& operator=(DropHookFuture&&) = delete;
  ~DropHookFuture();
  pollen::Poll<Val> poll(pollen::Context& cx);
  void describe(pollen::Describer& d) const {
    d.node("DropHook");
    d.child(child_);
  }

 private:
  int node_;
  Fut child_;
  pollen::Option<pollen::JoinHandle<Val>> victim_;
  int victim_task_;  // -1: none
  int spawn_task_;   // -1: none
  bool live_ = true;
  bool done_ = false;
  Tracked tracked_;
};

}  // namespace fuzz
