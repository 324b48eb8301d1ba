// test/fuzz/build.cpp: turning a Spec into a future (World::build), the
// function objects and output converters of the combinators, and the
// fuzzer's own futures.
#include "futures.hpp"

#include <chrono>
#include <tuple>

namespace fuzz {

namespace {

#if POLLEN_HAS_EXCEPTIONS
pollen::Waker& noop_waker() {
  static pollen::Waker w;
  return w;
}
#endif

// ---- converters: a combinator's output -> the node's Val ----------------------

struct Same {
  Val operator()(int, Val&& v) const { return std::move(v); }
};
struct JoinConv {
  Val operator()(int, std::tuple<Val, Val>&& t) const {
    return Val(combine(combine(0, std::get<0>(t).get("join's tuple")),
                       std::get<1>(t).get("join's tuple")));
  }
  Val operator()(int, std::tuple<Val, Val, Val>&& t) const {
    return Val(combine(
        combine(combine(0, std::get<0>(t).get("join's tuple")), std::get<1>(t).get("join's tuple")),
        std::get<2>(t).get("join's tuple")));
  }
};
struct JoinAllConv {
  Val operator()(int, std::vector<Val>&& vs) const {
    std::uint64_t acc = 0;
    for (const Val& v : vs) acc = combine(acc, v.get("join_all's vector"));
    return Val(acc);
  }
};
struct SelectConv {
  Val operator()(int id, pollen::OneOf<Val, Val>&& o) const { return take(id, std::move(o)); }
  Val operator()(int id, pollen::OneOf<Val, Val, Val>&& o) const { return take(id, std::move(o)); }
  template <class O>
  static Val take(int id, O&& o) {
    world().node(id).obs.winner = static_cast<int>(o.index());
    return get_at(std::move(o), std::integral_constant<std::size_t, 0>());
  }
  template <class O, std::size_t I>
  static Val get_at(O&& o, std::integral_constant<std::size_t, I>) {
    if (o.index() == I) return pollen::get<I>(std::move(o));
    return get_at(std::move(o), std::integral_constant<std::size_t, I + 1>());
  }
  static Val get_at(pollen::OneOf<Val, Val>&& o, std::integral_constant<std::size_t, 2>) {
    return pollen::get<0>(std::move(o));  // not reached: index() < 2
  }
  static Val get_at(pollen::OneOf<Val, Val, Val>&& o, std::integral_constant<std::size_t, 3>) {
    return pollen::get<0>(std::move(o));  // not reached: index() < 3
  }
};
struct SelectAllConv {
  Val operator()(int id, pollen::Selected<Val>&& s) const {
    world().node(id).obs.winner = static_cast<int>(s.index);
    return std::move(s.value);
  }
};
struct TimeoutConv {
  Val operator()(int id, pollen::Option<Val>&& o) const {
    if (o.has_value()) return std::move(*o);
    world().node(id).obs.timed_out = true;
    return Val(kTimedOut);
  }
};
struct ConstConv {  // Sleep: Unit -> k
  std::uint64_t k;
  Val operator()(int, pollen::Unit) const { return Val(k); }
};
struct SendConv {
  Val operator()(int id, pollen::SendResult<Val>&& r) const {
    world().on_send_result(id, r);
    return Val(r.is_sent() ? kSent : kHandedBack);
  }
};
struct OneshotConv {
  Val operator()(int id, pollen::RecvResult<Val>&& r) const {
    if (!r.is_received()) return Val(kOneshotClosed);
    world().on_received(id, r.value());
    return Val(r.value().get("a oneshot's message"));
  }
};
struct ClosedConv {
  Val operator()(int, pollen::Unit) const { return Val(kRxGone); }
};
struct AwaitConv {
  Val operator()(int id, pollen::JoinResult<Val>&& r) const {
    if (r.is_cancelled()) {
      world().node(id).obs.join_cancelled = true;
      return Val(kCancelled);
    }
    return std::move(r).value();
  }
};

// ---- the combinators' function objects -------------------------------------------

struct MapFn {
  std::uint64_t k;
  Tracked tracked;
  Val operator()(Val v) const { return Val(combine(v.get("map's input"), k)); }
};

struct ThenFn {
  int node;
  int second;
  Tracked tracked;
  Fut operator()(Val v) const {
    NodeObs& o = world().node(node).obs;
    o.then_called = true;
    o.then_input = v.get("then's input");
    return world().build(second);
  }
};

// loop_fn: the state is (next step, fold so far); each step's future is
// the node kids[i], mapped to Continue / Break.
struct LoopState {
  std::size_t i;
  std::uint64_t acc;
};
using LoopStep = pollen::Loop<LoopState, Val>;
struct ToLoop {
  LoopState s;
  std::size_t steps;
  Tracked tracked;
  LoopStep operator()(Val v) const {
    std::uint64_t acc = combine(s.acc, v.get("a loop_fn step"));
    if (s.i + 1 == steps) return pollen::loop_break(Val(acc));
    return pollen::loop_continue(LoopState{s.i + 1, acc});
  }
};
struct StepFn {
  std::vector<int> steps;
  Tracked tracked;
  pollen::Map<Fut, ToLoop> operator()(LoopState s) const {
    return pollen::map(world().build(steps[s.i]), ToLoop{s, steps.size(), Tracked()});
  }
};

// Hides a Then's adoption hook: the Then then polls its second future
// itself (its own First -> Second -> Done), instead of handing it over.
template <class F>
class NoAdopt : public pollen::FutureExt<NoAdopt<F>> {
 public:
  using Output = pollen::output_t<F>;
  explicit NoAdopt(F f) : f_(std::move(f)) {}
  pollen::Poll<Output> poll(pollen::Context& cx) { return f_.poll(cx); }
  void describe(pollen::Describer& d) const { d.describe_here(f_); }

 private:
  F f_;
};

// ---- building --------------------------------------------------------------------

// The moved-from probe: moves f away and polls what is left, which every
// library future must answer with a ContractError (a moved-from future is
// finished). Exception builds; about one future in eight.
template <class F>
F probe_moved_from(F f, int id, bool fuse_may_pend) {
#if POLLEN_HAS_EXCEPTIONS
  World& w = world();
  if (!w.opt.exceptions || (mix64(static_cast<std::uint64_t>(id) * 31 + 7) & 7) != 0) return f;
  F g(std::move(f));
  pollen::Context cx(noop_waker());
  bool raised = false;
  try {
    pollen::Poll<pollen::output_t<F>> p = f.poll(cx);
    if (p.is_pending() && fuse_may_pend) raised = true;
  } catch (const pollen::ContractError&) {
    raised = true;
  } catch (...) {
  }
  if (!raised) {
    fail(w.describe_node(id) +
         ": its future, moved from, was polled and did not raise the "
         "ContractError of a finished future");
  }
  return g;
#else
  (void)id;
  (void)fuse_may_pend;
  return f;
#endif
}

template <class F, class Conv>
Fut record(int id, F f, Conv conv) {
  return pollen::boxed(Recorded<F, Conv>(id, std::move(f), std::move(conv)));
}

// A node that cannot be built as generated (its resource is gone: the
// channel's sender was dropped, the handle was joined): Ready(kStandIn).
Fut stand_in(int id) {
  world().node(id).obs.stand_in = true;
  return record(id, pollen::ready(Val(kStandIn)), Same());
}

std::vector<Fut> build_all(World& w, const std::vector<int>& ids) {
  std::vector<Fut> fs;
  fs.reserve(ids.size());
  for (int k : ids) fs.push_back(w.build(k));
  return fs;
}

}  // namespace

Fut World::build(int id) {
  const Spec s = node(id).spec;  // a copy: building may add nodes (never does now, but cheap)
  const std::vector<int>& kids = s.kids;
  pollen::TimerDriver& timers = loop->timer_driver();
  switch (s.kind) {
    case Kind::Leaf: return record(id, LeafFuture(s.res), Same());
    case Kind::Value:
      return record(id, probe_moved_from(pollen::ready(Val(s.k)), id, false), Same());
    case Kind::Sleep:
      return record(
          id, probe_moved_from(pollen::sleep(timers, std::chrono::nanoseconds(s.d_ns)), id, false),
          ConstConv{s.k});
    case Kind::Recv: {
      ChanCtl& c = *chans[static_cast<std::size_t>(s.res)];
      if (!c.rx) return stand_in(id);
      return record(id, RecvN(id, s.res, s.n, std::move(c.rx)), Same());
    }
    case Kind::Send: {
      ChanCtl& c = *chans[static_cast<std::size_t>(s.res)];
      Val msg(mix64(s.token), s.token);
      const bool calm = opt.avoid.has(Avoid::ThrowingMoveSend);
      if (c.bounded && c.btx.has_value()) {
        auto f = probe_moved_from(c.btx->send(std::move(msg)), id, false);
        return record(id, FaultFree<decltype(f)>(std::move(f), calm, calm), SendConv());
      }
      if (!c.bounded && c.utx.has_value()) {
        return record(id, FaultFree<SendNow>(SendNow(*c.utx, std::move(msg)), calm, calm),
                      SendConv());
      }
      return stand_in(id);
    }
    case Kind::OneshotRecv: {
      OneshotCtl& o = *oneshots[static_cast<std::size_t>(s.res)];
      if (!o.rx.has_value()) return stand_in(id);
      pollen::OneshotReceiver<Val> rx = std::move(*o.rx);
      o.rx.reset();
      auto f = probe_moved_from(std::move(rx), id, false);
      return record(id,
                    FaultFree<decltype(f)>(std::move(f), opt.avoid.has(Avoid::ThrowingMoveRecv),
                                           opt.avoid.has(Avoid::ThrowingMoveDrop)),
                    OneshotConv());
    }
    case Kind::OneshotClosed: {
      OneshotCtl& o = *oneshots[static_cast<std::size_t>(s.res)];
      if (!o.tx.has_value() || !o.tx->is_valid()) return stand_in(id);
      return record(id, probe_moved_from(o.tx->closed(), id, false), ClosedConv());
    }
    case Kind::AwaitTask: {
      TaskCtl& t = tasks[static_cast<std::size_t>(s.res)];
      if (!t.handle.has_value()) return stand_in(id);
      pollen::JoinHandle<Val> h = std::move(*t.handle);
      t.handle.reset();
      t.handle_state = TaskCtl::Handle::InNode;
      return record(id, probe_moved_from(std::move(h), id, false), AwaitConv());
    }
    case Kind::Map:
      return record(id,
                    probe_moved_from(pollen::map(build(kids[0]), MapFn{s.k, Tracked()}), id, false),
                    Same());
    case Kind::Then: {
      auto f =
          probe_moved_from(pollen::then(build(kids[0]), ThenFn{id, kids[1], Tracked()}), id, false);
      if (s.n == 1) return record(id, NoAdopt<decltype(f)>(std::move(f)), Same());
      return record(id, std::move(f), Same());  // the box around it adopts its second future
    }
    case Kind::Join:
      if (kids.size() == 2) {
        return record(id, probe_moved_from(pollen::join(build(kids[0]), build(kids[1])), id, false),
                      JoinConv());
      }
      return record(
          id,
          probe_moved_from(pollen::join(build(kids[0]), build(kids[1]), build(kids[2])), id, false),
          JoinConv());
    case Kind::JoinAll:
      return record(id, probe_moved_from(pollen::join_all(build_all(*this, kids)), id, false),
                    JoinAllConv());
    case Kind::Select:
      if (kids.size() == 2) {
        return record(id,
                      probe_moved_from(pollen::select(build(kids[0]), build(kids[1])), id, false),
                      SelectConv());
      }
      return record(id,
                    probe_moved_from(pollen::select(build(kids[0]), build(kids[1]), build(kids[2])),
                                     id, false),
                    SelectConv());
    case Kind::SelectBiased:
      return record(
          id, probe_moved_from(pollen::select_biased(build(kids[0]), build(kids[1])), id, false),
          SelectConv());
    case Kind::SelectAll:
      return record(id, probe_moved_from(pollen::select_all(build_all(*this, kids)), id, false),
                    SelectAllConv());
    case Kind::Fuse:
      return record(id, probe_moved_from(pollen::fuse(build(kids[0])), id, true), Same());
    case Kind::LoopFn:
      return record(
          id,
          probe_moved_from(pollen::loop_fn(LoopState{0, 0}, StepFn{kids, Tracked()}), id, false),
          Same());
    case Kind::Boxed: return record(id, build(kids[0]), Same());
    case Kind::PollFn: {
      struct Poller {
        Fut child;
        Tracked tracked;
        pollen::Poll<Val> operator()(pollen::Context& cx) {
          if (child.empty()) {
            fail(
                "a poll_fn ran its function after the function was moved away (a moved-from "
                "poll_fn was polled)");
            return pollen::pending;
          }
          return child.poll(cx);
        }
      };
      auto f = pollen::poll_fn(Poller{build(kids[0]), Tracked()});
      if (opt.avoid.has(Avoid::MovedFromPollFn)) return record(id, std::move(f), Same());
      return record(id, probe_moved_from(std::move(f), id, false), Same());
    }
    case Kind::Timeout:
      return record(
          id,
          probe_moved_from(
              pollen::timeout(timers, build(kids[0]), std::chrono::nanoseconds(s.d_ns)), id, false),
          TimeoutConv());
    case Kind::Droppable: return record(id, DroppableFuture(s.res, build(kids[0])), Same());
    case Kind::Repoll: return record(id, RepollFuture(id, kids[0], build(kids[0])), Same());
    case Kind::DropHook: {
      Fut child = build(
          kids[0]);  // first: it may throw (a move fault), and the handle must not be lost then
      pollen::Option<pollen::JoinHandle<Val>> victim;
      int victim_task = -1;
      int spawn_task = -1;
      if (s.n == 0 && s.res >= 0) {  // abort task res on drop
        TaskCtl& t = tasks[static_cast<std::size_t>(s.res)];
        if (t.handle.has_value()) {
          victim.emplace(std::move(*t.handle));
          t.handle.reset();
          t.handle_state = TaskCtl::Handle::InNode;
          victim_task = s.res;
        }
      } else if (s.n == 1) {
        spawn_task = s.res;
      }
      return record(
          id, DropHookFuture(id, std::move(child), std::move(victim), victim_task, spawn_task),
          Same());
    }
  }
  return stand_in(id);
}

// ---- exceptions ------------------------------------------------------------------

#if POLLEN_HAS_EXCEPTIONS
std::uint64_t current_exception_code(int node) {
  try {
    throw;
  } catch (const LeafError& e) {
    return e.code;
  } catch (const MoveFault& e) {
    return kMoveFaultCode + static_cast<std::uint64_t>(e.nth);
  } catch (const pollen::ContractError& e) {
    fail(world().describe_node(node) + ": unexpected ContractError: " + e.what());
  } catch (const std::exception& e) {
    fail(world().describe_node(node) + ": unexpected exception: " + e.what());
  } catch (...) {
    fail(world().describe_node(node) + ": unexpected exception of an unknown type");
  }
  return kUnexpectedCode;
}
#endif

// ---- LeafFuture ------------------------------------------------------------------

LeafFuture::LeafFuture(int leaf) : leaf_(leaf) {
  world().leaves[static_cast<std::size_t>(leaf)]->alive = true;
}
LeafFuture::LeafFuture(LeafFuture&& o) noexcept : leaf_(o.leaf_), state_(o.state_) {
  o.state_ = State::MovedFrom;
}
LeafFuture::~LeafFuture() {
  if (state_ == State::MovedFrom) return;
  LeafCtl& c = *world().leaves[static_cast<std::size_t>(leaf_)];
  pollen::Waker old;  // dropped after the lock
  {
    std::lock_guard<std::mutex> lock(c.mu);
    old = std::move(c.waker);
  }
  c.alive = false;
}

pollen::Poll<Val> LeafFuture::poll(pollen::Context& cx) {
  switch (state_) {
    case State::Waiting: break;
    case State::Done: pollen::detail::polled_after_ready("Leaf");
    case State::Threw: pollen::detail::polled_after_throw("Leaf");
    case State::MovedFrom:
      pollen::detail::contract_violation("Leaf polled after it was moved from");
  }
  LeafCtl& c = *world().leaves[static_cast<std::size_t>(leaf_)];
  pollen::Waker old;  // a replaced waker is dropped after the lock
  std::unique_lock<std::mutex> lock(c.mu);
  switch (c.state) {
    case LeafCtl::State::Value: {
      const std::uint64_t v = c.value;
      lock.unlock();
      state_ = State::Done;
      return Val(v);
    }
    case LeafCtl::State::Throw: lock.unlock(); state_ = State::Threw;
#if POLLEN_HAS_EXCEPTIONS
      throw LeafError{static_cast<std::uint64_t>(leaf_)};
#else
      fail("a leaf was made to throw in a build without exceptions");
      return pollen::pending;
#endif
    case LeafCtl::State::Open: break;
  }
  if (!c.waker.will_wake(cx.waker())) {
    old = std::move(c.waker);
    c.waker = cx.waker();
  }
  return pollen::pending;
}

void LeafFuture::describe(pollen::Describer& d) const {
  d.node("Leaf", "leaf " + std::to_string(leaf_));
}

// ---- RecvN -----------------------------------------------------------------------

std::uint64_t recv_fold(const std::vector<std::uint64_t>& payloads, bool ended) {
  std::uint64_t acc = 0;
  for (std::uint64_t p : payloads) acc = combine(acc, p);
  return ended ? combine(acc, kRecvEnd) : acc;
}

RecvN::RecvN(int node, int chan, int n, std::unique_ptr<pollen::Receiver<Val>> rx)
    : node_(node), chan_(chan), n_(n), rx_(std::move(rx)), waker_(new pollen::Waker) {
  ChanCtl& c = *world().chans[static_cast<std::size_t>(chan_)];
  c.rx_in_node = rx_.get();
  c.rx_waker_in_node = waker_.get();
  c.consumer = node;
}
RecvN::RecvN(RecvN&& o) noexcept
    : node_(o.node_),
      chan_(o.chan_),
      n_(o.n_),
      rx_(std::move(o.rx_)),
      waker_(std::move(o.waker_)),
      acc_(o.acc_),
      got_(o.got_),
      done_(o.done_) {}
RecvN::~RecvN() {
  if (!rx_) return;
  world().on_receiver_dropped(chan_);
  rx_.reset();  // destroys the buffered messages
}

pollen::Poll<Val> RecvN::poll(pollen::Context& cx) {
  if (done_) pollen::detail::polled_after_ready("RecvN");
  done_ = true;  // stays so if a receive throws
  for (;;) {
    if (got_ == n_) return Val(acc_);
    pollen::Option<FaultPause> calm;  // --avoid throwing-move-recv
    if (world().opt.avoid.has(Avoid::ThrowingMoveRecv)) calm.emplace();
    // Initialised from the call, not assigned: assigning would move the
    // message a second time, after it left the channel (our move, not the
    // receive's).
    pollen::Poll<pollen::Option<Val>> p = rx_->poll_next(cx);
    calm.reset();
    if (p.is_pending()) {
      if (!waker_->will_wake(cx.waker())) *waker_ = cx.waker();
      done_ = false;
      return pollen::pending;
    }
    pollen::Option<Val>& item = p.value();  // not moved: nothing of ours can throw here
    if (!item.has_value()) {
      world().node(node_).obs.recv_ended = true;
      return Val(combine(acc_, kRecvEnd));
    }
    world().on_received(node_, *item);
    acc_ = combine(acc_, item->get("a received message"));
    ++got_;
  }
}

void RecvN::describe(pollen::Describer& d) const {
  d.node("RecvN", std::to_string(got_) + " of " + std::to_string(n_));
  if (rx_) d.child(*rx_);
}

// ---- SendNow ---------------------------------------------------------------------

pollen::Poll<SendNow::Output> SendNow::poll(pollen::Context&) {
  if (!tx_.is_valid()) pollen::detail::polled_after_ready("SendNow");
  pollen::UnboundedSender<Val> tx = std::move(tx_);
  Val v = std::move(*v_);
  v_.reset();
  return tx.send(std::move(v));
}

// ---- DroppableFuture -------------------------------------------------------------

DroppableFuture::DroppableFuture(int drop, Fut child) : drop_(drop), slot_(new DropSlot) {
  slot_->child = std::move(child);
  world().drops[static_cast<std::size_t>(drop_)].slot = slot_.get();
}
DroppableFuture::DroppableFuture(DroppableFuture&& o) noexcept
    : drop_(o.drop_), slot_(std::move(o.slot_)), done_(o.done_) {}
DroppableFuture::~DroppableFuture() {
  if (!slot_) return;
  world().drops[static_cast<std::size_t>(drop_)].slot = nullptr;
  slot_->child = Fut();  // the subtree goes first, then the waker
  slot_.reset();
}

pollen::Poll<Val> DroppableFuture::poll(pollen::Context& cx) {
  if (done_) pollen::detail::polled_after_ready("Droppable");
  if (slot_->dropped) {
    done_ = true;
    return Val(kDropped);
  }
  if (!slot_->waker.will_wake(cx.waker())) slot_->waker = cx.waker();
  done_ = true;  // stays so if the child throws: polling it again is then an error
  pollen::Poll<Val> p = slot_->child.poll(cx);
  if (p.is_pending()) done_ = false;
  return p;
}

void DroppableFuture::describe(pollen::Describer& d) const {
  if (!slot_ || slot_->dropped) {
    d.node("Droppable", "dropped");
    return;
  }
  d.node("Droppable");
  d.child(slot_->child);
}

// ---- RepollFuture ----------------------------------------------------------------

pollen::Poll<Val> RepollFuture::poll(pollen::Context& cx) {
  if (done_) pollen::detail::polled_after_ready("Repoll");
#if POLLEN_HAS_EXCEPTIONS
  // Only a throw out of the child's own poll counts as the child's: the
  // Poll is built in place from its result, and a move of the value after
  // that (returning it) is this node's, not the child's.
  bool child_threw = true;
  try {
    pollen::Poll<Val> p = child_.poll(cx);
    child_threw = false;
    if (p.is_pending()) return pollen::pending;
    done_ = true;
    probe(cx, false);
    return p;
  } catch (const MoveFault&) {
    if (!child_threw) throw;
    done_ = true;
    if (!world().opt.avoid.has(Avoid::RepollAfterMoveFault)) probe(cx, true);
    throw;
  } catch (...) {
    if (!child_threw) throw;
    done_ = true;
    probe(cx, true);
    throw;
  }
#else
  pollen::Poll<Val> p = child_.poll(cx);
  if (p.is_pending()) return pollen::pending;
  done_ = true;
  probe(cx, false);
  return p;
#endif
}

void RepollFuture::probe(pollen::Context& cx, bool threw) {
#if POLLEN_HAS_EXCEPTIONS
  World& w = world();
  // A Boxed node forwards the poll to the box it wraps: arm the whole chain
  // and judge the innermost node.
  int target = w.resolve(child_node_);
  w.node(target).obs.repoll_armed = true;
  while (w.node(target).spec.kind == Kind::Boxed) {
    target = w.resolve(w.node(target).spec.kids[0]);
    w.node(target).obs.repoll_armed = true;
  }
  NodeObs& o = w.node(target).obs;
  o.repolled = Repolled::NotYet;
  try {
    pollen::Poll<Val> again = child_.poll(cx);
    (void)again;
  } catch (...) {
    fail(w.describe_node(node_) + ": the repoll of its child threw out of the child's recorder");
  }
  for (int t = w.resolve(child_node_);; t = w.resolve(w.node(t).spec.kids[0])) {
    w.node(t).obs.repoll_armed = false;
    if (w.node(t).spec.kind != Kind::Boxed) break;
  }
  // A finished future raises the ContractError of a finished future; a
  // Fuse that returned Ready returns Pending instead (its purpose).
  // The exception may have been thrown after the node itself returned Ready
  // (by its recorder, or a box returning the value): the node finished
  // normally then.
  const bool node_threw = threw && !o.threw_after_ready && !o.out.is_value();
  const bool fuse_ready = w.node(target).spec.kind == Kind::Fuse && !node_threw;
  const Repolled want = fuse_ready ? Repolled::Pending : Repolled::ContractError;
  // ready(v) (or a node built as a ready stand-in because its resource was
  // gone) whose poll threw moving v out still holds v: giving it now is
  // not a broken state (the rule for polling after a throw is about
  // combinators), so Ready is accepted there too.
  const bool ready_kept_value =
      (w.node(target).spec.kind == Kind::Value || o.stand_in) && threw &&
      o.repolled == Repolled::Ready;
  if (o.repolled != want && !ready_kept_value) {
    static const char* const names[] = {"nothing (not reached)", "a ContractError", "Pending",
                                        "Ready again", "another exception"};
    fail(w.describe_node(target) + ", polled again after it " +
         (threw ? "threw" : "returned Ready") + ", gave " + names[static_cast<int>(o.repolled)] +
         " instead of " + names[static_cast<int>(want)]);
  }
#else
  (void)cx;
  (void)threw;
#endif
}

// ---- DropHookFuture --------------------------------------------------------------

DropHookFuture::DropHookFuture(DropHookFuture&& o) noexcept
    : node_(o.node_),
      child_(std::move(o.child_)),
      victim_(std::move(o.victim_)),
      victim_task_(o.victim_task_),
      spawn_task_(o.spawn_task_),
      done_(o.done_) {
  o.live_ = false;
}

DropHookFuture::~DropHookFuture() {
  if (!live_) return;
  World& w = world();
  FaultPause pause;  // a destructor must not throw: no injected faults in here
  child_ = Fut();
  if (victim_.has_value()) {
    w.on_abort(victim_task_);
    victim_->abort();
    w.on_handle_dropped(victim_task_);
    victim_.reset();
  }
  if (spawn_task_ >= 0) {
    if (!(w.loop_destroying && w.opt.avoid.has(Avoid::LoopDestroySpawn)))
      w.spawn_from_hook(spawn_task_);
  }
}

pollen::Poll<Val> DropHookFuture::poll(pollen::Context& cx) {
  if (done_) pollen::detail::polled_after_ready("DropHook");
  done_ = true;  // stays so if the child throws
  pollen::Poll<Val> p = child_.poll(cx);
  if (p.is_pending()) done_ = false;
  return p;
}

}  // namespace fuzz
