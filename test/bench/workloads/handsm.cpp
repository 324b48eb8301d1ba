// The baseline: every workload written as hand-written state machines (a
// struct with a state enum and a switch in poll()), driven by a minimal
// intrusive FIFO ready queue, one virtual poll() per task, and a waker that
// is a plain task pointer. This is the limit pollen is measured against.
#include "common.hpp"

#include <chrono>
#include <cstdint>
#include <queue>
#include <thread>
#include <utility>
#include <vector>

namespace workloads {
namespace {

// ---------------------------------------------------------------- executor

struct Task {
  virtual ~Task() = default;
  virtual bool poll() = 0;  // true: finished
  Task* next = nullptr;
  bool queued = false;
};

class Executor {
 public:
  void wake(Task* t) {
    if (t->queued) return;
    t->queued = true;
    t->next = nullptr;
    if (tail_ != nullptr) {
      tail_->next = t;
    } else {
      head_ = t;
    }
    tail_ = t;
  }
  void spawn(Task* t) {
    ++live_;
    wake(t);
  }
  // Runs one ready task; false when the queue is empty.
  bool run_one() {
    Task* t = head_;
    if (t == nullptr) return false;
    head_ = t->next;
    if (head_ == nullptr) tail_ = nullptr;
    t->queued = false;
    if (t->poll()) {
      delete t;
      --live_;
    }
    return true;
  }
  void run() {
    while (run_one()) {
    }
  }
  std::size_t live() const { return live_; }

 private:
  Task* head_ = nullptr;
  Task* tail_ = nullptr;
  std::size_t live_ = 0;
};

Executor* g_exec = nullptr;
void wake(Task* t) {
  if (t != nullptr) g_exec->wake(t);
}

// ---------------------------------------------------------- spawn_complete

std::uint64_t g_counter = 0;

struct Trivial final : Task {
  bool poll() override {
    ++g_counter;
    return true;
  }
};

}  // namespace

void handsm_spawn_complete(std::uint64_t n) {
  Run run("spawn_complete", "handsm", n, n);
  g_counter = 0;
  run.start();
  {
    Executor ex;
    g_exec = &ex;
    for (std::uint64_t i = 0; i < n; ++i) ex.spawn(new Trivial());
    ex.run();
    check(ex.live() == 0, "tasks left");
  }
  run.stop();
  check(g_counter == n, "spawn_complete counter");
  run.print();
}

namespace {

// ---------------------------------------------------------------- oneshot

// One oneshot channel: shared by its sender and its receiver (refs = 2).
struct Oneshot {
  std::uint64_t v = 0;
  Oneshot* reply = nullptr;  // the sender carried in the message
  bool full = false;
  bool closed = false;
  Task* waiter = nullptr;
  int refs = 2;
};
void release(Oneshot* o) {
  if (--o->refs == 0) delete o;
}
void send(Oneshot* tx, std::uint64_t v, Oneshot* reply) {
  tx->v = v;
  tx->reply = reply;
  tx->full = true;
  wake(tx->waiter);
  release(tx);
}
void drop_sender(Oneshot* tx) {
  if (!tx->full) {
    tx->closed = true;
    wake(tx->waiter);
  }
  release(tx);
}

// A: for i in 0..n: send {i, tx} on the held sender, await the reply.
struct PingA final : Task {
  enum class State { Send, Await };
  State state = State::Send;
  Oneshot* tx;  // the sender A holds
  Oneshot* rx = nullptr;  // valid in State::Await
  std::uint64_t i = 0, n;
  PingA(Oneshot* t, std::uint64_t count) : tx(t), n(count) {}
  bool poll() override {
    for (;;) {
      switch (state) {
        case State::Send: {
          if (i == n) {
            drop_sender(tx);
            return true;
          }
          Oneshot* ch = new Oneshot();
          send(tx, i, ch);  // ch's sender travels in the message
          rx = ch;
          state = State::Await;
          break;
        }
        case State::Await:
          if (!rx->full) {
            rx->waiter = this;
            return false;
          }
          check(rx->v == i + 1, "ping_pong reply");
          tx = rx->reply;
          release(rx);
          ++i;
          state = State::Send;
          break;
      }
    }
  }
};

// B: await a message, reply v+1 on its sender with a fresh channel.
struct PongB final : Task {
  Oneshot* rx;
  explicit PongB(Oneshot* r) : rx(r) {}
  bool poll() override {
    for (;;) {
      if (rx->full) {
        Oneshot* ch = new Oneshot();
        send(rx->reply, rx->v + 1, ch);
        release(rx);
        rx = ch;
        continue;
      }
      if (rx->closed) {
        release(rx);
        return true;
      }
      rx->waiter = this;
      return false;
    }
  }
};

}  // namespace

void handsm_ping_pong(std::uint64_t n) {
  Run run("ping_pong", "handsm", n, n);
  run.start();
  {
    Executor ex;
    g_exec = &ex;
    Oneshot* first = new Oneshot();
    ex.spawn(new PingA(first, n));
    ex.spawn(new PongB(first));
    ex.run();
    check(ex.live() == 0, "ping_pong tasks left");
  }
  run.stop();
  run.print();
}

namespace {

// ---------------------------------------------------------- ping_pong_chan

struct Slot {
  std::uint64_t v = 0;
  bool full = false;
  bool closed = false;
  Task* waiter = nullptr;
};

struct ChanA final : Task {
  enum class State { Send, Await };
  State state = State::Send;
  Slot* ab;
  Slot* ba;
  std::uint64_t i = 0, n;
  ChanA(Slot* a, Slot* b, std::uint64_t count) : ab(a), ba(b), n(count) {}
  bool poll() override {
    for (;;) {
      switch (state) {
        case State::Send:
          if (i == n) {
            ab->closed = true;
            wake(ab->waiter);
            return true;
          }
          check(!ab->full, "single slot is free");
          ab->v = i;
          ab->full = true;
          wake(ab->waiter);
          state = State::Await;
          break;
        case State::Await:
          if (!ba->full) {
            ba->waiter = this;
            return false;
          }
          ba->full = false;
          check(ba->v == i + 1, "ping_pong_chan reply");
          ++i;
          state = State::Send;
          break;
      }
    }
  }
};

struct ChanB final : Task {
  Slot* ab;
  Slot* ba;
  ChanB(Slot* a, Slot* b) : ab(a), ba(b) {}
  bool poll() override {
    for (;;) {
      if (ab->full) {
        ab->full = false;
        ba->v = ab->v + 1;
        ba->full = true;
        wake(ba->waiter);
        continue;
      }
      if (ab->closed) return true;
      ab->waiter = this;
      return false;
    }
  }
};

}  // namespace

namespace {
void run_ping_pong_chan(const char* name, std::uint64_t n) {
  Run run(name, "handsm", n, n);
  run.start();
  {
    Executor ex;
    g_exec = &ex;
    Slot ab;
    Slot ba;
    ex.spawn(new ChanA(&ab, &ba, n));
    ex.spawn(new ChanB(&ab, &ba));
    ex.run();
    check(ex.live() == 0, "ping_pong_chan tasks left");
  }
  run.stop();
  run.print("channel=single_slot");
}
}  // namespace

void handsm_ping_pong_chan(std::uint64_t n) { run_ping_pong_chan("ping_pong_chan", n); }
// The baseline of pollen's bounded(1) line is the same single slot.
void handsm_ping_pong_chan_bounded(std::uint64_t n) {
  run_ping_pong_chan("ping_pong_chan_bounded", n);
}

namespace {

// ------------------------------------------------------------------ chains

// ready(r) followed by S steps of x -> black_box(x) + 1, as one machine.
struct ChainSM {
  enum class State { Start, Done };
  State state = State::Start;
  std::uint64_t x;
  std::uint64_t steps;
  ChainSM(std::uint64_t r, std::uint64_t s) : x(r), steps(s) {}
  bool poll(std::uint64_t* out) {
    switch (state) {
      case State::Start:
        for (std::uint64_t s = 0; s < steps; ++s) x = black_box(x) + 1;
        state = State::Done;
        *out = x;
        return true;
      case State::Done:
        break;
    }
    fail("ChainSM polled after Done");
  }
};

// chain_dyn's baseline: one heap node per step, each polling the one below.
struct DynNode {
  virtual ~DynNode() = default;
  virtual std::uint64_t poll() = 0;
};
struct ReadyNode final : DynNode {
  std::uint64_t v;
  explicit ReadyNode(std::uint64_t x) : v(x) {}
  std::uint64_t poll() override { return v; }
};
struct StepNode final : DynNode {
  DynNode* inner;
  explicit StepNode(DynNode* i) : inner(i) {}
  ~StepNode() override { delete inner; }
  std::uint64_t poll() override { return black_box(inner->poll()) + 1; }
};

template <class Body>
void run_chain(const char* name, std::uint64_t n, std::uint64_t steps, Body body) {
  Run run(name, "handsm", n, n * steps);
  std::uint64_t sum = 0;
  run.start();
  for (std::uint64_t r = 0; r < n; ++r) sum += body(r);
  run.stop();
  // sum over r of (r + steps)
  check(sum == n * (n - 1) / 2 + n * steps, "chain sum");
  run.print("steps=" + std::to_string(steps));
}

}  // namespace

void handsm_chain_static(std::uint64_t n) {
  run_chain("chain_static", n, kChainStaticSteps, [](std::uint64_t r) {
    ChainSM sm(r, kChainStaticSteps);
    std::uint64_t out = 0;
    check(sm.poll(&out), "chain ready");
    return out;
  });
}

void handsm_chain_dyn(std::uint64_t n) {
  run_chain("chain_dyn", n, kChainDynSteps, [](std::uint64_t r) {
    DynNode* node = new ReadyNode(r);
    for (std::uint64_t s = 0; s < kChainDynSteps; ++s) node = new StepNode(node);
    std::uint64_t out = node->poll();
    delete node;
    return out;
  });
}

void handsm_chain_await(std::uint64_t n) {
  run_chain("chain_await", n, kChainDynSteps, [](std::uint64_t r) {
    ChainSM sm(r, black_box(kChainDynSteps));
    std::uint64_t out = 0;
    check(sm.poll(&out), "chain ready");
    return out;
  });
}

namespace {

// --------------------------------------------------------------- join_wide

struct JoinSlot {
  std::uint64_t v = 0;
  bool full = false;
};

struct Joiner final : Task {
  std::vector<JoinSlot>* slots;
  std::vector<std::uint64_t> results;
  std::vector<std::uint32_t> ready;  // indices whose slot was filled since the last poll
  std::size_t done = 0;
  bool* finished;
  Joiner(std::vector<JoinSlot>* s, bool* f) : slots(s), results(s->size()), finished(f) {
    ready.reserve(s->size());
  }
  bool poll() override {
    while (!ready.empty()) {
      std::uint32_t k = ready.back();
      ready.pop_back();
      JoinSlot& slot = (*slots)[k];
      check(slot.full, "woken child is ready");
      results[k] = slot.v;
      ++done;
    }
    if (done < results.size()) return false;
    for (std::size_t i = 0; i < results.size(); ++i) check(results[i] == i, "join_wide result");
    *finished = true;
    return true;
  }
};

struct Driver final : Task {
  std::vector<JoinSlot>* slots;
  const std::vector<std::uint32_t>* perm;
  Joiner* joiner;
  std::size_t k = 0;
  bool yielded = false;
  Driver(std::vector<JoinSlot>* s, const std::vector<std::uint32_t>* p, Joiner* j)
      : slots(s), perm(p), joiner(j) {}
  bool poll() override {
    for (;;) {
      if (yielded) {
        yielded = false;
        continue;
      }
      if (k == perm->size()) return true;
      std::uint32_t idx = (*perm)[k++];
      JoinSlot& slot = (*slots)[idx];
      slot.v = idx;
      slot.full = true;
      joiner->ready.push_back(idx);
      wake(joiner);
      yielded = true;  // yield once to the executor
      wake(this);
      return false;
    }
  }
};

}  // namespace

void handsm_join_wide(std::uint64_t n) {
  std::vector<std::uint32_t> perm = permutation(n);
  Run run("join_wide", "handsm", n, n);
  bool finished = false;
  run.start();
  {
    Executor ex;
    g_exec = &ex;
    std::vector<JoinSlot> slots(n);
    Joiner* joiner = new Joiner(&slots, &finished);
    ex.spawn(joiner);
    ex.spawn(new Driver(&slots, &perm, joiner));
    ex.run();
    check(ex.live() == 0, "join_wide tasks left");
  }
  run.stop();
  check(finished, "join_wide finished");
  run.print();
}

namespace {

// -------------------------------------------------------- buffer_unordered

// The channels made and not sent on yet, in order: a fixed ring.
struct BufRing {
  std::vector<Oneshot*> buf;
  std::size_t head = 0, count = 0;
  std::uint64_t next_value = 0;  // the value of the sender at head
};

// The consumer: a fixed array of kBufferUnorderedWidth receivers. A poll
// scans them, sums every full one, and refills its slot with a new channel
// (its sender goes to the ring) while fewer than n were made.
struct BufConsumer final : Task {
  Oneshot* slots[kBufferUnorderedWidth] = {};
  BufRing* ring;
  std::uint64_t made = 0, done = 0, n;
  std::uint64_t* sum;
  BufConsumer(BufRing* r, std::uint64_t count, std::uint64_t* s) : ring(r), n(count), sum(s) {}
  bool poll() override {
    for (Oneshot*& rx : slots) {
      if (rx != nullptr && rx->full) {
        *sum += rx->v;
        ++done;
        release(rx);
        rx = nullptr;
      }
      if (rx == nullptr && made < n) {
        rx = new Oneshot();
        check(ring->count < ring->buf.size(), "buffer_unordered ring");
        ring->buf[(ring->head + ring->count++) % ring->buf.size()] = rx;
        ++made;
      }
      if (rx != nullptr) rx->waiter = this;
    }
    return done == n;
  }
};

// The driver: sends on every channel in the ring, then yields once.
struct BufDriver final : Task {
  BufRing* ring;
  std::uint64_t sent = 0, n;
  BufDriver(BufRing* r, std::uint64_t count) : ring(r), n(count) {}
  bool poll() override {
    while (ring->count != 0) {
      send(ring->buf[ring->head], ring->next_value++, nullptr);
      ring->head = (ring->head + 1) % ring->buf.size();
      --ring->count;
      ++sent;
    }
    if (sent == n) return true;
    wake(this);  // yield once to the executor
    return false;
  }
};

}  // namespace

void handsm_buffer_unordered(std::uint64_t n) {
  Run run("buffer_unordered", "handsm", n, n);
  std::uint64_t sum = 0;
  run.start();
  {
    Executor ex;
    g_exec = &ex;
    BufRing ring;
    ring.buf.resize(kBufferUnorderedWidth);
    ex.spawn(new BufConsumer(&ring, n, &sum));
    ex.spawn(new BufDriver(&ring, n));
    ex.run();
    check(ex.live() == 0, "buffer_unordered tasks left");
  }
  run.stop();
  check(sum == n * (n - 1) / 2, "buffer_unordered sum");
  run.print();
}

namespace {

// ------------------------------------------------------------------ timers

struct TimerEntry {
  std::uint64_t deadline;
  Task* task;
  bool operator>(const TimerEntry& o) const { return deadline > o.deadline; }
};
using TimerHeap = std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<TimerEntry>>;

struct TimerWorld {
  TimerHeap heap;
  std::uint64_t now = 0;  // ns since start
};
TimerWorld* g_timers = nullptr;

struct SleepTask final : Task {
  enum class State { Start, Waiting };
  State state = State::Start;
  std::uint64_t deadline;
  explicit SleepTask(std::uint64_t d) : deadline(d) {}
  bool poll() override {
    switch (state) {
      case State::Start:
        if (deadline > g_timers->now) {
          g_timers->heap.push(TimerEntry{deadline, this});
          state = State::Waiting;
          return false;
        }
        break;
      case State::Waiting:
        if (deadline > g_timers->now) return false;
        break;
    }
    ++g_counter;
    return true;
  }
};

// Runs tasks; when none is ready, moves time to the next deadline (virtual)
// or sleeps until it (real), then wakes every expired timer.
template <class Now, class WaitUntil>
void run_timers(Executor& ex, TimerWorld& w, Now now, WaitUntil wait_until) {
  for (;;) {
    ex.run();
    if (w.heap.empty()) return;
    std::uint64_t next = w.heap.top().deadline;
    w.now = now();
    if (w.now < next) {
      wait_until(next);
      w.now = now();
    }
    while (!w.heap.empty() && w.heap.top().deadline <= w.now) {
      ex.wake(w.heap.top().task);
      w.heap.pop();
    }
  }
}

}  // namespace

void handsm_timers_virtual(std::uint64_t n) {
  std::vector<std::uint64_t> d = deadlines(n, kTimersVirtualSpreadNs);
  Run run("timers_virtual", "handsm", n, n);
  g_counter = 0;
  run.start();
  {
    Executor ex;
    g_exec = &ex;
    TimerWorld w;
    g_timers = &w;
    for (std::uint64_t i = 0; i < n; ++i) ex.spawn(new SleepTask(d[i] + 1));
    std::uint64_t virtual_now = 0;
    run_timers(
        ex, w, [&] { return virtual_now; }, [&](std::uint64_t t) { virtual_now = t; });
    check(ex.live() == 0, "timers tasks left");
  }
  run.stop();
  check(g_counter == n, "timers_virtual counter");
  run.print();
}

void handsm_timers(std::uint64_t n) {
  std::vector<std::uint64_t> d = deadlines(n, kTimersSpreadNs);
  Run run("timers", "handsm", n, n);
  g_counter = 0;
  run.start();
  {
    Executor ex;
    g_exec = &ex;
    TimerWorld w;
    g_timers = &w;
    auto t0 = std::chrono::steady_clock::now();
    auto now = [&] {
      return static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
              .count());
    };
    for (std::uint64_t i = 0; i < n; ++i) ex.spawn(new SleepTask(d[i] + 1));
    run_timers(ex, w, now, [&](std::uint64_t t) {
      std::this_thread::sleep_until(t0 + std::chrono::nanoseconds(t));
    });
    check(ex.live() == 0, "timers tasks left");
  }
  run.stop();
  check(g_counter == n, "timers counter");
  run.print();
}

namespace {

// ------------------------------------------------------------- select_loop

struct ReadySM {
  std::uint64_t v;
  bool taken = false;
};
struct NeverSM {};
// select(ready(i), pending) by hand: poll the ready arm, it wins.
struct SelectSM {
  enum class State { Polling, Done };
  State state = State::Polling;
  ReadySM a;
  NeverSM b;
  explicit SelectSM(std::uint64_t i) : a{i} {}
  bool poll(std::uint64_t* out) {
    if (state == State::Done) fail("select polled after Done");
    if (!a.taken) {
      a.taken = true;
      *out = a.v;
      state = State::Done;
      return true;
    }
    return false;  // b never completes
  }
};

struct SelectLoop final : Task {
  std::uint64_t n;
  std::uint64_t* sum;
  SelectLoop(std::uint64_t count, std::uint64_t* s) : n(count), sum(s) {}
  bool poll() override {
    for (std::uint64_t i = 0; i < n; ++i) {
      SelectSM s(black_box(i));
      std::uint64_t v = 0;
      if (!s.poll(&v)) fail("select arm should be ready");
      *sum += v;
    }
    return true;
  }
};

}  // namespace

void handsm_select_loop(std::uint64_t n) {
  Run run("select_loop", "handsm", n, n);
  std::uint64_t sum = 0;
  run.start();
  {
    Executor ex;
    g_exec = &ex;
    ex.spawn(new SelectLoop(n, &sum));
    ex.run();
  }
  run.stop();
  check(sum == n * (n - 1) / 2, "select_loop sum");
  run.print();
}

namespace {

// --------------------------------------------------------- mutex_contended
//
// kMutexTasks tasks each take a hand-written FIFO lock n / kMutexTasks
// times, exactly as pollen.cpp does with pollen::Mutex: the critical section
// holds the lock across one yield to the executor (the task wakes itself
// and returns; it is polled again after every task that was ready), so all
// the other tasks queue up. The lock: a flag and an intrusive FIFO queue of
// waiter nodes (one per task); unlocking hands the lock straight to the
// first waiter (the flag stays set, the node is marked granted) and wakes
// its task, which enters at its next poll; a task that unlocks and locks
// again queues at the back. One op is one acquisition.
//
// Checks: at most one task is ever inside; acquisition k is by task
// k mod tasks (strict round robin: FIFO order); the counter the lock guards
// ends at n.

struct FifoWaiter {
  FifoWaiter* next = nullptr;
  Task* task = nullptr;
  bool granted = false;  // handed the lock (unlinked)
};

struct FifoLock {
  bool locked = false;
  FifoWaiter* head = nullptr;
  FifoWaiter* tail = nullptr;
  std::uint64_t value = 0;  // what the lock guards

  // Takes the lock now, or queues `w` (its task is woken when granted).
  bool lock_or_queue(FifoWaiter* w) {
    if (!locked && head == nullptr) {
      locked = true;
      return true;
    }
    w->next = nullptr;
    w->granted = false;
    if (tail != nullptr) {
      tail->next = w;
    } else {
      head = w;
    }
    tail = w;
    return false;
  }
  // Hands the lock to the first waiter and wakes it, or releases it.
  void unlock() {
    FifoWaiter* w = head;
    if (w == nullptr) {
      locked = false;
      return;
    }
    head = w->next;
    if (head == nullptr) tail = nullptr;
    w->granted = true;
    wake(w->task);
  }
};

struct MutexCheckSM {
  std::uint64_t inside = 0;    // tasks in the critical section now: 0 or 1
  std::uint64_t acquired = 0;  // acquisitions so far
  std::uint64_t tasks = 0;
};

struct MutexTask final : Task {
  enum class State { Lock, Waiting, Holding };
  State state = State::Lock;
  FifoLock* lock;
  MutexCheckSM* c;
  FifoWaiter node;
  std::uint64_t id, done = 0, locks;
  MutexTask(FifoLock* l, MutexCheckSM* chk, std::uint64_t i, std::uint64_t count)
      : lock(l), c(chk), id(i), locks(count) {
    node.task = this;
  }
  void enter() {
    if (++c->inside != 1) fail("mutex_contended: two tasks inside");
    if (c->acquired++ % c->tasks != id) fail("mutex_contended: acquisition order is not FIFO");
    ++lock->value;
    state = State::Holding;
    wake(this);  // yield once to the executor, holding the lock
  }
  bool poll() override {
    for (;;) {
      switch (state) {
        case State::Lock:
          if (lock->lock_or_queue(&node)) {
            enter();
          } else {
            state = State::Waiting;
          }
          return false;
        case State::Waiting:
          if (!node.granted) return false;
          enter();
          return false;
        case State::Holding:
          --c->inside;
          lock->unlock();
          if (++done == locks) return true;
          state = State::Lock;
          break;
      }
    }
  }
};

}  // namespace

void handsm_mutex_contended(std::uint64_t n) {
  const std::uint64_t tasks = mutex_tasks(n);
  Run run("mutex_contended", "handsm", n, n);
  MutexCheckSM c;
  c.tasks = tasks;
  std::uint64_t total = 0;
  run.start();
  {
    Executor ex;
    g_exec = &ex;
    FifoLock lock;
    for (std::uint64_t id = 0; id < tasks; ++id) {
      ex.spawn(new MutexTask(&lock, &c, id, n / tasks));
    }
    ex.run();
    check(ex.live() == 0, "mutex_contended tasks left");
    check(!lock.locked && lock.head == nullptr, "mutex_contended: the lock is still held");
    total = lock.value;
  }
  run.stop();
  check(total == n && c.acquired == n && c.inside == 0, "mutex_contended count");
  run.print();
}

void handsm_sizes() {
  struct JoinReadyReady {  // join(ready, ready) by hand: two slots and a state
    std::uint64_t a, b;
    std::uint8_t state;
  };
  std::printf("sizes impl=handsm join_ready_ready=%zu then10_ready_u64=%zu map10=%zu map100=%zu "
              "select_ready_pending=%zu oneshot_receiver=%zu sleep=%zu task_header=%zu\n",
              sizeof(JoinReadyReady), sizeof(ChainSM), sizeof(ChainSM), sizeof(ChainSM),
              sizeof(SelectSM), sizeof(Oneshot*), sizeof(SleepTask) - sizeof(Task) + sizeof(void*),
              sizeof(Task));
}

}  // namespace workloads
