// pollen/core.hpp: the protocol, the leaf futures and block_on, and nothing
// else: the header to include where a build cares about compile time (a
// header of your own that declares futures, a library that only implements
// them). It brings no <string>, <vector>, <memory>, <mutex> or <stdexcept>.
//
// Not here (each is one include away, and all are in <pollen/pollen.hpp>):
// - ContractError, to catch it: <pollen/core/contract.hpp>;
// - rendering state trees, describe(f): <pollen/core/describe.hpp>;
// - the chaining methods' combinators (.map(), .then(), ...):
//   <pollen/future.hpp> or the combinator's own header; .boxed():
//   <pollen/core/box_future.hpp>;
// - Result<T, E>: <pollen/core/result.hpp>.
#pragma once

#include <pollen/config.hpp>

// The protocol: what a future is and how it is polled.
#include <pollen/core/unit.hpp>         // Unit: the value of a "void" future
#include <pollen/core/option.hpp>       // Option<T>: a value or none
#include <pollen/core/poll.hpp>         // Poll<T>: Ready(value) or pending
#include <pollen/core/waker.hpp>        // Waker: "poll me again"
#include <pollen/core/arc_wake.hpp>     // ArcWake: build a Waker from an object
#include <pollen/core/context.hpp>      // Context: what poll() is given
#include <pollen/core/future.hpp>       // is_future, output_t
#include <pollen/core/require.hpp>      // POLLEN_REQUIRE: raising ContractError
#include <pollen/core/cancel_safe.hpp>  // is_cancel_safe<F>
#include <pollen/core/describer.hpp>    // Describer: what describe() writes to
#include <pollen/core/future_ext.hpp>   // FutureExt<D>: the chaining mixin

// Leaf futures.
#include <pollen/core/ready.hpp>        // ready(v)
#include <pollen/core/never.hpp>        // never<T>()
#include <pollen/core/lazy.hpp>         // lazy(fn)
#include <pollen/core/poll_fn.hpp>      // poll_fn(fn)

// Executors.
#include <pollen/core/block_on.hpp>     // block_on(f)
