// Bounded IPv4/IPv6 fragment reassembly (RFC 791, RFC 815, RFC 8200 section 4.5).
#include "vt106/net/fragments.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace vt106::net {

namespace {
// The largest payload an IP datagram can carry (IPv4: 65535 - 20; IPv6 without jumbograms: 65535).
constexpr std::uint32_t max_payload = 65535;
constexpr std::size_t max_pending_problems = 256;

// later - earlier without signed overflow, whatever the (capture-supplied) timestamps hold.
std::int64_t elapsed(std::int64_t later, std::int64_t earlier) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(later) - static_cast<std::uint64_t>(earlier));
}
}  // namespace

FragmentReassembler::FragmentReassembler(FragmentLimits limits) : limits_(limits) {}

FragmentReassembler::Datagram* FragmentReassembler::find(const FragmentKey& key) {
  for (auto& d : table_) {
    if (d.active && d.key == key) return &d;
  }
  return nullptr;
}

std::string FragmentReassembler::describe(const Datagram& d) {
  std::size_t have = 0;
  for (const auto& [b, e] : d.covered) have += e - b;
  return fmt::format("{} fragments of {} -> {} id 0x{:x}{}: {} bytes held{}", d.key.src.v6 ? "IPv6" : "IPv4",
                     d.key.src.to_string(), d.key.dst.to_string(), d.key.id,
                     d.key.src.v6 ? "" : fmt::format(" protocol {}", d.key.protocol), have,
                     d.have_last ? fmt::format(" of {}", d.total) : std::string(" (last fragment not seen)"));
}

void FragmentReassembler::release(Datagram& d) {
  held_bytes_ -= d.data.size();
  d.active = false;
  d.data.clear();  // keeps capacity for the next datagram
  d.covered.clear();
  --used_;
}

void FragmentReassembler::drop(Datagram& d, std::string_view why) {
  if (problems_.size() >= max_pending_problems) problems_.pop_front();
  problems_.push_back(PacketProblem{packet_code::fragment, fmt::format("{} dropped: {}", describe(d), why), 0});
  release(d);
}

FragmentReassembler::Datagram& FragmentReassembler::start(const FragmentKey& key, std::int64_t ts_ns) {
  Datagram* slot = nullptr;
  if (used_ >= limits_.max_datagrams && used_ > 0) {
    // Full: give up the datagram that started first.
    Datagram* oldest = nullptr;
    for (auto& d : table_) {
      if (d.active && (oldest == nullptr || d.first_ts < oldest->first_ts)) oldest = &d;
    }
    drop(*oldest, fmt::format("more than {} datagrams in reassembly", limits_.max_datagrams));
    slot = oldest;
  } else {
    for (auto& d : table_) {
      if (!d.active) {
        slot = &d;
        break;
      }
    }
    if (slot == nullptr) slot = &table_.emplace_back();
  }
  slot->active = true;
  slot->key = key;
  slot->first_ts = ts_ns;
  slot->next_header = 0;
  slot->have_first = false;
  slot->have_last = false;
  slot->total = 0;
  slot->fragments = 0;
  ++used_;
  return *slot;
}

FragmentReassembler::Result FragmentReassembler::add(const FragmentKey& key, std::uint32_t offset, bool more,
                                                     std::uint8_t next_header, std::span<const std::byte> data,
                                                     std::int64_t ts_ns) {
  Datagram* found = find(key);
  Datagram& d = found != nullptr ? *found : start(key, ts_ns);
  const std::uint64_t end = std::uint64_t{offset} + data.size();
  ++d.fragments;

  if (end > max_payload) {
    drop(d, fmt::format("fragment at offset {} ends at byte {}, beyond the {} an IP datagram can hold", offset, end,
                        max_payload));
    return {Status::dropped, {}, 0};
  }
  if (more && data.size() % 8 != 0) {
    drop(d, fmt::format("fragment at offset {} is {} bytes long, not a multiple of 8", offset, data.size()));
    return {Status::dropped, {}, 0};
  }
  if (!more) {
    if (d.have_last && d.total != end) {
      drop(d, fmt::format("two last fragments disagree on the length ({} and {})", d.total, end));
      return {Status::dropped, {}, 0};
    }
    d.have_last = true;
    d.total = static_cast<std::uint32_t>(end);
  }
  if (d.have_last && (end > d.total || (!d.covered.empty() && d.covered.back().second > d.total))) {
    drop(d, fmt::format("fragment data runs past the last fragment's end at byte {}", d.total));
    return {Status::dropped, {}, 0};
  }
  if (d.fragments > limits_.max_fragments) {
    drop(d, fmt::format("more than {} fragments", limits_.max_fragments));
    return {Status::dropped, {}, 0};
  }
  if (end > d.data.size()) {
    const std::size_t grow = static_cast<std::size_t>(end) - d.data.size();
    if (held_bytes_ + grow > limits_.max_bytes) {
      drop(d, fmt::format("more than {} bytes held in reassembly", limits_.max_bytes));
      return {Status::dropped, {}, 0};
    }
    d.data.resize(static_cast<std::size_t>(end));
    held_bytes_ += grow;
  }
  if (offset == 0) {
    d.have_first = true;
    d.next_header = next_header;
  }
  if (!data.empty()) std::memcpy(d.data.data() + offset, data.data(), data.size());

  // Merge [offset, end) into the covered ranges.
  std::uint32_t b = offset;
  auto e = static_cast<std::uint32_t>(end);
  auto it = std::lower_bound(d.covered.begin(), d.covered.end(), std::pair<std::uint32_t, std::uint32_t>{b, 0});
  if (it != d.covered.begin() && std::prev(it)->second >= b) --it;
  auto last = it;
  while (last != d.covered.end() && last->first <= e) {
    b = std::min(b, last->first);
    e = std::max(e, last->second);
    ++last;
  }
  it = d.covered.erase(it, last);
  d.covered.insert(it, {b, e});

  if (d.have_first && d.have_last && d.covered.size() == 1 && d.covered.front().first == 0 &&
      d.covered.front().second == d.total) {
    completed_.swap(d.data);  // the view stays valid after the slot is reused
    completed_.resize(d.total);
    held_bytes_ -= completed_.size();
    held_bytes_ += d.data.size();  // release() subtracts it again
    const std::uint8_t nh = d.next_header;
    release(d);
    return {Status::complete, std::span<const std::byte>(completed_), nh};
  }
  return {Status::held, {}, 0};
}

void FragmentReassembler::expire(std::int64_t now_ns) {
  if (used_ == 0) return;
  for (auto& d : table_) {
    if (d.active && elapsed(now_ns, d.first_ts) > limits_.timeout_ns) {
      drop(d, fmt::format("incomplete after {} s", limits_.timeout_ns / 1'000'000'000));
    }
  }
}

void FragmentReassembler::drop_all() {
  for (auto& d : table_) {
    if (d.active) drop(d, "incomplete at the end of the capture");
  }
}

std::optional<PacketProblem> FragmentReassembler::take_problem() {
  if (problems_.empty()) return std::nullopt;
  PacketProblem p = std::move(problems_.front());
  problems_.pop_front();
  return p;
}

}  // namespace vt106::net
