// pollen/io/signals.hpp: signals(loop, {SIGINT, SIGTERM}), Unix signals as
// a Stream of signal numbers on the event loop.
//
//   pollen::io::Signals sigs = pollen::io::signals(loop, {SIGINT, SIGTERM}).value();
//   // in a task: await pollen::stream::next(sigs) -> some(SIGINT) on Ctrl-C
//
// How: a self-pipe. While a Signals stream listens for a signal, pollen's
// handler for it (installed with sigaction, SA_RESTART) writes the number
// into a non-blocking pipe per stream; the pipe's read end is an AsyncFd
// on the loop, so a signal wakes the task waiting on the stream. Not
// signalfd: signalfd sees a signal only while every thread of the process
// blocks it, and threads made before (the spawn_blocking pool, a host's own
// threads) would still take it the default way, killing the process on
// SIGTERM. The handler is async-signal-safe (atomic loads and write(2)).
//
// Delivery. Every Signals stream listening for a signal gets each delivery
// (two loops both see SIGINT). Like the kernel's, deliveries can merge: a
// signal raised again before the stream reads the first may come once
// (while the pipe is full, at 64 KiB of unread numbers, more are dropped).
// The stream never ends; dropping it stops listening. When the last stream
// for a signal goes, the action that was there before the first one (often
// SIG_DFL) is put back, so Ctrl-C kills the program again.
//
// Item: int, the signal number.
// Cancellation: next(sigs) is cancel-safe (a number is taken out of the
// pipe only in the poll that returns it).
// Contract errors: a number that cannot be caught (SIGKILL, SIGSTOP) or is
// out of range; more than 64 streams listening for one signal at once;
// polling from outside the loop's tasks (as AsyncFd).
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/result.hpp>
#include <pollen/io/async_fd.hpp>

#include <initializer_list>
#include <vector>

POLLEN_NAMESPACE_BEGIN
namespace io {

class Signals {
 public:
  using Item = int;

  Signals() noexcept = default;  // empty: ends at once
  Signals(Signals&& o) noexcept;
  Signals& operator=(Signals&& o) noexcept;
  Signals(const Signals&) = delete;
  Signals& operator=(const Signals&) = delete;
  ~Signals();

  Poll<Option<int>> poll_next(Context& cx);
  void describe(Describer& d) const;
  const std::vector<int>& numbers() const noexcept { return numbers_; }

 private:
  friend Result<Signals> signals(EventLoop& loop, std::initializer_list<int> numbers);
  void stop() noexcept;

  AsyncFd read_;          // the self-pipe's read end, on the loop
  int write_ = -1;        // its write end, written by the handler
  std::vector<int> numbers_;
};

// Starts listening for `numbers` on `loop`: a stream of their deliveries.
// Kernel failures (pipe2, sigaction) are error values.
Result<Signals> signals(EventLoop& loop, std::initializer_list<int> numbers);

}  // namespace io
POLLEN_NAMESPACE_END
