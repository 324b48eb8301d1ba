// pollen/io/net.hpp: sockets on the event loop, all of them.
//
//   io/socket_addr.hpp  SocketAddr (IPv4/IPv6 address and port, parse()),
//                       NetError (pollen's own socket errors)
//   io/socket_io.hpp    read / read_exact / write / write_all futures
//   io/split.hpp        SocketReadHalf / SocketWriteHalf (into_split())
//   io/tcp.hpp          TcpListener, TcpStream
//   io/unix.hpp         UnixListener, UnixStream (Unix domain stream sockets)
//   io/udp.hpp          UdpSocket (send_to, recv_from)
//
// docs/net.md is the guide.
#pragma once

#include <pollen/io/socket_addr.hpp>
#include <pollen/io/socket_io.hpp>
#include <pollen/io/split.hpp>
#include <pollen/io/tcp.hpp>
#include <pollen/io/udp.hpp>
#include <pollen/io/unix.hpp>
