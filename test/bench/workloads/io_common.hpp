// test/bench/workloads/io_common.hpp: the I/O workloads (docs/performance.md),
// over TCP on the loopback interface, and what both impls share: the
// connections are made before the timed region, with plain blocking calls,
// then switched to non-blocking.
//
// echo_rr:     kEchoConnections connections, each a kEchoMessage-byte
//              request/response ping-pong; n round trips in all (n a
//              multiple of kEchoConnections). The client checks each reply.
// stream_bulk: one connection; the writer sends n chunks of kBulkChunk
//              bytes (default n: 1 GiB in all), the reader reads until EOF
//              and checks the byte count and a checksum of every chunk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace workloads {

constexpr std::size_t kEchoConnections = 64;
constexpr std::size_t kEchoMessage = 64;
constexpr std::size_t kBulkChunk = 64 * 1024;

// `count` connected TCP pairs over 127.0.0.1 (client fd, server fd), both
// non-blocking and close-on-exec, TCP_NODELAY on both.
std::vector<std::pair<int, int>> tcp_pairs(std::size_t count);

// The request a client sends in round `round` of connection `conn`: every
// byte depends on both, so a reply to the wrong request is seen.
void fill_request(unsigned char* buf, std::size_t conn, std::uint64_t round);

// stream_bulk's data: byte i of every chunk is i * 7 (mod 256). The reader
// adds up the byte at every stream offset that is a multiple of 4096, however
// the reads split the stream, and compares with bulk_expected_sum(n).
void fill_chunk(unsigned char* buf);
std::uint64_t bulk_sample(const unsigned char* buf, std::size_t len, std::uint64_t offset);
std::uint64_t bulk_expected_sum(std::uint64_t n);

void handsm_echo_rr(std::uint64_t n);
void pollen_echo_rr(std::uint64_t n);
void handsm_stream_bulk(std::uint64_t n);
void pollen_stream_bulk(std::uint64_t n);

}  // namespace workloads
