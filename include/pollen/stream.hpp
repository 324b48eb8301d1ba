// pollen/stream.hpp: streams, as a table of contents.
#pragma once

#include <pollen/stream/stream.hpp>    // the protocol: poll_next, is_stream, item_t
#include <pollen/stream/next.hpp>      // stream::next(s): a future of the next item
#include <pollen/stream/iter.hpp>      // stream::iter(container): a stream of its elements
#include <pollen/stream/map.hpp>       // stream::map(s, fn)
#include <pollen/stream/filter.hpp>    // stream::filter(s, pred)
#include <pollen/stream/take.hpp>      // stream::take(s, n)
#include <pollen/stream/merge.hpp>     // stream::merge(a, b): both, fairly
#include <pollen/stream/fold.hpp>      // stream::fold(s, init, fn): a future of the result
#include <pollen/stream/for_each.hpp>  // stream::for_each(s, fn): a future
#include <pollen/stream/collect.hpp>   // stream::collect(s): a future of a std::vector
#include <pollen/stream/interval.hpp>  // stream::ticks(interval): the ticks of a time interval

// More combinators.
#include <pollen/stream/buffered.hpp>  // stream::buffer_unordered(s, n), buffered(s, n)
#include <pollen/stream/then.hpp>        // stream::then(s, fn): fn(item) is a future, one at a time
#include <pollen/stream/unfold.hpp>      // stream::unfold(state, fn): a stream from a step future
#include <pollen/stream/zip.hpp>         // stream::zip(a, b): pairs
#include <pollen/stream/chain.hpp>       // stream::chain(a, b): a, then b
#include <pollen/stream/skip.hpp>        // stream::skip(s, n)
#include <pollen/stream/take_while.hpp>  // stream::take_while(s, pred)
#include <pollen/stream/chunks.hpp>      // stream::chunks(s, n): std::vectors of n items
#include <pollen/stream/flatten.hpp>     // stream::flatten(s): the items of a stream of streams
#include <pollen/stream/fuse.hpp>        // stream::fuse(s): any stream made fused, with is_terminated()
