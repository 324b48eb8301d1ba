// The tour: futures built by hand and with the protocol, polled one step at a
// time, printing what happens at each poll. Run it with `scripts/dev tour`.
#include <pollen/fmt.hpp>
#include <pollen/pollen.hpp>

#include <fmt/core.h>

#include <string>

#include "some_task.hpp"

namespace {

// A waker that prints when it is woken, so the tour can show who wakes whom.
class PrintingWake final : public pollen::ArcWake {
 public:
  explicit PrintingWake(std::string name) : name_(std::move(name)) {}
  void on_wake() noexcept override { fmt::print("      (waker of {} woken)\n", name_); }

 private:
  std::string name_;
};

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
  void describe(pollen::Describer& d) const { d.node("Countdown", fmt::format("left: {}", left)); }
};

template <class F>
void poll_until_ready(const char* name, const char* title, F f) {
  fmt::print("\n== {}: {}\n", name, title);
  pollen::ArcPtr<PrintingWake> wake(new PrintingWake(name));
  pollen::Waker waker = wake->waker();
  pollen::Context cx(waker);
  for (int i = 1;; ++i) {
    fmt::print("  state before poll {}:\n", i);
    std::string tree = pollen::describe(f);
    std::size_t start = 0;
    while (start < tree.size()) {
      std::size_t end = tree.find('\n', start);
      fmt::print("    {}\n", tree.substr(start, end - start));
      start = end + 1;
    }
    auto p = f.poll(cx);
    fmt::print("  poll {} -> {}\n", i, p);
    if (p.is_ready()) break;
  }
}

}  // namespace

int main() {
  fmt::print("pollen tour: a future is a value with poll(cx) -> Ready(v) | Pending.\n");

  poll_until_ready("ready(7)", "Ready on the first poll", pollen::ready(7));
  poll_until_ready("Countdown{3}", "a hand-written future that wakes itself", Countdown{3});

  int calls = 0;
  poll_until_ready("lazy(fn)", "fn runs inside the first poll", pollen::lazy([&] {
                     ++calls;
                     return std::string("computed");
                   }));

  poll_until_ready("boxed(Countdown{1})", "type-erased, one allocation",
                   pollen::BoxFuture<int>(pollen::boxed(Countdown{1})));

  fmt::print("\n== some_task, the blog post's async function desugared by hand\n");
  example::FakeIo io;
  example::SomeTask task(io);
  pollen::ArcPtr<PrintingWake> wake(new PrintingWake("some_task"));
  pollen::Waker waker = wake->waker();
  pollen::Context cx(waker);
  fmt::print("  poll 1 -> {}\n", task.poll(cx));
  fmt::print("{}", pollen::describe(task));
  fmt::print("  the disk finishes the read:\n");
  io.file->complete("async desugars into state machines");
  fmt::print("  poll 2 -> {}\n", task.poll(cx));
  fmt::print("{}", pollen::describe(task));
  fmt::print("  something else finishes:\n");
  io.other->complete(100);
  fmt::print("  poll 3 -> {}\n", task.poll(cx));
  fmt::print("  what the task did:\n");
  for (const auto& line : io.log) fmt::print("    - {}\n", line);

  fmt::print("\nblock_on(Countdown{{5}}) = {}\n", pollen::block_on(Countdown{5}));
  return calls == 1 ? 0 : 1;
}
