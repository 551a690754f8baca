// Request-line protocols that reach tracker ports: HTTP/1.x (RFC 9112), the HTTP/2 connection
// preface (RFC 9113 §3.4) and RTSP (RFC 2326); nmap's GetRequest/HTTPOptions probes are HTTP.
#include "vt106/detect/probe.hpp"
#include "vt106/util/text.hpp"

namespace vt106::detect::probe_http {
namespace {

constexpr ProtocolInfo http{"http", "HTTP/1.x request", Category::other, 80, true, false, true};
constexpr ProtocolInfo http2{"http2", "HTTP/2 with prior knowledge", Category::other, 80, true, false, false};
constexpr ProtocolInfo rtsp{"rtsp", "RTSP request", Category::other, 554, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&http, &http2, &rtsp};
constexpr std::string_view methods[] = {"GET ",    "POST ",  "HEAD ",  "PUT ",     "DELETE ",   "OPTIONS ",
                                        "PATCH ",  "TRACE ", "CONNECT ", "DESCRIBE ", "SETUP ", "PLAY "};
constexpr std::string_view preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr std::size_t max_line = 2048;

class HttpProbe final : public Probe {
 public:
  std::string_view family() const override { return "http"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 'C' || c == 'D' || c == 'G' || c == 'H' || c == 'O' || c == 'P' || c == 'S' || c == 'T'; }
  Match quick(const Bytes& b) const override {
    // Every method, and the preface, starts with one of these letters.
    switch (b.at(0)) {
      case 'C': case 'D': case 'G': case 'H': case 'O': case 'P': case 'S': case 'T': break;
      default: return Match::no;
    }
    if (b.starts_with("PRI ") || (b.size() >= 2 && b.is_prefix_of(preface))) return Match::maybe;
    for (auto m : methods)
      if (b.starts_with(m) || (b.size() >= 2 && b.is_prefix_of(m))) return Match::maybe;
    return Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (b.starts_with("PRI ") || b.is_prefix_of(preface)) {
      auto& c = out.add(http2);
      if (b.starts_with(preface)) {
        c.uses(preface.size());
        c.at_least(level::integrity, "the 24-byte HTTP/2 connection preface");
      } else if (b.is_prefix_of(preface)) {
        c.at_least(b.size() >= 8 ? level::signature : level::prefix, "the bytes begin the HTTP/2 preface").wants(24);
      }
      return;
    }
    std::string_view method;
    for (auto m : methods)
      if (b.starts_with(m)) method = m.substr(0, m.size() - 1);
    if (method.empty()) {
      out.add(http).at_least(level::prefix, "the bytes begin an HTTP method").wants(0);
      return;
    }
    const std::size_t eol = b.find("\r\n", 0, max_line);
    const std::size_t lf = b.find('\n', 0, max_line);
    if (eol == Bytes::npos && lf == Bytes::npos) {
      auto& c = out.add(b.find(" rtsp://", 0, 64) != Bytes::npos ? rtsp : http);
      c.at_least(level::signature, "request method {}", method).wants(0);
      return;
    }
    const std::size_t end = std::min(eol, lf);
    const std::string_view line = b.text(0, end);
    const auto last = line.rfind(' ');
    const std::string_view version = last == std::string_view::npos ? std::string_view{} : line.substr(last + 1);
    const std::string_view target = line.substr(method.size() + 1, last - method.size() - 1);
    const bool is_rtsp = version.substr(0, 5) == "RTSP/";
    if (version.substr(0, 4) == "SIP/") return;  // the SIP probe's
    auto& c = out.add(is_rtsp ? rtsp : http);
    c.uses(end + (end == eol ? 2 : 1));
    if (version == "HTTP/1.1" || version == "HTTP/1.0" || version == "RTSP/1.0") {
      c.at_least(0.93, "request line {}", quote(line, 60));
    } else {
      c.at_least(level::weak, "request method {} without an HTTP version", method);
      return;
    }
    // A request whose headers have ended is whole once its declared body has arrived.
    if (const std::size_t blank = b.find("\r\n\r\n", end, max_inspect); blank != Bytes::npos) {
      const std::size_t body = blank + 4;
      std::string_view length = header(b.first(body), end, "Content-Length:");
      if (length.empty()) length = header(b.first(body), end, "content-length:");
      const auto n = util::parse_int<std::size_t>(util::trim(length));
      if (length.empty() && (method == "GET" || method == "HEAD" || method == "OPTIONS")) c.ends_at(body);
      else if (n && *n <= max_inspect && b.has(body + *n)) c.ends_at(body + *n);
    }
    if (c.quiet) return;  // the rest is evidence only
    if (auto host = header(b, end, "Host:"); !host.empty()) c.note("Host: {}", quote(host, 60));
    if (auto ua = header(b, end, "User-Agent:"); !ua.empty()) c.note("User-Agent: {}", quote(ua, 60));
    if (target == "/" && method == "GET" && version == "HTTP/1.0" && b.size() == end + 4)
      c.note("exactly nmap's GetRequest probe: a service scan");
  }

 private:
  static std::string_view header(const Bytes& b, std::size_t from, std::string_view name) {
    const std::size_t at = b.find(name, from, max_line);
    if (at == Bytes::npos) return {};
    const std::size_t eol = b.find("\r\n", at, max_line);
    std::string_view v = b.text(at + name.size(), eol == Bytes::npos ? Bytes::npos : eol - at - name.size());
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    return v;
  }
};

const HttpProbe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_http
