// pollen/runtime.hpp: the event loop, as a table of contents.
#pragma once

#include <pollen/runtime/event_loop.hpp>      // EventLoop: spawn, block_on, run, tick, stats
#include <pollen/runtime/join_handle.hpp>     // JoinHandle<T>, JoinResult<T>
#include <pollen/runtime/join_set.hpp>        // JoinSet<T>: owned tasks, results in finish order
#include <pollen/runtime/yield_now.hpp>       // yield_now(): let the others run
#include <pollen/runtime/spawn_blocking.hpp>  // spawn_blocking(fn): blocking code on a worker pool
#include <pollen/runtime/trace.hpp>           // trace_to(sink): timeline sinks, SlowPoll
#include <pollen/runtime/poller.hpp>          // PollerKind: epoll or poll(2)
#include <pollen/runtime/task.hpp>            // the task block (internals)
