// pollen/future/state_helpers.hpp: the rule every combinator follows on its
// Ready path. The building blocks it applies to (the tagged storage, the
// unwind guard, the payload of a future and its function) are in
// future/machine.hpp, the base every combinator is built on; this header
// includes it.
//
// The rule: a move that throws (of an output, of the function, of a loop
// state) leaves the combinator Poisoned, never in a state that says the value
// was delivered (its final state) or that waits for it again (Running).
//
// On the machine this takes no code of its own, only the order in which
// resume() does things:
//
// * resume() builds the output, the Poll<Output> it returns, while the
//   combinator is still in a state that holds what the output is made of
//   (join's outputs, select_all's winning value, fold's accumulator), and
//   returns it. The machine's unwind guard is armed all that time: a move
//   that throws leaves the combinator Poisoned, with what was not moved yet
//   destroyed.
// * Only once resume() has returned Ready does the machine enter the final
//   state. The Poll<Output> is the only return of Machine::poll, so the
//   compiler builds it in the caller's slot (named return value
//   optimization) and nothing moves once the state has changed.
// * A function that runs on the way (map's fn, then's fn, a loop step) runs
//   after the combinator has left the state that held its input
//   (Map destroys f, then calls fn in Poisoned): if it throws, nothing is
//   left to destroy and the combinator is already Poisoned.
#pragma once

#include <pollen/future/machine.hpp>
