// SocketAddr parsing and printing, and io::net_category().
#include <pollen/io/socket_addr.hpp>

#include <arpa/inet.h>

#include <cstring>

POLLEN_NAMESPACE_BEGIN
namespace io {

namespace {

class NetCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "pollen.net"; }
  std::string message(int code) const override {
    switch (static_cast<NetError>(code)) {
      case NetError::bad_address:
        return "not a numeric socket address: expected an IPv4 address and port such as "
               "127.0.0.1:8080, or an IPv6 address in brackets and a port such as [::1]:8080 "
               "(host names are not resolved)";
      case NetError::missing_port:
        return "the address has no port: write host:port, such as 127.0.0.1:8080 or [::1]:0";
      case NetError::bad_port:
        return "the port is not a decimal number from 0 to 65535";
      case NetError::unix_path_too_long:
        return "the Unix socket path is longer than a sockaddr_un holds (107 bytes)";
      case NetError::unexpected_eof:
        return "the peer closed the connection before the expected bytes arrived";
      case NetError::write_zero:
        return "the socket accepted no bytes of a non-empty write";
    }
    return "unknown pollen.net error " + std::to_string(code);
  }
  std::error_condition default_error_condition(int code) const noexcept override {
    switch (static_cast<NetError>(code)) {
      case NetError::bad_address:
      case NetError::missing_port:
      case NetError::bad_port:
        return std::make_error_condition(std::errc::invalid_argument);
      case NetError::unix_path_too_long:
        return std::make_error_condition(std::errc::filename_too_long);
      default:
        return std::error_condition(code, *this);
    }
  }
};

Result<std::uint16_t> parse_port(const std::string& s) {
  if (s.empty() || s.size() > 5) return err(make_error_code(NetError::bad_port));
  std::uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return err(make_error_code(NetError::bad_port));
    v = v * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (v > 65535) return err(make_error_code(NetError::bad_port));
  return ok(static_cast<std::uint16_t>(v));
}

}  // namespace

const std::error_category& net_category() noexcept {
  static const NetCategory category;
  return category;
}

SocketAddr::SocketAddr() noexcept {
  std::memset(&u_, 0, sizeof u_);
  u_.sa.sa_family = AF_UNSPEC;
}

Result<SocketAddr> SocketAddr::parse(const std::string& text) {
  SocketAddr a;
  std::string host;
  std::string port;
  if (!text.empty() && text[0] == '[') {
    std::size_t close = text.find(']');
    if (close == std::string::npos) return err(make_error_code(NetError::bad_address));
    host = text.substr(1, close - 1);
    if (close + 1 == text.size()) return err(make_error_code(NetError::missing_port));
    if (text[close + 1] != ':') return err(make_error_code(NetError::bad_address));
    port = text.substr(close + 2);
    if (::inet_pton(AF_INET6, host.c_str(), &a.u_.v6.sin6_addr) != 1) {
      return err(make_error_code(NetError::bad_address));
    }
    a.u_.v6.sin6_family = AF_INET6;
  } else {
    std::size_t colon = text.rfind(':');
    if (colon == std::string::npos) {
      // "127.0.0.1" has no port; "::1" is an IPv6 address without brackets.
      return err(make_error_code(text.find('.') != std::string::npos && text.find(':') == std::string::npos
                                     ? NetError::missing_port
                                     : NetError::bad_address));
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string::npos ||
        ::inet_pton(AF_INET, host.c_str(), &a.u_.v4.sin_addr) != 1) {
      return err(make_error_code(NetError::bad_address));
    }
    a.u_.v4.sin_family = AF_INET;
  }
  Result<std::uint16_t> p = parse_port(port);
  if (!p.ok()) return err(p.error());
  a.set_port(p.value());
  return ok(a);
}

SocketAddr SocketAddr::loopback_v4(std::uint16_t port) noexcept {
  SocketAddr a;
  a.u_.v4.sin_family = AF_INET;
  a.u_.v4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.set_port(port);
  return a;
}

SocketAddr SocketAddr::loopback_v6(std::uint16_t port) noexcept {
  SocketAddr a;
  a.u_.v6.sin6_family = AF_INET6;
  a.u_.v6.sin6_addr = in6addr_loopback;
  a.set_port(port);
  return a;
}

SocketAddr SocketAddr::from_sockaddr(const sockaddr* sa, socklen_t len) noexcept {
  SocketAddr a;
  if (sa == nullptr) return a;
  if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    std::memcpy(&a.u_.v4, sa, sizeof(sockaddr_in));
  } else if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    std::memcpy(&a.u_.v6, sa, sizeof(sockaddr_in6));
  }
  return a;
}

std::uint16_t SocketAddr::port() const noexcept {
  if (is_v4()) return ntohs(u_.v4.sin_port);
  if (is_v6()) return ntohs(u_.v6.sin6_port);
  return 0;
}

void SocketAddr::set_port(std::uint16_t port) noexcept {
  if (is_v4()) u_.v4.sin_port = htons(port);
  if (is_v6()) u_.v6.sin6_port = htons(port);
}

socklen_t SocketAddr::sockaddr_len() const noexcept {
  if (is_v4()) return static_cast<socklen_t>(sizeof(sockaddr_in));
  if (is_v6()) return static_cast<socklen_t>(sizeof(sockaddr_in6));
  return static_cast<socklen_t>(sizeof(sockaddr));
}

std::string SocketAddr::ip_string() const {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (is_v4()) ::inet_ntop(AF_INET, &u_.v4.sin_addr, buf, sizeof buf);
  else if (is_v6()) ::inet_ntop(AF_INET6, &u_.v6.sin6_addr, buf, sizeof buf);
  else return "<unspecified>";
  return buf;
}

std::string SocketAddr::to_string() const {
  if (is_v4()) return ip_string() + ":" + std::to_string(port());
  if (is_v6()) return "[" + ip_string() + "]:" + std::to_string(port());
  return "<unspecified>";
}

bool operator==(const SocketAddr& a, const SocketAddr& b) noexcept {
  if (a.family() != b.family()) return false;
  if (a.is_v4()) {
    return a.u_.v4.sin_addr.s_addr == b.u_.v4.sin_addr.s_addr && a.u_.v4.sin_port == b.u_.v4.sin_port;
  }
  if (a.is_v6()) {
    return std::memcmp(&a.u_.v6.sin6_addr, &b.u_.v6.sin6_addr, sizeof(in6_addr)) == 0 &&
           a.u_.v6.sin6_port == b.u_.v6.sin6_port && a.u_.v6.sin6_scope_id == b.u_.v6.sin6_scope_id;
  }
  return true;
}

}  // namespace io
POLLEN_NAMESPACE_END
