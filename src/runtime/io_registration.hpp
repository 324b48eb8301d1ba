// src/runtime/io_registration.hpp: one file descriptor registered with an
// event loop's poller (private to the library; the public side is
// pollen::io::AsyncFd, which owns one).
//
// Readiness. `ready` holds the directions the kernel last reported ready
// (kReadable, kWritable) and stays set until the owner clears it after a
// syscall returned EAGAIN: the edge-triggered poller reports a direction
// only when it changes, so the word is the memory between reports. `tick`
// counts the reports; clearing names the tick it saw, and a report that
// arrived since keeps its bits (the lost-wakeup rule: data that came after
// the failed read but before the clear must not be forgotten).
//
// Closed. A hangup or an error (epoll: EPOLLRDHUP, EPOLLHUP, EPOLLERR; the
// peer's FIN often comes in the same report as the last bytes) is reported
// once and never again, so it is kept apart in `closed`, which clear_ready()
// does not touch: a reader that clears after a short read still finds the
// direction ready and reads the end of stream.
//
// Lifetime. The registration is a heap block owned by its AsyncFd; the loop
// links it into its list (for the poll(2) poller's set, and to detach it
// when the loop goes first). Events are applied in two steps: the poller
// marks every registration of a batch and takes their wakers, then wakes
// them, so no registration is touched after a waker ran.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/waker.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

POLLEN_NAMESPACE_BEGIN
namespace detail {

class LoopCore;

struct IoRegistration {
  static constexpr std::uint8_t kReadable = 1;
  static constexpr std::uint8_t kWritable = 2;

  int fd = -1;
  std::uint8_t interest = 0;  // kReadable | kWritable: what the poller watches
  std::uint8_t ready = 0;     // the directions reported ready, not yet cleared
  std::uint8_t closed = 0;    // the directions reported closed (sticky)
  bool owned = false;         // close(fd) when the AsyncFd goes
  std::uint32_t tick = 0;     // +1 per report
  LoopCore* core = nullptr;   // nullptr once the loop is gone
  std::uint64_t loop_id = 0;  // for messages, kept after the loop is gone
  IoRegistration* prev = nullptr;  // the loop's list
  IoRegistration* next = nullptr;
  std::size_t poll_index = 0;      // the poll(2) poller's slot
  Waker reader;                    // the waiting reader and writer (no-op: none)
  Waker writer;
  const void* read_claim = nullptr;   // the readable() future waiting, if any
  const void* write_claim = nullptr;  // the writable() future waiting, if any

  // A report from the poller: sets the bits and takes the wakers of the
  // directions now ready into `woken` (woken after the whole batch).
  void mark(std::uint8_t bits, std::uint8_t closing, std::vector<Waker>& woken) {
    bits &= interest;
    closing &= interest;
    if ((bits | closing) == 0) return;
    ++tick;
    ready = static_cast<std::uint8_t>(ready | bits);
    closed = static_cast<std::uint8_t>(closed | closing);
    bits = static_cast<std::uint8_t>(bits | closing);
    if ((bits & kReadable) != 0 && !reader.is_noop()) woken.push_back(static_cast<Waker&&>(reader));
    if ((bits & kWritable) != 0 && !writer.is_noop()) woken.push_back(static_cast<Waker&&>(writer));
  }
};

}  // namespace detail
POLLEN_NAMESPACE_END
