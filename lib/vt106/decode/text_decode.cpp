// Text inputs: log lines (generic and Traccar's), hex dumps (payload, packets, captures) and SMS
// texts, each read line by line through a byte source and decoded as the lines arrive.
#include "vt106/decode/text_decode.hpp"

#include <algorithm>
#include <cstring>
#include <list>
#include <unordered_map>

#include <fmt/format.h>

#include "vt106/decode/flow_decoder.hpp"
#include "vt106/net/packet.hpp"
#include "vt106/source/capture_file.hpp"
#include "vt106/source/hex_dump.hpp"
#include "vt106/source/log_line.hpp"
#include "vt106/util/text.hpp"
#include "vt106/util/time.hpp"

namespace vt106::decode {

namespace {
constexpr std::size_t chunk_size = 1 << 16;
constexpr std::size_t max_sms = 1 << 14;          // an SMS is at most a few hundred characters
constexpr std::size_t max_line = 1 << 20;         // longer lines are read in pieces
constexpr std::size_t max_remembered = 1 << 16;   // addresses whose device identifier is kept
constexpr std::size_t max_packet = 256 * 1024;    // a dumped packet held whole before it is decoded

// How the flows of a text input (Traccar sessions, dumped packets and captures) are decoded.
FlowDecoderOptions flow_options(const TextOptions& o) {
  FlowDecoderOptions f;
  f.max_frame = o.max_frame;
  f.flow_summaries = o.flow_summaries;
  f.flow_id_base = o.flow_id_base;
  f.name_input = o.name_input;
  return f;
}
}  // namespace

// ---- ChunkReader -----------------------------------------------------------------------------

std::string_view ChunkReader::next() {
  if (head_at_ < head_.size()) {
    head_at_ = head_.size();
    position_ += head_.size();
    return head_;
  }
  buf_.resize(chunk_size);
  std::size_t n = 0;
  if (file_) n = std::fread(buf_.data(), 1, buf_.size(), file_);
  else if (source_) n = source_->read(buf_.data(), buf_.size());
  buf_.resize(n);
  position_ += n;
  return buf_;
}

std::size_t ChunkReader::read(char* into, std::size_t n) {
  if (head_at_ < head_.size()) {
    const std::size_t take = std::min(n, head_.size() - head_at_);
    std::memcpy(into, head_.data() + head_at_, take);
    head_at_ += take;
    position_ += take;
    return take;
  }
  std::size_t got = 0;
  if (file_) got = std::fread(into, 1, n, file_);
  else if (source_) got = source_->read(into, n);
  position_ += got;
  return got;
}

bool ChunkReader::failed() const { return (file_ && std::ferror(file_)) || (source_ && source_->failed()); }

std::string ChunkReader::error() const {
  if (source_) return source_->error();
  return failed() ? fmt::format("read failed after byte {}", position_) : std::string();
}

ChunkReader string_reader(std::string text) { return ChunkReader(nullptr, std::move(text)); }

Sniffed sniff(std::string_view head) {
  if (source::has_capture_magic(head)) return Sniffed::capture;
  if (source::GzipSource::magic(head)) return Sniffed::gzip;
  if (source::looks_like_hex_dump(head) || source::sniff_input(head) == source::InputKind::hex) return Sniffed::hex;
  // Text has no NUL bytes and few control characters; a binary file that is no capture is
  // still read (frames may be inside), but said to be binary.
  std::size_t control = 0;
  for (const char c : head) {
    const auto u = static_cast<unsigned char>(c);
    if (u == 0) return Sniffed::binary;
    if (u < 0x20 && c != '\n' && c != '\r' && c != '\t') ++control;
  }
  return control * 8 > head.size() && !head.empty() ? Sniffed::binary : Sniffed::text;
}

TextDecoder::TextDecoder(gotop::Parser& parser, output::RecordSink& sink, TextOptions options)
    : parser_(parser), sink_(sink), options_(std::move(options)) {}

TextDecoder::TextDecoder(gotop::Parser& parser, output::RecordSink& sink, std::size_t max_frame)
    : parser_(parser), sink_(sink) {
  options_.max_frame = max_frame;
}

TextDecoder::~TextDecoder() = default;

// ---- Traccar sessions as flows ---------------------------------------------------------------

// Each Traccar session (a TCP connection; for UDP, a session and a remote address) is one flow:
// "connected" opens it, "disconnected" closes it, and the logged bytes are its stream in each
// direction, decoded by the same FlowDecoder as captured flows.
class TextDecoder::LogSessions {
 public:
  LogSessions(net::FlowObserver& observer, std::size_t max_flows) : observer_(observer), max_flows_(max_flows) {}
  ~LogSessions() { finish(); }

  void line(const source::TraccarLine& t, std::int64_t ts_ns) {
    using Kind = source::TraccarLine::Kind;
    if (t.kind == Kind::other) return;
    const bool udp = t.transport == 'U';
    if (t.kind == Kind::connected) {
      Session& s = session(t.session, ts_ns);
      s.connected = true;
      return;
    }
    if (t.kind == Kind::disconnected) {
      // UDP "sessions" are the server socket: a disconnect ends every peer heard on it.
      std::vector<std::string> keys;
      for (const auto& [key, s] : sessions_)
        if (key == t.session || (udp && key.starts_with(std::string(t.session) + ' '))) keys.push_back(key);
      std::sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) { return id_of(a) < id_of(b); });
      for (const auto& k : keys) close(k, net::CloseReason::disconnected, ts_ns);
      return;
    }
    std::string key(t.session);
    if (t.per_remote) key.append(" ").append(t.remote);  // a UDP socket, or no connection named
    Session& s = session(key, ts_ns);
    if (!s.announced) {
      s.remote = t.remote;
      s.protocol = t.protocol;
      s.info.client_label = s.remote;
      s.info.server_label = "";
      s.info.platform_protocol = s.protocol;
      s.info.transport = udp ? net::Transport::udp : net::Transport::tcp;
      s.announced = true;
      observer_.on_flow_open(s.info);
    }
    bytes_ = t.data_is_hex ? source::hex_text_to_bytes(t.data) : source::traccar_unescape(t.data);
    const net::Side side = t.dir == source::LogDir::from_device ? net::Side::client : net::Side::server;
    auto& c = s.info.sides[static_cast<std::size_t>(side)];
    ++c.packets;
    c.payload_bytes += bytes_.size();
    if (ts_ns > s.info.last_ts_ns) s.info.last_ts_ns = ts_ns;
    if (udp) observer_.on_datagram(s.info, side, bytes_, ts_ns);
    else observer_.on_stream_data(s.info, side, bytes_, ts_ns);
  }

  void finish() {
    std::vector<std::string> keys;
    for (const auto& [key, s] : sessions_) keys.push_back(key);
    std::sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) { return id_of(a) < id_of(b); });
    for (const auto& k : keys) close(k, net::CloseReason::end_of_input, sessions_.at(k).info.last_ts_ns);
  }

  std::uint64_t flows_seen() const { return next_id_; }

 private:
  struct Session {
    net::FlowInfo info;
    std::string remote, protocol;
    bool connected = false, announced = false;
    std::list<std::string>::iterator lru;
  };

  std::uint64_t id_of(const std::string& key) const { return sessions_.at(key).info.id; }

  Session& session(std::string_view key_view, std::int64_t ts_ns) {
    std::string key(key_view);
    auto it = sessions_.find(key);
    if (it != sessions_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      return it->second;
    }
    if (sessions_.size() >= max_flows_ && !lru_.empty()) close(lru_.back(), net::CloseReason::evicted, ts_ns);
    Session& s = sessions_[key];
    s.info.id = ++next_id_;
    if (!free_.empty()) {
      s.info.slot = free_.back();
      free_.pop_back();
    } else {
      s.info.slot = static_cast<std::uint32_t>(slots_++);
    }
    s.info.first_ts_ns = s.info.last_ts_ns = ts_ns;
    s.info.client_rule = net::ClientRule::content;  // the log says which side is the device
    lru_.push_front(key);
    s.lru = lru_.begin();
    return s;
  }

  void close(const std::string& key_ref, net::CloseReason reason, std::int64_t ts_ns) {
    const std::string key = key_ref;  // key_ref may live in lru_ or sessions_
    auto it = sessions_.find(key);
    if (it == sessions_.end()) return;
    Session& s = it->second;
    if (s.announced) {
      if (ts_ns > s.info.last_ts_ns) s.info.last_ts_ns = ts_ns;
      observer_.on_flow_close(s.info, reason, ts_ns);
    }
    free_.push_back(s.info.slot);
    lru_.erase(s.lru);
    sessions_.erase(it);
  }

  net::FlowObserver& observer_;
  std::size_t max_flows_;
  std::unordered_map<std::string, Session> sessions_;
  std::list<std::string> lru_;  // most recently active first
  std::vector<std::uint32_t> free_;
  std::size_t slots_ = 0;
  std::uint64_t next_id_ = 0;
  std::string bytes_;
};

// ---- logs and frames as text -----------------------------------------------------------------

InputStatus TextDecoder::text(source::ByteSource& in, std::string_view name, bool frames_only) {
  StreamDecoder dec(parser_, sink_, options_.max_frame);
  FlowDecoderOptions fopts = flow_options(options_);
  std::unique_ptr<FlowDecoder> flows;        // made for the first Traccar session line
  std::unique_ptr<LogSessions> sessions;
  source::LogOptions lopts;
  lopts.tz_offset_s = options_.log_tz_s;
  lopts.syslog_year = util::current_year_utc();  // syslog times carry no year
  std::uint64_t session_line = 0;                // the line a Traccar session's bytes came on
  fopts.current_line = &session_line;
  // The identifier each address last sent, for the commands sent to it (bounded).
  std::unordered_map<std::string, std::string> device_at;
  std::string only_device;  // the one device of a log that names no addresses, while there is one
  bool many_devices = false;
  const std::string no_device;

  source::LineReader lines(in, max_line);
  source::LineReader::Line line;
  source::LogLine ll;
  bool long_open = false;  // a line longer than max_line is being fed piece by piece
  std::uint64_t long_line_offset = 0, long_line_bytes = 0;
  std::uint64_t long_lines = 0;
  auto report_long_line = [&](output::RecordContext& at, std::uint64_t number) {
    output::ErrorRecord e;
    e.code = "line_too_long";
    e.message = fmt::format("{}: line {} is {} bytes long, over the limit of {}: read as a stream of frames, "
                            "without its prefix", name, number, long_line_bytes, max_line);
    e.length = long_line_bytes;
    at.offset = long_line_offset;
    at.column.reset();
    ++long_lines;
    sink_.error(at, e);
  };
  output::RecordContext ctx;
  while (lines.next(line)) {
    ctx = output::RecordContext{};
    ctx.input = name;
    if (options_.name_input) ctx.input_label = name;
    if (!frames_only) ctx.line = line.number;  // (--text is no file with lines)
    if (!line.continued) long_line_offset = line.offset;
    ctx.line_offset = long_line_offset;
    if (line.partial || line.continued) {
      // A very long line: its bytes are a stream (frames glued one after another), and the
      // line itself is reported once it ends.
      if (!line.continued) {
        dec.decode_line({}, line.offset, ctx);
        long_line_bytes = 0;
      }
      dec.feed(line.text, ctx);
      long_line_bytes += line.text.size();
      long_open = line.partial;
      if (!long_open) {
        dec.finish(ctx);
        report_long_line(ctx, line.number);
      }
      continue;
    }
    ll = source::LogLine{};
    const bool any = source::parse_log_line(line.text, lopts, ll);
    if (any && ll.traccar) {
      if (!sessions) {
        if (!options_.observer) flows = std::make_unique<FlowDecoder>(parser_, sink_, std::string(name), fopts);
        net::FlowObserver& target = options_.observer ? *options_.observer : *flows;
        sessions = std::make_unique<LogSessions>(target, options_.capture.flows.max_flows);
      }
      session_line = line.number;
      sessions->line(*ll.traccar, ll.ts_ns.value_or(0));
      session_line = 0;
      continue;
    }
    std::size_t start = any ? ll.frame_at : std::string_view::npos;
    if (start == std::string_view::npos) {
      // No frame: the line is context, unless it is a frame that would not parse (it starts like
      // one, or holds a '#') or a bare body.
      const std::string_view t = util::trim(line.text);
      start = !t.empty() && (frames_only || t.front() == '#' || t.front() == ':' || t.starts_with("RESET!"))
                  ? static_cast<std::size_t>(t.data() - line.text.data())
                  : line.text.find('#');
      // A '#' inside a line's text counts only where a frame would begin ("#86…", "#:1234…").
      if (start != std::string_view::npos && start > static_cast<std::size_t>(t.data() - line.text.data()) &&
          !(start + 1 < line.text.size() && (util::is_digit(line.text[start + 1]) || line.text[start + 1] == ':')))
        start = std::string_view::npos;
      if (start == std::string_view::npos) {
        // A bare body: the identifier's digits, then a comma (never a log's date or time).
        const std::string_view body = util::trim(line.text);
        std::size_t digits = 0;
        while (digits < body.size() && util::is_digit(body[digits])) ++digits;
        const bool bare = digits >= 6 && digits < body.size() && body[digits] == ',';
        if (!bare && !(frames_only && !body.empty())) continue;
        start = static_cast<std::size_t>(body.data() - line.text.data());
      }
    }
    const std::string_view frames = line.text.substr(start);
    const bool down = ll.dir ? *ll.dir == source::LogDir::to_device : frames.front() == ':';
    if (any && ll.ts_ns) ctx.ts_ns = ll.ts_ns;
    const std::string remote = any ? std::string(ll.remote) : std::string();
    const std::string local = any ? std::string(ll.local) : std::string();
    if (!remote.empty()) (down ? ctx.dst : ctx.src) = remote;
    if (!local.empty()) (down ? ctx.src : ctx.dst) = local;
    if (any && ll.dir) dec.set_direction(down ? gotop::Direction::down : gotop::Direction::up);
    else dec.set_direction(std::nullopt);
    std::string* device = nullptr;
    if (!remote.empty()) {
      if (device_at.size() >= max_remembered && !device_at.contains(remote)) device_at.clear();
      device = &device_at[remote];
    }
    dec.set_device_imei(device ? device : many_devices ? &no_device : &only_device);
    const std::uint64_t before = dec.counters().messages;
    dec.decode_line(frames, line.offset + start, ctx);
    if (dec.counters().messages != before && !down && !dec.last_imei().empty()) {
      const std::string& id = dec.last_imei();
      if (device) *device = id;
      if (only_device.empty()) only_device = id;
      else if (only_device != id) many_devices = true;
    }
  }
  if (long_open) {
    dec.finish(ctx);
    report_long_line(ctx, line.number);
  }
  if (sessions) {
    sessions->finish();
    flows_seen_ += sessions->flows_seen();
    if (flows) {
      counters_.messages += flows->messages();
      counters_.errors += flows->errors();
    }
  }
  counters_.messages += dec.counters().messages;
  counters_.errors += dec.counters().errors + long_lines;
  if (in.failed()) return {false, fmt::format("{}: {}", name, in.error())};
  return {};
}

// ---- hex dumps -------------------------------------------------------------------------------

namespace {

std::uint16_t be16(std::string_view b, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(b[at]) << 8) | static_cast<unsigned char>(b[at + 1]));
}

bool ip_header_at(std::string_view b, std::size_t at) {
  if (b.size() < at + 20) return false;
  const auto v = static_cast<unsigned char>(b[at]);
  if ((v >> 4) == 4) {
    const std::size_t ihl = (v & 0x0f) * 4u;
    const std::size_t total = be16(b, at + 2);
    if (ihl < 20 || total < ihl || b.size() < at + ihl) return false;
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < ihl; i += 2) sum += be16(b, at + i);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return sum == 0xffff || total == b.size() - at;
  }
  if ((v >> 4) == 6) return b.size() >= at + 40 && be16(b, at + 4) + 40u <= b.size() - at + 0u;
  return false;
}

// The link layer a dumped packet starts with (tcpdump -x starts at IP, -xx at the link header;
// Wireshark copies the whole frame), or nothing when the bytes are no packet.
std::optional<std::uint32_t> guess_link_type(std::string_view b) {
  if (ip_header_at(b, 0)) return 101;  // LINKTYPE_RAW
  if (b.size() >= 14) {
    const std::uint16_t type = be16(b, 12);
    if ((type == 0x0800 || type == 0x86dd) && ip_header_at(b, 14)) return 1;  // Ethernet
    if ((type == 0x8100 || type == 0x88a8) && b.size() >= 18 && ip_header_at(b, 18)) return 1;
  }
  if (b.size() >= 16 && (be16(b, 14) == 0x0800 || be16(b, 14) == 0x86dd) && ip_header_at(b, 16)) return 113;
  if (b.size() >= 20 && (be16(b, 0) == 0x0800 || be16(b, 0) == 0x86dd) && ip_header_at(b, 20)) return 276;
  if (b.size() >= 4 && ip_header_at(b, 4)) return 0;  // BSD loopback
  return std::nullopt;
}

}  // namespace

// Receives a dump's units as the reader finds them and decides what each one is: the first
// bytes of a capture file (then all units together are that file), a packet, or payload.
class TextDecoder::DumpRouter final : public source::DumpSink {
 public:
  DumpRouter(TextDecoder& owner, std::string_view name)
      : owner_(owner), name_(name), payload_(owner.parser_, owner.sink_, owner.options_.max_frame) {
    ctx_.input = name_;
    if (owner.options_.name_input) ctx_.input_label = name_;
  }

  void unit_begin(const source::DumpUnit& unit) override {
    unit_ = unit;
    buf_.clear();
    streaming_ = false;
    in_unit_ = true;
  }
  void unit_bytes(std::string_view bytes) override {
    if (mode_ == Mode::capture) {
      capture_bytes_.append(bytes);
      return;
    }
    if (streaming_) {
      payload_.feed(bytes, ctx_);
      return;
    }
    buf_.append(bytes);
    if (mode_ == Mode::undecided && buf_.size() >= 4) decide_mode();
    if (mode_ == Mode::capture) {
      capture_bytes_.append(buf_);
      buf_.clear();
      return;
    }
    if (buf_.size() > max_packet) {  // too long for a packet: payload, streamed from here on
      streaming_ = true;
      ctx_.line.reset();
      payload_.feed(buf_, ctx_);
      buf_.clear();
    }
  }
  void unit_end() override {
    in_unit_ = false;
    if (mode_ == Mode::capture) return;
    if (mode_ == Mode::undecided) decide_mode();
    if (mode_ == Mode::capture) {
      capture_bytes_.append(buf_);
      buf_.clear();
      return;
    }
    if (streaming_) {
      payload_.finish(ctx_);
      return;
    }
    const auto link = guess_link_type(buf_);
    const bool packet_style = unit_.style == source::DumpStyle::tcpdump || unit_.style == source::DumpStyle::c_array;
    if (link && (packet_style || buf_.size() >= 40)) {
      packet(*link);
    } else {
      ctx_.ts_ns = unit_.ts_ns;
      payload_.feed(buf_, ctx_);
      payload_.finish(ctx_);
    }
    buf_.clear();
  }
  void problem(const source::DumpProblem& p) override {
    ++problems_;
    if (first_problem_.empty()) first_problem_ = fmt::format("{}: {}", name_, p.message);
    output::RecordContext ctx;
    ctx.input = name_;
    ctx.input_label = ctx_.input_label;
    ctx.line = p.line;
    ctx.column = p.column;
    output::ErrorRecord e;
    e.protocol = {};
    e.code = p.code;
    e.message = fmt::format("{}: {}", name_, p.message);
    ++errors_;
    owner_.sink_.error(ctx, e);
  }

  bool capture_mode() const { return mode_ == Mode::capture; }
  bool in_unit() const { return in_unit_; }
  std::string& capture_bytes() { return capture_bytes_; }
  void finish() {
    if (pipeline_) {
      pipeline_->finish();
      owner_.flows_seen_ += pipeline_->stats().flows;
      if (flows_) {
        messages_ += flows_->messages();
        errors_ += flows_->errors();
      }
    }
    messages_ += payload_.counters().messages;
    errors_ += payload_.counters().errors;
  }
  std::uint64_t problems() const { return problems_; }
  const std::string& first_problem() const { return first_problem_; }
  std::uint64_t messages() const { return messages_; }
  std::uint64_t errors() const { return errors_; }
  std::uint64_t units() const { return unit_.number; }

 private:
  enum class Mode : std::uint8_t { undecided, capture, units };

  void decide_mode() { mode_ = source::has_capture_magic(buf_) ? Mode::capture : Mode::units; }

  void packet(std::uint32_t link) {
    if (!pipeline_) {
      FlowDecoderOptions fopts = flow_options(owner_.options_);
      fopts.timeless = !unit_.ts_ns;  // C arrays carry no time
      if (!owner_.options_.observer)
        flows_ = std::make_unique<FlowDecoder>(owner_.parser_, owner_.sink_, std::string(name_), fopts);
      copts_ = owner_.options_.capture;
      copts_.file_offsets = false;
      pipeline_ = std::make_unique<net::PacketPipeline>(owner_.options_.observer ? *owner_.options_.observer : *flows_,
                                                        copts_);
    }
    source::Packet p;
    p.ts_ns = unit_.ts_ns.value_or(0);
    p.linktype = link;
    p.orig_len = static_cast<std::uint32_t>(buf_.size());
    p.data = {reinterpret_cast<const std::byte*>(buf_.data()), buf_.size()};
    p.number = unit_.number;
    pipeline_->add(p);
  }

  TextDecoder& owner_;
  std::string name_;
  StreamDecoder payload_;
  output::RecordContext ctx_;
  source::DumpUnit unit_;
  std::string buf_, capture_bytes_;
  Mode mode_ = Mode::undecided;
  bool streaming_ = false, in_unit_ = false;
  std::unique_ptr<FlowDecoder> flows_;
  net::CaptureOptions copts_;
  std::unique_ptr<net::PacketPipeline> pipeline_;
  std::uint64_t problems_ = 0, messages_ = 0, errors_ = 0;
  std::string first_problem_;
};

namespace {
// The bytes of a dumped capture file, read by the capture reader as the dump's lines arrive.
class DumpedCapture final : public source::ByteSource {
 public:
  DumpedCapture(source::LineReader& lines, source::HexDumpReader& reader, std::string& bytes, source::ByteSource& in,
                bool& finished)
      : lines_(lines), reader_(reader), bytes_(bytes), in_(in), finished_(finished) {}
  std::size_t read(char* into, std::size_t n) override {
    while (at_ >= bytes_.size()) {
      bytes_.clear();
      at_ = 0;
      source::LineReader::Line line;
      if (!lines_.next(line)) {
        if (!finished_) {
          finished_ = true;
          reader_.finish();
          continue;
        }
        return 0;
      }
      reader_.line(line.text);
    }
    const std::size_t take = std::min(n, bytes_.size() - at_);
    std::memcpy(into, bytes_.data() + at_, take);
    at_ += take;
    position_ += take;
    return take;
  }
  bool failed() const override { return in_.failed(); }
  std::string error() const override { return in_.error(); }
  bool stopped() const override { return in_.stopped(); }

 private:
  source::LineReader& lines_;
  source::HexDumpReader& reader_;
  std::string& bytes_;
  source::ByteSource& in_;
  std::size_t at_ = 0;
  bool& finished_;  // the dump reader was told the input ended
};
}  // namespace

InputStatus TextDecoder::hex(source::ByteSource& in, std::string_view name) {
  DumpRouter router(*this, name);
  source::DumpOptions dopts;
  dopts.tz_offset_s = options_.log_tz_s;
  source::HexDumpReader reader(router, dopts);
  source::LineReader lines(in, max_line);
  source::LineReader::Line line;
  InputStatus status;
  bool done = false, reader_finished = false;
  while (!done) {
    if (router.capture_mode()) {
      // The dump is of a capture file: the capture reader takes the dump's bytes from here on.
      FlowDecoderOptions fopts = flow_options(options_);
      FlowDecoder flows(parser_, sink_, std::string(name), fopts);
      net::CaptureOptions copts = options_.capture;
      copts.file_offsets = true;
      DumpedCapture bytes(lines, reader, router.capture_bytes(), in, reader_finished);
      source::CaptureReader capture(bytes, copts.capture);
      net::CaptureDecoder decoder(options_.observer ? *options_.observer : flows, copts);
      const auto stats = decoder.run(capture);
      flows_seen_ += stats.flows;
      counters_.messages += flows.messages();
      counters_.errors += flows.errors();
      if (stats.stopped_by_problem)
        status = {false, fmt::format("{}: the dumped capture is damaged after packet {} (see the error record)", name,
                                     stats.packets)};
      break;
    }
    if (!lines.next(line)) {
      reader.finish();
      reader_finished = true;
      if (!router.capture_mode()) done = true;
      continue;
    }
    // A line longer than the line limit (a hex stream) comes in pieces, each read as a line.
    reader.line(line.text);
  }
  router.finish();
  counters_.messages += router.messages();
  counters_.errors += router.errors();
  if (status.usable && router.problems() > 0) status = {false, router.first_problem()};
  if (status.usable && in.failed()) status = {false, fmt::format("{}: {}", name, in.error())};
  return status;
}

// ---- SMS -------------------------------------------------------------------------------------

InputStatus TextDecoder::sms(source::ByteSource& in_source, std::string_view name) {
  ChunkReader in(in_source);
  output::RecordContext ctx;
  ctx.input = name;
  if (options_.name_input) ctx.input_label = name;
  gotop::Message msg;
  gotop::DecodeError err;
  std::string text;
  std::uint64_t offset = 0, start = 0;
  auto flush = [&] {
    const std::string unescaped = source::unescape_newlines(text);
    if (!util::trim(unescaped).empty()) {
      ctx.offset = start;
      ctx.column.reset();
      if (parser_.parse_sms(unescaped, msg, err)) {
        ++counters_.messages;
        sink_.message(ctx, msg);
      } else {
        output::ErrorRecord e;
        e.code = gotop::to_string(err.code);
        ctx.column = err.column;
        e.message = fmt::format("{}: SMS at byte {}: {}", name, start, err.message);
        e.raw = unescaped;
        e.type = err.type;
        e.dir = gotop::Direction::sms;
        ++counters_.errors;
        sink_.error(ctx, e);
      }
    }
    text.clear();
  };
  std::string line;
  auto take_line = [&](std::string_view l) {
    if (util::trim(l).empty()) {
      flush();
      start = offset + l.size();
    } else if (text.size() + l.size() <= max_sms) {
      text.append(l);
    } else {
      output::ErrorRecord e;
      e.code = "truncated";
      e.message = fmt::format("{}: SMS at byte {} is over {} bytes; the rest of it is skipped", name, start, max_sms);
      e.raw = util::trim(l).substr(0, 64);
      e.length = l.size();
      ctx.offset = offset;
      ++counters_.errors;
      sink_.error(ctx, e);
    }
    offset += l.size();
  };
  for (std::string_view chunk = in.next(); !chunk.empty(); chunk = in.next()) {
    while (!chunk.empty()) {
      const auto nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        line.append(chunk);
        if (line.size() > max_sms) {
          take_line(line);
          line.clear();
        }
        break;
      }
      line.append(chunk.substr(0, nl + 1));
      chunk.remove_prefix(nl + 1);
      take_line(line);
      line.clear();
    }
  }
  if (!line.empty()) take_line(line);
  flush();
  if (in.failed()) return {false, fmt::format("{}: read error after byte {}", name, offset)};
  return {};
}

}  // namespace vt106::decode
