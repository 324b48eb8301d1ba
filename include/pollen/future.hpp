// pollen/future.hpp: the combinators, as a table of contents. Each is a
// visible state machine in its own header under pollen/future/; see
// docs/combinators.md for the guide.
#pragma once

#include <pollen/config.hpp>

// Chaining: f.map(fn).then(fn2).fuse() on every library future, and on user
// futures that derive FutureExt<Self>.
#include <pollen/future/future_ext.hpp>    // FutureExt<D>: the CRTP mixin

// One future after another.
#include <pollen/future/map.hpp>           // map(f, fn): fn(output)
#include <pollen/future/then.hpp>          // then(f, fn): fn(output), then the future it returns
#include <pollen/future/fuse.hpp>          // fuse(f): Pending forever after Ready
#include <pollen/future/loop_fn.hpp>       // loop_fn(s, step): Continue(s) / Break(v), no recursion

// All of them.
#include <pollen/future/join.hpp>          // join(f1, ..., fn): std::tuple of outputs
#include <pollen/future/join_all.hpp>      // join_all(vector<F>): vector of outputs, O(1) per wake

// Futures that can fail: Output Result<T, E> (core/result.hpp).
#include <pollen/future/try_join.hpp>      // try_join(f1, ..., fn): Result of a tuple; stops at the first error
#include <pollen/future/try_join_all.hpp>  // try_join_all(vector<F>): Result of a vector; stops at the first error
#include <pollen/future/and_then.hpp>      // f.and_then(fn): fn(value), then the future it returns
#include <pollen/future/map_ok.hpp>        // f.map_ok(fn), f.map_err(fn): map one side of the Result

// One output for many awaiters.
#include <pollen/future/shared.hpp>        // shared(f): copyable; every copy gets the output

// The first of them.
#include <pollen/future/select.hpp>        // select / select_biased(f1, ..., fn): OneOf
#include <pollen/future/select_all.hpp>    // select_all(vector<F>): Selected{index, value}

// Building blocks.
#include <pollen/future/one_of.hpp>        // OneOf<T...>, Either<A, B>, get<I>(o)
#include <pollen/future/maybe_done.hpp>    // MaybeDone<F>: a future or its output
#include <pollen/future/wake_list.hpp>     // per-child wakers of join / join_all
#include <pollen/future/machine.hpp>       // Machine: the base every combinator is built on
#include <pollen/future/state_helpers.hpp> // the rule of the Ready path, on the machine
