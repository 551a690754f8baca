// The PROXY protocol header a load balancer puts in front of a client's bytes (HAProxy
// "The PROXY protocol", versions 1 and 2): recognised, reported and stripped before detection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "vt106/detect/bytes.hpp"

namespace vt106::detect {

struct ProxyHeader {
  int version = 0;          // 1 or 2
  bool local = false;       // v2 LOCAL command: the proxy's own connection (health check)
  std::string family;       // "TCP4", "TCP6", "UDP4", "UDP6", "UNIX", "UNKNOWN"
  std::string src, dst;     // "ip:port" (IPv6 in brackets), empty when not carried
  std::uint16_t dst_port = 0;
  std::size_t length = 0;   // bytes of header to strip
};

enum class ProxyParse : std::uint8_t {
  absent,     // the bytes do not begin a PROXY header
  need_more,  // they begin one that has not ended yet
  invalid,    // they begin with a PROXY signature but the header is malformed
  ok,
};

// `problem` says what was malformed (for `invalid`).
ProxyParse parse_proxy_header(const Bytes& b, ProxyHeader& out, std::string& problem);

}  // namespace vt106::detect
