// pollen/time.hpp: time, as a table of contents.
#pragma once

#include <pollen/config.hpp>

#include <pollen/time/clock.hpp>           // Duration, TimePoint, deadline_after, clocks
#include <pollen/time/timer_wheel.hpp>     // TimerWheel, TimerEntry: the hierarchical wheel
#include <pollen/time/timer_driver.hpp>    // TimerDriver: clock + wheel, owned by a loop
#include <pollen/time/deadline_timer.hpp>  // detail::DeadlineTimer: shared timer half
#include <pollen/time/sleep.hpp>           // sleep(d), sleep_until(t)
#include <pollen/time/timeout.hpp>         // timeout(f, d), timeout_at(f, t)
#include <pollen/time/interval.hpp>        // interval(period), MissedTickPolicy
