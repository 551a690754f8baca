// Naming the protocol a flow speaks from its first bytes: a verdict with a confidence, the
// evidence, the runner-up alternatives and the identifier the device claims. The staged method
// (signature, structure, integrity) and the tables follow Traccar's frame decoders and the
// protocols' public documents; see man vt106-detect for each probe's evidence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vt106/detect/identity.hpp"
#include "vt106/detect/proxy.hpp"

namespace vt106::detect {

enum class Transport : std::uint8_t { unknown, tcp, udp };
std::string_view to_string(Transport t);

// What the caller knows about the flow. The port is only a tie-breaker: trackers do not
// respect ports, but a mismatch with the protocol's default port is reported as evidence.
struct Hints {
  Transport transport = Transport::unknown;
  std::uint16_t server_port = 0;  // 0: unknown
};

// Detection reads at most this many client bytes (after a PROXY header); a caller buffering a
// flow for detection need keep no more. First messages longer than this (large Teltonika AVL
// packets) are judged on their start, and the evidence says so.
inline constexpr std::size_t max_inspect = 2048;

enum class Status : std::uint8_t {
  match,      // a protocol is named
  need_more,  // the bytes begin a first message that has not ended: more bytes would decide
  unknown,    // nothing matched; the alternatives are the nearest misses
  empty,      // the client sent nothing
};
std::string_view to_string(Status s);

enum class Category : std::uint8_t { tracker, other };
std::string_view to_string(Category c);

struct Alternative {
  std::string_view protocol;  // names have static storage
  double confidence = 0;
  bool need_more = false;
  std::string evidence;       // the evidence that gave it its confidence
};

struct Verdict {
  Status status = Status::unknown;
  std::string_view protocol = "unknown";
  Category category = Category::other;
  double confidence = 0;                  // 0..1, two decimals
  std::vector<std::string> evidence;      // short sentences, in the order the stages found them
  std::vector<Alternative> alternatives;  // best first, at most three
  std::optional<DeviceId> device_id;
  std::size_t bytes_seen = 0;    // client bytes looked at (after a PROXY header)
  std::size_t bytes_used = 0;    // of those, the bytes the verdict rests on
  std::size_t bytes_wanted = 0;  // need_more: the length the first message declares, when it does
  std::optional<ProxyHeader> proxy;
};

// How much of the verdict to write.
enum class Detail : std::uint8_t {
  evidence,  // everything: the sentences of the winner and of each alternative (vt106 detect)
  brief,     // the same status, protocol, confidence, alternatives, identifier and byte counts,
             // without any sentence: what a platform routing a new connection needs, and what a
             // flow reader needs while the first message is still arriving
};

// Names the protocol of one flow (or one UDP datagram) from the first bytes the client sent
// and, when known, the first bytes the server answered (may be empty). Never throws on any
// input; allocates only for the verdict's strings. A flow reader calls it when the client's
// first bytes arrive and again as more arrive while the status is need_more, and settles at
// max_inspect bytes or when the flow ends (an empty client gives status empty). A brief
// verdict differs from the full one only in its empty evidence (tests/unit/test_detect_vectors.cpp).
Verdict detect(std::span<const std::byte> first_client_bytes, std::span<const std::byte> first_server_bytes,
               const Hints& hints, Detail detail = Detail::evidence);

// Confidence from which a verdict is called confident (tests hold random input below it).
inline constexpr double confident = 0.75;

// One protocol the registry knows, for listings and documentation.
struct ProtocolInfo {
  std::string_view name;   // stable output name (Traccar's protocol name for trackers)
  std::string_view title;  // devices or specification
  Category category;
  std::uint16_t default_port;  // Traccar's default port for trackers, IANA's for others; 0 none
  bool tcp, udp;
  bool common;  // among the most deployed: breaks exact ties after the port
};

// Every protocol of every registered probe, sorted by name.
std::vector<const ProtocolInfo*> known_protocols();
// The family (probe) that names a protocol: a code probe's name (probes/<family>.cpp), or
// "table" for the protocols of lib/vt106/detect/protocols.table.
std::string_view family_of(const ProtocolInfo& p);

}  // namespace vt106::detect
