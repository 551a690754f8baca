// Bounded reassembly of IPv4 (RFC 791, RFC 815 hole bookkeeping) and IPv6 (RFC 8200 section 4.5)
// fragments. Datagrams that hit a limit or time out are dropped and reported as `fragment` problems.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "vt106/net/endpoint.hpp"
#include "vt106/net/packet.hpp"

namespace vt106::net {

struct FragmentLimits {
  std::size_t max_datagrams = 64;         // datagrams being reassembled at once; the oldest is dropped
  std::size_t max_fragments = 64;         // fragments of one datagram
  std::size_t max_bytes = 1024 * 1024;    // payload held over all datagrams
  std::int64_t timeout_ns = 30'000'000'000;  // capture time from a datagram's first fragment
};

struct FragmentKey {
  IpAddress src;
  IpAddress dst;
  std::uint32_t id = 0;        // IPv4 identification or IPv6 fragment identification
  std::uint8_t protocol = 0;   // IPv4 protocol; 0 for IPv6 (the next header comes with the first fragment)
  friend bool operator==(const FragmentKey&, const FragmentKey&) = default;
};

class FragmentReassembler {
 public:
  explicit FragmentReassembler(FragmentLimits limits = {});

  enum class Status : std::uint8_t { held, complete, dropped };
  struct Result {
    Status status = Status::held;
    std::span<const std::byte> payload;  // complete: the reassembled payload, valid until the next add()
    std::uint8_t next_header = 0;        // complete: protocol / IPv6 next header of the first fragment
  };

  // Adds one fragment: `offset` in bytes into the datagram's payload, `more` the MF/M flag,
  // `next_header` the protocol carried (IPv6: from the fragment header, meaningful at offset 0).
  Result add(const FragmentKey& key, std::uint32_t offset, bool more, std::uint8_t next_header,
             std::span<const std::byte> data, std::int64_t ts_ns);

  // Drops datagrams whose first fragment is older than the timeout.
  void expire(std::int64_t now_ns);
  // Drops everything still incomplete (end of input).
  void drop_all();

  std::optional<PacketProblem> take_problem();
  bool has_problems() const { return !problems_.empty(); }  // cheap: asked after every packet
  std::size_t in_progress() const { return used_; }
  std::size_t held_bytes() const { return held_bytes_; }

 private:
  struct Datagram {
    bool active = false;
    FragmentKey key;
    std::int64_t first_ts = 0;
    std::uint8_t next_header = 0;
    bool have_first = false;
    bool have_last = false;
    std::uint32_t total = 0;  // payload length, known once the last fragment came
    std::size_t fragments = 0;
    std::vector<std::byte> data;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> covered;  // sorted, merged [begin, end)
  };

  Datagram* find(const FragmentKey& key);
  Datagram& start(const FragmentKey& key, std::int64_t ts_ns);
  void drop(Datagram& d, std::string_view why);
  void release(Datagram& d);
  static std::string describe(const Datagram& d);

  FragmentLimits limits_;
  std::vector<Datagram> table_;
  std::size_t used_ = 0;
  std::size_t held_bytes_ = 0;
  std::vector<std::byte> completed_;  // the last reassembled payload
  std::deque<PacketProblem> problems_;
};

}  // namespace vt106::net
