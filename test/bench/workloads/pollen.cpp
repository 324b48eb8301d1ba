// Every workload of docs/performance.md written with pollen's public
// API only (<pollen/pollen.hpp>): what a user of the library would write.
// Tasks are composed from combinators (loop_fn, map, then, join_all,
// select) rather than written as hand-made state machines; those are the
// handsm baseline (handsm.cpp). Each function checks its result and aborts
// when it is wrong.
//
// Futures that run outside an event loop (the chains) are driven by polling
// them directly with a Context on the no-op waker, as an enclosing task
// would: they are Ready at their first poll. pollen::block_on would add its
// thread parker (one allocation) per repetition.
#include "common.hpp"

#include <pollen/pollen.hpp>

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace workloads {
namespace {

using u64 = std::uint64_t;

// Polls a future that must be Ready at once (no event loop involved).
template <class F>
pollen::output_t<F> poll_ready(F& f, const char* what) {
  pollen::Waker noop;
  pollen::Context cx(noop);
  pollen::Poll<pollen::output_t<F>> p = f.poll(cx);
  if (!p.is_ready()) fail(what);
  return std::move(p).value();
}

// ---------------------------------------------------------- spawn_complete

u64 g_counter = 0;

struct Bump {
  pollen::Unit operator()() const {
    ++g_counter;
    return pollen::Unit{};
  }
  pollen::Unit operator()(pollen::Unit) const { return (*this)(); }
};

}  // namespace

void pollen_spawn_complete(u64 n) {
  Run run("spawn_complete", "pollen", n, n);
  g_counter = 0;
  run.start();
  {
    pollen::EventLoop loop;
    // The JoinHandle is dropped at once: the task is detached and runs on.
    for (u64 i = 0; i < n; ++i) loop.spawn(pollen::lazy(Bump{})).detach();
    loop.run();
    if (loop.stats().tasks_alive != 0) fail("spawn_complete tasks left");
  }
  run.stop();
  check(g_counter == n, "spawn_complete counter");
  run.print();
}

namespace {

// --------------------------------------------------------------- ping_pong

struct Msg {
  u64 v;
  pollen::OneshotSender<Msg> reply;
};

// A's loop state: the round and the sender A holds.
struct PingState {
  u64 i;
  pollen::OneshotSender<Msg> tx;
};

// Round i of A: send Msg{i, tx'} on the held sender, await the reply on
// rx', check it is i + 1 and keep its sender for the next round. After n
// rounds the reply's sender is dropped: B sees Closed.
struct PingStep {
  u64 n;
  auto operator()(PingState s) const {
    using L = pollen::Loop<PingState, pollen::Unit>;
    auto ch = pollen::oneshot<Msg>();
    if (!s.tx.send(Msg{s.i, std::move(ch.first)}).is_sent()) fail("ping_pong: B is gone");
    const u64 i = s.i;
    const u64 count = n;
    return std::move(ch.second).map([i, count](pollen::RecvResult<Msg> r) -> L {
      if (!r.is_received() || r.value().v != i + 1) fail("ping_pong reply");
      if (i + 1 == count) return pollen::loop_break(pollen::Unit{});  // drops the sender
      return pollen::loop_continue(PingState{i + 1, std::move(r.value().reply)});
    });
  }
};

// B: await a message, answer v + 1 through its sender with a fresh channel,
// continue with the fresh receiver; end when the channel is closed.
struct PongStep {
  auto operator()(pollen::OneshotReceiver<Msg> rx) const {
    using L = pollen::Loop<pollen::OneshotReceiver<Msg>, u64>;
    return std::move(rx).map([](pollen::RecvResult<Msg> r) -> L {
      if (r.is_closed()) return pollen::loop_break(u64{0});
      Msg m = std::move(r).value();
      auto ch = pollen::oneshot<Msg>();
      if (!m.reply.send(Msg{m.v + 1, std::move(ch.first)}).is_sent()) fail("ping_pong: A is gone");
      return pollen::loop_continue(std::move(ch.second));
    });
  }
};

}  // namespace

void pollen_ping_pong(u64 n) {
  Run run("ping_pong", "pollen", n, n);
  run.start();
  {
    pollen::EventLoop loop;
    auto first = pollen::oneshot<Msg>();
    auto a = loop.spawn(pollen::loop_fn(PingState{0, std::move(first.first)}, PingStep{n}));
    auto b = loop.spawn(pollen::loop_fn(std::move(first.second), PongStep{}));
    loop.run();
    check(a.is_finished() && b.is_finished(), "ping_pong tasks left");
  }
  run.stop();
  run.print();
}

namespace {

// ---------------------------------------------------------- ping_pong_chan

// The two long-lived channels live in the workload's frame, outside the
// loop; the tasks borrow them (a recv() future borrows its receiver, and a
// loop_fn step function moves between iterations).
template <class Tx>
struct Chans {
  Tx ab_tx;
  pollen::Receiver<u64> ab_rx;
  Tx ba_tx;
  pollen::Receiver<u64> ba_rx;
};

// A for the unbounded channel: send i (never waits), await i + 1.
struct UnboundedA {
  Chans<pollen::UnboundedSender<u64>>* c;
  u64 n;
  auto operator()(u64 i) const {
    using L = pollen::Loop<u64, pollen::Unit>;
    if (!c->ab_tx.send(i).is_sent()) fail("ping_pong_chan: B is gone");
    auto* chans = c;
    const u64 count = n;
    return c->ba_rx.recv().map([i, count, chans](pollen::Option<u64> v) -> L {
      if (!v.has_value() || *v != i + 1) fail("ping_pong_chan reply");
      if (i + 1 == count) {
        chans->ab_tx = pollen::UnboundedSender<u64>();  // B's stream ends
        return pollen::loop_break(pollen::Unit{});
      }
      return pollen::loop_continue(i + 1);
    });
  }
};

struct UnboundedB {
  Chans<pollen::UnboundedSender<u64>>* c;
  auto operator()(pollen::Unit) const {
    using L = pollen::Loop<pollen::Unit, pollen::Unit>;
    auto* chans = c;
    return c->ab_rx.recv().map([chans](pollen::Option<u64> v) -> L {
      if (!v.has_value()) return pollen::loop_break(pollen::Unit{});
      if (!chans->ba_tx.send(*v + 1).is_sent()) fail("ping_pong_chan: A is gone");
      return pollen::loop_continue(pollen::Unit{});
    });
  }
};

// The same with a bounded(1) channel: each send is a future, awaited
// before the receive (there is always room: one message in flight).
struct BoundedA {
  Chans<pollen::Sender<u64>>* c;
  u64 n;
  auto operator()(u64 i) const {
    using L = pollen::Loop<u64, pollen::Unit>;
    auto* chans = c;
    const u64 count = n;
    return c->ab_tx.send(i)
        .then([chans](pollen::SendResult<u64> r) {
          if (!r.is_sent()) fail("ping_pong_chan_bounded: B is gone");
          return chans->ba_rx.recv();
        })
        .map([i, count, chans](pollen::Option<u64> v) -> L {
          if (!v.has_value() || *v != i + 1) fail("ping_pong_chan_bounded reply");
          if (i + 1 == count) {
            chans->ab_tx = pollen::Sender<u64>();  // B's stream ends
            return pollen::loop_break(pollen::Unit{});
          }
          return pollen::loop_continue(i + 1);
        });
  }
};

struct BoundedB {
  Chans<pollen::Sender<u64>>* c;
  auto operator()(pollen::Unit) const {
    using L = pollen::Loop<pollen::Unit, pollen::Unit>;
    auto* chans = c;
    return c->ab_rx.recv()
        .then([chans](pollen::Option<u64> v) {
          // A continuation has one type, so at the end of the stream B
          // still sends: a 0 nobody reads (A took its last reply, so there
          // is room), then stops.
          return chans->ba_tx.send(v.has_value() ? *v + 1 : 0).map(
              [v](pollen::SendResult<u64>) -> L {
                if (!v.has_value()) return pollen::loop_break(pollen::Unit{});
                return pollen::loop_continue(pollen::Unit{});
              });
        });
  }
};

}  // namespace

void pollen_ping_pong_chan(u64 n) {
  Run run("ping_pong_chan", "pollen", n, n);
  run.start();
  {
    pollen::EventLoop loop;
    auto ab = pollen::unbounded_channel<u64>();
    auto ba = pollen::unbounded_channel<u64>();
    Chans<pollen::UnboundedSender<u64>> c{std::move(ab.first), std::move(ab.second),
                                          std::move(ba.first), std::move(ba.second)};
    auto a = loop.spawn(pollen::loop_fn(u64{0}, UnboundedA{&c, n}));
    auto b = loop.spawn(pollen::loop_fn(pollen::Unit{}, UnboundedB{&c}));
    loop.run();
    check(a.is_finished() && b.is_finished(), "ping_pong_chan tasks left");
  }
  run.stop();
  run.print("channel=unbounded");
}

void pollen_ping_pong_chan_bounded(u64 n) {
  Run run("ping_pong_chan_bounded", "pollen", n, n);
  run.start();
  {
    pollen::EventLoop loop;
    auto ab = pollen::channel<u64>(1);
    auto ba = pollen::channel<u64>(1);
    Chans<pollen::Sender<u64>> c{std::move(ab.first), std::move(ab.second), std::move(ba.first),
                                 std::move(ba.second)};
    auto a = loop.spawn(pollen::loop_fn(u64{0}, BoundedA{&c, n}));
    auto b = loop.spawn(pollen::loop_fn(pollen::Unit{}, BoundedB{&c}));
    loop.run();
    check(a.is_finished() && b.is_finished(), "ping_pong_chan_bounded tasks left");
  }
  run.stop();
  run.print("channel=bounded1");
}

namespace {

// ------------------------------------------------------------------ chains

// One step: x -> black_box(x) + 1.
struct Inc {
  u64 operator()(u64 x) const { return black_box(x) + 1; }
};
// The same as a then step (its continuation is a ready future).
struct ThenInc {
  pollen::Ready<u64> operator()(u64 x) const { return pollen::ready(black_box(x) + 1); }
};

// ready(r) followed by N map steps, composed at compile time.
template <u64 N>
struct MapChain {
  template <class F>
  static auto make(F f) {
    return MapChain<N - 1>::make(std::move(f).map(Inc{}));
  }
};
template <>
struct MapChain<0> {
  template <class F>
  static F make(F f) {
    return f;
  }
};

template <u64 N>
struct ThenChain {
  template <class F>
  static auto make(F f) {
    return ThenChain<N - 1>::make(std::move(f).then(ThenInc{}));
  }
};
template <>
struct ThenChain<0> {
  template <class F>
  static F make(F f) {
    return f;
  }
};

template <class Body>
void run_chain(const char* name, u64 n, u64 steps, Body body) {
  Run run(name, "pollen", n, n * steps);
  u64 sum = 0;
  run.start();
  for (u64 r = 0; r < n; ++r) sum += body(r);
  run.stop();
  check(sum == n * (n - 1) / 2 + n * steps, "chain sum");
  run.print("steps=" + std::to_string(steps));
}

// chain_await's loop state: the value and the steps done.
struct AwaitState {
  u64 x;
  u64 k;
};
// One iteration: x = inc(await ready(x)).
struct AwaitStep {
  u64 steps;
  auto operator()(AwaitState s) const {
    using L = pollen::Loop<AwaitState, u64>;
    const u64 k = s.k;
    const u64 total = steps;
    return pollen::ready(s.x).map([k, total](u64 x) -> L {
      x = black_box(x) + 1;
      if (k + 1 == total) return pollen::loop_break(x);
      return pollen::loop_continue(AwaitState{x, k + 1});
    });
  }
};

}  // namespace

void pollen_chain_static(u64 n) {
  run_chain("chain_static", n, kChainStaticSteps, [](u64 r) {
    auto f = MapChain<kChainStaticSteps>::make(pollen::ready(r));
    return poll_ready(f, "chain_static ready");
  });
}

void pollen_chain_dyn(u64 n) {
  run_chain("chain_dyn", n, kChainDynSteps, [](u64 r) {
    pollen::BoxFuture<u64> f = pollen::boxed(pollen::ready(r));
    for (u64 s = 0; s < kChainDynSteps; ++s) f = std::move(f).map(Inc{}).boxed();
    return poll_ready(f, "chain_dyn ready");
  });
}

void pollen_chain_await(u64 n) {
  run_chain("chain_await", n, kChainDynSteps, [](u64 r) {
    auto f = pollen::loop_fn(AwaitState{r, 0}, AwaitStep{black_box(kChainDynSteps)});
    return poll_ready(f, "chain_await ready");
  });
}

namespace {

// --------------------------------------------------------------- join_wide

// The driver: for each k, send perm[k] on sender perm[k], then yield once.
struct DriveStep {
  std::vector<pollen::OneshotSender<u64>>* senders;
  const std::vector<std::uint32_t>* perm;
  auto operator()(u64 k) const {
    using L = pollen::Loop<u64, pollen::Unit>;
    const std::uint32_t idx = (*perm)[k];
    if (!(*senders)[idx].send(idx).is_sent()) fail("join_wide: receiver gone");
    const u64 n = perm->size();
    return pollen::yield_now().map([k, n](pollen::Unit) -> L {
      if (k + 1 == n) return pollen::loop_break(pollen::Unit{});
      return pollen::loop_continue(k + 1);
    });
  }
};

}  // namespace

void pollen_join_wide(u64 n) {
  std::vector<std::uint32_t> perm = permutation(n);
  Run run("join_wide", "pollen", n, n);
  bool checked = false;
  run.start();
  {
    pollen::EventLoop loop;
    std::vector<pollen::OneshotSender<u64>> senders;
    std::vector<pollen::OneshotReceiver<u64>> children;
    senders.reserve(n);
    children.reserve(n);
    for (u64 i = 0; i < n; ++i) {
      auto ch = pollen::oneshot<u64>();
      senders.push_back(std::move(ch.first));
      children.push_back(std::move(ch.second));
    }
    auto joiner = loop.spawn(pollen::join_all(std::move(children))
                                 .map([&checked](std::vector<pollen::RecvResult<u64>> out) {
                                   for (std::size_t i = 0; i < out.size(); ++i) {
                                     if (!out[i].is_received() || out[i].value() != i) {
                                       fail("join_wide result");
                                     }
                                   }
                                   checked = true;
                                   return out.size();
                                 }));
    auto driver = loop.spawn(pollen::loop_fn(u64{0}, DriveStep{&senders, &perm}));
    loop.run();
    check(joiner.is_finished() && driver.is_finished(), "join_wide tasks left");
  }
  run.stop();
  check(checked, "join_wide finished");
  run.print();
}

namespace {

// ------------------------------------------------------------------ timers

// Spawns n tasks, task i sleeping until start + d_i (+1 ns, as handsm: no
// timer is due at its first poll), then bumping the counter.
void spawn_sleepers(pollen::EventLoop& loop, const std::vector<u64>& d) {
  const pollen::TimePoint start = loop.now();
  for (u64 di : d) {
    loop.spawn(pollen::sleep_until(loop.timer_driver(), start + pollen::Duration(di + 1))
                   .map(Bump{}))
        .detach();
  }
}

}  // namespace

void pollen_timers(u64 n) {
  std::vector<u64> d = deadlines(n, kTimersSpreadNs);
  Run run("timers", "pollen", n, n);
  g_counter = 0;
  run.start();
  {
    pollen::EventLoop loop;
    spawn_sleepers(loop, d);
    loop.run();
  }
  run.stop();
  check(g_counter == n, "timers counter");
  run.print();
}

void pollen_timers_virtual(u64 n) {
  std::vector<u64> d = deadlines(n, kTimersVirtualSpreadNs);
  Run run("timers_virtual", "pollen", n, n);
  g_counter = 0;
  run.start();
  {
    pollen::EventLoop loop(pollen::ClockKind::Virtual);
    loop.set_auto_advance(true);
    spawn_sleepers(loop, d);
    loop.run();
  }
  run.stop();
  check(g_counter == n, "timers_virtual counter");
  run.print();
}

namespace {

// ------------------------------------------------------------- select_loop

struct SelectState {
  u64 i;
  u64 sum;
};
// One iteration: await select(ready(i), never), which the ready side wins.
struct SelectStep {
  u64 n;
  auto operator()(SelectState s) const {
    using L = pollen::Loop<SelectState, u64>;
    const u64 count = n;
    return pollen::select(pollen::ready(black_box(s.i)), pollen::never<u64>())
        .map([s, count](pollen::Either<u64, u64> o) -> L {
          if (o.index() != 0) fail("select_loop: the never side won");
          const u64 sum = s.sum + pollen::get<0>(o);
          if (s.i + 1 == count) return pollen::loop_break(sum);
          return pollen::loop_continue(SelectState{s.i + 1, sum});
        });
  }
};

}  // namespace

void pollen_select_loop(u64 n) {
  Run run("select_loop", "pollen", n, n);
  u64 sum = 0;
  run.start();
  {
    pollen::EventLoop loop;
    sum = loop.block_on(pollen::loop_fn(SelectState{0, 0}, SelectStep{n}));
  }
  run.stop();
  check(sum == n * (n - 1) / 2, "select_loop sum");
  run.print();
}

namespace {

// -------------------------------------------------------- buffer_unordered

// The senders of the channels the stream has made and the driver has not
// sent on yet, in order, with the value each is to carry: a fixed ring (at
// most kBufferUnorderedWidth are outstanding).
struct SenderRing {
  std::vector<pollen::Option<pollen::OneshotSender<u64>>> buf;
  std::size_t head = 0, count = 0;
  u64 next_value = 0;  // the value of the sender at head
};

// A stream of n oneshot receivers; each sender goes to the ring. A leaf
// stream: one unit of budget per item.
struct OneshotSource {
  using Item = pollen::OneshotReceiver<u64>;
  SenderRing* ring;
  u64 made, n;
  pollen::Poll<pollen::Option<Item>> poll_next(pollen::Context& cx) {
    if (made == n) return pollen::Option<Item>();
    if (!cx.consume_budget()) return pollen::pending;
    auto ch = pollen::oneshot<u64>();
    if (ring->count == ring->buf.size()) fail("buffer_unordered: more than n in flight");
    ring->buf[(ring->head + ring->count++) % ring->buf.size()].emplace(std::move(ch.first));
    ++made;
    return pollen::Option<Item>(std::move(ch.second));
  }
};

// The driver: sends on every sender in the ring, then yields once.
struct BufferDriveStep {
  SenderRing* ring;
  u64 n;
  auto operator()(u64 sent) const {
    using L = pollen::Loop<u64, pollen::Unit>;
    while (ring->count != 0) {
      pollen::Option<pollen::OneshotSender<u64>>& tx = ring->buf[ring->head];
      if (!tx->send(ring->next_value++).is_sent()) fail("buffer_unordered: receiver gone");
      tx.reset();
      ring->head = (ring->head + 1) % ring->buf.size();
      --ring->count;
      ++sent;
    }
    const u64 count = n;
    return pollen::yield_now().map([sent, count](pollen::Unit) -> L {
      if (sent == count) return pollen::loop_break(pollen::Unit{});
      return pollen::loop_continue(sent);
    });
  }
};

struct SumReceived {
  u64* sum;
  void operator()(pollen::RecvResult<u64> r) const {
    if (!r.is_received()) fail("buffer_unordered: sender dropped");
    *sum += r.value();
  }
};

}  // namespace

void pollen_buffer_unordered(u64 n) {
  Run run("buffer_unordered", "pollen", n, n);
  u64 sum = 0;
  run.start();
  {
    pollen::EventLoop loop;
    SenderRing ring;
    ring.buf.resize(kBufferUnorderedWidth);
    auto consumer = loop.spawn(pollen::stream::for_each(
        pollen::stream::buffer_unordered(OneshotSource{&ring, 0, n}, kBufferUnorderedWidth),
        SumReceived{&sum}));
    auto driver = loop.spawn(pollen::loop_fn(u64{0}, BufferDriveStep{&ring, n}));
    loop.run();
    check(consumer.is_finished() && driver.is_finished(), "buffer_unordered tasks left");
  }
  run.stop();
  check(sum == n * (n - 1) / 2, "buffer_unordered sum");
  run.print();
}

namespace {

// --------------------------------------------------------- mutex_contended
//
// kMutexTasks tasks each lock one pollen::Mutex n / kMutexTasks times. The
// critical section holds the guard across one await that really suspends:
// a yield_now() (Pending once, the task is polled again in the loop's next
// turn). So while one task holds the lock all the others are queued, and
// every unlock hands the lock to the first waiter (a wake) while the task
// that unlocked queues again at the back. One op is one acquisition: a
// lock() that queues, the grant, the wake and poll of the new holder, its
// yield, the wake and poll back, the unlock. handsm does exactly the same
// with a hand-written FIFO lock (an intrusive waiter queue, the lock handed
// to the first waiter, which is woken).
//
// Checks: at most one task is ever inside (a counter outside the Mutex);
// acquisitions are strictly round robin (acquisition k by task k mod tasks:
// every task queued behind the first holder before it released, and each
// one queues again behind the others), which is FIFO order; the counter
// inside the Mutex ends at n.

struct MutexCheck {
  u64 inside = 0;    // tasks in the critical section now: 0 or 1
  u64 acquired = 0;  // acquisitions so far
  u64 tasks = 0;
};

struct MutexLeave {
  pollen::MutexGuard<u64> g;  // held across the yield
  MutexCheck* c;
  pollen::Unit operator()(pollen::Unit) {
    --c->inside;
    pollen::MutexGuard<u64> unlock = std::move(g);  // unlocks here: the next waiter gets it
    return pollen::Unit{};
  }
};

struct MutexEnter {
  MutexCheck* c;
  u64 id;
  auto operator()(pollen::MutexGuard<u64> g) const {
    if (++c->inside != 1) fail("mutex_contended: two tasks inside");
    if (c->acquired++ % c->tasks != id) fail("mutex_contended: acquisition order is not FIFO");
    ++*g;
    return pollen::yield_now().map(MutexLeave{std::move(g), c});
  }
};

// One task: `locks` times lock, enter, yield holding the guard, unlock.
struct MutexTaskStep {
  pollen::Mutex<u64>* m;
  MutexCheck* c;
  u64 id, locks;
  auto operator()(u64 k) const {
    using L = pollen::Loop<u64, pollen::Unit>;
    const u64 count = locks;
    return m->lock().then(MutexEnter{c, id}).map([k, count](pollen::Unit) -> L {
      if (k + 1 == count) return pollen::loop_break(pollen::Unit{});
      return pollen::loop_continue(k + 1);
    });
  }
};

}  // namespace

void pollen_mutex_contended(u64 n) {
  const u64 tasks = mutex_tasks(n);
  Run run("mutex_contended", "pollen", n, n);
  MutexCheck c;
  c.tasks = tasks;
  u64 total = 0;
  run.start();
  {
    pollen::EventLoop loop;
    pollen::Mutex<u64> m(u64{0});
    for (u64 id = 0; id < tasks; ++id) {
      loop.spawn(pollen::loop_fn(u64{0}, MutexTaskStep{&m, &c, id, n / tasks})).detach();
    }
    loop.run();
    check(loop.stats().tasks_alive == 0, "mutex_contended tasks left");
    check(!m.is_locked() && m.waiters() == 0, "mutex_contended: the mutex is still locked");
    auto g = m.try_lock();
    check(g.has_value(), "mutex_contended: try_lock after the run");
    total = **g;
  }
  run.stop();
  check(total == n && c.acquired == n && c.inside == 0, "mutex_contended count");
  run.print();
}

// ------------------------------------------------------------------- sizes

void pollen_sizes() {
  using R = pollen::Ready<u64>;
  using Join2 = decltype(pollen::join(pollen::ready(u64{1}), pollen::ready(u64{2})));
  using Then10 = decltype(ThenChain<10>::make(pollen::ready(u64{0})));
  using Map10 = decltype(MapChain<10>::make(pollen::ready(u64{0})));
  using Map100 = decltype(MapChain<100>::make(pollen::ready(u64{0})));
  using Select2 = decltype(pollen::select(pollen::ready(u64{0}), pollen::never<u64>()));
  // The task block: what spawn takes from the loop's slab for a Ready<Unit>
  // (the blocks come from 64 KiB chunks, so counting operator new would see
  // a chunk, not a block). The header is that block minus the slot (the
  // future or its output, rounded up to 8 bytes).
  const u64 task_block = pollen::detail::task_block_size<pollen::Ready<pollen::Unit>>(0);
  std::printf("sizes impl=pollen join_ready_ready=%zu then10_ready_u64=%zu map10=%zu map100=%zu "
              "select_ready_pending=%zu oneshot_receiver=%zu sleep=%zu task_header=%llu "
              "task_block=%llu ready_u64=%zu\n",
              sizeof(Join2), sizeof(Then10), sizeof(Map10), sizeof(Map100), sizeof(Select2),
              sizeof(pollen::OneshotReceiver<u64>), sizeof(pollen::Sleep),
              static_cast<unsigned long long>(task_block -
                                              (sizeof(pollen::Ready<pollen::Unit>) + 7) / 8 * 8),
              static_cast<unsigned long long>(task_block), sizeof(R));
}

}  // namespace workloads
