// PROXY protocol v1 (text) and v2 (binary) headers, per HAProxy's proxy-protocol.txt.
#include "vt106/detect/proxy.hpp"

#include <charconv>
#include <string_view>

#include <fmt/format.h>

namespace vt106::detect {

namespace {

using namespace std::literals;

constexpr std::string_view v1_signature = "PROXY "sv;
constexpr std::string_view v2_signature = "\r\n\r\n\0\r\nQUIT\n"sv;
constexpr std::size_t v1_max = 107;  // the longest v1 line, CRLF included

bool parse_port(std::string_view s, std::uint16_t& port) {
  if (s.empty() || s.size() > 5) return false;
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v > 65535) return false;
  port = static_cast<std::uint16_t>(v);
  return true;
}

ProxyParse parse_v1(const Bytes& b, ProxyHeader& out, std::string& problem) {
  const std::size_t crlf = b.find("\r\n", 0, v1_max);
  if (crlf == Bytes::npos) {
    if (b.size() < v1_max) return ProxyParse::need_more;
    problem = "PROXY v1 line has no CRLF within 107 bytes";
    return ProxyParse::invalid;
  }
  std::string_view line = b.text(v1_signature.size(), crlf - v1_signature.size());
  std::string_view fields[5];
  std::size_t n = 0;
  while (!line.empty() && n < 5) {
    const auto sp = line.find(' ');
    fields[n++] = line.substr(0, sp);
    line = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
  }
  out.version = 1;
  out.length = crlf + 2;
  if (n >= 1 && fields[0] == "UNKNOWN") {
    out.family = "UNKNOWN";
    return ProxyParse::ok;
  }
  std::uint16_t sport = 0, dport = 0;
  if (n != 5 || !line.empty() || (fields[0] != "TCP4" && fields[0] != "TCP6") || !parse_port(fields[3], sport) ||
      !parse_port(fields[4], dport)) {
    problem = fmt::format("PROXY v1 line is not 'PROXY TCP4|TCP6 SRC DST SPORT DPORT': {:?}",
                          b.text(0, crlf));
    return ProxyParse::invalid;
  }
  out.family.assign(fields[0]);
  const bool v6 = fields[0] == "TCP6";
  out.src = v6 ? fmt::format("[{}]:{}", fields[1], sport) : fmt::format("{}:{}", fields[1], sport);
  out.dst = v6 ? fmt::format("[{}]:{}", fields[2], dport) : fmt::format("{}:{}", fields[2], dport);
  out.dst_port = dport;
  return ProxyParse::ok;
}

std::string ipv4(const Bytes& b, std::size_t at) {
  return fmt::format("{}.{}.{}.{}", b.at(at), b.at(at + 1), b.at(at + 2), b.at(at + 3));
}

std::string ipv6(const Bytes& b, std::size_t at) {
  std::string s;
  for (std::size_t i = 0; i < 16; i += 2) {
    if (i) s.push_back(':');
    s += fmt::format("{:x}", *b.be16(at + i));
  }
  return s;
}

ProxyParse parse_v2(const Bytes& b, ProxyHeader& out, std::string& problem) {
  if (!b.has(16)) return ProxyParse::need_more;
  const int ver_cmd = b.at(12), fam = b.at(13);
  const std::size_t len = *b.be16(14);
  if ((ver_cmd >> 4) != 2 || (ver_cmd & 15) > 1) {
    problem = fmt::format("PROXY v2 version/command byte {:02x} is not 20 or 21", ver_cmd);
    return ProxyParse::invalid;
  }
  if (!b.has(16 + len)) return ProxyParse::need_more;
  out.version = 2;
  out.local = (ver_cmd & 15) == 0;
  out.length = 16 + len;
  const int af = fam >> 4, proto = fam & 15;
  const char* tp = proto == 2 ? "UDP" : "TCP";
  if (af == 1 && len >= 12) {
    out.family = fmt::format("{}4", tp);
    out.src = fmt::format("{}:{}", ipv4(b, 16), *b.be16(24));
    out.dst_port = *b.be16(26);
    out.dst = fmt::format("{}:{}", ipv4(b, 20), out.dst_port);
  } else if (af == 2 && len >= 36) {
    out.family = fmt::format("{}6", tp);
    out.src = fmt::format("[{}]:{}", ipv6(b, 16), *b.be16(48));
    out.dst_port = *b.be16(50);
    out.dst = fmt::format("[{}]:{}", ipv6(b, 32), out.dst_port);
  } else if (af == 3) {
    out.family = "UNIX";
  } else {
    out.family = "UNKNOWN";
  }
  return ProxyParse::ok;
}

}  // namespace

ProxyParse parse_proxy_header(const Bytes& b, ProxyHeader& out, std::string& problem) {
  if (b.starts_with(v1_signature)) return parse_v1(b, out, problem);
  if (b.starts_with(v2_signature)) return parse_v2(b, out, problem);
  if (b.is_prefix_of(v1_signature) || b.is_prefix_of(v2_signature)) return ProxyParse::need_more;
  return ProxyParse::absent;
}

}  // namespace vt106::detect
