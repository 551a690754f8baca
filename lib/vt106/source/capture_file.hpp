// Sequential reader of pcap and pcapng captures from a FILE* or a file descriptor (pipes too, it
// never seeks), following draft-ietf-opsawg-pcap and draft-ietf-opsawg-pcapng; damage is reported
// as typed problems with the file offset, never as exceptions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vt106::source {

class ByteSource;

enum class CaptureFormat : std::uint8_t { unknown, pcap, pcapng };
std::string_view to_string(CaptureFormat f);  // "unknown", "pcap", "pcapng"

// One captured packet. `data` points into the reader's buffer and stays valid until the next
// call to next().
struct Packet {
  std::int64_t ts_ns = 0;          // nanoseconds since the Unix epoch (pcapng SPB: previous packet's)
  std::uint32_t linktype = 0;      // LINKTYPE_ value (tcpdump.org link-layer header types)
  std::uint32_t interface = 0;     // pcapng interface id within its section; 0 for pcap
  std::uint32_t orig_len = 0;      // length on the wire; data.size() is the captured length
  std::span<const std::byte> data;
  std::uint64_t number = 0;        // 1-based ordinal of the packet record in the file
  std::uint64_t file_offset = 0;   // byte offset of the record header or block
};

// Stable problem codes of the reader.
namespace capture_code {
inline constexpr std::string_view bad_capture = "bad_capture";              // input contradicts itself
inline constexpr std::string_view truncated_capture = "truncated_capture";  // input ended inside a header or record
inline constexpr std::string_view read_error = "read_error";                // the operating system failed a read
}  // namespace capture_code

struct CaptureProblem {
  std::string_view code;          // one of capture_code
  std::string message;            // "record 17 at byte 2345: caplen 4294967295 exceeds snaplen 65535"
  std::uint64_t file_offset = 0;  // where the damaged header, record or block starts
  std::uint64_t record = 0;       // number the damaged packet record has (0: file or section header)
  bool fatal = false;             // reading stopped here
};

// Limits on what a record may claim, so that damage never turns into a huge allocation.
// pcap: caplen above record_slack + min(snaplen, max_snaplen) stops reading (a pcap cannot be
// resynchronised); caplen above a smaller snaplen is reported and the record kept.
// pcapng: a block the reader must hold whole may not exceed max_block_bytes.
struct CaptureLimits {
  std::size_t record_slack = 256 * 1024;
  std::size_t max_snaplen = 16 * 1024 * 1024;
  std::size_t max_block_bytes = 16 * 1024 * 1024 + 256 * 1024;
  std::size_t max_interfaces = 4096;       // pcapng interfaces per section
  std::size_t max_pending_problems = 1024; // unread problems kept; more are counted in problems_dropped()
  std::size_t buffer_bytes = 1024 * 1024;  // read buffer (grows only to hold one large record)
};

class CaptureReader {
 public:
  // Reads from `file` (not closed by the reader). `already_read` holds bytes the caller consumed
  // from the start of the input to sniff it; they are read first.
  explicit CaptureReader(std::FILE* file, std::string_view already_read = {}, CaptureLimits limits = {});
  // Reads from a file descriptor with read(2) (not closed by the reader).
  explicit CaptureReader(int fd, std::string_view already_read = {}, CaptureLimits limits = {});
  // Reads from a byte source (a pipe, a gzip file, the bytes of a hex dump): each packet is
  // handed out as soon as its bytes have arrived.
  explicit CaptureReader(ByteSource& source, CaptureLimits limits = {});
  CaptureReader(const CaptureReader&) = delete;
  CaptureReader& operator=(const CaptureReader&) = delete;

  // True when the bytes start like a pcap (any byte order, micro or nano) or pcapng file.
  static bool looks_like_capture(std::string_view first_bytes);

  // The next packet, or nothing at the end of the input or after a fatal problem. Problems found
  // on the way are queued: drain them with take_problem() after each call.
  std::optional<Packet> next();

  std::optional<CaptureProblem> take_problem();
  bool has_problems() const { return !problems_.empty(); }  // cheap: asked after every packet
  std::uint64_t problems_dropped() const { return problems_dropped_; }

  // The format, once the file header has been read (reads it if next() was not called yet).
  CaptureFormat format();
  bool finished() const { return state_ == State::done; }
  bool stopped_by_problem() const { return stopped_by_problem_; }
  std::uint64_t packets_read() const { return packets_; }
  std::uint64_t bytes_read() const { return offset_; }  // input consumed so far

 private:
  enum class State : std::uint8_t { start, pcap, pcapng, done };
  struct TsResolution {
    bool binary = false;      // 2^-exponent seconds instead of 10^-exponent
    std::uint8_t exponent = 6;
  };
  struct Interface {
    std::uint32_t linktype = 0;
    std::uint32_t snaplen = 0;
    TsResolution resolution;
    std::int64_t offset_s = 0;  // if_tsoffset
  };

  void init(std::string_view already_read);
  // Bytes available at the read position: at least n unless the input ended.
  std::size_t fill(std::size_t n) {
    const std::size_t avail = end_ - begin_;
    return avail >= n ? avail : refill(n);
  }
  std::size_t refill(std::size_t n);
  std::size_t read_some(std::byte* into, std::size_t want);
  void consume(std::size_t n) {
    begin_ += n;
    offset_ += n;
  }
  std::uint64_t discard(std::uint64_t n);  // skips n bytes, buffered or not; returns how many it could
  std::span<const std::byte> window(std::size_t n) const { return {buf_.data() + begin_, n}; }

  void read_file_header();
  std::optional<Packet> next_pcap();
  std::optional<Packet> next_pcapng();
  bool read_section_header(std::span<const std::byte> block, std::uint64_t at);
  void read_interface(std::span<const std::byte> block, std::uint64_t at);
  std::optional<Packet> read_packet_block(std::uint32_t type, std::span<const std::byte> block, std::uint64_t at);

  void problem(std::string_view code, std::string message, std::uint64_t at, std::uint64_t record, bool fatal);
  void stop(std::string_view code, std::string message, std::uint64_t at, std::uint64_t record);

  static std::int64_t to_ns(std::uint64_t units, TsResolution res);

  std::FILE* file_ = nullptr;
  int fd_ = -1;
  ByteSource* source_ = nullptr;
  bool small_reads_ = false;  // a FILE* that is not a regular file: ask fread only for what is needed
  bool eof_ = false;
  bool read_failed_ = false;
  CaptureLimits limits_;
  std::vector<std::byte> buf_;
  std::size_t begin_ = 0;  // read position in buf_
  std::size_t end_ = 0;    // end of valid bytes in buf_
  std::uint64_t offset_ = 0;  // file offset of buf_[begin_]

  State state_ = State::start;
  CaptureFormat format_ = CaptureFormat::unknown;
  bool stopped_by_problem_ = false;
  std::uint64_t packets_ = 0;
  std::uint64_t records_ = 0;   // packet records met, damaged ones included
  std::int64_t last_ts_ns_ = 0;

  // pcap
  bool pcap_big_ = false;
  std::size_t pcap_record_header_ = 16;
  bool pcap_nano_ = false;
  std::uint32_t pcap_snaplen_ = 0;
  std::uint32_t pcap_linktype_ = 0;

  // pcapng, current section
  bool ng_big_ = false;
  std::vector<Interface> interfaces_;

  std::deque<CaptureProblem> problems_;
  std::uint64_t problems_dropped_ = 0;
};

}  // namespace vt106::source
