// Watching a state machine: the same future driven by a naive busy-polling
// executor and by a waker-driven one, with a PollObserver counting the polls
// of every node. docs/introspection.md shows (and explains) what it prints.
#include <pollen/core/arc_wake.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/poll_observer.hpp>
#include <pollen/core/ready.hpp>
#include <pollen/fmt.hpp>
#include <pollen/future.hpp>
#include <pollen/sync.hpp>

#include <fmt/core.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <tuple>
#include <utility>

namespace {

// A waker that counts its wakes: what an executor needs to tell the observer.
class CountingWake final : public pollen::ArcWake {
 public:
  void on_wake() noexcept override { wakes_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t wakes() const noexcept { return wakes_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> wakes_{0};
};

struct Add {
  pollen::Ready<int> operator()(std::tuple<pollen::RecvResult<int>, pollen::RecvResult<int>> r) const {
    return pollen::ready(std::get<0>(r).value() + std::get<1>(r).value());
  }
};

// Runs `then(join(a, b), add)` while "the world" sends a at step 3 and b at
// step 6. A naive executor polls at every step; a waker-driven one polls
// only when the task's waker was woken since its last poll.
void run(const char* title, bool naive) {
  auto a = pollen::oneshot<int>();
  auto b = pollen::oneshot<int>();
  auto task = pollen::then(pollen::join(std::move(a.second), std::move(b.second)), Add{});

  pollen::ArcPtr<CountingWake> wake(new CountingWake());
  pollen::Waker waker = wake->waker();
  pollen::PollObserver obs;
  pollen::Context cx(waker, obs);  // every poll below is recorded in obs

  std::uint64_t wakes_at_last_poll = 0;
  bool first = true;
  for (int step = 1;; ++step) {
    if (step == 3) (void)a.first.send(1);
    if (step == 6) {
      fmt::print("{}, before the last send:\n{}\n", title, pollen::describe(task, obs));
      (void)b.first.send(2);
    }
    if (!naive && !first && wake->wakes() == wakes_at_last_poll) continue;  // not woken
    first = false;
    wakes_at_last_poll = wake->wakes();
    obs.begin_task_poll(wake->wakes());  // the executor says how often it was woken
    pollen::Poll<int> p = task.poll(cx);
    if (p.is_ready()) {
      fmt::print("Ready({}) after {} polls of the root, {} polls in all, {} spurious\n\n",
                 std::move(p).value(), obs.task_polls(), obs.total_polls(),
                 obs.total_spurious());
      std::fflush(stdout);
      if (naive ? obs.total_spurious() != 6 : obs.total_spurious() != 0) std::abort();
      return;
    }
  }
}

}  // namespace

int main() {
  run("busy polling", true);
  run("polling when woken", false);
}
