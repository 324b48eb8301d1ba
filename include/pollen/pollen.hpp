// pollen/pollen.hpp: everything, as a table of contents.
#pragma once

#include <pollen/config.hpp>

// The protocol: what a future is and how it is polled.
#include <pollen/core/unit.hpp>         // Unit: the value of a "void" future
#include <pollen/core/option.hpp>       // Option<T>: a value or none

#include <pollen/core/result.hpp>       // Result<T, E>: a value or an error, ok(v) / err(e)

#include <pollen/core/poll.hpp>         // Poll<T>: Ready(value) or pending
#include <pollen/core/waker.hpp>        // Waker: "poll me again"
#include <pollen/core/arc_wake.hpp>     // ArcWake: build a Waker from an object
#include <pollen/core/context.hpp>      // Context: what poll() is given
#include <pollen/core/future.hpp>       // is_future, output_t
#include <pollen/core/contract.hpp>     // ContractError
#include <pollen/core/cancel_safe.hpp>  // is_cancel_safe<F>
#include <pollen/core/describe.hpp>     // describe(f): the state tree
#include <pollen/core/box_future.hpp>   // DynFuture, BoxFuture, boxed()

// Leaf futures.
#include <pollen/core/ready.hpp>        // ready(v)
#include <pollen/core/never.hpp>        // never<T>()
#include <pollen/core/lazy.hpp>         // lazy(fn)
#include <pollen/core/poll_fn.hpp>      // poll_fn(fn)

// Executors.
#include <pollen/core/block_on.hpp>     // block_on(f)

// Combinators: futures made of futures.
#include <pollen/future.hpp>            // map, then, join, join_all, select, ...

// The event loop, time, channels and streams.
#include <pollen/runtime.hpp>           // EventLoop, JoinHandle, yield_now, spawn_blocking, tracing
#include <pollen/time.hpp>              // sleep, timeout, interval, TimerDriver
#include <pollen/sync.hpp>              // oneshot, channel, unbounded_channel
#include <pollen/stream.hpp>            // the Stream protocol and pollen::stream combinators
#include <pollen/io/fs.hpp>            // fs::read_file, fs::write_file: whole files on the blocking pool
