// Fuzz target: protocol detection on arbitrary bytes. The first input byte picks the hints
// (transport, a server port) and where the rest splits into the client's and the server's first
// bytes; the verdict must be in range, repeatable, and serialise to valid JSON.
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "vt106/detect/detect.hpp"
#include "vt106/output/verdict_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vt106;
  const auto* bytes = reinterpret_cast<const std::byte*>(data);
  std::span<const std::byte> rest = data == nullptr ? std::span<const std::byte>{} : std::span(bytes, size);
  std::uint8_t pick = 0;
  if (!rest.empty()) {
    pick = data[0];
    rest = rest.subspan(1);
  }
  static constexpr std::uint16_t ports[] = {0, 8888, 5050, 5023, 443, 80, 5027, 1883};
  detect::Hints hints;
  hints.transport = (pick & 1) ? detect::Transport::udp : detect::Transport::tcp;
  hints.server_port = ports[(pick >> 1) & 7];
  const std::size_t server_len = rest.size() * (pick >> 4) / 32;  // up to about half for the server
  const auto client = rest.first(rest.size() - server_len), server = rest.last(server_len);

  const detect::Verdict v = detect::detect(client, server, hints);
  fuzz::check(v.confidence >= 0 && v.confidence <= 1, "confidence outside 0..1");
  fuzz::check(v.bytes_used <= v.bytes_seen, "a verdict rests on more bytes than it saw");
  fuzz::check(v.bytes_seen <= client.size(), "bytes_seen beyond the client's bytes");
  if (client.empty()) fuzz::check(v.status == detect::Status::empty, "an empty client is not reported as empty");
  for (const auto& a : v.alternatives) fuzz::check(a.confidence >= 0 && a.confidence <= 1, "alternative out of range");
  std::string json;
  output::append_verdict_json(json, v);
  fuzz::check(nlohmann::json::accept(json), "the verdict is not valid JSON", json);
  const detect::Verdict again = detect::detect(client, server, hints);
  fuzz::check(again.protocol == v.protocol && again.confidence == v.confidence && again.status == v.status,
              "detection is not repeatable");
  return 0;
}
