// pollen/future/future_ext.hpp: FutureExt moved to <pollen/core/future_ext.hpp>
// (leaf futures in core/ use it); this header stays for code that includes it
// by its old name.
#pragma once

#include <pollen/core/future_ext.hpp>
#include <pollen/core/box_future.hpp>  // FutureExt::boxed()
