// pollen::io::AsyncFd: registration, readiness, and the misuse checks (see
// <pollen/io/async_fd.hpp> for the model and src/runtime/io_registration.hpp
// for the registration's rules).
#include <pollen/core/contract.hpp>
#include <pollen/io/async_fd.hpp>

#include "../runtime/loop_core.hpp"

#include "../format.hpp"

#include <cstring>
#include <new>

#include <fcntl.h>
#include <unistd.h>

POLLEN_NAMESPACE_BEGIN
namespace detail {
std::int64_t claim_fd(int fd, std::uint64_t loop_id);
void unclaim_fd(int fd) noexcept;
}  // namespace detail

namespace io {

namespace {

using detail::IoRegistration;
using detail::LoopCore;

std::uint8_t bit_of(Interest direction) noexcept { return static_cast<std::uint8_t>(direction); }

const char* direction_name(std::uint8_t bit) noexcept {
  return bit == IoRegistration::kReadable ? "read" : "write";
}

bool poll_kind(const LoopCore& core) noexcept {
  return std::strcmp(core.poller->name(), "poll") == 0;
}

[[noreturn]] void report_embedded_poll(int fd, std::uint64_t loop_id) {
  detail::contract_violation(detail::format(
      "fd {}: event loop #{} is embedded in a host loop (native_handle()) and uses the poll(2) "
      "poller, which cannot fold its file descriptors into the one handle the host waits on; "
      "make the loop with LoopOptions::poller = PollerKind::Epoll (the default on Linux)",
      fd, loop_id));
}

// The loop of `r`, checked: alive, and the one whose turn runs here.
LoopCore& checked_core(const IoRegistration* r, const char* what) {
  LoopCore* core = r->core;
  if (core == nullptr) {
    detail::contract_violation(detail::format(
        "{} on fd {}: its event loop #{} is gone; an AsyncFd (or a socket built on one) must "
        "not be used after its loop is destroyed: drop it first, or register the fd with the "
        "new loop",
        what, r->fd, r->loop_id));
  }
  detail::LoopShared* running = detail::t_running;
  if (running != core->shared) {
    if (running == nullptr || running->core == nullptr) {
      detail::contract_violation(detail::format(
          "{} on fd {} outside its event loop: the fd is registered with loop #{}, and only "
          "that loop reports its readiness; poll it from a task of that loop (spawn, or "
          "loop.block_on()), not from pollen::block_on or another thread",
          what, r->fd, r->loop_id));
    }
    detail::contract_violation(detail::format(
        "{} on fd {} from a task of event loop #{}: the fd is registered with loop #{}; use it "
        "only from that loop's tasks (register another fd with this loop instead)",
        what, r->fd, running->core->id, r->loop_id));
  }
  if (core->embedded && poll_kind(*core)) report_embedded_poll(r->fd, core->id);
  return *core;
}

}  // namespace

Result<AsyncFd> AsyncFd::adopt(EventLoop& loop, int fd, Interest interest) {
  return register_fd(loop, fd, interest, true);
}

Result<AsyncFd> AsyncFd::borrow(EventLoop& loop, int fd, Interest interest) {
  return register_fd(loop, fd, interest, false);
}

Result<AsyncFd> AsyncFd::register_fd(EventLoop& loop, int fd, Interest interest, bool owned) {
  LoopCore& core = detail::LoopAccess::core(loop);
  core.check_thread("AsyncFd::adopt / borrow");
  if (fd < 0) {
    detail::contract_violation(detail::format(
        "AsyncFd::adopt / borrow: fd {} is not a file descriptor (a failed open/socket call "
        "returns -1: check its result first)",
        fd));
  }
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return err(std::error_code(errno, std::system_category()));
  if ((flags & O_NONBLOCK) == 0) {
    detail::contract_violation(detail::format(
        "AsyncFd::adopt / borrow: fd {} is in blocking mode; a read on it would stall the whole "
        "event loop. Make it non-blocking first: fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | "
        "O_NONBLOCK), or open/create it with O_NONBLOCK / SOCK_NONBLOCK",
        fd));
  }
  if (core.embedded && poll_kind(core)) report_embedded_poll(fd, core.id);
  const std::int64_t other = detail::claim_fd(fd, core.id);
  if (other >= 0) {
    detail::contract_violation(detail::format(
        "AsyncFd::adopt / borrow: fd {} is already registered with event loop #{}{}; one fd "
        "belongs to one AsyncFd on one loop (drop or release() the first AsyncFd first)",
        fd, other, static_cast<std::uint64_t>(other) == core.id ? " (this one)" : ""));
  }
  IoRegistration* r = new IoRegistration();
  r->fd = fd;
  r->interest = bit_of(interest);
  r->owned = owned;
  const int e = core.io_attach(r);
  if (e != 0) {
    delete r;
    detail::unclaim_fd(fd);
    return err(std::error_code(e, std::system_category()));
  }
  return ok(AsyncFd(r));
}

int AsyncFd::fd() const noexcept { return reg_ != nullptr ? reg_->fd : -1; }

int AsyncFd::release() noexcept {
  IoRegistration* r = reg_;
  if (r == nullptr) return -1;
  reg_ = nullptr;
  if (r->core != nullptr) r->core->io_detach(r);
  const int fd = r->fd;
  detail::unclaim_fd(fd);
  delete r;
  return fd;
}

void AsyncFd::reset() noexcept {
  if (reg_ == nullptr) return;
  const bool owned = reg_->owned;
  const int fd = release();  // out of the poller before the number can be reused
  if (owned) ::close(fd);
}

void AsyncFd::clear_ready(ReadyEvent ev) noexcept {
  IoRegistration* r = reg_;
  if (r == nullptr || r->tick != ev.tick) return;  // a newer report: keep it
  r->ready = static_cast<std::uint8_t>(r->ready & ~ev.direction);
}

Poll<ReadyEvent> AsyncFd::poll_ready(Context& cx, Interest direction, const void* claim) {
  IoRegistration* r = reg_;
  if (r == nullptr) {
    detail::contract_violation(
        "AsyncFd polled while empty (default-made, moved from, released or reset): it holds no "
        "fd; poll the AsyncFd that now holds it");
  }
  const std::uint8_t bit = bit_of(direction);
  checked_core(r, bit == IoRegistration::kReadable ? "AsyncFd: waiting to read"
                                                   : "AsyncFd: waiting to write");
  if ((r->interest & bit) == 0) {
    detail::contract_violation(detail::format(
        "AsyncFd: waiting to {} on fd {}, which was registered without that interest; register "
        "it with Interest::ReadWrite (or the one you need)",
        direction_name(bit), r->fd));
  }
  const void*& slot = bit == IoRegistration::kReadable ? r->read_claim : r->write_claim;
  if (claim != nullptr && slot != nullptr && slot != claim) {
    detail::contract_violation(detail::format(
        "AsyncFd: two waiters to {} fd {} at once; an AsyncFd has one reader and one writer at a "
        "time (they would steal each other's readiness): wait in one task, or split the work so "
        "that one future reads and another writes",
        direction_name(bit), r->fd));
  }
  if (((r->ready | r->closed) & bit) != 0) {
    if (claim != nullptr && slot == claim) slot = nullptr;
    ReadyEvent ev;
    ev.tick = r->tick;
    ev.direction = bit;
    return ev;
  }
  Waker& w = bit == IoRegistration::kReadable ? r->reader : r->writer;
  w = cx.waker();
  if (claim != nullptr) slot = claim;
  return pending;
}

void AsyncFd::unclaim(Interest direction, const void* claim) noexcept {
  IoRegistration* r = reg_;
  if (r == nullptr) return;
  const bool read = bit_of(direction) == IoRegistration::kReadable;
  const void*& slot = read ? r->read_claim : r->write_claim;
  if (slot != claim) return;
  slot = nullptr;
  (read ? r->reader : r->writer) = Waker();  // the waiter is gone: do not keep its task
}

void AsyncFd::move_claim(Interest direction, const void* from, const void* to) noexcept {
  IoRegistration* r = reg_;
  if (r == nullptr) return;
  const void*& slot = bit_of(direction) == IoRegistration::kReadable ? r->read_claim : r->write_claim;
  if (slot == from) slot = to;
}

void AsyncFd::describe(Describer& d) const {
  if (reg_ == nullptr) {
    d.node("AsyncFd", "empty");
    return;
  }
  const std::uint8_t ready = static_cast<std::uint8_t>(reg_->ready | reg_->closed);
  const char* known = ready == 3 ? "readable, writable"
                      : ready == IoRegistration::kReadable ? "readable"
                      : ready == IoRegistration::kWritable ? "writable"
                                                          : "not ready";
  d.node("AsyncFd", detail::format("fd {}, {}{}", reg_->fd, known,
                                reg_->core == nullptr ? ", loop gone" : ""));
}

Poll<ReadyGuard> Readiness::poll(Context& cx) {
  detail::observe_poll(cx, this);
  if (state_ == State::Done) detail::polled_after_ready("io::Readiness (readable / writable)");
  Poll<ReadyEvent> p = fd_->poll_ready(cx, direction_, claim_.id());
  claim_.update(*fd_, direction_, p.is_pending());
  if (p.is_pending()) return pending;
  state_ = State::Done;
  return ReadyGuard(*fd_, p.value());
}

void Readiness::describe(Describer& d) const {
  d.node(direction_ == Interest::Readable ? "io::readable" : "io::writable",
         detail::format("fd {}, state: {}", fd_->fd(), state_ == State::Waiting ? "Waiting" : "Done"));
}

}  // namespace io
POLLEN_NAMESPACE_END
