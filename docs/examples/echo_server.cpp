// echo_server: a TCP echo server on one pollen event loop.
//
//   echo_server [ADDRESS] [--max N]
//
// ADDRESS defaults to 127.0.0.1:7007 (port 0: any free port). It prints the
// address it listens on, then echoes every byte back on every connection;
// with --max N it stops accepting after N connections and exits when their
// sessions are done. Try it with `nc 127.0.0.1 7007`, or echo_client.
#include "echo_server.hpp"

#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  std::string addr = "127.0.0.1:7007";
  std::size_t max = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--max") == 0 && i + 1 < argc) {
      max = static_cast<std::size_t>(std::strtoul(argv[++i], nullptr, 10));
    } else {
      addr = argv[i];
    }
  }
  pollen::EventLoop loop;
  pollen::Result<pollen::io::TcpListener> listener = pollen::io::TcpListener::bind(loop, addr);
  if (!listener.ok()) {  // a bad address string, EADDRINUSE, ...: values, not exceptions
    fmt::print(stderr, "echo_server: cannot listen on {}: {}\n", addr, listener.error().message());
    return 1;
  }
  fmt::print("listening on {}\n", listener.value().local_addr().value().to_string());
  std::fflush(stdout);
  std::size_t n = loop.block_on(echo::EchoServer(loop, listener.value(), max));
  loop.run();  // the sessions still going
  fmt::print("served {} connections\n", n);
  return 0;
}
