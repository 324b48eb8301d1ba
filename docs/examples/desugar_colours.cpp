// docs/desugaring.md, section 4: function colours, cancellation,
// cancellation safety, nested and independent loops.
//
// Each part prints what happens. The parts that show a refused call (a
// block_on inside a running loop) catch the pollen::ContractError when
// exceptions are on; built without exceptions, that call would print the
// same message and abort, so the program only says so.
#include <pollen/pollen.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "some_task.hpp"

namespace {

// Prints `text` wrapped to 78 columns, each line after `indent`.
void print_wrapped(const std::string& text, const char* indent) {
  const std::size_t width = 78 - std::string(indent).size();
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t len = text.size() - start;
    if (len > width) {
      std::size_t space = text.rfind(' ', start + width);
      len = space != std::string::npos && space > start ? space - start : width;
    }
    std::printf("%s%s\n", indent, text.substr(start, len).c_str());
    start += len;
    while (start < text.size() && text[start] == ' ') ++start;
  }
}

// Prints `text` (several lines), each line after `indent`.
void print_indented(const std::string& text, const char* indent) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::printf("%s%s\n", indent, text.substr(start, end - start).c_str());
    start = end + 1;
  }
}

// ---- 1. Function colours ---------------------------------------------------

// An async ("red") function: it returns a future, its caller awaits it.
auto fetch_async() {
  return pollen::map(pollen::spawn_blocking([] { return 21; }),  // the "I/O"
                     [](int x) { return 2 * x; });
}

// A sync ("blue") function cannot await: the only bridge is to block the
// whole thread until the future is Ready.
int fetch_sync() { return pollen::block_on(fetch_async()); }

void colours() {
  std::printf("== 1. function colours\n");
  std::printf("  fetch_sync() from main: %d\n", fetch_sync());

  pollen::EventLoop loop;
  int got = loop.block_on(pollen::lazy([] {
#if POLLEN_HAS_EXCEPTIONS
    try {
      return fetch_sync();  // blocks the thread that runs the loop: refused
    } catch (const pollen::ContractError& e) {
      std::printf("  fetch_sync() inside a task: ContractError:\n");
      print_wrapped(e.what(), "    ");
      return -1;
    }
#else
    print_wrapped("fetch_sync() inside a task: a ContractError, which without exceptions "
                  "prints its message and aborts; not run here",
                  "  ");
    return -1;
#endif
  }));
  std::printf("  the task went on and returned %d\n", got);
  // The async way: the task awaits the red function instead.
  std::printf("  fetch_async() awaited by a task: %d\n", loop.block_on(fetch_async()));
}

// ---- 2. Cancellation -------------------------------------------------------

// A sleep made at the first poll, inside the task (pollen::sleep(d) needs the
// loop that runs it).
auto sleep_in_task(std::chrono::milliseconds d) {
  return pollen::lazy([] { return pollen::Unit{}; }).then([d](pollen::Unit) {
    return pollen::sleep(d);
  });
}

void cancellation() {
  std::printf("\n== 2. cancellation: dropping a future cancels it at its last await\n");
  example::NotesDir dir("dropped before anybody counts these words");
  example::Io io(dir.path());
  {
    example::SomeTask task(io);
    pollen::Waker nobody;
    pollen::Context cx(nobody);
    (void)task.poll(cx);  // runs up to await #1
    std::printf("  suspended at await #1, waiting for the read:\n");
    print_indented(example::hide_dir(pollen::describe_states(task), io.dir), "    ");
  }  // dropped here: cancelled
  std::printf("  dropped; the read's thread finishes and throws its result away\n");
  std::printf("  what the task did:\n");
  for (const std::string& line : io.log) std::printf("    %s\n", line.c_str());

  pollen::EventLoop loop;
  pollen::JoinHandle<int> h = loop.spawn(
      "sleeper", pollen::map(sleep_in_task(std::chrono::hours(1)), [](pollen::Unit) { return 1; }));
  loop.run_until_stalled();
  std::printf("  a spawned task, waiting:\n");
  print_indented(loop.dump_tasks_text(), "    ");
  h.abort();  // its future is destroyed at the next turn, its timer with it
  pollen::JoinResult<int> r = loop.block_on(std::move(h));
  std::printf("  after abort(): cancelled = %s, tasks alive = %zu\n",
              r.is_cancelled() ? "true" : "false", loop.stats().tasks_alive);
}

// ---- 3. Cancellation safety ------------------------------------------------

// Reads a two-part message (a header, then a body) from a channel. Between
// the two it holds the header: dropping it then loses the header.
class ReadTwo {
 public:
  using Output = std::string;
  static constexpr bool is_cancel_safe = false;  // it holds what it took
  enum class State { Header, Body, Done };

  explicit ReadTwo(pollen::Receiver<std::string>& rx) : rx_(&rx) {}

  pollen::Poll<std::string> poll(pollen::Context& cx) {
    for (;;) {
      pollen::Poll<pollen::Option<std::string>> p = rx_->poll_next(cx);
      if (p.is_pending()) return pollen::pending;
      std::string part = std::move(p).value().value();
      if (state_ == State::Header) {
        header_ = std::move(part);  // taken out of the channel: ours now
        state_ = State::Body;
        continue;
      }
      state_ = State::Done;
      return header_ + " + " + part;
    }
  }

  void describe(pollen::Describer& d) const {
    d.node("ReadTwo", state_ == State::Body ? "holding \"" + header_ + "\"" : "waiting");
  }

 private:
  pollen::Receiver<std::string>* rx_;
  State state_ = State::Header;
  std::string header_;  // valid in State::Body
};

// Polls `s` once and says who won, or that it is still pending.
template <class S>
void poll_once(const char* what, S& s) {
  pollen::Waker nobody;
  pollen::Context cx(nobody);
  auto p = s.poll(cx);
  if (p.is_pending()) {
    std::printf("  %s: Pending\n", what);
  } else {
    std::printf("  %s: arm %zu won, the other arm is dropped\n", what,
                std::move(p).value().index());
  }
}

void cancellation_safety() {
  std::printf("\n== 3. cancellation safety: a select drops the losing arm\n");
  std::printf("  is_cancel_safe: Recv %d, ReadTwo %d, Send %d\n",
              int(pollen::is_cancel_safe<pollen::Recv<std::string>>::value),
              int(pollen::is_cancel_safe<ReadTwo>::value),
              int(pollen::is_cancel_safe<pollen::Send<std::string>>::value));
  pollen::TimerDriver timers(pollen::ClockKind::Virtual);
  auto ch = pollen::channel<std::string>(4);
  pollen::Receiver<std::string>& rx = ch.second;

  // A recv arm: the timeout wins; the message sent later is still there.
  {
    auto s = pollen::select_biased(rx.recv(), pollen::sleep(timers, std::chrono::seconds(1)));
    poll_once("select(recv, timeout)", s);
    timers.advance(std::chrono::seconds(1));
    poll_once("select(recv, timeout) after 1 s", s);
  }
  (void)ch.first.try_send("hello");
  pollen::RecvResult<std::string> r = rx.try_recv();
  std::printf("  sent after the timeout, received: \"%s\": nothing lost\n",
              r.is_received() ? r.value().c_str() : "(nothing)");

  // A half-done two-step arm: it took the header, then the timeout won.
  (void)ch.first.try_send("header");
  {
    auto s = pollen::select_biased(ReadTwo(rx), pollen::sleep(timers, std::chrono::seconds(1)));
    poll_once("select(ReadTwo, timeout)", s);
    print_indented(pollen::describe(s), "    ");
    timers.advance(std::chrono::seconds(1));
    poll_once("select(ReadTwo, timeout) after 1 s", s);
  }
  (void)ch.first.try_send("body");
  r = rx.try_recv();
  std::printf("  the next reader gets \"%s\" alone: the header was lost with the arm\n",
              r.is_received() ? r.value().c_str() : "(nothing)");
}

// ---- 4. Nested and independent loops --------------------------------------

void loops() {
  std::printf("\n== 4. a loop inside a loop is refused; two loops on two threads are fine\n");
  pollen::EventLoop outer;
  pollen::EventLoop inner;
  outer.block_on(pollen::lazy([&inner] {
#if POLLEN_HAS_EXCEPTIONS
    try {
      inner.block_on(pollen::ready(1));  // a runtime inside a runtime
    } catch (const pollen::ContractError& e) {
      std::printf("  inner.block_on() inside outer's task: ContractError:\n");
      print_wrapped(e.what(), "    ");
    }
#else
    (void)inner;
    print_wrapped("inner.block_on() inside outer's task: a ContractError, which without "
                  "exceptions prints its message and aborts; not run here",
                  "  ");
#endif
    return pollen::Unit{};
  }));

  // Two independent loops, one per thread, talking through a channel.
  auto ch = pollen::unbounded_channel<int>();
  std::thread producer([tx = std::move(ch.first)]() mutable {
    pollen::EventLoop loop;  // this thread's own loop
    loop.block_on(pollen::map(sleep_in_task(std::chrono::milliseconds(2)), [&tx](pollen::Unit) {
      for (int i = 1; i <= 3; ++i) (void)tx.send(i);
      tx = pollen::UnboundedSender<int>();  // the stream ends
      return pollen::Unit{};
    }));
  });
  pollen::EventLoop loop;  // the main thread's loop
  int sum = loop.block_on(
      pollen::stream::fold(std::move(ch.second), 0, [](int a, int v) { return a + v; }));
  producer.join();
  std::printf("  main thread's loop received the sum %d from the other thread's loop\n", sum);
}

}  // namespace

int main() {
  colours();
  cancellation();
  cancellation_safety();
  loops();
  return 0;
}
