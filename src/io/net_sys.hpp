// src/io/net_sys.hpp: the one loop every socket syscall of pollen's sockets
// runs in (private to src/io/net_*.cpp).
#pragma once

#include <pollen/core/context.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/result.hpp>
#include <pollen/io/async_fd.hpp>

#include <errno.h>

#include <cstddef>
#include <system_error>

POLLEN_NAMESPACE_BEGIN
namespace io {
namespace detail {

// Waits until `fd` is ready in `dir`, then calls f() (a syscall: a count, or
// -1 with errno). EAGAIN: clears that readiness and waits again; EINTR:
// calls again; another errno: Ready with it. While Pending the direction is
// claimed by `claim` (the waiting future; null: no claim, the last caller's
// waker wins), so that a second future waiting on the same direction is a
// ContractError naming the fd. `short_clears` (reads and writes on stream
// sockets): a transfer of some bytes but fewer than `len` clears the
// readiness too (the buffer was drained / full: an edge comes when that
// changes, and a hangup stays ready in AsyncFd whatever is cleared).
template <class F>
Poll<Result<std::size_t>> poll_syscall(AsyncFd& fd, Context& cx, Interest dir, const void* claim, F f,
                                       bool short_clears = false, std::size_t len = 0) {
  for (;;) {
    Poll<ReadyEvent> ready = fd.poll_ready(cx, dir, claim);
    if (ready.is_pending()) return pending;
    const auto n = f();
    if (n >= 0) {
      if (short_clears && n > 0 && static_cast<std::size_t>(n) < len) fd.clear_ready(ready.value());
      return Result<std::size_t>(ok(static_cast<std::size_t>(n)));
    }
    const int e = errno;
    if (e == EAGAIN || e == EWOULDBLOCK) {
      fd.clear_ready(ready.value());
      continue;
    }
    if (e == EINTR) continue;
    return Result<std::size_t>(err(std::error_code(e, std::system_category())));
  }
}

}  // namespace detail
}  // namespace io
POLLEN_NAMESPACE_END
