// test/fuzz/scenario.cpp: the driver. Sets up a loop and its resources,
// spawns the generated tasks, then runs a seeded sequence of actions:
//
//   complete a leaf / make it throw     tick / run_until_stalled
//   advance the virtual clock          abort a task / drop its JoinHandle
//   join a finished task's handle      block_on a task that must finish
//   spawn another task                 drop a future (a Droppable's child)
//   send / close / drop a sender       oneshot send / drop its sender
//   inject a move fault: the n-th move of a value in the next turn (or in
//   the driver's next sends) throws
//   a burst of other threads that complete leaves, wake tasks and send
//   (--threads)
//
// and ends by settling everything or destroying the loop with live tasks.
// After every run_until_stalled the model checks liveness and the loop's
// own view (tasks alive, handles finished, buffered messages, next timer).
#include "scenario.hpp"

#include "futures.hpp"
#include "generate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

namespace fuzz {

// The schedule: LoopOptions::schedule_seed makes the loop poll the tasks that
// are ready in one turn in a seeded order. The scenario draws the seed from
// its own choices, so that a failing seed replays with the same order.
bool schedule_seed_supported() { return true; }

namespace {

char g_crash_context[512] = "";
char g_last_action[512] = "";

void token_hook(std::uint32_t token, int delta) { world().on_token_event(token, delta); }

pollen::Waker& noop_waker() {
  static pollen::Waker w;
  return w;
}

// The state shared by the threads of a burst and the future the loop waits
// on until they are done.
struct Burst {
  std::mutex mu;
  int done = 0;  // guarded by mu
  int threads = 0;
  pollen::Waker waker;  // guarded by mu: the loop's block_on task
};
class BurstDone : public pollen::FutureExt<BurstDone> {
 public:
  using Output = pollen::Unit;
  explicit BurstDone(Burst* b) : b_(b) {}
  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    std::lock_guard<std::mutex> lock(b_->mu);
    if (b_->done == b_->threads) return pollen::Unit{};
    b_->waker = cx.waker();
    return pollen::pending;
  }
  void describe(pollen::Describer& d) const { d.node("BurstDone"); }

 private:
  Burst* b_;
};

// One operation of a thread in a burst.
struct ThreadOp {
  enum class Kind { Complete, Wake, Send, OneshotSend, ForeignSpawn } kind;
  int target = -1;  // leaf, channel or oneshot
  std::uint64_t value = 0;
  std::uint32_t token = 0;
};

// What one thread of a burst does (another thread than the loop's).
void run_thread_ops(World& w, pollen::EventLoop* loop, const std::vector<ThreadOp>& ops,
                    std::vector<pollen::Option<pollen::Sender<Val>>>& bs,
                    std::vector<pollen::Option<pollen::UnboundedSender<Val>>>& us,
                    pollen::Option<pollen::OneshotSender<Val>>& os) {
  for (const ThreadOp& op : ops) {
    switch (op.kind) {
      case ThreadOp::Kind::Complete: {
        LeafCtl& c = *w.leaves[static_cast<std::size_t>(op.target)];
        pollen::Waker wk;
        {
          std::lock_guard<std::mutex> lock(c.mu);
          c.state = LeafCtl::State::Value;
          c.value = op.value;
          wk = std::move(c.waker);
        }
        std::move(wk).wake();
        break;
      }
      case ThreadOp::Kind::Wake: {  // spurious wakes: must be harmless
        LeafCtl& c = *w.leaves[static_cast<std::size_t>(op.target)];
        pollen::Waker wk;
        {
          std::lock_guard<std::mutex> lock(c.mu);
          wk = c.waker;
        }
        for (int k = 0; k < 3; ++k) wk.wake();
        break;
      }
      case ThreadOp::Kind::Send: {
        const std::size_t c = static_cast<std::size_t>(op.target);
        ChanCtl& ch = *w.chans[c];
        {
          std::lock_guard<std::mutex> lock(w.token_mu);
          w.tokens[op.token].status = TokenStatus::Sending;
        }
        pollen::SendResult<Val> r = ch.bounded ? bs[c]->try_send(Val(mix64(op.token), op.token))
                                               : us[c]->send(Val(mix64(op.token), op.token));
        std::lock_guard<std::mutex> lock(ch.mu);
        if (r.is_sent()) ++ch.sent;
        if (r.is_closed() && !ch.rx_closed) {
          fail(fmt::format(
              "a send from another thread on channel {} said Closed although the receiver was open",
              c));
        }
        if (!r.is_sent() && !r.has_value_back())
          fail("a send from another thread refused a message without handing it back");
        std::lock_guard<std::mutex> tlock(w.token_mu);
        Token& t = w.tokens[op.token];
        if (t.status == TokenStatus::Sending) {
          t.status = !r.is_sent()
                         ? TokenStatus::HandedBack
                         : (ch.rx_dropped ? TokenStatus::DroppedInBuffer : TokenStatus::Sent);
        }
        break;
      }
      case ThreadOp::Kind::OneshotSend: {
        OneshotCtl& oc = *w.oneshots[static_cast<std::size_t>(op.target)];
        {
          std::lock_guard<std::mutex> lock(oc.mu);
          oc.sent = true;
          oc.token = op.token;
        }
        {
          std::lock_guard<std::mutex> lock(w.token_mu);
          w.tokens[op.token].status = TokenStatus::Sent;
        }
        pollen::SendResult<Val> r = os->send(Val(mix64(op.token), op.token));
        if (!r.is_sent()) {
          {
            std::lock_guard<std::mutex> lock(oc.mu);
            oc.sent = false;
            if (!oc.rx_gone) {
              fail(
                  fmt::format("oneshot {}'s send from another thread said Closed although its "
                              "receiver was there",
                              op.target));
            }
          }
          std::lock_guard<std::mutex> lock(w.token_mu);
          w.tokens[op.token].status = TokenStatus::HandedBack;
        }
        break;
      }
      case ThreadOp::Kind::ForeignSpawn: {
#if POLLEN_HAS_EXCEPTIONS
        bool raised = false;
        try {
          pollen::JoinHandle<Val> h = loop->spawn(pollen::ready(Val(1)));
          (void)h;
        } catch (const pollen::ContractError&) {
          raised = true;
        }
        if (!raised) fail("spawn on the loop from another thread did not raise a ContractError");
#else
        (void)loop;
#endif
        break;
      }
    }
    std::this_thread::yield();
  }
}

class Driver {
 public:
  Driver(const Options& opt, Source src) : w_(opt), src_(src) {}

  ScenarioResult run();

 private:
  // ---- setup and teardown ----
  void setup();
  void spawn_task(int t);
  void adopt_hook_handles();
  void destroy_loop();
  void teardown();

  // ---- actions ----
  void step();
  void complete_leaf(bool throw_it);
  void advance();
  void run_until_stalled();
  void tick();
  void abort_task();
  void drop_handle();
  void join_now(int t, const char* why);
  void block_on_task();
  void drop_future();
  void chan_send();
  void send_one(int c);
  void chan_close();
  void chan_drop_sender();
  void oneshot_send();
  void oneshot_drop_sender();
  void thread_burst();
  void move_fault();
  void move_fault_in_sends();
  void settle();

  // ---- checks against the loop's own view ----
  void check_after_stall(const pollen::Option<pollen::TimePoint>& next);
  void check_join(int t, pollen::JoinHandle<Val>& h);

  void log(const std::string& line);
  std::vector<int> open_leaves() const;
  std::vector<int> held_handles(bool finished, bool unclaimed = false) const;
  int pick(const std::vector<int>& v) {
    return v[src_.below(static_cast<std::uint32_t>(v.size()))];
  }
  std::int64_t loop_now_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(w_.loop->now() - w_.start).count();
  }

  World w_;
  Source src_;
  std::unique_ptr<pollen::EventLoop> loop_;
  std::vector<std::string> log_;
  std::string setup_text_;
  bool schedule_seeded_ = false;
  long stalls_ = 0;
  long faults_ = 0;
  bool destroyed_live_ = false;
};

// ==== setup =========================================================================

void Driver::setup() {
  // The select rotation is per thread and outlives a scenario: start it
  // from the seed so that a seed replays alone as it ran among others.
  pollen::detail::select_rotation() = src_.below(1024);

  pollen::LoopOptions lo;
  lo.clock = pollen::ClockKind::Virtual;
  static const unsigned budgets[] = {1, 2, 3, 128, 128, 128};
  static const unsigned polls[] = {1, 2, 128, 128};
  lo.budget_per_poll = budgets[src_.below(6)];
  lo.max_polls_per_tick = polls[src_.below(4)];
  lo.schedule_seed = mix64(src_.next64()) | 1;
  schedule_seeded_ = true;
  loop_.reset(new pollen::EventLoop(lo));
  w_.loop = loop_.get();
  w_.start = loop_->now();
#if POLLEN_HAS_EXCEPTIONS
  World* w = &w_;
  loop_->set_unhandled_exception_handler([w](const char* name, std::exception_ptr e) {
    int t = -1;
    if (name != nullptr && (name[0] == 't' || name[0] == 'h')) t = std::atoi(name + 1);
    if (t < 0 || t >= static_cast<int>(w->tasks.size())) {
      fail(fmt::format("the unhandled-exception handler was called for an unknown task \"{}\"",
                       name ? name : ""));
      return;
    }
    TaskCtl& tc = w->tasks[static_cast<std::size_t>(t)];
    ++tc.unhandled_reports;
    try {
      std::rethrow_exception(e);
    } catch (const LeafError& le) {
      tc.unhandled_code = le.code;
    } catch (...) {
      tc.unhandled_code = kUnexpectedCode;
    }
    if (!tc.handle_dropped_before_finish || tc.handle_state == TaskCtl::Handle::Held) {
      fail(
          fmt::format("task {}'s exception went to the unhandled-exception handler although its "
                      "JoinHandle was still held",
                      t));
    }
  });
#endif
  setup_text_ =
      fmt::format("loop: virtual clock, budget {} per poll, {} polls per tick, schedule seed {}\n",
                  lo.budget_per_poll, lo.max_polls_per_tick, schedule_seeded_ ? "on" : "n/a");

  const int nchans = static_cast<int>(src_.below(3));
  for (int c = 0; c < nchans; ++c) {
    w_.chans.emplace_back(new ChanCtl);
    ChanCtl& ch = *w_.chans.back();
    ch.bounded = src_.chance(60);
    if (ch.bounded) {
      ch.cap = 1 + src_.below(3);
      std::pair<pollen::Sender<Val>, pollen::Receiver<Val>> p = pollen::channel<Val>(ch.cap);
      ch.btx.emplace(std::move(p.first));
      ch.rx.reset(new pollen::Receiver<Val>(std::move(p.second)));
    } else {
      std::pair<pollen::UnboundedSender<Val>, pollen::Receiver<Val>> p =
          pollen::unbounded_channel<Val>();
      ch.utx.emplace(std::move(p.first));
      ch.rx.reset(new pollen::Receiver<Val>(std::move(p.second)));
    }
    setup_text_ +=
        fmt::format("channel {}: {}\n", c,
                    ch.bounded ? fmt::format("bounded, capacity {}", ch.cap) : "unbounded");
  }
  const int noneshots = static_cast<int>(src_.below(3));
  for (int o = 0; o < noneshots; ++o) {
    w_.oneshots.emplace_back(new OneshotCtl);
    std::pair<pollen::OneshotSender<Val>, pollen::OneshotReceiver<Val>> p = pollen::oneshot<Val>();
    w_.oneshots.back()->tx.emplace(std::move(p.first));
    w_.oneshots.back()->rx.emplace(std::move(p.second));
    setup_text_ += fmt::format("oneshot {}\n", o);
  }
  const int ntasks = 1 + static_cast<int>(src_.below(4));
  for (int i = 0; i < ntasks; ++i) spawn_task(reserve_task(w_, src_, "t"));
}

void Driver::spawn_task(int t) {
  TaskCtl& tc = w_.tasks[static_cast<std::size_t>(t)];
  log(fmt::format("spawn task {} (root #{}):\n{}", t, tc.root, w_.render_tree(tc.root)));
  Fut f = w_.build(tc.root);
  tc.spawned = true;
  tc.handle.emplace(loop_->spawn(tc.name, std::move(f)));
}

void Driver::adopt_hook_handles() {
  for (std::size_t i = 0; i < w_.spawned_by_hooks.size(); ++i) {
    TaskCtl& tc = w_.tasks[static_cast<std::size_t>(w_.hook_tasks[i])];
    tc.handle.emplace(std::move(w_.spawned_by_hooks[i]));
    tc.handle_state = TaskCtl::Handle::Held;
    log(fmt::format("  (a drop hook spawned task {})", w_.hook_tasks[i]));
  }
  w_.spawned_by_hooks.clear();
  w_.hook_tasks.clear();
}

void Driver::destroy_loop() {
  if (!loop_) return;
  log("destroy the loop");
  for (const TaskCtl& t : w_.tasks) destroyed_live_ = destroyed_live_ || (t.spawned && !t.finished);
  w_.loop_destroying = true;
  loop_.reset();
  w_.loop_destroying = false;
  adopt_hook_handles();
  for (std::size_t t = 0; t < w_.tasks.size(); ++t) {
    const TaskCtl& tc = w_.tasks[t];
    if (tc.spawned && !tc.finished) fail(fmt::format("task {}'s future outlived its loop", t));
  }
}

void Driver::teardown() {
  destroy_loop();
  w_.loop = nullptr;
  // Every handle still held yields what its task did (or cancelled).
  for (std::size_t t = 0; t < w_.tasks.size(); ++t) {
    if (w_.tasks[t].handle.has_value())
      join_now(static_cast<int>(t), "after the loop was destroyed");
  }
  for (std::size_t c = 0; c < w_.chans.size(); ++c) {
    ChanCtl& ch = *w_.chans[c];
    ch.btx.reset();
    ch.utx.reset();
    if (ch.rx) {
      w_.on_receiver_dropped(static_cast<int>(c));
      ch.rx.reset();
    }
  }
  for (std::unique_ptr<OneshotCtl>& o : w_.oneshots) {
    o->tx.reset();
    if (o->rx.has_value()) {
      {
        std::lock_guard<std::mutex> lock(w_.token_mu);
        if (o->sent && w_.tokens[o->token].status == TokenStatus::Sent) {
          w_.tokens[o->token].status = TokenStatus::DroppedInBuffer;
        }
      }
      o->rx.reset();
    }
  }
  w_.check_end();
}

// ==== the run =======================================================================

ScenarioResult Driver::run() {
  set_world(&w_);
  set_token_hook(&token_hook);
  const long vals_before = counters().vals_alive.load();
  const long tracked_before = counters().tracked_alive.load();
  setup();
  const int steps = 10 + static_cast<int>(src_.below(50));
  int n = 0;
  for (; n < steps && !failed(); ++n) {
    ++w_.epoch;
    step();
    adopt_hook_handles();
  }
  if (!failed()) {
    if (src_.chance(35)) {
      log("finale: destroy the loop with its tasks as they are");
    } else {
      settle();
    }
  }
  teardown();
  disarm_move_fault();
  const long vals = counters().vals_alive.load() - vals_before;
  const long tracked = counters().tracked_alive.load() - tracked_before;
  if (vals != 0)
    fail(fmt::format("{} Val objects were never destroyed (or destroyed too often: negative)",
                     vals));
  if (tracked != 0) {
    fail(fmt::format(
        "{} function objects, leaves or fuzzer futures were never destroyed (or destroyed "
        "too often: negative)",
        tracked));
  }
  ScenarioResult r;
  r.actions = n;
  for (const Node& node : w_.nodes) {
    const int k = static_cast<int>(node.spec.kind);
    if (!node.obs.created) continue;
    ++r.coverage.built[k];
    if (node.obs.completed) {
      ++(node.obs.out.is_value() ? r.coverage.value[k] : r.coverage.thrown[k]);
    } else if (!node.obs.forwarded) {
      ++r.coverage.cancelled[k];
    }
  }
  for (const TaskCtl& t : w_.tasks) {
    if (!t.spawned) continue;
    ++r.coverage.tasks;
    if (t.cancelled)
      ++r.coverage.tasks_cancelled;
    else if (t.out.is_value())
      ++r.coverage.tasks_value;
    else
      ++r.coverage.tasks_thrown;
  }
  r.coverage.stalls = stalls_;
  r.coverage.loop_destroyed_live = destroyed_live_ ? 1 : 0;
  r.coverage.move_faults = faults_;
  r.ok = !failed();
  if (!r.ok) {
    r.failure = first_failure();
    std::string text = setup_text_;
    for (const std::string& line : log_) text += line + "\n";
    text += "tasks at the end:\n";
    for (std::size_t t = 0; t < w_.tasks.size(); ++t) {
      if (!w_.tasks[t].spawned) continue;
      text += fmt::format("task {}:\n{}", t, w_.render_tree(w_.tasks[t].root));
    }
    r.report = text;
  }
  set_token_hook(nullptr);
  set_world(nullptr);
  return r;
}

void Driver::log(const std::string& line) {
  std::string l = fmt::format("[{}] {}", w_.epoch, line);
  std::snprintf(g_last_action, sizeof g_last_action, "%s", l.c_str());
  if (w_.opt.verbose) {
    std::fprintf(stderr, "%s\n", l.c_str());
    std::fflush(stderr);
  }
  log_.push_back(std::move(l));
}

std::vector<int> Driver::open_leaves() const {
  std::vector<int> out;
  for (std::size_t i = 0; i < w_.leaves.size(); ++i) {
    LeafCtl& c = *w_.leaves[i];
    std::lock_guard<std::mutex> lock(c.mu);
    if (c.state == LeafCtl::State::Open) out.push_back(static_cast<int>(i));
  }
  return out;
}

// The tasks whose handle the driver holds (finished or not). `unclaimed`:
// only those no node will take (a node built during a turn takes its
// handle: the driver must not be holding on to it then).
std::vector<int> Driver::held_handles(bool finished, bool unclaimed) const {
  std::vector<int> out;
  for (std::size_t t = 0; t < w_.tasks.size(); ++t) {
    const TaskCtl& tc = w_.tasks[t];
    if (tc.handle.has_value() && tc.finished == finished && !(unclaimed && tc.handle_claimed)) {
      out.push_back(static_cast<int>(t));
    }
  }
  return out;
}

// ==== actions =======================================================================

void Driver::step() {
  enum Act {
    Complete,
    Throw,
    Tick,
    Stall,
    Advance,
    Abort,
    DropHandle,
    Join,
    BlockOn,
    Spawn,
    DropFuture,
    ChanSend,
    ChanClose,
    ChanDropSender,
    OneshotSend,
    OneshotDropSender,
    ThreadBurst,
    MoveFault,
    kActs
  };
  std::vector<std::uint32_t> weights(kActs, 0);
  const bool have_open = !open_leaves().empty();
  weights[Complete] = have_open ? 30 : 0;
  // With other threads, no task throws: a task's exception_ptr may be
  // freed on another thread with the task's last waker, and libstdc++'s
  // exception_ptr, not built for ThreadSanitizer, would be reported as a
  // race (the single-threaded runs cover exceptions).
  weights[Throw] = have_open && w_.opt.exceptions && !w_.opt.threads ? 4 : 0;
  weights[Tick] = 10;
  weights[Stall] = 12;
  weights[Advance] = 8;
  weights[Abort] = held_handles(false).empty() ? 0 : 3;
  weights[DropHandle] = held_handles(false, true).empty() ? 0 : 2;
  weights[Join] = held_handles(true, true).empty() ? 0 : 4;
  weights[BlockOn] = held_handles(false, true).empty() ? 0 : 2;
  weights[Spawn] = w_.tasks.size() < 10 ? 3 : 0;
  bool droppable = false;
  for (const DropCtl& d : w_.drops) droppable = droppable || (d.slot != nullptr && !d.dropped);
  weights[DropFuture] = droppable ? 4 : 0;
  weights[ChanSend] = w_.chans.empty() ? 0 : 5;
  weights[ChanClose] = w_.chans.empty() ? 0 : 1;
  weights[ChanDropSender] = w_.chans.empty() ? 0 : 1;
  weights[OneshotSend] = w_.oneshots.empty() ? 0 : 3;
  weights[OneshotDropSender] = w_.oneshots.empty() ? 0 : 1;
  weights[ThreadBurst] = w_.opt.threads ? 8 : 0;
  weights[MoveFault] =
      w_.opt.exceptions && !w_.opt.threads && !w_.opt.avoid.has(Avoid::ThrowingMove) ? 3 : 0;
  switch (src_.weighted(weights)) {
    case Complete: return complete_leaf(false);
    case Throw: return complete_leaf(true);
    case Tick: return tick();
    case Stall: return run_until_stalled();
    case Advance: return advance();
    case Abort: return abort_task();
    case DropHandle: return drop_handle();
    case Join: return join_now(pick(held_handles(true, true)), "");
    case BlockOn: return block_on_task();
    case Spawn: return spawn_task(reserve_task(w_, src_, "t"));
    case DropFuture: return drop_future();
    case ChanSend: return chan_send();
    case ChanClose: return chan_close();
    case ChanDropSender: return chan_drop_sender();
    case OneshotSend: return oneshot_send();
    case OneshotDropSender: return oneshot_drop_sender();
    case ThreadBurst: return thread_burst();
    case MoveFault: return move_fault();
    default: return;
  }
}

void Driver::complete_leaf(bool throw_it) {
  const int leaf = pick(open_leaves());
  LeafCtl& c = *w_.leaves[static_cast<std::size_t>(leaf)];
  const std::uint64_t v = src_.next64();
  log(throw_it ? fmt::format("leaf {} throws", leaf)
               : fmt::format("leaf {} completes with {:#x}", leaf, v));
  pollen::Waker wk;
  {
    std::lock_guard<std::mutex> lock(c.mu);
    c.state = throw_it ? LeafCtl::State::Throw : LeafCtl::State::Value;
    c.value = v;
    wk = std::move(c.waker);
  }
  std::move(wk).wake();
}

void Driver::tick() {
  const std::size_t n = loop_->tick();
  log(fmt::format("tick (polled {})", n));
}

void Driver::run_until_stalled() {
  log("run_until_stalled");
  pollen::Option<pollen::TimePoint> next = loop_->run_until_stalled();
  ++stalls_;
  check_after_stall(next);
}

void Driver::advance() {
  // The next deadline exactly, a nanosecond before it, a little, or a lot.
  std::int64_t next = -1;
  for (std::size_t i = 0; i < w_.nodes.size(); ++i) {
    const Node& n = w_.nodes[i];
    if ((n.spec.kind == Kind::Sleep || n.spec.kind == Kind::Timeout) && n.obs.created &&
        !n.obs.completed && !n.obs.destroyed && !n.obs.stand_in) {
      const std::int64_t d = w_.deadline_of(static_cast<int>(i));
      if (d > w_.now_ns && (next < 0 || d < next)) next = d;
    }
  }
  std::int64_t by;
  const std::uint32_t how = src_.below(4);
  if (next >= 0 && how == 0) {
    by = next - w_.now_ns;
  } else if (next >= 0 && how == 1) {
    by = next - w_.now_ns - 1;
  } else if (how == 2) {
    by = static_cast<std::int64_t>(src_.below(3000000));
  } else {
    by = 50000000;
  }
  log(fmt::format("advance the clock by {} ns (to {} ns)", by, w_.now_ns + by));
  w_.now_ns += by;
  loop_->advance(std::chrono::nanoseconds(by));
  if (loop_now_ns() != w_.now_ns) {
    fail(fmt::format("the loop's virtual clock is at {} ns after advance(), the model's at {} ns",
                     loop_now_ns(), w_.now_ns));
  }
}

void Driver::abort_task() {
  const int t = pick(held_handles(false));
  log(fmt::format("abort task {}", t));
  w_.on_abort(t);
  w_.tasks[static_cast<std::size_t>(t)].handle->abort();
}

void Driver::drop_handle() {
  const int t = pick(held_handles(false, true));
  log(fmt::format("drop task {}'s JoinHandle", t));
  w_.on_handle_dropped(t);
  w_.tasks[static_cast<std::size_t>(t)].handle.reset();
}

// Polls the handle (the task has finished) from outside the loop, with a
// no-op waker: it must be Ready with what the task did. Polling it again is
// a ContractError.
void Driver::join_now(int t, const char* why) {
  TaskCtl& tc = w_.tasks[static_cast<std::size_t>(t)];
  log(fmt::format("join task {}'s handle {}", t, why));
  pollen::JoinHandle<Val> h = std::move(*tc.handle);
  tc.handle.reset();
  tc.handle_state = TaskCtl::Handle::Joined;
  check_join(t, h);
#if POLLEN_HAS_EXCEPTIONS
  if (w_.opt.exceptions) {
    bool raised = false;
    try {
      pollen::Context cx(noop_waker());
      (void)h.poll(cx);
    } catch (const pollen::ContractError&) {
      raised = true;
    } catch (...) {
    }
    if (!raised)
      fail(fmt::format(
          "task {}'s JoinHandle, polled again after Ready, did not raise a ContractError", t));
  }
#endif
}

void Driver::check_join(int t, pollen::JoinHandle<Val>& h) {
  const TaskCtl& tc = w_.tasks[static_cast<std::size_t>(t)];
  pollen::Context cx(noop_waker());
  Outcome got;
  bool cancelled = false;
#if POLLEN_HAS_EXCEPTIONS
  try {
#endif
    pollen::Poll<pollen::JoinResult<Val>> p = h.poll(cx);
    if (p.is_pending()) {
      fail(fmt::format("task {} finished, but its JoinHandle is Pending", t));
      return;
    }
    pollen::JoinResult<Val> r = std::move(p).value();
    if (r.is_cancelled()) {
      cancelled = true;
    } else {
      got = Outcome::value(r.value().get("a JoinHandle's result"));
    }
#if POLLEN_HAS_EXCEPTIONS
  } catch (const LeafError& e) {
    got = Outcome::thrown(e.code);
  } catch (const MoveFault& e) {
    got = Outcome::thrown(kMoveFaultCode + static_cast<std::uint64_t>(e.nth));
  } catch (const std::exception& e) {
    fail(fmt::format("task {}'s JoinHandle threw {}", t, e.what()));
    return;
  }
#endif
  if (got.is_throw() && got.v >= kMoveFaultCode) {
    // Storing or taking the output threw: the task failed, whatever its future gave.
    if (!w_.faults_fired)
      fail(fmt::format("task {}'s JoinHandle threw a move fault that was never injected", t));
  } else if (!tc.finished) {
    fail(fmt::format("task {}'s JoinHandle is Ready, but its future has not finished", t));
  } else if (cancelled != tc.cancelled) {
    fail(fmt::format("task {}'s JoinHandle says {}, but the task {}", t,
                     cancelled ? "cancelled" : to_string(got),
                     tc.cancelled ? "was cancelled" : "finished: " + to_string(tc.out)));
  } else if (!cancelled && got != tc.out) {
    fail(fmt::format("task {}'s JoinHandle gives {}, its future gave {}", t, to_string(got),
                     to_string(tc.out)));
  }
}

// block_on's future: a JoinHandle (borrowed), given up once nothing else in
// the loop can run, so that block_on of a task that cannot finish (or a lost
// wake) does not wait forever in the kernel. Output: none when it gave up.
class GuardedJoin : public pollen::FutureExt<GuardedJoin> {
 public:
  using Output = pollen::Option<pollen::JoinResult<Val>>;
  GuardedJoin(pollen::JoinHandle<Val>* h, pollen::EventLoop* loop) : h_(h), loop_(loop) {}
  pollen::Poll<Output> poll(pollen::Context& cx) {
    pollen::Poll<pollen::JoinResult<Val>> p = h_->poll(cx);
    if (p.is_ready()) return Output(std::move(p).value());
    // Twice in a row the only ready task: nothing can change any more.
    idle_ = loop_->has_ready_tasks() ? 0 : idle_ + 1;
    if (idle_ >= 2) return Output();
    cx.waker().wake();
    return pollen::pending;
  }
  void describe(pollen::Describer& d) const { d.node("GuardedJoin"); }

 private:
  pollen::JoinHandle<Val>* h_;
  pollen::EventLoop* loop_;
  int idle_ = 0;
};

void Driver::block_on_task() {
  // Mostly a task that the model says must finish with what it has now (no
  // clock moves, no other thread); sometimes any task.
  std::vector<int> ts;
  for (int t : held_handles(false, true)) {
    if (w_.eval(w_.tasks[static_cast<std::size_t>(t)].root).certain()) ts.push_back(t);
  }
  if (ts.empty() || src_.chance(20)) ts = held_handles(false, true);
  const int t = pick(ts);
  TaskCtl& tc = w_.tasks[static_cast<std::size_t>(t)];
  const bool certain = w_.eval(tc.root).certain() && w_.model_exact();
  log(fmt::format("block_on task {}'s JoinHandle (the model says it {})", t,
                  certain ? "must finish" : "may not finish"));
  Outcome got;
  bool cancelled = false;
  bool gave_up = false;
#if POLLEN_HAS_EXCEPTIONS
  try {
#endif
    pollen::Option<pollen::JoinResult<Val>> r =
        loop_->block_on(GuardedJoin(&*tc.handle, loop_.get()));
    if (!r.has_value()) {
      gave_up = true;
    } else if (r->is_cancelled()) {
      cancelled = true;
    } else {
      got = Outcome::value(r->value().get("block_on's result"));
    }
#if POLLEN_HAS_EXCEPTIONS
  } catch (const LeafError& e) {
    got = Outcome::thrown(e.code);
  } catch (const MoveFault& e) {
    got = Outcome::thrown(kMoveFaultCode + static_cast<std::uint64_t>(e.nth));
  } catch (const std::exception& e) {
    fail(fmt::format("block_on(task {}'s handle) threw {}", t, e.what()));
    return;
  }
#endif
  if (gave_up) {
    log("  (nothing could run any more: given up)");
    if (certain) {
      fail(
          fmt::format("block_on(task {}'s handle) stalled, but the model says the task must "
                      "finish: a lost wake",
                      t));
    }
    return;
  }
  tc.handle.reset();  // it yielded: done with the task
  tc.handle_state = TaskCtl::Handle::Joined;
  if (got.is_throw() && got.v >= kMoveFaultCode) {
    if (!w_.faults_fired)
      fail(fmt::format("block_on(task {}'s handle) threw a move fault that was never injected", t));
  } else if (!tc.finished) {
    fail(fmt::format("block_on(task {}'s handle) returned, but the task's future has not finished",
                     t));
  } else if (cancelled != tc.cancelled || (!cancelled && got != tc.out)) {
    fail(fmt::format("block_on(task {}'s handle) gave {}, the task {}", t,
                     cancelled ? "cancelled" : to_string(got),
                     tc.cancelled ? "was cancelled" : "gave " + to_string(tc.out)));
  }
}

void Driver::drop_future() {
  std::vector<int> ds;
  for (std::size_t d = 0; d < w_.drops.size(); ++d) {
    if (w_.drops[d].slot != nullptr && !w_.drops[d].dropped) ds.push_back(static_cast<int>(d));
  }
  const int d = pick(ds);
  log(fmt::format("drop the child of drop point {} (node #{})", d,
                  w_.drops[static_cast<std::size_t>(d)].node));
  DropCtl& dc = w_.drops[static_cast<std::size_t>(d)];
  DropSlot* s = dc.slot;
  dc.dropped = true;
  s->dropped = true;
  { Fut doomed = std::move(s->child); }
  pollen::Waker wk = std::move(s->waker);
  std::move(wk).wake();
}

void Driver::chan_send() {
  const int c = static_cast<int>(src_.below(static_cast<std::uint32_t>(w_.chans.size())));
  ChanCtl& ch = *w_.chans[static_cast<std::size_t>(c)];
  if (!ch.btx.has_value() && !ch.utx.has_value()) return tick();
  // Now and then a burst: an unbounded channel's ring grows past 8.
  const int n = src_.chance(20) ? 2 + static_cast<int>(src_.below(11)) : 1;
  for (int i = 0; i < n && !failed(); ++i) send_one(c);
}

void Driver::send_one(int c) {
  ChanCtl& ch = *w_.chans[static_cast<std::size_t>(c)];
  const std::uint32_t token = w_.new_token(c, 0, ch.next_seq++);
  log(fmt::format("the driver sends token {} on channel {}", token, c));
  pollen::SendResult<Val> r = ch.bounded ? ch.btx->try_send(Val(mix64(token), token))
                                         : ch.utx->send(Val(mix64(token), token));
  bool closed, waiting = false;
  long buffered;
  {
    std::lock_guard<std::mutex> lock(ch.mu);
    closed = ch.rx_closed;
    if (r.is_sent()) ++ch.sent;
    buffered = ch.buffered();
  }
  for (const Node& n : w_.nodes) {
    waiting = waiting || (n.spec.kind == Kind::Send && n.spec.res == c && n.obs.created &&
                          !n.obs.completed && !n.obs.destroyed && !n.obs.stand_in);
  }
  if (r.is_sent()) {
    if (closed)
      fail(fmt::format("try_send on channel {} said Sent after its receiver was closed", c));
    if (ch.bounded && buffered > static_cast<long>(ch.cap)) {
      fail(fmt::format("channel {} (capacity {}) accepted a message with {} buffered", c, ch.cap,
                       buffered - 1));
    }
    std::lock_guard<std::mutex> lock(w_.token_mu);
    w_.tokens[token].status = TokenStatus::Sent;
    return;
  }
  if (r.is_closed() && !closed)
    fail(fmt::format("channel {} said Closed although its receiver was open", c));
  if (r.is_full() && (!ch.bounded || (buffered < static_cast<long>(ch.cap) && !waiting))) {
    fail(fmt::format("channel {} said Full with {} of {} buffered and no sender waiting", c,
                     buffered, ch.cap));
  }
  if (!r.has_value_back()) {
    fail(fmt::format("channel {} refused a message without handing it back", c));
    return;
  }
  Val back = r.take_back();
  if (back.token() != token || !back.live())
    fail(fmt::format("channel {} handed back another or a moved-from message", c));
  std::lock_guard<std::mutex> lock(w_.token_mu);
  w_.tokens[token].status = TokenStatus::HandedBack;
}

void Driver::chan_close() {
  const int c = static_cast<int>(src_.below(static_cast<std::uint32_t>(w_.chans.size())));
  ChanCtl& ch = *w_.chans[static_cast<std::size_t>(c)];
  pollen::Receiver<Val>* rx = ch.rx_in_node != nullptr ? ch.rx_in_node : ch.rx.get();
  if (rx == nullptr) return tick();
  log(fmt::format("close channel {}'s receiver", c));
  {
    std::lock_guard<std::mutex> lock(ch.mu);
    ch.rx_closed = true;
  }
  rx->close();
  // The receiver's owner closed it: its task polls it again.
  if (ch.rx_waker_in_node != nullptr) ch.rx_waker_in_node->wake();
}

void Driver::chan_drop_sender() {
  const int c = static_cast<int>(src_.below(static_cast<std::uint32_t>(w_.chans.size())));
  ChanCtl& ch = *w_.chans[static_cast<std::size_t>(c)];
  if (!ch.btx.has_value() && !ch.utx.has_value()) return tick();
  log(fmt::format("drop the driver's sender of channel {}", c));
  ch.btx.reset();
  ch.utx.reset();
  std::lock_guard<std::mutex> lock(ch.mu);
  --ch.sender_handles;
}

void Driver::oneshot_send() {
  const int o = static_cast<int>(src_.below(static_cast<std::uint32_t>(w_.oneshots.size())));
  OneshotCtl& oc = *w_.oneshots[static_cast<std::size_t>(o)];
  if (!oc.tx.has_value() || !oc.tx->is_valid()) return tick();
  const std::uint32_t token = w_.new_token(1000 + o, 0, 1);
  log(fmt::format("the driver sends token {} on oneshot {}", token, o));
  bool rx_gone;
  {
    std::lock_guard<std::mutex> lock(oc.mu);
    oc.sent = true;
    oc.token = token;
    rx_gone = oc.rx_gone;
  }
  {
    std::lock_guard<std::mutex> lock(w_.token_mu);
    w_.tokens[token].status = TokenStatus::Sent;
  }
  pollen::SendResult<Val> r = oc.tx->send(Val(mix64(token), token));
  if (r.is_sent() == rx_gone) {
    fail(fmt::format("oneshot {}'s send said {} although its receiver was {}", o,
                     pollen::to_string(r.status()), rx_gone ? "gone" : "there"));
  }
  if (!r.is_sent()) {
    std::lock_guard<std::mutex> lock(oc.mu);
    oc.sent = false;
  }
  if (!r.is_sent() && r.has_value_back()) {
    {
      std::lock_guard<std::mutex> lock(w_.token_mu);
      w_.tokens[token].status = TokenStatus::HandedBack;
    }
    Val back = r.take_back();
    if (back.token() != token || !back.live())
      fail(fmt::format("oneshot {} handed back another or a moved-from message", o));
  }
}

void Driver::oneshot_drop_sender() {
  const int o = static_cast<int>(src_.below(static_cast<std::uint32_t>(w_.oneshots.size())));
  OneshotCtl& oc = *w_.oneshots[static_cast<std::size_t>(o)];
  if (!oc.tx.has_value()) return tick();
  log(fmt::format("drop oneshot {}'s sender", o));
  {
    std::lock_guard<std::mutex> lock(oc.mu);
    if (oc.tx->is_valid()) oc.sender_dropped = true;
  }
  oc.tx.reset();
}

// One loop turn (or a run until stalled) in which the n-th move of a Val
// throws MoveFault: wherever it lands (a send, a join collecting outputs, a
// task storing its output), the exception must propagate, nothing may be
// destroyed twice or leaked, and no value may be lost or delivered as a
// moved-from shell. Only loop turns: the driver's own moves never throw.
void Driver::move_fault() {
  if (!w_.chans.empty() && !w_.opt.avoid.has(Avoid::ThrowingMoveSend) && src_.chance(25)) {
    return move_fault_in_sends();
  }
  const long nth = 1 + static_cast<long>(src_.below(12));
  const bool stall = src_.chance(50);
  log(fmt::format("the {}th Val move from now throws, during a {}", nth,
                  stall ? "run_until_stalled" : "tick"));
  const long before = move_faults_thrown();
  arm_move_fault(nth);
  pollen::Option<pollen::TimePoint> next;
  if (stall) {
    next = loop_->run_until_stalled();
  } else {
    loop_->tick();
  }
  disarm_move_fault();
  if (move_faults_thrown() != before) {
    w_.faults_fired = true;
    ++faults_;
    log("  (it threw)");
  }
  if (stall) {
    ++stalls_;
    check_after_stall(next);
  }
}

// The driver sends a burst on one channel while the n-th move throws: the
// message being sent must be handed back or stay with the driver, and the
// messages already in the channel (an unbounded ring that grows, moving
// them) must all stay there.
void Driver::move_fault_in_sends() {
  const int c = static_cast<int>(src_.below(static_cast<std::uint32_t>(w_.chans.size())));
  ChanCtl& ch = *w_.chans[static_cast<std::size_t>(c)];
  if (!ch.btx.has_value() && !ch.utx.has_value()) return tick();
  const long nth = 1 + static_cast<long>(src_.below(24));
  const int n = 1 + static_cast<int>(src_.below(12));
  log(fmt::format(
      "the {}th Val move from now throws, while the driver sends {} messages on channel {}", nth, n,
      c));
  const long before = move_faults_thrown();
  arm_move_fault(nth);
  for (int i = 0; i < n && !failed() && move_faults_thrown() == before; ++i) {
#if POLLEN_HAS_EXCEPTIONS
    try {
      send_one(c);
    } catch (const MoveFault&) {
      log("  (it threw)");
    }
#endif
  }
  disarm_move_fault();
  if (move_faults_thrown() != before) {
    w_.faults_fired = true;
    ++faults_;
  }
}

// ==== threads =======================================================================

void Driver::thread_burst() {
  const int nthreads = 1 + static_cast<int>(src_.below(3));
  const std::size_t nchans = w_.chans.size();
  // What each thread does, and the senders it uses: copies made here (the
  // model counts them until the thread is joined), moved into the thread.
  struct Plan {
    std::vector<ThreadOp> ops;
    std::vector<pollen::Option<pollen::Sender<Val>>> bs;
    std::vector<pollen::Option<pollen::UnboundedSender<Val>>> us;
    pollen::Option<pollen::OneshotSender<Val>> os;
  };
  std::vector<Plan> plans(static_cast<std::size_t>(nthreads));
  std::vector<int> leaves = open_leaves();
  std::string what;
  for (int th = 0; th < nthreads; ++th) {
    Plan& plan = plans[static_cast<std::size_t>(th)];
    plan.bs.resize(nchans);
    plan.us.resize(nchans);
    const int nops = 1 + static_cast<int>(src_.below(6));
    for (int i = 0; i < nops; ++i) {
      ThreadOp op;
      const std::uint32_t r = src_.below(10);
      if (r < 4 && !leaves.empty()) {
        op.kind = ThreadOp::Kind::Complete;
        const std::size_t k = src_.below(static_cast<std::uint32_t>(leaves.size()));
        op.target = leaves[k];
        leaves.erase(leaves.begin() + static_cast<long>(k));  // one thread completes it
        op.value = src_.next64();
      } else if (r < 6 && !w_.leaves.empty()) {
        op.kind = ThreadOp::Kind::Wake;
        op.target = static_cast<int>(src_.below(static_cast<std::uint32_t>(w_.leaves.size())));
      } else if (r < 9 && nchans != 0) {
        const int c = static_cast<int>(src_.below(static_cast<std::uint32_t>(nchans)));
        ChanCtl& ch = *w_.chans[static_cast<std::size_t>(c)];
        if (!ch.btx.has_value() && !ch.utx.has_value()) continue;
        op.kind = ThreadOp::Kind::Send;
        op.target = c;
        const bool first = ch.bounded ? !plan.bs[static_cast<std::size_t>(c)].has_value()
                                      : !plan.us[static_cast<std::size_t>(c)].has_value();
        if (first) {
          if (ch.bounded) {
            plan.bs[static_cast<std::size_t>(c)].emplace(*ch.btx);
          } else {
            plan.us[static_cast<std::size_t>(c)].emplace(*ch.utx);
          }
          std::lock_guard<std::mutex> lock(ch.mu);
          ++ch.sender_handles;
        }
        // Each thread of each burst is a sender of its own (ids below 0).
        op.token = w_.new_token(c, -1 - static_cast<int>(w_.epoch) * 8 - th,
                                static_cast<std::uint64_t>(i + 1));
      } else if (r == 9 && !w_.oneshots.empty()) {
        const int o = static_cast<int>(src_.below(static_cast<std::uint32_t>(w_.oneshots.size())));
        OneshotCtl& oc = *w_.oneshots[static_cast<std::size_t>(o)];
        if (!oc.tx.has_value() || !oc.tx->is_valid() || plan.os.has_value()) continue;
        op.kind = ThreadOp::Kind::OneshotSend;
        op.target = o;
        op.token = w_.new_token(1000 + o, 0, 1);
        plan.os.emplace(std::move(*oc.tx));
        oc.tx.reset();
      } else if (w_.opt.exceptions && !w_.opt.avoid.has(Avoid::ForeignSpawn) && src_.chance(20)) {
        op.kind = ThreadOp::Kind::ForeignSpawn;
      } else {
        continue;
      }
      plan.ops.push_back(op);
      static const char* const names[] = {"complete leaf", "wake leaf", "send on channel",
                                          "send on oneshot", "spawn from the thread"};
      what += fmt::format(" [thread {}: {} {}]", th, names[static_cast<int>(op.kind)], op.target);
    }
  }
  log("thread burst:" + what);
  Burst burst;
  burst.threads = nthreads;
  World* w = &w_;
  pollen::EventLoop* loop = loop_.get();
  std::vector<std::thread> threads;
  for (int th = 0; th < nthreads; ++th) {
    Plan* plan = &plans[static_cast<std::size_t>(th)];
    threads.emplace_back([plan, w, loop, &burst]() {
      run_thread_ops(*w, loop, plan->ops, plan->bs, plan->us, plan->os);
      // The senders are gone before the thread says it is done.
      plan->bs.clear();
      plan->us.clear();
      plan->os.reset();
      pollen::Waker wk;
      {
        std::lock_guard<std::mutex> lock(burst.mu);
        ++burst.done;
        wk = std::move(burst.waker);
      }
      std::move(wk).wake();
    });
  }
  // The loop runs while the threads send and wake: block_on sleeps in the
  // kernel until a wake from one of them arrives.
  loop_->block_on(BurstDone(&burst));
  for (std::thread& t : threads) t.join();
  // The threads' senders are gone: count them out of the model.
  for (const Plan& plan : plans) {
    for (std::size_t c = 0; c < nchans; ++c) {
      for (const ThreadOp& op : plan.ops) {
        if (op.kind == ThreadOp::Kind::Send && op.target == static_cast<int>(c)) {
          std::lock_guard<std::mutex> lock(w_.chans[c]->mu);
          --w_.chans[c]->sender_handles;
          break;
        }
      }
    }
  }
  run_until_stalled();
}

// ==== the end =======================================================================

void Driver::settle() {
  log("finale: settle (complete every leaf, end every channel, jump the clock)");
  for (int leaf : open_leaves()) {
    LeafCtl& c = *w_.leaves[static_cast<std::size_t>(leaf)];
    pollen::Waker wk;
    {
      std::lock_guard<std::mutex> lock(c.mu);
      c.state = LeafCtl::State::Value;
      c.value = src_.next64();
      wk = std::move(c.waker);
    }
    std::move(wk).wake();
  }
  for (std::size_t c = 0; c < w_.chans.size(); ++c) {
    ChanCtl& ch = *w_.chans[c];
    if (ch.btx.has_value() || ch.utx.has_value()) {
      ch.btx.reset();
      ch.utx.reset();
      std::lock_guard<std::mutex> lock(ch.mu);
      --ch.sender_handles;
    }
  }
  for (std::unique_ptr<OneshotCtl>& o : w_.oneshots) {
    if (!o->tx.has_value()) continue;
    {
      std::lock_guard<std::mutex> lock(o->mu);
      if (o->tx->is_valid()) o->sender_dropped = true;
    }
    o->tx.reset();
  }
  for (int round = 0; round < 6 && !failed(); ++round) {
    run_until_stalled();
    bool all = true;
    for (const TaskCtl& t : w_.tasks) all = all && (!t.spawned || t.finished);
    if (all) break;
    w_.now_ns += 1000000000;
    log("advance the clock by 1 s");
    loop_->advance(std::chrono::seconds(1));
  }
  for (int t : held_handles(true, true)) {
    if (failed()) break;
    join_now(t, "(settled)");
  }
}

// ==== the loop's own view ============================================================

void Driver::check_after_stall(const pollen::Option<pollen::TimePoint>& next) {
  // (A burst's threads are joined before it stalls the loop: the model is
  // exact here in --threads runs too.)
  w_.check_stalled();
  std::size_t alive = 0;
  for (const TaskCtl& t : w_.tasks) alive += (t.spawned && !t.finished) ? 1 : 0;
  const pollen::LoopStats st = loop_->stats();
  if (st.tasks_alive != alive) {
    fail(fmt::format("the loop counts {} live tasks after it stalled, the model {}", st.tasks_alive,
                     alive));
  }
  if (loop_->has_ready_tasks()) fail("run_until_stalled returned with a task ready");
  for (std::size_t t = 0; t < w_.tasks.size(); ++t) {
    const TaskCtl& tc = w_.tasks[t];
    if (tc.handle.has_value() && tc.handle->is_finished() != tc.finished) {
      fail(fmt::format("task {}'s JoinHandle says is_finished() == {}, the model {}", t,
                       tc.handle->is_finished(), tc.finished));
    }
  }
  for (std::size_t c = 0; c < w_.chans.size(); ++c) {
    ChanCtl& ch = *w_.chans[c];
    pollen::Receiver<Val>* rx = ch.rx_in_node != nullptr ? ch.rx_in_node : ch.rx.get();
    if (rx != nullptr && static_cast<long>(rx->size()) != ch.buffered()) {
      fail(fmt::format("channel {} holds {} messages, the model counts {}", c, rx->size(),
                       ch.buffered()));
    }
  }
  // The next timer is the earliest deadline of a live Sleep or Timeout.
  std::int64_t want = -1;
  for (std::size_t i = 0; i < w_.nodes.size(); ++i) {
    const Node& n = w_.nodes[i];
    if ((n.spec.kind == Kind::Sleep || n.spec.kind == Kind::Timeout) && n.obs.created &&
        !n.obs.completed && !n.obs.destroyed && !n.obs.stand_in) {
      const std::int64_t d = w_.deadline_of(static_cast<int>(i));
      if (want < 0 || d < want) want = d;
    }
  }
  const std::int64_t got =
      next.has_value()
          ? std::chrono::duration_cast<std::chrono::nanoseconds>(*next - w_.start).count()
          : -1;
  if (got != want) {
    fail(
        fmt::format("run_until_stalled says the next timer is at {} ns, the model {} ns (-1: none)",
                    got, want));
  }
}

}  // namespace

void Coverage::add(const Coverage& o) {
  for (int k = 0; k < 32; ++k) {
    built[k] += o.built[k];
    value[k] += o.value[k];
    thrown[k] += o.thrown[k];
    cancelled[k] += o.cancelled[k];
  }
  tasks += o.tasks;
  tasks_value += o.tasks_value;
  tasks_thrown += o.tasks_thrown;
  tasks_cancelled += o.tasks_cancelled;
  stalls += o.stalls;
  loop_destroyed_live += o.loop_destroyed_live;
  move_faults += o.move_faults;
}

std::string Coverage::to_string() const {
  std::string out = fmt::format("{:<14} {:>9} {:>9} {:>9} {:>9}\n", "node", "built", "value",
                                "threw", "cancelled");
  for (int k = 0; k <= static_cast<int>(Kind::DropHook); ++k) {
    out += fmt::format("{:<14} {:>9} {:>9} {:>9} {:>9}\n", kind_name(static_cast<Kind>(k)),
                       built[k], value[k], thrown[k], cancelled[k]);
  }
  out += fmt::format(
      "tasks {}: {} Ready, {} threw, {} cancelled; {} stalls checked; {} loops destroyed with "
      "live tasks; {} move faults injected\n",
      tasks, tasks_value, tasks_thrown, tasks_cancelled, stalls, loop_destroyed_live, move_faults);
  return out;
}

ScenarioResult run_scenario(const Options& opt, Source src) {
  Driver d(opt, src);
  return d.run();
}

void set_crash_context(const std::string& replay) {
  std::snprintf(g_crash_context, sizeof g_crash_context, "%s", replay.c_str());
  g_last_action[0] = '\0';
}
const char* crash_context() noexcept { return g_crash_context; }
const char* last_action() noexcept { return g_last_action; }

}  // namespace fuzz
