// The thread's current TimerDriver (TimerDriver::current()), for the
// library's own timer code: read directly, not through the exported
// function (a call through the PLT at every timer poll). Not installed.
#pragma once

#include <pollen/config.hpp>

POLLEN_NAMESPACE_BEGIN

class TimerDriver;

namespace detail {

// Read at every timer poll: initial-exec, never through __tls_get_addr;
// hidden, so it is not part of the library's interface. GNU `__thread`,
// not `thread_local`: a pointer needs no dynamic initialization, and an
// extern `thread_local` is read through a wrapper function (a call through
// the PLT with gcc; with clang, a weak reference to its initialization
// function, which a hidden symbol cannot satisfy in a shared library).
#if defined(__GNUC__) || defined(__clang__)
#define POLLEN_CURRENT_DRIVER_TLS \
  __thread __attribute__((tls_model("initial-exec"), visibility("hidden")))
#else
#define POLLEN_CURRENT_DRIVER_TLS thread_local
#endif
extern POLLEN_CURRENT_DRIVER_TLS TimerDriver* t_current_driver;

}  // namespace detail
POLLEN_NAMESPACE_END
