// BPF filtering through libpcap: pcap_open_dead + pcap_compile per link type, pcap_offline_filter
// per packet (pcap-filter(7); LINKTYPE_/DLT_ values from the tcpdump.org list).
#include "vt106/source/bpf.hpp"

#include <pcap/pcap.h>

#include <stdexcept>

namespace vt106::source {

struct BpfFilter::Program {
  std::uint32_t linktype = 0;
  bool ok = false;
  bpf_program code{};
  std::string error;

  Program() = default;
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;
  ~Program() {
    if (ok) pcap_freecode(&code);
  }
};

namespace {
constexpr int compile_snaplen = 262144;
}

int BpfFilter::dlt_for(std::uint32_t linktype) {
  switch (linktype) {
    case 12:
    case 14:
    case 101: return DLT_RAW;
    case 50: return DLT_PPP_SERIAL;
    case 51: return DLT_PPP_ETHER;
    case 100: return DLT_ATM_RFC1483;
    case 102: return DLT_SLIP_BSDOS;
    case 103: return DLT_PPP_BSDOS;
    case 108: return DLT_LOOP;
    case 117: return DLT_PFLOG;
    default: return static_cast<int>(linktype);
  }
}

BpfFilter::BpfFilter(std::string expression) : expression_(std::move(expression)) {
  Program& ethernet = program(1);  // LINKTYPE_ETHERNET
  if (!ethernet.ok) throw std::runtime_error("bad filter expression '" + expression_ + "': " + ethernet.error);
}

BpfFilter::~BpfFilter() = default;
BpfFilter::BpfFilter(BpfFilter&& other) noexcept
    : expression_(std::move(other.expression_)), programs_(std::move(other.programs_)), last_(other.last_) {
  other.programs_.clear();
  other.last_ = nullptr;
}

BpfFilter& BpfFilter::operator=(BpfFilter&& other) noexcept {
  if (this != &other) {
    expression_ = std::move(other.expression_);
    programs_ = std::move(other.programs_);
    last_ = other.last_;
    other.programs_.clear();
    other.last_ = nullptr;
  }
  return *this;
}

BpfFilter::Program& BpfFilter::program(std::uint32_t linktype) {
  if (last_ != nullptr && last_->linktype == linktype) return *last_;
  for (auto& p : programs_) {
    if (p->linktype == linktype) {
      last_ = p.get();
      return *p;
    }
  }
  auto p = std::make_unique<Program>();
  p->linktype = linktype;
  pcap_t* dead = pcap_open_dead(dlt_for(linktype), compile_snaplen);
  if (dead == nullptr) {
    p->error = "libpcap could not open a handle for this link type";
  } else {
    if (pcap_compile(dead, &p->code, expression_.c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0) {
      p->ok = true;
    } else {
      p->error = pcap_geterr(dead);
    }
    pcap_close(dead);
  }
  last_ = p.get();
  programs_.push_back(std::move(p));
  return *last_;
}

BpfFilter::Verdict BpfFilter::test(std::uint32_t linktype, std::span<const std::byte> data, std::uint32_t orig_len) {
  Program& p = program(linktype);
  if (!p.ok) return Verdict::error;
  pcap_pkthdr header{};
  header.caplen = static_cast<bpf_u_int32>(data.size());
  header.len = orig_len != 0 ? orig_len : static_cast<bpf_u_int32>(data.size());
  const int hit = pcap_offline_filter(&p.code, &header, reinterpret_cast<const u_char*>(data.data()));
  return hit != 0 ? Verdict::match : Verdict::no_match;
}

std::string_view BpfFilter::error(std::uint32_t linktype) { return program(linktype).error; }

}  // namespace vt106::source
