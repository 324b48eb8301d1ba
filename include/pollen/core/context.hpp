// pollen/core/context.hpp: Context, what poll() is given.
//
// A Context borrows the Waker of the task being polled; it never owns it and
// must not outlive it. A future that returns Pending must make sure that
// cx.waker() (or a clone of it) is woken when it can make progress; cloning
// the waker is how it keeps it beyond the poll.
//
// A combinator that installs its own waker for a child (join does) builds the
// child's Context with Context(child_waker, cx), so that everything else the
// parent Context carries reaches the child unchanged.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/waker.hpp>

POLLEN_NAMESPACE_BEGIN

class Context {
 public:
  explicit Context(const Waker& waker) noexcept : waker_(&waker) {}
  // A Context for a child future: a different waker, the rest of `parent`.
  Context(const Waker& waker, const Context& parent) noexcept : Context(parent) {
    waker_ = &waker;
  }

  const Waker& waker() const noexcept { return *waker_; }

 private:
  const Waker* waker_;
};

POLLEN_NAMESPACE_END
