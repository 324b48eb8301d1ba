// Event loop benchmarks, in the output format of docs/performance.md:
//
//   loop_bench spawn_complete [n]   spawn n trivial tasks, run until all done
//   loop_bench ping_pong [n]        n round trips between two tasks
//   loop_bench list
//
// Each workload runs twice in the same process: impl=pollen (EventLoop) and
// impl=handsm (a minimal hand-written executor: an intrusive FIFO ready
// queue, one virtual poll() per task, a waker that is a plain task pointer,
// no atomics). The ratio pollen/handsm is the figure we track (target: 1.5x).
// The program aborts on a wrong result.
//
// Tracing (EventLoop::trace_to): impl=pollen runs with tracing compiled in
// but off (the figure above); the third argument `trace` runs the pollen
// workload twice more, impl=pollen+trace with a sink that only counts the
// events (so the figure is the loop's cost of recording, not a sink's), and
// impl=pollen+slowpoll with a slow-poll threshold nobody reaches (a clock
// read around every poll); `pollen+trace` or `pollen+slowpoll` runs that
// one alone (a fresh process per figure avoids first-touch page faults):
//   loop_bench spawn_complete 1000000 trace
//   loop_bench ping_pong 1000000 trace
#include <pollen/runtime/event_loop.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

// --- counting operator new -----------------------------------------------------
namespace {
std::size_t g_allocs = 0;
std::size_t g_bytes = 0;
}  // namespace
void* operator new(std::size_t n) {
  ++g_allocs;
  g_bytes += n;
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) std::abort();
  return p;
}
void operator delete(void* p) noexcept { std::free(p); }
#if defined(__cpp_sized_deallocation)
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "loop_bench: wrong result: %s\n", what);
  std::abort();
}

struct Measure {
  std::chrono::steady_clock::time_point t0;
  double cpu0;
  std::size_t a0, b0;
  long base_rss;
  static double cpu_ns() {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3;
  }
  static long rss_kb() {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
  }
  Measure() : base_rss(rss_kb()) {}
  void start() {
    a0 = g_allocs;
    b0 = g_bytes;
    cpu0 = cpu_ns();
    t0 = std::chrono::steady_clock::now();
  }
  void stop(const char* workload, const char* impl, std::size_t n) {
    auto t1 = std::chrono::steady_clock::now();
    double wall = std::chrono::duration<double, std::nano>(t1 - t0).count();
    double cpu = cpu_ns() - cpu0;
    std::printf(
        "workload=%s impl=%s n=%zu ns_per_op=%.2f cpu_ns_per_op=%.2f allocs_per_op=%.3f "
        "bytes_per_op=%.1f total_ms=%.1f peak_rss_kb=%ld base_rss_kb=%ld\n",
        workload, impl, n, wall / n, cpu / n, double(g_allocs - a0) / n, double(g_bytes - b0) / n,
        wall / 1e6, rss_kb(), base_rss);
    std::fflush(stdout);
  }
};

std::uint64_t g_counter = 0;

// A sink that only counts: what tracing costs the loop, without a sink's work.
class CountingSink final : public pollen::TraceSink {
 public:
  std::uint64_t events = 0;
  void record(const pollen::TraceEvent&) override { ++events; }
};

enum class Mode { Off, Trace, SlowPoll };
const char* impl_name(Mode m) {
  return m == Mode::Off ? "pollen" : m == Mode::Trace ? "pollen+trace" : "pollen+slowpoll";
}
void instrument(pollen::EventLoop& loop, Mode m, CountingSink& sink) {
  if (m == Mode::Trace) loop.trace_to(&sink);
  if (m == Mode::SlowPoll) loop.set_slow_poll_threshold(std::chrono::seconds(10));
}

// ============================ pollen ===========================================

struct Incr {
  using Output = pollen::Unit;
  pollen::Poll<pollen::Unit> poll(pollen::Context&) {
    ++g_counter;
    return pollen::Unit{};
  }
};

void pollen_spawn_complete(std::size_t n, Mode mode = Mode::Off) {
  Measure m;
  CountingSink sink;
  g_counter = 0;
  m.start();
  {
    pollen::EventLoop loop;
    instrument(loop, mode, sink);
    for (std::size_t i = 0; i < n; ++i) loop.spawn(Incr{}).detach();
    loop.run();
    loop.trace_to(nullptr);
  }
  m.stop("spawn_complete", impl_name(mode), n);
  if (g_counter != n) fail("spawn_complete pollen");
  if (mode == Mode::Trace && sink.events != 4 * n) fail("spawn_complete trace events");
}

// One slot each way, and the waker of the task waiting on it.
struct Slot {
  bool full = false;
  std::uint64_t v = 0;
  pollen::Waker waiter;
  void put(std::uint64_t x) {
    full = true;
    v = x;
    waiter.wake();
  }
};

struct Pinger {  // A: sends i, awaits i+1, n times
  using Output = std::uint64_t;
  enum class State { Send, Await };
  Slot* out;
  Slot* in;
  std::uint64_t n;
  std::uint64_t i = 0;
  State state = State::Send;
  Pinger(Slot* o, Slot* in_, std::uint64_t n_) : out(o), in(in_), n(n_) {}
  pollen::Poll<std::uint64_t> poll(pollen::Context& cx) {
    for (;;) {
      switch (state) {
        case State::Send:
          if (i == n) return i;
          out->put(i);
          state = State::Await;
          break;
        case State::Await:
          if (!in->full) {
            if (!in->waiter.will_wake(cx.waker())) in->waiter = cx.waker();
            return pollen::pending;
          }
          in->full = false;
          if (in->v != i + 1) fail("ping_pong pollen value");
          ++i;
          state = State::Send;
          break;
      }
    }
  }
};

struct Ponger {  // B: awaits v, replies v+1, until it has seen n
  using Output = std::uint64_t;
  Slot* in;
  Slot* out;
  std::uint64_t n;
  std::uint64_t seen = 0;
  Ponger(Slot* in_, Slot* o, std::uint64_t n_) : in(in_), out(o), n(n_) {}
  pollen::Poll<std::uint64_t> poll(pollen::Context& cx) {
    for (;;) {
      if (seen == n) return seen;
      if (!in->full) {
        if (!in->waiter.will_wake(cx.waker())) in->waiter = cx.waker();
        return pollen::pending;
      }
      in->full = false;
      out->put(in->v + 1);
      ++seen;
    }
  }
};

void pollen_ping_pong(std::size_t n, Mode mode = Mode::Off) {
  Measure m;
  CountingSink sink;
  m.start();
  {
    Slot ab, ba;
    pollen::EventLoop loop;
    instrument(loop, mode, sink);
    auto a = loop.spawn(Pinger(&ab, &ba, n));
    auto b = loop.spawn(Ponger(&ab, &ba, n));
    loop.run();
    loop.trace_to(nullptr);
    if (!a.is_finished() || !b.is_finished()) fail("ping_pong pollen unfinished");
  }
  m.stop("ping_pong", impl_name(mode), n);
  if (mode == Mode::Trace && sink.events < 6 * n) fail("ping_pong trace events");
}

// ============================ handsm ===========================================
// The minimal executor: intrusive FIFO, virtual poll, waker = task pointer.

struct HTask;
struct HQueue {
  HTask* head = nullptr;
  HTask* tail = nullptr;
  void push(HTask* t);
  HTask* pop();
};
struct HTask {
  virtual ~HTask() = default;
  virtual bool poll() = 0;  // true: done
  HTask* next = nullptr;
  bool queued = false;
  HQueue* q = nullptr;
  void wake() {
    if (!queued) {
      queued = true;
      q->push(this);
    }
  }
};
void HQueue::push(HTask* t) {
  t->next = nullptr;
  if (tail) {
    tail->next = t;
  } else {
    head = t;
  }
  tail = t;
}
HTask* HQueue::pop() {
  HTask* t = head;
  if (t) {
    head = t->next;
    if (!head) tail = nullptr;
  }
  return t;
}
void h_run(HQueue& q) {
  while (HTask* t = q.pop()) {
    t->queued = false;
    if (t->poll()) delete t;
  }
}
void h_spawn(HQueue& q, HTask* t) {
  t->q = &q;
  t->wake();
}

struct HIncr final : HTask {
  bool poll() override {
    ++g_counter;
    return true;
  }
};

void handsm_spawn_complete(std::size_t n) {
  Measure m;
  g_counter = 0;
  m.start();
  {
    HQueue q;
    for (std::size_t i = 0; i < n; ++i) h_spawn(q, new HIncr());
    h_run(q);
  }
  m.stop("spawn_complete", "handsm", n);
  if (g_counter != n) fail("spawn_complete handsm");
}

struct HSlot {
  bool full = false;
  std::uint64_t v = 0;
  HTask* waiter = nullptr;
  void put(std::uint64_t x) {
    full = true;
    v = x;
    if (waiter) waiter->wake();
  }
};
struct HPinger final : HTask {
  enum class State { Send, Await };
  HSlot* out;
  HSlot* in;
  std::uint64_t n, i = 0;
  State state = State::Send;
  std::uint64_t* result;
  HPinger(HSlot* o, HSlot* i_, std::uint64_t n_, std::uint64_t* r) : out(o), in(i_), n(n_), result(r) {}
  bool poll() override {
    for (;;) {
      switch (state) {
        case State::Send:
          if (i == n) {
            *result = i;
            return true;
          }
          out->put(i);
          state = State::Await;
          break;
        case State::Await:
          if (!in->full) {
            in->waiter = this;
            return false;
          }
          in->full = false;
          if (in->v != i + 1) fail("ping_pong handsm value");
          ++i;
          state = State::Send;
          break;
      }
    }
  }
};
struct HPonger final : HTask {
  HSlot* in;
  HSlot* out;
  std::uint64_t n, seen = 0;
  std::uint64_t* result;
  HPonger(HSlot* i_, HSlot* o, std::uint64_t n_, std::uint64_t* r) : in(i_), out(o), n(n_), result(r) {}
  bool poll() override {
    for (;;) {
      if (seen == n) {
        *result = seen;
        return true;
      }
      if (!in->full) {
        in->waiter = this;
        return false;
      }
      in->full = false;
      out->put(in->v + 1);
      ++seen;
    }
  }
};

void handsm_ping_pong(std::size_t n) {
  Measure m;
  std::uint64_t ra = 0, rb = 0;
  m.start();
  {
    HSlot ab, ba;
    HQueue q;
    h_spawn(q, new HPinger(&ab, &ba, n, &ra));
    h_spawn(q, new HPonger(&ab, &ba, n, &rb));
    h_run(q);
  }
  m.stop("ping_pong", "handsm", n);
  if (ra != n || rb != n) fail("ping_pong handsm");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "list") == 0) {
    std::printf("spawn_complete\nping_pong\n");
    return argc < 2 ? 1 : 0;
  }
  if (std::strcmp(argv[1], "sizes") == 0) {
    std::printf("task_header=%zu task_block(Incr)=%zu\n", sizeof(pollen::detail::TaskHeader),
                sizeof(pollen::detail::Task<Incr>));
    return 0;
  }
  std::size_t n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000000;
  std::string w = argv[1];
  std::string impl = argc > 3 ? argv[3] : "both";
  // impl: both (pollen, handsm), pollen, handsm, trace (pollen off, on,
  // slow-poll), or one of pollen+trace / pollen+slowpoll alone.
  const bool run_off = impl == "both" || impl == "pollen" || impl == "trace";
  const bool run_trace = impl == "trace" || impl == "pollen+trace";
  const bool run_slow = impl == "trace" || impl == "pollen+slowpoll";
  const bool run_handsm = impl == "both" || impl == "handsm";
  if (w == "spawn_complete") {
    if (run_off) pollen_spawn_complete(n);
    if (run_trace) pollen_spawn_complete(n, Mode::Trace);
    if (run_slow) pollen_spawn_complete(n, Mode::SlowPoll);
    if (run_handsm) handsm_spawn_complete(n);
  } else if (w == "ping_pong") {
    if (run_off) pollen_ping_pong(n);
    if (run_trace) pollen_ping_pong(n, Mode::Trace);
    if (run_slow) pollen_ping_pong(n, Mode::SlowPoll);
    if (run_handsm) handsm_ping_pong(n);
  } else {
    std::fprintf(stderr, "loop_bench: unknown workload %s (try list)\n", w.c_str());
    return 2;
  }
  return 0;
}
