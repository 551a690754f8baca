// JT/T 808 (Traccar "huabao" until 2026) with its 7E framing, escapes and XOR check code, its
// "(id,1,001,…)" text variant, and the JT/T 1078 video channel ("01cd" header), per the JT/T
// 808-2011/2019 and JT/T 1078-2016 standards and Traccar's Jt808/Jt1078 frame decoders.
#include <array>

#include "vt106/detect/cursor.hpp"
#include "vt106/detect/probe.hpp"

namespace vt106::detect::probe_jt808 {
namespace {

constexpr ProtocolInfo jt808{"jt808", "JT/T 808 terminals (Traccar's former \"huabao\")", Category::tracker, 5015,
                             true, false, true};
constexpr ProtocolInfo jt1078{"jt1078", "JT/T 1078 video channel", Category::tracker, 5263, true, false, false};
constexpr const ProtocolInfo* family_protocols[] = {&jt808, &jt1078};
constexpr std::size_t max_frame = 1100;  // 1023-byte body, 17-byte header, escapes

std::string_view message_name(unsigned id) {
  switch (id) {
    case 0x0100: return "terminal registration";
    case 0x0102: return "authentication";
    case 0x0002: return "heartbeat";
    case 0x0200: return "location report";
    case 0x0704: return "batch location upload";
    case 0x0001: return "general reply";
    case 0x0003: return "logout";
    case 0x0900: return "data pass-through";
    default: return "";
  }
}

// The terminal number: BCD as-is when valid, else the 48-bit integer that Traccar turns into an
// IMEI with its check digit.
// Traccar looks a BCD terminal number up without its leading zeros first, then as sent: the
// value is the stripped form, `raw` and the first variant the number as sent.
DeviceId terminal_id(const Bytes& phone) {
  if (auto d = bcd_digits(phone)) {
    DeviceId id = device_id_from_bcd(*d);
    const auto nz = d->find_first_not_of('0');
    if (nz != 0 && nz != std::string::npos) {
      DeviceId stripped = device_id_from_text(d->substr(nz));
      stripped.encoding = IdEncoding::bcd;
      stripped.raw = *d;
      std::erase(stripped.variants, *d);
      stripped.variants.insert(stripped.variants.begin(), *d);
      return stripped;
    }
    return id;
  }
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < phone.size(); ++i) v = (v << 8) | static_cast<std::uint64_t>(phone.at(i));
  return device_id_from_integer(v);
}

class Jt808Probe final : public Probe {
 public:
  std::string_view family() const override { return "jt808"; }
  std::span<const ProtocolInfo* const> protocols() const override { return family_protocols; }
  bool may_start_with(int c) const override { return c == 0x7e || c == 0xe7 || c == '(' || c == '0'; }
  Match quick(const Bytes& b) const override {
    const int c = b.at(0);
    if (c == 0x7e || c == 0xe7 || c == '(') return Match::maybe;
    if (b.is_prefix_of("01cd")) return Match::need_more;
    return b.starts_with("01cd") ? Match::maybe : Match::no;
  }
  void examine(const ProbeInput& in, Findings& out) const override {
    const Bytes& b = in.client;
    if (b.at(0) == '(') return text(b, out);
    if (b.at(0) == '0') return video(b, out);
    binary(b, out);
    // Dialogue: registration is answered by 8100, other messages by the general reply 8001.
    const Bytes& s = in.server;
    if (s.at(0) == b.at(0) && s.at(1) == 0x81 && s.at(2) == 0x00)
      for (auto& c : out.all())
        if (c.info == &jt808) c.note("the server answered with a registration reply (8100)");
    if (s.at(0) == b.at(0) && s.at(1) == 0x80 && s.at(2) == 0x01)
      for (auto& c : out.all())
        if (c.info == &jt808) c.note("the server answered with a general reply (8001)");
  }

 private:
  static void binary(const Bytes& b, Findings& out) {
    const int delim = b.at(0), esc = delim == 0x7e ? 0x7d : 0xe6;
    // Un-escape into a fixed buffer up to the closing delimiter.
    std::array<std::uint8_t, max_frame> frame{};
    std::size_t n = 0, i = 1;
    bool closed = false, bad_escape = false;
    for (; i < b.size() && n < frame.size(); ++i) {
      const int c = b.at(i);
      if (c == delim) {
        closed = true;
        break;
      }
      if (c == esc) {
        const int next = b.at(i + 1);
        if (next == 0x01 || next == 0x02) {
          frame[n++] = static_cast<std::uint8_t>(next == 0x01 ? esc : delim);
          ++i;
          continue;
        }
        if (next >= 0) bad_escape = true;
      }
      frame[n++] = static_cast<std::uint8_t>(c);
    }
    const Bytes f(std::span<const std::byte>(reinterpret_cast<const std::byte*>(frame.data()), n));
    if (n >= 4) {
      const unsigned id = *f.be16(0), props = *f.be16(2);
      if (props & 0x8000 || (!message_name(id).size() && !closed)) return;  // reserved bit set
    }
    auto& c = out.add(jt808);
    if (n < 4) {
      c.at_least(level::prefix, "{:02x} delimiter, as a JT808 frame begins", delim).wants(0);
      return;
    }
    const unsigned id = *f.be16(0), props = *f.be16(2);
    const bool v2019 = props & 0x4000, split = props & 0x2000;
    const std::size_t body = props & 0x3ff;
    const std::size_t phone_len = v2019 ? 10 : 6;
    const std::size_t header = 4 + (v2019 ? 1 : 0) + phone_len + 2 + (split ? 4 : 0);
    const std::string_view name = message_name(id);
    c.at_least(level::weak, "{:02x} delimiter, message id {:04x}{}{}, body length {}{}", delim, id,
               name.empty() ? "" : " ", name, body, v2019 ? " (2019 header)" : "");
    if (!closed) {
      if (i >= max_frame || n >= frame.size()) c.at_most(0.1, "no closing {:02x} within {} bytes", delim, max_frame);
      else c.wants(0);
      return;
    }
    c.uses(i + 1);
    if (bad_escape) c.note("an escape byte {:02x} is followed by neither 01 nor 02", esc);
    if (n != header + body + 1) {
      c.at_most(0.15, "{} bytes between the delimiters (un-escaped), the header declares {}", n, header + body + 1);
      return;
    }
    c.at_least(level::structure, "closed by {:02x}; header and the declared body fill the {} un-escaped bytes", delim,
               n);
    const auto want = xor8(f.first(n - 1));
    if (f.at(n - 1) == want) c.at_least(level::integrity, "XOR check code {:02x} is right", want);
    else c.at_most(level::failed, "XOR check code is {:02x}, the frame says {:02x}", want, f.at(n - 1));
    identify(c, terminal_id(f.range(4 + (v2019 ? 1 : 0), phone_len)), "terminal number");
  }

  static void text(const Bytes& b, Findings& out) {
    Cursor c(b);
    c.lit("(").digits(12, 12).lit(",").digits(1, 1).lit(",").digits(3, 3).lit(",");
    if (c.bad()) return;
    auto& cand = out.add(jt808);
    if (c.ended()) {
      if (b.size() >= 14) cand.at_least(level::prefix, "'(' + 12 digits + ',', as JT808's text form begins").wants(0);
      else if (b.size() > 1) cand.at_least(0.1, "'(' and digits").wants(0);
      return;
    }
    cand.at_least(level::signature, "'(' + 12-digit terminal number + ',{},': JT808's text form", b.text(14, 5));
    identify(cand, device_id_from_text(b.text(1, 12)), "terminal number");
    const std::size_t close = b.find(')', c.pos(), 1024);
    if (close == Bytes::npos) {
      cand.wants(0);
      return;
    }
    cand.uses(close + 1);
    cand.at_least(level::structure, "closed by ')' after {} bytes", close + 1);
  }

  // JT/T 1078 RTP-like media packet: "01cd", V/P/X/CC (0x81), M/PT, sequence, SIM (BCD, 6 or
  // 10 bytes), channel, data type, then timestamps for media and a body length.
  static void video(const Bytes& b, Findings& out) {
    auto& c = out.add(jt1078);
    c.at_least(level::weak, "\"01cd\", the JT/T 1078 media packet header");
    if (!b.has(5)) {
      c.wants(0);
      return;
    }
    if (b.at(4) != 0x81) {
      c.at_most(0.1, "byte 4 is {:02x}, not 81 (RTP version 2, CC 1)", b.at(4));
      return;
    }
    c.at_least(level::signature, "\"01cd\" then 81 (RTP version 2, CSRC count 1)");
    // Traccar's rule: a 10-byte SIM number (2019) when its first two bytes are zero, else 6 bytes.
    const std::size_t traccar_sim = b.be16(8) == 0 ? 10u : 6u;
    for (std::size_t sim : {traccar_sim}) {
      const std::size_t len_at = 8 + sim + 2 + 8 + 4;
      const auto id = bcd_at(b, 8, sim);
      const auto len = b.be16(len_at);
      if (!id || !len) continue;
      const std::size_t total = len_at + 2 + *len;
      if (b.size() == total || b.from(total).starts_with("01cd")) {
        c.uses(total);
        c.at_least(level::structure, "{}-byte BCD SIM number and a body length that ends the packet at {} bytes", sim,
                   total);
        identify(c, device_id_from_bcd(*id), "SIM number");
        return;
      }
      if (b.size() < total) {
        identify(c, device_id_from_bcd(*id), "SIM number");
        c.wants(total);
        return;
      }
    }
  }
};

const Jt808Probe probe;
const ProbeRegistration registration{probe};

}  // namespace
}  // namespace vt106::detect::probe_jt808
