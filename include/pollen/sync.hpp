// pollen/sync.hpp: channels and synchronization primitives, as a table of contents.
#pragma once

#include <pollen/sync/result.hpp>     // SendResult, RecvResult: what channel operations return
#include <pollen/sync/oneshot.hpp>    // oneshot<T>(): one value, once
#include <pollen/sync/receiver.hpp>   // Receiver<T>: the mpsc receiving half, a Stream; recv()
#include <pollen/sync/channel.hpp>    // channel<T>(n): bounded mpsc; send(), reserve(), Permit
#include <pollen/sync/unbounded.hpp>  // unbounded_channel<T>(): mpsc without a bound
#include <pollen/sync/sender_closed.hpp>  // SenderClosed<T>: an mpsc sender's closed(), Ready once the receiver closes
#include <pollen/sync/watch.hpp>      // watch<T>(v): the latest value, many receivers; changed(), borrow()
#include <pollen/sync/broadcast.hpp>  // broadcast<T>(n): every message to every receiver; Lagged(n)
#include <pollen/sync/notify.hpp>     // Notify: notified(), notify_one() (one stored permit), notify_waiters()
#include <pollen/sync/semaphore.hpp>  // Semaphore: acquire(n) (FIFO), try_acquire, add_permits, close; SemaphorePermit
#include <pollen/sync/mutex.hpp>      // Mutex<T>: lock() (FIFO) → MutexGuard<T>, try_lock; tasks of one loop
