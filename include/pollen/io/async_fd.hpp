// pollen/io/async_fd.hpp: AsyncFd, a non-blocking file descriptor registered
// with an event loop, so that "this fd is ready" wakes the task waiting on it.
//
//   int fds[2];
//   ::pipe2(fds, O_NONBLOCK | O_CLOEXEC);
//   pollen::io::AsyncFd rd = pollen::io::AsyncFd::adopt(loop, fds[0]).value();
//   // in a task:
//   pollen::io::ReadyGuard g = <await rd.readable()>;
//   auto n = g.try_io([&] { return ::read(rd.fd(), buf, sizeof buf); });
//   // none: it would block (readiness cleared): await readable() again
//
// The readiness model. The loop's poller watches the fd edge-triggered
// (epoll) and remembers, per direction, "reported ready and not yet found
// empty". A direction stays ready until a syscall returns EAGAIN and the
// caller clears it (clear_ready(), or try_io() / poll_read_io() do it):
//
//        report from the poller            syscall returns EAGAIN,
//     +---------------------------+        clear_ready(ev) with ev.tick current
//     v                           |       +------------------+
//   [Ready] ---- read/write ----> [Ready] |                  v
//     ^          (data moved)             +-------------- [NotReady] -- waker stored
//     +---------- report (tick + 1) ------------------------+
//
// Each report adds one to a tick, and clearing names the tick its event saw:
// a report that arrived between the failed syscall and the clear keeps the
// direction ready (no lost wakeup). A hangup or an error (the peer's FIN,
// a reset) is reported once: it keeps its directions ready for good, so a
// reader may clear after a short read (the buffer was drained) and still
// find the end of stream.
//
// Waiters. One reader and one writer at a time: readable() / writable()
// futures claim their direction while Pending, and a second future of
// another waiter on the same direction is a ContractError naming the fd (a
// waiting future that is moved takes its claim and the stored waker along). The
// low-level poll_read_ready(cx) / poll_write_ready(cx), for futures written
// by hand, keep only the last caller's waker (one task per direction).
//
// Ownership. adopt(): the AsyncFd closes the fd when it goes; borrow(): it
// never does (the host owns it). Either way the fd is taken out of the
// poller before anything else happens to it, so no event for a recycled fd
// number can reach a new owner. If the loop goes first, the AsyncFd forgets
// it (every later poll is a ContractError) and still closes an adopted fd.
//
// Cancellation: dropping a readable()/writable() future consumes nothing
// (is_cancel_safe): the readiness stays for the next one.
//
// Contract errors: a blocking fd (O_NONBLOCK is checked, not set: the fd may
// be shared with code that relies on its mode); an fd already registered
// with this or another loop; polling from outside the loop's tasks (another
// loop's task, another thread, pollen::block_on); polling after the loop is
// gone; a second waiter per direction; polling a readiness future after
// Ready; with PollerKind::Poll, I/O on a loop embedded through
// native_handle() (poll(2) cannot fold the fds into one handle).
// Kernel failures (epoll_ctl: ENOMEM, EPERM for a regular file, ...) are
// error values of adopt()/borrow().
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/poll_observer.hpp>
#include <pollen/core/result.hpp>
#include <pollen/future/future_ext.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <system_error>
#include <type_traits>

POLLEN_NAMESPACE_BEGIN

class EventLoop;

namespace detail {
struct IoRegistration;
}

namespace io {

// The directions an AsyncFd watches / a readiness is about.
enum class Interest : std::uint8_t { Readable = 1, Writable = 2, ReadWrite = 3 };

// What a readiness poll saw: which direction, and the report count then.
// Opaque: hand it back to clear_ready().
struct ReadyEvent {
  std::uint32_t tick = 0;
  std::uint8_t direction = 0;  // Interest::Readable or Interest::Writable
};

class ReadyGuard;
class Readiness;

class AsyncFd {
 public:
  // Registers `fd` (non-blocking) with `loop`'s poller. adopt: the AsyncFd
  // closes it; borrow: it never does. On error the fd is left as it was
  // (an adopted one is NOT closed: the caller still owns it).
  static Result<AsyncFd> adopt(EventLoop& loop, int fd, Interest interest = Interest::ReadWrite);
  static Result<AsyncFd> borrow(EventLoop& loop, int fd, Interest interest = Interest::ReadWrite);

  AsyncFd() noexcept = default;  // empty: holds no fd
  AsyncFd(AsyncFd&& o) noexcept : reg_(o.reg_) { o.reg_ = nullptr; }
  AsyncFd& operator=(AsyncFd&& o) noexcept {
    if (this != &o) {
      reset();
      reg_ = o.reg_;
      o.reg_ = nullptr;
    }
    return *this;
  }
  AsyncFd(const AsyncFd&) = delete;
  AsyncFd& operator=(const AsyncFd&) = delete;
  // Takes the fd out of the poller, then closes it if adopted.
  ~AsyncFd() { reset(); }

  int fd() const noexcept;  // -1 when empty
  explicit operator bool() const noexcept { return reg_ != nullptr; }
  // Takes the fd out of the poller and hands it back, not closed.
  int release() noexcept;
  // Takes the fd out of the poller and closes it if adopted; empty after.
  void reset() noexcept;

  // A future of the next time the fd is readable / writable: a ReadyGuard.
  // It borrows this AsyncFd, which must outlive it.
  Readiness readable() noexcept;
  Readiness writable() noexcept;

  // For futures written by hand: Ready when the direction is ready;
  // Pending stores cx's waker (the last caller's only).
  Poll<ReadyEvent> poll_read_ready(Context& cx) { return poll_ready(cx, Interest::Readable); }
  Poll<ReadyEvent> poll_write_ready(Context& cx) { return poll_ready(cx, Interest::Writable); }
  // After a syscall said EAGAIN: that direction is not ready, unless a
  // report arrived since `ev` was seen.
  void clear_ready(ReadyEvent ev) noexcept;

  // Waits until the direction is ready, then calls f() (a syscall-like
  // function returning ssize_t or int, -1 with errno on failure). EAGAIN /
  // EWOULDBLOCK: clears the readiness and waits again; EINTR: calls again;
  // another errno: Ready with that error; otherwise Ready with the count.
  template <class F>
  Poll<Result<std::size_t>> poll_read_io(Context& cx, F&& f) {
    return poll_io(cx, Interest::Readable, f);
  }
  template <class F>
  Poll<Result<std::size_t>> poll_write_io(Context& cx, F&& f) {
    return poll_io(cx, Interest::Writable, f);
  }

  // "AsyncFd(fd 7, readable)": the fd and its known readiness.
  void describe(Describer& d) const;

  // internals, for Readiness: poll with a claim on the direction (a second
  // claimant is a ContractError), and drop a claim.
  Poll<ReadyEvent> poll_ready(Context& cx, Interest direction, const void* claim = nullptr);
  void unclaim(Interest direction, const void* claim) noexcept;
  // A claimant moved to a new address: the claim (and the waker) follow it.
  void move_claim(Interest direction, const void* from, const void* to) noexcept;

 private:
  explicit AsyncFd(detail::IoRegistration* reg) noexcept : reg_(reg) {}
  static Result<AsyncFd> register_fd(EventLoop& loop, int fd, Interest interest, bool owned);

  template <class F>
  Poll<Result<std::size_t>> poll_io(Context& cx, Interest direction, F& f) {
    for (;;) {
      Poll<ReadyEvent> ready = poll_ready(cx, direction);
      if (ready.is_pending()) return pending;
      errno = 0;
      const auto n = f();
      static_assert(std::is_integral<decltype(n)>::value,
                    "pollen: the function given to poll_read_io / poll_write_io / try_io returns "
                    "what a syscall returns: a count (ssize_t or int), -1 with errno on failure");
      if (n >= 0) return Result<std::size_t>(ok(static_cast<std::size_t>(n)));
      const int e = errno;
      if (e == EAGAIN || e == EWOULDBLOCK) {
        clear_ready(ready.value());
        continue;
      }
      if (e == EINTR) continue;
      return Result<std::size_t>(err(std::error_code(e, std::system_category())));
    }
  }

  detail::IoRegistration* reg_ = nullptr;
};

// A future's claim on one direction of an AsyncFd while it is Pending (see
// "Waiters" above), for futures written on AsyncFd: poll with id() as the
// claim, then update() with the outcome. Dropping the future gives the claim
// back (and drops the stored waker); moving it hands both to the new place.
class ReadinessClaim {
 public:
  ReadinessClaim() noexcept = default;
  ReadinessClaim(ReadinessClaim&& o) noexcept : fd_(o.fd_), direction_(o.direction_) {
    if (fd_ != nullptr) fd_->move_claim(direction_, &o, this);
    o.fd_ = nullptr;
  }
  ReadinessClaim& operator=(ReadinessClaim&&) = delete;
  ~ReadinessClaim() {
    if (fd_ != nullptr) fd_->unclaim(direction_, this);
  }
  const void* id() const noexcept { return this; }
  // After a poll that passed id(): held while that poll was Pending (a Ready
  // poll already gave the claim back).
  void update(AsyncFd& fd, Interest direction, bool pending) noexcept {
    fd_ = pending ? &fd : nullptr;
    direction_ = direction;
  }

 private:
  AsyncFd* fd_ = nullptr;  // set while held
  Interest direction_ = Interest::Readable;
};

// What readable() / writable() give: the fd is ready in that direction.
// Do the syscall through try_io(), or call clear_ready() yourself when it
// returns EAGAIN; otherwise the direction stays ready (retain_ready() says
// so explicitly).
class ReadyGuard {
 public:
  ReadyGuard(AsyncFd& fd, ReadyEvent ev) noexcept : fd_(&fd), ev_(ev) {}
  AsyncFd& get_ref() const noexcept { return *fd_; }
  int fd() const noexcept { return fd_->fd(); }
  Interest direction() const noexcept { return static_cast<Interest>(ev_.direction); }
  void clear_ready() noexcept { fd_->clear_ready(ev_); }
  void retain_ready() noexcept {}
  // Calls f() once: none if it said EAGAIN (readiness cleared: await the
  // direction again), else its count or its error (EINTR: called again).
  template <class F>
  Option<Result<std::size_t>> try_io(F&& f) {
    for (;;) {
      errno = 0;
      const auto n = f();
      static_assert(std::is_integral<decltype(n)>::value,
                    "pollen: the function given to try_io returns what a syscall returns: a "
                    "count (ssize_t or int), -1 with errno on failure");
      if (n >= 0) return Result<std::size_t>(ok(static_cast<std::size_t>(n)));
      const int e = errno;
      if (e == EINTR) continue;
      if (e == EAGAIN || e == EWOULDBLOCK) {
        clear_ready();
        return none;
      }
      return Result<std::size_t>(err(std::error_code(e, std::system_category())));
    }
  }

 private:
  AsyncFd* fd_;
  ReadyEvent ev_;
};

// readable() / writable():
//
//   [Waiting] --direction ready--> [Done]   (Output: ReadyGuard)
//
// Cancel-safe: dropping it while Waiting releases the claim and consumes
// nothing. Polling after Done is a ContractError.
class POLLEN_NODISCARD_TYPE Readiness : public FutureExt<Readiness> {
 public:
  using Output = ReadyGuard;
  static constexpr bool is_cancel_safe = true;
  enum class State { Waiting, Done };

  Readiness(AsyncFd& fd, Interest direction) noexcept : fd_(&fd), direction_(direction) {}
  Readiness(Readiness&& o) noexcept : fd_(o.fd_), direction_(o.direction_), state_(o.state_),
        claim_(std::move(o.claim_)) {
    o.state_ = State::Done;
  }
  Readiness& operator=(Readiness&&) = delete;

  Poll<ReadyGuard> poll(Context& cx);
  State state() const noexcept { return state_; }
  void describe(Describer& d) const;

 private:

  AsyncFd* fd_;
  Interest direction_;
  State state_ = State::Waiting;
  ReadinessClaim claim_;  // the fd's claim while Pending
};

inline Readiness AsyncFd::readable() noexcept { return Readiness(*this, Interest::Readable); }
inline Readiness AsyncFd::writable() noexcept { return Readiness(*this, Interest::Writable); }

}  // namespace io
POLLEN_NAMESPACE_END
