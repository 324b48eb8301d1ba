// pollen/io/socket_addr.hpp: SocketAddr, an IPv4 or IPv6 address and port,
// and the errors of pollen's sockets (io::NetError, as std::error_code).
//
// Example:
//
//   pollen::Result<pollen::io::SocketAddr> a = pollen::io::SocketAddr::parse("127.0.0.1:8080");
//   pollen::Result<pollen::io::SocketAddr> b = pollen::io::SocketAddr::parse("[::1]:0");
//   if (!a.ok()) fmt::print("{}\n", a.error().message());
//
// Parsing is for numeric addresses only: "host:port" with a dotted IPv4
// address, or "[v6]:port" with an IPv6 address in brackets. Host names are
// not resolved (that is a blocking call: resolve on spawn_blocking and build
// the SocketAddr from the sockaddr you get, with from_sockaddr()).
//
// A bad string is an error value, not a ContractError: addresses come from
// configuration files and command lines, and a program should be able to
// report them. The error is a std::error_code in io::net_category() whose
// message() says what was wrong and shows the expected form; every parse
// error also compares equal to std::errc::invalid_argument.
//
// SocketAddr is a small value (a sockaddr_in or sockaddr_in6, 28 bytes),
// trivially copyable. A default-constructed one is "unspecified": neither
// v4 nor v6, port 0; binding or connecting to it fails with EAFNOSUPPORT.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/result.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <system_error>
#include <type_traits>

POLLEN_NAMESPACE_BEGIN
namespace io {

// The errors pollen's sockets report themselves (the kernel's are
// std::system_category() codes: ECONNREFUSED, ECONNRESET, ...).
enum class NetError : int {
  bad_address = 1,     // parse: not a numeric IPv4 address or [IPv6] address
  missing_port,        // parse: no ":port"
  bad_port,            // parse: the port is not a number from 0 to 65535
  unix_path_too_long,  // a Unix socket path longer than sun_path holds
  unexpected_eof,      // read_exact: the peer closed before the buffer was full
  write_zero,          // write_all: the kernel accepted 0 bytes of a non-empty write
};

const std::error_category& net_category() noexcept;
inline std::error_code make_error_code(NetError e) noexcept {
  return std::error_code(static_cast<int>(e), net_category());
}

class SocketAddr {
 public:
  // Unspecified: neither v4 nor v6, port 0.
  SocketAddr() noexcept;

  // "127.0.0.1:8080", "[::1]:0", "[fe80::1]:443". Errors: NetError
  // bad_address, missing_port or bad_port (see the header comment).
  static Result<SocketAddr> parse(const std::string& text);
  // 127.0.0.1:port and [::1]:port.
  static SocketAddr loopback_v4(std::uint16_t port) noexcept;
  static SocketAddr loopback_v6(std::uint16_t port) noexcept;
  // From what accept(2), getsockname(2) or getaddrinfo(3) gave: AF_INET or
  // AF_INET6; another family gives an unspecified SocketAddr.
  static SocketAddr from_sockaddr(const sockaddr* sa, socklen_t len) noexcept;

  bool is_v4() const noexcept { return u_.sa.sa_family == AF_INET; }
  bool is_v6() const noexcept { return u_.sa.sa_family == AF_INET6; }
  int family() const noexcept { return u_.sa.sa_family; }
  std::uint16_t port() const noexcept;
  void set_port(std::uint16_t port) noexcept;

  // "127.0.0.1:8080" or "[::1]:8080" (what parse() reads back); an
  // unspecified address prints as "<unspecified>".
  std::string to_string() const;
  // The address alone: "127.0.0.1", "::1".
  std::string ip_string() const;

  // For the socket calls.
  const sockaddr* as_sockaddr() const noexcept { return &u_.sa; }
  socklen_t sockaddr_len() const noexcept;

  friend bool operator==(const SocketAddr& a, const SocketAddr& b) noexcept;
  friend bool operator!=(const SocketAddr& a, const SocketAddr& b) noexcept { return !(a == b); }

 private:
  union Storage {
    sockaddr sa;
    sockaddr_in v4;
    sockaddr_in6 v6;
  } u_;
};

}  // namespace io
POLLEN_NAMESPACE_END

namespace std {
template <>
struct is_error_code_enum<::pollen::io::NetError> : true_type {};
}  // namespace std
