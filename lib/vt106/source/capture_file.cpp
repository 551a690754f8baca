// Sequential pcap/pcapng reader: file header and record layouts from draft-ietf-opsawg-pcap,
// block layouts (SHB, IDB, EPB, SPB, obsolete PB) and if_tsresol/if_tsoffset from
// draft-ietf-opsawg-pcapng.
#include "vt106/source/capture_file.hpp"

#include "vt106/source/byte_source.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "vt106/net/byte_reader.hpp"

namespace vt106::source {

using net::ByteOrder;
using net::ByteReader;

namespace {

// pcap magic numbers as read little-endian from the first four bytes.
constexpr std::uint32_t pcap_micro_le = 0xa1b2c3d4;
constexpr std::uint32_t pcap_micro_be = 0xd4c3b2a1;
constexpr std::uint32_t pcap_nano_le = 0xa1b23c4d;
constexpr std::uint32_t pcap_nano_be = 0x4d3cb2a1;
constexpr std::uint32_t pcap_modified_le = 0xa1b2cd34;  // Kuznetzov's patched libpcap: 24-byte records
constexpr std::uint32_t pcap_modified_be = 0x34cdb2a1;
constexpr std::uint32_t pcapng_shb = 0x0a0d0d0a;        // the same in both byte orders
constexpr std::uint32_t pcapng_bom = 0x1a2b3c4d;

constexpr std::size_t pcap_file_header = 24;

constexpr std::uint32_t block_idb = 0x00000001;
constexpr std::uint32_t block_opb = 0x00000002;  // obsolete packet block
constexpr std::uint32_t block_spb = 0x00000003;
constexpr std::uint32_t block_epb = 0x00000006;

constexpr std::uint16_t opt_endofopt = 0;
constexpr std::uint16_t opt_if_tsresol = 9;
constexpr std::uint16_t opt_if_tsoffset = 14;

constexpr std::uint64_t ns_per_s = 1'000'000'000;

std::string_view block_name(std::uint32_t type) {
  switch (type) {
    case pcapng_shb: return "section header block";
    case block_idb: return "interface description block";
    case block_opb: return "packet block";
    case block_spb: return "simple packet block";
    case block_epb: return "enhanced packet block";
    default: return "block";
  }
}

bool regular_file(int fd) {
  struct stat st {};
  return fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

std::string_view to_string(CaptureFormat f) {
  switch (f) {
    case CaptureFormat::pcap: return "pcap";
    case CaptureFormat::pcapng: return "pcapng";
    case CaptureFormat::unknown: break;
  }
  return "unknown";
}

CaptureReader::CaptureReader(std::FILE* file, std::string_view already_read, CaptureLimits limits)
    : file_(file), limits_(limits) {
  if (file_ == nullptr) throw std::invalid_argument("CaptureReader: null FILE*");
  small_reads_ = !regular_file(::fileno(file_));
  init(already_read);
}

CaptureReader::CaptureReader(int fd, std::string_view already_read, CaptureLimits limits)
    : fd_(fd), limits_(limits) {
  if (fd_ < 0) throw std::invalid_argument("CaptureReader: bad file descriptor");
  init(already_read);
}

CaptureReader::CaptureReader(ByteSource& source, CaptureLimits limits) : source_(&source), limits_(limits) {
  init({});
}

void CaptureReader::init(std::string_view already_read) {
  buf_.resize(std::max<std::size_t>({limits_.buffer_bytes, already_read.size(), 64}));
  if (!already_read.empty()) std::memcpy(buf_.data(), already_read.data(), already_read.size());
  end_ = already_read.size();
}

bool CaptureReader::looks_like_capture(std::string_view first_bytes) {
  if (first_bytes.size() < 4) return false;
  const ByteReader r(net::as_bytes(first_bytes));
  switch (r.peek_u32(0, ByteOrder::little)) {
    case pcap_micro_le: case pcap_micro_be: case pcap_nano_le: case pcap_nano_be:
    case pcap_modified_le: case pcap_modified_be:
      return true;
    case pcapng_shb:
      if (first_bytes.size() < 12) return true;
      return r.peek_u32(8, ByteOrder::little) == pcapng_bom || r.peek_u32(8, ByteOrder::big) == pcapng_bom;
    default:
      return false;
  }
}

// ---- buffered input -------------------------------------------------------------------------

std::size_t CaptureReader::read_some(std::byte* into, std::size_t want) {
  if (source_ != nullptr) {
    const std::size_t got = source_->read(reinterpret_cast<char*>(into), want);
    if (got == 0) {
      eof_ = true;
      if (source_->failed()) {
        read_failed_ = true;
        const std::uint64_t at = offset_ + (end_ - begin_);
        problem(capture_code::read_error, fmt::format("byte {}: {}", at, source_->error()), at, 0, true);
      }
    }
    return got;
  }
  if (file_ != nullptr) {
    const std::size_t got = std::fread(into, 1, want, file_);
    if (got < want) {
      if (std::ferror(file_) != 0) {
        read_failed_ = true;
        problem(capture_code::read_error, fmt::format("byte {}: read failed", offset_ + (end_ - begin_) + got),
                offset_ + (end_ - begin_) + got, 0, true);
      }
      eof_ = true;
    }
    return got;
  }
  for (;;) {
    const ssize_t got = ::read(fd_, into, want);
    if (got > 0) return static_cast<std::size_t>(got);
    if (got == 0) {
      eof_ = true;
      return 0;
    }
    if (errno == EINTR) continue;
    read_failed_ = true;
    problem(capture_code::read_error,
            fmt::format("byte {}: read failed: {}", offset_ + (end_ - begin_), std::strerror(errno)),
            offset_ + (end_ - begin_), 0, true);
    eof_ = true;
    return 0;
  }
}

std::size_t CaptureReader::refill(std::size_t n) {
  std::size_t avail = end_ - begin_;
  while (avail < n && !eof_) {
    // Room for n bytes from the read position; compact early so reads stay large.
    if (begin_ > 0 && (buf_.size() - begin_ < n || buf_.size() - end_ < buf_.size() / 4)) {
      std::memmove(buf_.data(), buf_.data() + begin_, avail);
      begin_ = 0;
      end_ = avail;
    }
    if (buf_.size() < n) buf_.resize(n);  // callers bound n
    const std::size_t want = small_reads_ ? n - avail : buf_.size() - end_;
    const std::size_t got = read_some(buf_.data() + end_, want);
    end_ += got;
    avail += got;
  }
  return avail;
}

std::uint64_t CaptureReader::discard(std::uint64_t n) {
  std::uint64_t skipped = 0;
  while (skipped < n) {
    const std::uint64_t left = n - skipped;
    const std::size_t avail = fill(static_cast<std::size_t>(std::min<std::uint64_t>(left, buf_.size())));
    if (avail == 0) break;
    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(left, avail));
    consume(take);
    skipped += take;
  }
  return skipped;
}

// ---- problems -------------------------------------------------------------------------------

void CaptureReader::problem(std::string_view code, std::string message, std::uint64_t at, std::uint64_t record,
                            bool fatal) {
  if (problems_.size() >= limits_.max_pending_problems) {
    problems_.pop_front();
    ++problems_dropped_;
  }
  problems_.push_back(CaptureProblem{code, std::move(message), at, record, fatal});
}

void CaptureReader::stop(std::string_view code, std::string message, std::uint64_t at, std::uint64_t record) {
  state_ = State::done;
  // Reading was stopped on request (Ctrl-C): the input ends there, it is not damaged.
  if (source_ != nullptr && source_->stopped()) return;
  stopped_by_problem_ = true;
  // A failed read already explains why the input ended early.
  if (read_failed_ && code == capture_code::truncated_capture) return;
  problem(code, std::move(message), at, record, true);
}

std::optional<CaptureProblem> CaptureReader::take_problem() {
  if (problems_.empty()) return std::nullopt;
  CaptureProblem p = std::move(problems_.front());
  problems_.pop_front();
  return p;
}

// ---- dispatch -------------------------------------------------------------------------------

CaptureFormat CaptureReader::format() {
  if (state_ == State::start) read_file_header();
  return format_;
}

std::optional<Packet> CaptureReader::next() {
  if (state_ == State::start) read_file_header();
  switch (state_) {
    case State::pcap: return next_pcap();
    case State::pcapng: return next_pcapng();
    case State::start:
    case State::done: break;
  }
  return std::nullopt;
}

void CaptureReader::read_file_header() {
  const std::size_t got = fill(4);
  if (got < 4) {
    stop(capture_code::truncated_capture,
         fmt::format("file header: input ends after {} of 4 magic bytes", got), 0, 0);
    return;
  }
  const ByteReader magic(window(4));
  switch (magic.peek_u32(0, ByteOrder::little)) {
    case pcap_micro_le: pcap_big_ = false; pcap_nano_ = false; break;
    case pcap_micro_be: pcap_big_ = true; pcap_nano_ = false; break;
    case pcap_nano_le: pcap_big_ = false; pcap_nano_ = true; break;
    case pcap_nano_be: pcap_big_ = true; pcap_nano_ = true; break;
    case pcap_modified_le: pcap_big_ = false; pcap_nano_ = false; pcap_record_header_ = 24; break;
    case pcap_modified_be: pcap_big_ = true; pcap_nano_ = false; pcap_record_header_ = 24; break;
    case pcapng_shb:
      format_ = CaptureFormat::pcapng;
      state_ = State::pcapng;
      return;
    default:
      stop(capture_code::bad_capture,
           fmt::format("byte 0: not a pcap or pcapng file (starts with 0x{:08x})",
                       magic.peek_u32(0, ByteOrder::big)),
           0, 0);
      return;
  }
  format_ = CaptureFormat::pcap;
  const std::size_t have = fill(pcap_file_header);
  if (have < pcap_file_header) {
    stop(capture_code::truncated_capture,
         fmt::format("file header: input ends after {} of {} bytes", have, pcap_file_header), 0, 0);
    return;
  }
  ByteReader r(window(pcap_file_header));
  const ByteOrder order = pcap_big_ ? ByteOrder::big : ByteOrder::little;
  r.skip(4);
  const std::uint16_t major = r.u16(order);
  const std::uint16_t minor = r.u16(order);
  r.skip(8);  // thiszone, sigfigs: always zero in practice
  pcap_snaplen_ = r.u32(order);
  const std::uint32_t network = r.u32(order);
  if (major != 2) {
    stop(capture_code::bad_capture, fmt::format("file header: unsupported pcap version {}.{}", major, minor), 0, 0);
    return;
  }
  pcap_linktype_ = network & 0x03ffffffU;  // upper bits carry the FCS length
  consume(pcap_file_header);
  state_ = State::pcap;
}

// ---- pcap -----------------------------------------------------------------------------------

std::optional<Packet> CaptureReader::next_pcap() {
  const std::uint64_t at = offset_;
  const std::uint64_t number = records_ + 1;
  const std::size_t header = pcap_record_header_;
  const std::size_t got = fill(header);
  if (got == 0) {
    state_ = State::done;  // clean end of input
    return std::nullopt;
  }
  if (got < header) {
    stop(capture_code::truncated_capture,
         fmt::format("record {} at byte {}: input ends inside the record header ({} of {} bytes)", number, at, got,
                     header),
         at, number);
    return std::nullopt;
  }
  ++records_;
  ByteReader r(window(header));
  const ByteOrder order = pcap_big_ ? ByteOrder::big : ByteOrder::little;
  const std::uint32_t ts_sec = r.u32(order);
  const std::uint32_t ts_frac = r.u32(order);
  const std::uint32_t caplen = r.u32(order);
  const std::uint32_t orig_len = r.u32(order);

  const std::uint64_t limit = limits_.record_slack + std::min<std::uint64_t>(pcap_snaplen_, limits_.max_snaplen);
  if (caplen > limit) {
    stop(capture_code::bad_capture,
         fmt::format("record {} at byte {}: caplen {} exceeds snaplen {} (limit {} bytes); a pcap cannot be "
                     "resynchronised, reading stopped",
                     number, at, caplen, pcap_snaplen_, limit),
         at, number);
    return std::nullopt;
  }
  if (pcap_snaplen_ != 0 && caplen > pcap_snaplen_) {
    problem(capture_code::bad_capture,
            fmt::format("record {} at byte {}: caplen {} exceeds snaplen {}; record kept", number, at, caplen,
                        pcap_snaplen_),
            at, number, false);
  }
  const std::size_t total = header + caplen;
  const std::size_t have = fill(total);
  if (have < total) {
    stop(capture_code::truncated_capture,
         fmt::format("record {} at byte {}: input ends inside the packet data ({} of {} bytes)", number, at,
                     have - header, caplen),
         at, number);
    return std::nullopt;
  }
  Packet p;
  const std::uint64_t frac_ns = pcap_nano_ ? ts_frac : std::uint64_t{ts_frac} * 1000;
  p.ts_ns = static_cast<std::int64_t>(std::uint64_t{ts_sec} * ns_per_s + frac_ns);
  p.linktype = pcap_linktype_;
  p.interface = 0;
  p.orig_len = orig_len;
  p.data = window(total).subspan(header);
  p.number = number;
  p.file_offset = at;
  consume(total);
  ++packets_;
  last_ts_ns_ = p.ts_ns;
  return p;
}

// ---- pcapng ---------------------------------------------------------------------------------

std::int64_t CaptureReader::to_ns(std::uint64_t units, TsResolution res) {
  std::uint64_t ns = 0;
  if (!res.binary) {
    std::uint64_t scale = 1;
    if (res.exponent <= 9) {
      for (int i = res.exponent; i < 9; ++i) scale *= 10;
      ns = units * scale;
    } else {
      for (int i = 9; i < res.exponent; ++i) scale *= 10;
      ns = units / scale;
    }
  } else {
    const unsigned e = res.exponent;
    const std::uint64_t seconds = e == 0 ? units : units >> e;
    const std::uint64_t frac = e == 0 ? 0 : units & ((std::uint64_t{1} << e) - 1);
    const std::uint64_t frac_ns = e <= 34 ? (frac * ns_per_s) >> e : ((frac >> (e - 30)) * ns_per_s) >> 30;
    ns = seconds * ns_per_s + frac_ns;
  }
  return static_cast<std::int64_t>(ns);
}

std::optional<Packet> CaptureReader::next_pcapng() {
  for (;;) {
    const std::uint64_t at = offset_;
    const std::size_t got = fill(8);
    if (got == 0) {
      state_ = State::done;
      return std::nullopt;
    }
    if (got < 8) {
      stop(capture_code::truncated_capture,
           fmt::format("block at byte {}: input ends inside the block header ({} of 8 bytes)", at, got), at, 0);
      return std::nullopt;
    }
    const ByteReader head(window(got));
    const bool is_shb = head.peek_u32(0, ByteOrder::little) == pcapng_shb;
    if (is_shb) {
      if (fill(12) < 12) {
        stop(capture_code::truncated_capture,
             fmt::format("section header at byte {}: input ends before the byte-order magic", at), at, 0);
        return std::nullopt;
      }
      const ByteReader bom(window(12));
      if (bom.peek_u32(8, ByteOrder::little) == pcapng_bom) {
        ng_big_ = false;
      } else if (bom.peek_u32(8, ByteOrder::big) == pcapng_bom) {
        ng_big_ = true;
      } else {
        stop(capture_code::bad_capture,
             fmt::format("section header at byte {}: bad byte-order magic 0x{:08x}", at,
                         bom.peek_u32(8, ByteOrder::big)),
             at, 0);
        return std::nullopt;
      }
    }
    const ByteOrder order = ng_big_ ? ByteOrder::big : ByteOrder::little;
    const ByteReader h(window(8));
    const std::uint32_t type = h.peek_u32(0, order);
    const std::uint32_t length = h.peek_u32(4, order);
    const bool packet_block = type == block_epb || type == block_spb || type == block_opb;
    const std::uint64_t record = packet_block ? records_ + 1 : 0;
    const auto where = [&] {  // only formatted when something is wrong
      return packet_block ? fmt::format("{} at byte {} (record {})", block_name(type), at, record)
                          : fmt::format("{} 0x{:08x} at byte {}", block_name(type), type, at);
    };
    if (length < 12 || length % 4 != 0) {
      stop(capture_code::bad_capture,
           fmt::format("{}: bad block length {} (must be a multiple of 4, at least 12)", where(), length), at, record);
      return std::nullopt;
    }
    if (packet_block) ++records_;

    const bool held = packet_block || is_shb || type == block_idb;
    if (!held) {
      // Name resolution, statistics, custom and unknown blocks: skipped without buffering them.
      const std::uint64_t skipped = discard(std::uint64_t{length} - 4);
      const std::size_t tail = skipped == length - 4u ? fill(4) : 0;
      if (tail < 4) {
        stop(capture_code::truncated_capture,
             fmt::format("{}: input ends inside the block ({} of {} bytes)", where(),
                         skipped + std::min<std::size_t>(tail, 4), length),
             at, record);
        return std::nullopt;
      }
      const std::uint32_t trailer = ByteReader(window(4)).peek_u32(0, order);
      if (trailer != length) {
        stop(capture_code::bad_capture,
             fmt::format("{}: trailing block length {} differs from the leading {}", where(), trailer, length), at,
             record);
        return std::nullopt;
      }
      consume(4);
      continue;
    }

    if (length > limits_.max_block_bytes) {
      stop(capture_code::bad_capture,
           fmt::format("{}: block length {} exceeds the limit of {} bytes", where(), length, limits_.max_block_bytes),
           at, record);
      return std::nullopt;
    }
    const std::size_t have = fill(length);
    if (have < length) {
      stop(capture_code::truncated_capture,
           fmt::format("{}: input ends inside the block ({} of {} bytes)", where(), have, length), at, record);
      return std::nullopt;
    }
    const std::span<const std::byte> block = window(length);
    const std::uint32_t trailer = ByteReader(block).peek_u32(length - 4, order);
    if (trailer != length) {
      stop(capture_code::bad_capture,
           fmt::format("{}: trailing block length {} differs from the leading {}", where(), trailer, length), at,
           record);
      return std::nullopt;
    }
    consume(length);  // the block stays in the buffer until the next fill

    if (is_shb) {
      if (!read_section_header(block, at)) return std::nullopt;
    } else if (type == block_idb) {
      read_interface(block, at);
    } else if (auto p = read_packet_block(type, block, at)) {
      return p;
    }
  }
}

bool CaptureReader::read_section_header(std::span<const std::byte> block, std::uint64_t at) {
  const ByteOrder order = ng_big_ ? ByteOrder::big : ByteOrder::little;
  if (block.size() < 28) {
    stop(capture_code::bad_capture,
         fmt::format("section header block at byte {}: block length {} is shorter than 28", at, block.size()), at, 0);
    return false;
  }
  ByteReader r(block);
  r.skip(12);
  const std::uint16_t major = r.u16(order);
  const std::uint16_t minor = r.u16(order);
  if (major != 1) {
    stop(capture_code::bad_capture,
         fmt::format("section header block at byte {}: unsupported pcapng version {}.{}", at, major, minor), at, 0);
    return false;
  }
  interfaces_.clear();
  return true;
}

void CaptureReader::read_interface(std::span<const std::byte> block, std::uint64_t at) {
  const ByteOrder order = ng_big_ ? ByteOrder::big : ByteOrder::little;
  if (interfaces_.size() >= limits_.max_interfaces) {
    problem(capture_code::bad_capture,
            fmt::format("interface description block at byte {}: more than {} interfaces in one section; ignored", at,
                        limits_.max_interfaces),
            at, 0, false);
    return;
  }
  Interface iface;
  if (block.size() < 20) {
    // Keep the slot so that later interface ids still point at the right descriptions.
    iface.linktype = 0xffffffffU;
    interfaces_.push_back(iface);
    problem(capture_code::bad_capture,
            fmt::format("interface description block at byte {}: block length {} is shorter than 20; "
                        "packets of interface {} are skipped",
                        at, block.size(), interfaces_.size() - 1),
            at, 0, false);
    return;
  }
  ByteReader r(block.first(block.size() - 4));
  r.skip(8);
  iface.linktype = r.u16(order);
  r.skip(2);
  iface.snaplen = r.u32(order);
  bool malformed = false;
  while (r.remaining() >= 4) {
    const std::uint16_t code = r.u16(order);
    const std::uint16_t len = r.u16(order);
    if (code == opt_endofopt) break;
    const std::span<const std::byte> value = r.bytes(len);
    if (!r.ok()) {
      malformed = true;
      break;
    }
    r.skip(std::min<std::size_t>((4 - len % 4) % 4, r.remaining()));
    const ByteReader v(value);
    if (code == opt_if_tsresol && len == 1) {
      const std::uint8_t res = v.peek_u8(0);
      const bool binary = (res & 0x80) != 0;
      const std::uint8_t exponent = res & 0x7f;
      if ((binary && exponent > 63) || (!binary && exponent > 19)) {
        problem(capture_code::bad_capture,
                fmt::format("interface description block at byte {}: if_tsresol 0x{:02x} is out of range; "
                            "using microseconds",
                            at, res),
                at, 0, false);
      } else {
        iface.resolution = TsResolution{binary, exponent};
      }
    } else if (code == opt_if_tsoffset && len == 8) {
      iface.offset_s = static_cast<std::int64_t>(ByteReader(value).u64(order));
    }
  }
  if (malformed) {
    problem(capture_code::bad_capture,
            fmt::format("interface description block at byte {}: option runs past the end of the block", at), at, 0,
            false);
  }
  interfaces_.push_back(iface);
}

std::optional<Packet> CaptureReader::read_packet_block(std::uint32_t type, std::span<const std::byte> block,
                                                       std::uint64_t at) {
  const ByteOrder order = ng_big_ ? ByteOrder::big : ByteOrder::little;
  const std::uint64_t record = records_;
  const std::string_view name = block_name(type);
  const std::size_t fixed = type == block_spb ? 16 : 32;  // header, fixed fields and trailing length
  if (block.size() < fixed) {
    problem(capture_code::bad_capture,
            fmt::format("{} at byte {} (record {}): block length {} is shorter than {}; skipped", name, at, record,
                        block.size(), fixed),
            at, record, false);
    return std::nullopt;
  }
  ByteReader r(block);
  r.skip(8);
  std::uint32_t iface_id = 0;
  std::uint64_t units = 0;
  std::uint32_t caplen = 0;
  std::uint32_t orig_len = 0;
  bool has_ts = true;
  if (type == block_epb) {
    iface_id = r.u32(order);
    const std::uint64_t high = r.u32(order);
    units = (high << 32) | r.u32(order);
    caplen = r.u32(order);
    orig_len = r.u32(order);
  } else if (type == block_opb) {
    iface_id = r.u16(order);
    r.skip(2);  // drops count
    const std::uint64_t high = r.u32(order);
    units = (high << 32) | r.u32(order);
    caplen = r.u32(order);
    orig_len = r.u32(order);
  } else {
    has_ts = false;
    orig_len = r.u32(order);
  }
  if (iface_id >= interfaces_.size() || interfaces_[iface_id].linktype == 0xffffffffU) {
    problem(capture_code::bad_capture,
            iface_id >= interfaces_.size()
                ? fmt::format("{} at byte {} (record {}): interface {} is not described in this section "
                              "({} interfaces); skipped",
                              name, at, record, iface_id, interfaces_.size())
                : fmt::format("{} at byte {} (record {}): interface {} has a damaged description; skipped", name, at,
                              record, iface_id),
            at, record, false);
    return std::nullopt;
  }
  const Interface& iface = interfaces_[iface_id];
  const std::size_t room = block.size() - fixed;
  if (type == block_spb) {
    std::uint64_t len = std::min<std::uint64_t>(orig_len, room);
    if (iface.snaplen != 0) len = std::min<std::uint64_t>(len, iface.snaplen);
    caplen = static_cast<std::uint32_t>(len);
  } else if (caplen > room) {
    problem(capture_code::bad_capture,
            fmt::format("{} at byte {} (record {}): caplen {} exceeds the {} bytes the block holds; skipped", name,
                        at, record, caplen, room),
            at, record, false);
    return std::nullopt;
  }
  Packet p;
  // Unsigned arithmetic: absurd offsets wrap instead of overflowing.
  p.ts_ns = has_ts ? static_cast<std::int64_t>(static_cast<std::uint64_t>(to_ns(units, iface.resolution)) +
                                               static_cast<std::uint64_t>(iface.offset_s) * ns_per_s)
                   : last_ts_ns_;
  p.linktype = iface.linktype;
  p.interface = iface_id;
  p.orig_len = orig_len;
  p.data = block.subspan(fixed - 4, caplen);  // the data sits before the trailing length
  p.number = record;
  p.file_offset = at;
  ++packets_;
  last_ts_ns_ = p.ts_ns;
  return p;
}

}  // namespace vt106::source
