// pollen/io.hpp: I/O on the event loop. Not part of <pollen/pollen.hpp>
// (it brings the system's socket and fcntl headers): include it where you do
// I/O.
#pragma once

#include <pollen/io/async_fd.hpp>  // AsyncFd: a non-blocking fd registered with a loop
#include <pollen/io/signals.hpp>   // signals(loop, {SIGINT, ...}): a stream of signal numbers
#include <pollen/io/net.hpp>       // TCP, Unix and UDP sockets (docs/net.md)
#include <pollen/io/pipe.hpp>      // pipe(loop), and stdin/stdout or any stream fd as a reader/writer
