// Embedding pollen in a host program's own poll(2) main loop.
//
// The host owns the main loop (as a game loop, GLib, libuv or a select()
// server would) and pollen gets three calls:
//   * loop.native_handle(): a file descriptor the host adds to its poll set;
//     it is readable whenever pollen has work;
//   * loop.next_deadline(): when pollen next needs a tick for a timer (none
//     here: this example has no timers), to bound the host's wait;
//   * loop.tick(): one bounded, never-blocking turn of pollen.
// No extra thread drives pollen. Here the host also reads its own pipe (fed
// by a "network" thread) and hands each message to a pollen task, and a
// pollen task runs blocking work through spawn_blocking(), whose completion
// wakes the host's poll(2) from the worker thread.
#include <pollen/pollen.hpp>
#include <pollen/runtime.hpp>

#include <fmt/core.h>

#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <deque>
#include <functional>
#include <string>
#include <thread>

namespace {

// A mailbox between the host and a pollen task: the host pushes and wakes,
// the task's future takes.
struct Mailbox {
  std::deque<std::string> messages;
  bool closed = false;
  pollen::Waker waiter;
  void push(std::string m) {
    messages.push_back(std::move(m));
    waiter.wake();
  }
  void close() {
    closed = true;
    waiter.wake();
  }
};

// Ready with the next message, or with "" once the mailbox is closed.
struct NextMessage {
  using Output = std::string;
  Mailbox* box;
  pollen::Poll<std::string> poll(pollen::Context& cx) {
    if (!box->messages.empty()) {
      std::string m = std::move(box->messages.front());
      box->messages.pop_front();
      return m;
    }
    if (box->closed) return std::string();
    box->waiter = cx.waker();
    return pollen::pending;
  }
};

// A pollen task: counts the words of every message, then asks a worker
// thread to "store" the total (blocking work) and returns what it stored.
struct WordCounter {
  using Output = int;
  enum class State { Receiving, Storing };
  explicit WordCounter(Mailbox* b) : next{b} {}

  int words = 0;
  State state = State::Receiving;
  NextMessage next;                                                    // valid in Receiving
  pollen::Option<pollen::SpawnBlocking<std::function<int()>>> store;  // valid in Storing

  pollen::Poll<int> poll(pollen::Context& cx) {
    while (state == State::Receiving) {
      pollen::Poll<std::string> p = next.poll(cx);
      if (p.is_pending()) return pollen::pending;
      std::string m = std::move(p).value();
      if (m.empty()) {
        int total = words;
        store.emplace(std::function<int()>([total] {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a blocking write
          return total;
        }));
        state = State::Storing;
        break;
      }
      fmt::print("pollen: got \"{}\"\n", m);
      bool in_word = false;
      for (char c : m) {
        if (c != ' ' && !in_word) ++words;
        in_word = c != ' ';
      }
    }
    return store->poll(cx);  // Pending until the worker thread wakes us
  }
};

int timeout_for_host(pollen::EventLoop& loop) {
  if (loop.has_ready_tasks()) return 0;
  pollen::Option<pollen::LoopTimePoint> deadline = loop.next_deadline();
  if (!deadline.has_value()) return -1;  // no timer: wait for an fd
  auto left = *deadline - std::chrono::steady_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(left).count() + 1;
  return ms < 0 ? 0 : ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

}  // namespace

int main() {
  int host_pipe[2];
  if (::pipe(host_pipe) != 0) return 1;

  // The host's own event source: a thread writing lines into a pipe.
  std::thread network([fd = host_pipe[1]] {
    const char* lines[] = {"hello from the host\n", "three more words\n", "bye\n"};
    for (const char* l : lines) {
      if (::write(fd, l, std::char_traits<char>::length(l)) < 0) return;
    }
    ::close(fd);
  });

  pollen::EventLoop loop;
  Mailbox box;
  pollen::JoinHandle<int> counter = loop.spawn("word counter", WordCounter(&box));

  std::string partial;
  bool host_open = true;
  int ticks = 0;
  while (!counter.is_finished()) {
    struct pollfd fds[2];
    fds[0].fd = host_open ? host_pipe[0] : -1;  // a negative fd is ignored by poll(2)
    fds[0].events = POLLIN;
    fds[1].fd = loop.native_handle();
    fds[1].events = POLLIN;
    fds[0].revents = fds[1].revents = 0;
    if (::poll(fds, 2, timeout_for_host(loop)) < 0) return 1;

    if (fds[0].revents != 0) {  // the host's own work
      char buf[256];
      ssize_t n = ::read(host_pipe[0], buf, sizeof buf);
      if (n <= 0) {
        host_open = false;
        box.close();
      } else {
        partial.append(buf, static_cast<std::size_t>(n));
        std::size_t nl;
        while ((nl = partial.find('\n')) != std::string::npos) {
          box.push(partial.substr(0, nl));  // wakes the pollen task
          partial.erase(0, nl + 1);
        }
      }
    }
    loop.tick();  // pollen's turn: bounded, never blocks
    ++ticks;
  }
  network.join();
  ::close(host_pipe[0]);

  pollen::JoinResult<int> stored = pollen::block_on(std::move(counter));  // already finished
  fmt::print("host: the word counter stored {} words after {} ticks\n", stored.value(), ticks);
  return stored.value() == 8 ? 0 : 1;
}
