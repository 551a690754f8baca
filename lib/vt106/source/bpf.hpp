// Packet filtering with BPF expressions (pcap-filter(7) syntax) compiled by libpcap, once per
// link type as pcapng files can mix them; LINKTYPE_ values follow the tcpdump.org list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vt106::source {

class BpfFilter {
 public:
  // Compiles `expression` for Ethernet at once so that syntax errors surface at setup:
  // throws std::runtime_error carrying libpcap's message.
  explicit BpfFilter(std::string expression);
  ~BpfFilter();
  BpfFilter(BpfFilter&&) noexcept;
  BpfFilter& operator=(BpfFilter&&) noexcept;
  BpfFilter(const BpfFilter&) = delete;
  BpfFilter& operator=(const BpfFilter&) = delete;

  enum class Verdict : std::uint8_t {
    match,
    no_match,
    error,  // the expression does not compile for this link type; see error()
  };

  // Tests one packet (captured bytes, original length) of the given LINKTYPE_ value.
  Verdict test(std::uint32_t linktype, std::span<const std::byte> data, std::uint32_t orig_len);
  bool matches(std::uint32_t linktype, std::span<const std::byte> data, std::uint32_t orig_len) {
    return test(linktype, data, orig_len) == Verdict::match;
  }

  // libpcap's message when the expression does not compile for `linktype` ("" if it does).
  std::string_view error(std::uint32_t linktype);
  const std::string& expression() const { return expression_; }

  // The DLT_ value libpcap uses for a LINKTYPE_ value (they differ for raw IP and a few others).
  static int dlt_for(std::uint32_t linktype);

 private:
  struct Program;
  Program& program(std::uint32_t linktype);

  std::string expression_;
  std::vector<std::unique_ptr<Program>> programs_;  // one per link type met, few
  Program* last_ = nullptr;
};

}  // namespace vt106::source
