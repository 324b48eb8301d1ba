// The thread's current TimerDriver (TimerDriver::current()), for the
// library's own timer code: read directly, not through the exported
// function (a call through the PLT at every timer poll). Not installed.
#pragma once

#include <pollen/config.hpp>

POLLEN_NAMESPACE_BEGIN

class TimerDriver;

namespace detail {

// Read at every timer poll: initial-exec, never through __tls_get_addr;
// hidden, so it is not part of the library's interface.
#if defined(__GNUC__) || defined(__clang__)
extern thread_local TimerDriver* t_current_driver
    __attribute__((tls_model("initial-exec"), visibility("hidden")));
#else
extern thread_local TimerDriver* t_current_driver;
#endif

}  // namespace detail
POLLEN_NAMESPACE_END
