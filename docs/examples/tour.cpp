// The tour: what async/await turns into, run and printed one step at a time.
// Run it with `scripts/dev tour` (the README's first command); it walks
// through the sections of docs/desugaring.md in a few screens:
//
//   1. a future is a value with poll();
//   2. an async function is a state machine (the blog post's some_task);
//   3. a runtime polls tasks when their wakers say so (naive loop vs EventLoop);
//   4. a blocking call inside poll() stalls every task; spawn_blocking;
//   5. cancellation: dropping a future, aborting a task (and a task awaiting
//      another's JoinHandle: the trace's arrow);
//   6. function colours: a loop inside a loop is refused, two loops are fine.
//
// It prints state trees as they change, colours them only when stdout is a
// terminal (and NO_COLOR is not set), and records the event loop's timeline
// as a Chrome trace (JSON) next to the executable, or to the path given with
// --trace PATH, and says how to open it.
#include <pollen/pollen.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "desugar_naive.hpp"
#include "desugar_timeline.hpp"
#include "some_task.hpp"

namespace {

using std::chrono::milliseconds;

bool g_colour = false;

// `text` in the ANSI colour `code` when colour is on.
std::string paint(const char* code, const std::string& text) {
  if (!g_colour) return text;
  return std::string("\033[") + code + "m" + text + "\033[0m";
}
const char* const kHeading = "1;36";
const char* const kPending = "33";
const char* const kReady = "32";
const char* const kBad = "31";

void heading(const char* number, const char* title) {
  std::printf("\n%s\n", paint(kHeading, std::string(number) + " " + title).c_str());
}

// Prints `text` (several lines) with `indent`, marking what matters; a line
// too long for 80 columns continues under its node's name.
void print_tree(const std::string& text, const char* indent = "    ") {
  const std::size_t width = 78 - std::strlen(indent);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    std::string rest;
    std::size_t cut = line.size() > width ? line.rfind(", ", width) : std::string::npos;
    if (cut != std::string::npos) {
      std::size_t column = 0;  // of the node's name: past the "└─ " drawing
      for (std::size_t i = 0; i < line.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(line[i]);
        if (c >= 0x80 || c == ' ') {
          if ((c & 0xC0) != 0x80) ++column;  // count characters, not bytes
          continue;
        }
        break;
      }
      rest = std::string(column, ' ') + line.substr(cut + 2);
      line = line.substr(0, cut + 1);
    }
    for (std::string* l : {&line, &rest}) {
      if (l->empty()) continue;
      std::size_t bang = l->find("(!)");
      if (bang != std::string::npos)
        *l = l->substr(0, bang) + paint(kBad, "(!)") + l->substr(bang + 3);
      std::printf("%s%s\n", indent, l->c_str());
    }
    start = end + 1;
  }
}

// Prints a long message wrapped to 76 columns, each line after `indent`.
void print_wrapped(const std::string& text, const char* indent) {
  const std::size_t width = 76 - std::strlen(indent);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t len = text.size() - start;
    if (len > width) {
      len = text.rfind(' ', start + width) > start ? text.rfind(' ', start + width) - start : width;
    }
    std::printf("%s%s\n", indent, text.substr(start, len).c_str());
    start += len;
    while (start < text.size() && text[start] == ' ') ++start;
  }
}

template <class T>
std::string outcome(const pollen::Poll<T>& p) {
  return p.is_ready() ? paint(kReady, "Ready") : paint(kPending, "Pending");
}

// A future written by hand: counts down, asking to be polled again each time.
struct Countdown {
  using Output = int;
  int left;
  pollen::Poll<int> poll(pollen::Context& cx) {
    if (left == 0) return 42;
    --left;
    cx.waker().wake();  // "poll me again"
    return pollen::pending;
  }
  void describe(pollen::Describer& d) const {
    d.node("Countdown", "left: " + std::to_string(left));
  }
};

// A waker that counts its wakes, so the tour can show who asked for a poll.
struct CountingWake final : pollen::ArcWake {
  int wakes = 0;
  void on_wake() noexcept override { ++wakes; }
};

void part1() {
  heading("1.", "A future is a value with poll(cx) -> Ready(v) | Pending");
  std::printf(
      "  A hand-written Countdown{2}. Pending means \"not yet, and I arranged to be\n"
      "  woken\"; this one wakes its own waker at once. We play the executor:\n");
  Countdown f{2};
  pollen::ArcPtr<CountingWake> w(new CountingWake);
  pollen::Waker waker = w->waker();
  pollen::Context cx(waker);
  for (int i = 1;; ++i) {
    print_tree(pollen::describe(f));
    pollen::Poll<int> p = f.poll(cx);
    std::string value = p.is_ready() ? "(" + std::to_string(p.value()) + ")" : "";
    std::printf("  poll %d -> %s%s  (wakes so far: %d)\n", i, outcome(p).c_str(), value.c_str(),
                w->wakes);
    if (p.is_ready()) break;
  }
}

void part2() {
  heading("2.", "An async function is a state machine: the blog post's some_task");
  std::printf(
      "  async fn some_task() { work; read_file().await; more work;\n"
      "                         something_else().await }\n"
      "  written by hand as enum State { Step1, FileIO, Step2, Done } (some_task.hpp).\n"
      "  Its read is real: fs::read_file of notes.txt in a temporary directory (\"\u2026\").\n");
  example::NotesDir dir("async desugars into state machines");
  example::Io io(dir.path());
  example::SomeTask task(io);
  pollen::ArcPtr<example::WakeFlag> woken = pollen::make_arc<example::WakeFlag>();
  pollen::Waker waker = woken->waker();  // lets us sleep until the read's thread wakes us
  pollen::Context cx(waker);
  print_tree(pollen::describe(task));
  std::printf("  poll 1 -> %s: ran Step1, started the read, suspended at await #1\n",
              outcome(task.poll(cx)).c_str());
  print_tree(example::hide_dir(pollen::describe(task), io.dir));
  woken->wait();
  std::printf("  the file is read, the task woken; poll 2 -> %s: suspended at await #2\n",
              outcome(task.poll(cx)).c_str());
  print_tree(pollen::describe(task));
  io.other->complete(100);
  pollen::Poll<std::size_t> p = task.poll(cx);
  std::printf("  something else answers; poll 3 -> %s(%zu)\n", outcome(p).c_str(), p.value());
  std::printf("  One struct of %zu bytes: only the locals that live across an await.\n",
              sizeof(task));
}

void part3() {
  heading("3.", "A runtime polls tasks when their wakers say so");
  std::printf(
      "  The naive runtime: `for task in tasks: task.poll()`, round and round.\n"
      "  The same program (a producer, a consumer, 8 waiters) on both:\n");
  const int messages = 20, waiters = 8;
  std::vector<std::string> names;
  pollen::PollObserver observer;
  std::vector<example::Task> tasks;
  std::string waiter_tree;
  tasks = example::make_program(messages, waiters, names,
                                [&] { waiter_tree = pollen::describe(tasks[2], observer); });
  example::Counts naive = example::naive_run(tasks, observer);
  std::string real_tree;
  pollen::LoopStats real = example::real_run(messages, waiters, [&](const pollen::EventLoop& loop) {
    real_tree = example::task_tree(loop, "waiter 0");
  });
  double n = static_cast<double>(tasks.size());
  std::printf("    %-12s %6s %15s %15s\n", "executor", "polls", "polls per task", "spurious polls");
  std::printf("    %-12s %6zu %15.1f %15s\n", "naive loop", naive.polls,
              static_cast<double>(naive.polls) / n,
              paint(kBad, std::to_string(naive.spurious)).c_str());
  std::printf("    %-12s %6zu %15.1f %15zu\n", "EventLoop", real.polls,
              static_cast<double>(real.polls) / n, real.spurious_polls);
  std::printf(
      "  A waiter under the naive loop, just before it could finish (the observer\n"
      "  counts a poll as spurious (!) when nothing woke the task since its last):\n");
  print_tree(waiter_tree);
  std::printf("  The same waiter under the event loop, at the same moment:\n");
  print_tree(real_tree);
  std::printf(
      "  The waker is the task's way to say \"poll me now\": the loop sleeps until\n"
      "  one fires, and polls only that task.\n");
}

// Part 4's tasks: a ticker that wants to run every 3 ms, and slow jobs.
using L = pollen::Loop<int, pollen::Unit>;
auto ticker() {
  return pollen::loop_fn(1, [](int i) {
    return pollen::map(pollen::sleep(milliseconds(3)), [i](pollen::Unit) {
      return i == 3 ? L(pollen::loop_break(pollen::Unit{})) : L(pollen::loop_continue(i + 1));
    });
  });
}
auto blocking_jobs() {
  return pollen::loop_fn(1, [](int i) {
    std::this_thread::sleep_for(milliseconds(10));  // blocks the loop's thread
    return pollen::map(pollen::yield_now(), [i](pollen::Unit) {
      return i == 2 ? L(pollen::loop_break(pollen::Unit{})) : L(pollen::loop_continue(i + 1));
    });
  });
}
auto off_thread_jobs() {
  return pollen::loop_fn(1, [](int i) {
    return pollen::map(
        pollen::spawn_blocking([] { std::this_thread::sleep_for(milliseconds(10)); }),
        [i](pollen::Unit) {
          return i == 2 ? L(pollen::loop_break(pollen::Unit{})) : L(pollen::loop_continue(i + 1));
        });
  });
}

// The loop's one sink for the whole tour: everything goes to the Chrome trace
// (when it could be opened), and, while a Timeline is plugged in, to it too.
class TourSink final : public pollen::TraceSink {
 public:
  explicit TourSink(pollen::ChromeTraceSink* chrome) : chrome_(chrome) {}
  void plug(example::Timeline* t) { timeline_ = t; }
  void record(const pollen::TraceEvent& e) override {
    if (chrome_ != nullptr) chrome_->record(e);
    if (timeline_ != nullptr) timeline_->record(e);
  }
  void finish() override {
    if (chrome_ != nullptr) chrome_->finish();
  }

 private:
  pollen::ChromeTraceSink* chrome_;
  example::Timeline* timeline_ = nullptr;
};

template <class Jobs>
void timeline_of(pollen::EventLoop& loop, TourSink& sink, Jobs jobs) {
  example::Timeline timeline;
  sink.plug(&timeline);
  loop.spawn("jobs", std::move(jobs)).detach();
  loop.spawn("ticker a", ticker()).detach();
  loop.spawn("ticker b", ticker()).detach();
  loop.run();
  sink.plug(nullptr);
  std::printf("%s", timeline.draw(76).c_str());
}

void part4(pollen::EventLoop& loop, TourSink& sink) {
  heading("4.", "Cooperative: one blocking call inside poll() stalls every task");
  std::printf(
      "  Two tickers want to tick every 3 ms; \"jobs\" calls a blocking function\n"
      "  (sleep_for(10 ms)) inside its poll, twice. No other task runs meanwhile,\n"
      "  not even the timers: the tickers tick only when jobs lets go (it yields\n"
      "  between the calls: the next turn fires the due timers and polls the\n"
      "  tickers before jobs goes on).\n");
  std::vector<std::string> slow;
  loop.set_slow_poll_threshold(milliseconds(5));
  loop.set_slow_poll_handler([&slow](const pollen::SlowPoll& p) {
    char line[100];
    std::snprintf(line, sizeof line,
                  "slow poll: task \"%s\" took %.1f ms, then stopped at:", p.name.c_str(),
                  std::chrono::duration<double, std::milli>(p.duration).count());
    std::string tree;
    for (std::size_t i = 0; i < p.tree.size(); ++i) {
      tree += p.tree[i];
      if (p.tree[i] == '\n' && i + 1 < p.tree.size()) tree += "  ";
    }
    slow.push_back(paint(kBad, line) + "\n  " + tree);
  });
  timeline_of(loop, sink, blocking_jobs());
  std::printf("  The loop's slow-poll detector (set_slow_poll_threshold(5 ms)) saw it:\n");
  if (!slow.empty()) print_tree(slow.front(), "  ");
  std::printf(
      "  The same jobs through spawn_blocking(fn) run on a worker thread; the\n"
      "  tickers keep time:\n");
  timeline_of(loop, sink, off_thread_jobs());
  loop.set_slow_poll_threshold(std::chrono::nanoseconds(0));
}

void part5(pollen::EventLoop& loop) {
  heading("5.", "Cancellation: dropping a future cancels it at its last await");
  example::NotesDir dir("never counted");
  example::Io io(dir.path());
  {
    example::SomeTask task(io);
    pollen::Waker nobody;
    pollen::Context cx(nobody);
    (void)task.poll(cx);
  }  // dropped while suspended at await #1
  std::printf("  some_task, dropped while suspended at await #1, did only this:\n");
  for (const std::string& line : io.log) std::printf("    %s\n", line.c_str());
  std::printf(
      "  Its read future was destroyed with it (the thread finishes the read and\n"
      "  throws the bytes away); step 2 never runs.\n");
  pollen::JoinHandle<pollen::Unit> h =
      loop.spawn("sleeper", pollen::lazy([] { return pollen::Unit{}; }).then([](pollen::Unit) {
        return pollen::sleep(std::chrono::hours(1));
      }));
  loop.run_until_stalled();
  std::printf("  A spawned task, as loop.dump_tasks_text() shows it:\n");
  print_tree(loop.dump_tasks_text());
  h.abort();
  pollen::JoinResult<pollen::Unit> r = loop.block_on(std::move(h));
  std::printf("  after h.abort(): cancelled = %s, its timer is gone, tasks alive = %zu\n",
              r.is_cancelled() ? "true" : "false", loop.stats().tasks_alive);
  // A wake from one task to another (the trace's flow arrow): worker's last
  // poll wakes the task that awaits its JoinHandle (block_on's task).
  pollen::JoinHandle<int> worker =
      loop.spawn("worker", pollen::map(pollen::yield_now(), [](pollen::Unit) { return 21; }));
  const int doubled = loop.block_on(
      pollen::map(std::move(worker), [](pollen::JoinResult<int> w) { return w.value() * 2; }));
  std::printf(
      "  Not aborted, a JoinHandle is a future: block_on's task awaits \"worker\";\n"
      "  worker's last poll wakes it, and it doubles the result: %d\n",
      doubled);

  heading("6.", "A loop inside a loop is refused (function colours)");
  std::printf(
      "  A sync function can only use a future by blocking on it (block_on);\n"
      "  called inside a task, that would block the loop's thread:\n");
  loop.block_on(pollen::lazy([] {
#if POLLEN_HAS_EXCEPTIONS
    try {
      (void)pollen::block_on(pollen::ready(1));
    } catch (const pollen::ContractError& e) {
      print_wrapped(std::string("ContractError: ") + e.what(), "    ");
    }
#else
    print_wrapped(
        "(built without exceptions: the ContractError would print its message and "
        "abort)",
        "    ");
#endif
    return pollen::Unit{};
  }));
  std::printf("  Two loops on two threads are independent; a channel joins them:\n");
  auto ch = pollen::unbounded_channel<int>();
  std::thread other([tx = std::move(ch.first)]() mutable {
    pollen::EventLoop its_loop;
    its_loop.block_on(pollen::lazy([&tx] {
      for (int i = 1; i <= 3; ++i) (void)tx.send(i);
      tx = pollen::UnboundedSender<int>();  // the stream ends
      return pollen::Unit{};
    }));
  });
  int sum = loop.block_on(
      pollen::stream::fold(std::move(ch.second), 0, [](int a, int v) { return a + v; }));
  other.join();
  std::printf("    this thread's loop summed %d, sent by the other thread's loop\n", sum);
}

}  // namespace

int main(int argc, char** argv) {
  const char* no_colour = std::getenv("NO_COLOR");
  g_colour = isatty(STDOUT_FILENO) == 1 && (no_colour == nullptr || *no_colour == '\0');
  std::string trace_path;
  if (argc == 3 && std::strcmp(argv[1], "--trace") == 0) {
    trace_path = argv[2];
  } else if (argc != 1) {
    std::fprintf(stderr, "usage: %s [--trace PATH]\n", argv[0]);
    return 2;
  } else {
    std::string self = argv[0];
    std::size_t slash = self.rfind('/');
    trace_path = (slash == std::string::npos ? std::string() : self.substr(0, slash + 1)) +
                 "tour-trace.json";
  }

  std::printf("%s\n",
              paint("1", "pollen tour: what async/await turns into, one poll at a time").c_str());
  std::printf("(the guide that explains each part: docs/desugaring.md)\n");
  part1();
  part2();
  part3();

  pollen::EventLoop loop;
  pollen::ChromeTraceSink chrome(trace_path);
  TourSink sink(chrome.ok() ? &chrome : nullptr);
  loop.trace_to(&sink);
  part4(loop, sink);
  part5(loop);
  loop.trace_to(nullptr);  // finishes the trace file

  heading("*", "The timeline of parts 4 to 6");
  if (chrome.ok()) {
    std::printf(
        "  written to\n    %s\n"
        "  open it in https://ui.perfetto.dev (\"Open trace file\") or in\n"
        "  chrome://tracing (\"Load\"): one lane per task, a slice per poll, and\n"
        "  an arrow from worker's last poll to the poll of block_on's task it woke.\n",
        trace_path.c_str());
  } else {
    std::printf("  could not write %s\n", trace_path.c_str());
  }
  std::printf("  Next: read docs/desugaring.md and run its examples in build/docs/examples/.\n");
  return 0;
}
