// Text, hex and SMS inputs: line handling and position reporting around the stream decoder.
#include "vt106/decode/text_decode.hpp"

#include <fmt/format.h>

#include "vt106/util/text.hpp"

namespace vt106::decode {

namespace {
constexpr std::size_t chunk_size = 1 << 16;
constexpr std::size_t max_sms = 1 << 14;  // an SMS is at most a few hundred characters
}

std::string_view ChunkReader::next() {
  if (!head_done_) {
    head_done_ = true;
    if (!head_.empty()) return head_;
  }
  if (!in_) return {};
  buf_.resize(chunk_size);
  const std::size_t n = std::fread(buf_.data(), 1, buf_.size(), in_);
  buf_.resize(n);
  return buf_;
}

ChunkReader string_reader(std::string text) { return ChunkReader(nullptr, std::move(text)); }

InputStatus TextDecoder::text(ChunkReader& in, std::string_view name) {
  StreamDecoder dec(parser_, sink_, max_frame_);
  output::RecordContext ctx;
  ctx.input = name;
  std::string line;  // a partial line carried between chunks, capped at one chunk
  for (std::string_view chunk = in.next(); !chunk.empty(); chunk = in.next()) {
    while (!chunk.empty()) {
      const auto nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        line.append(chunk);
        if (line.size() >= chunk_size) {  // a very long line: pass it on as stream data
          dec.feed(line, ctx);
          line.clear();
        }
        break;
      }
      line.append(chunk.substr(0, nl + 1));
      chunk.remove_prefix(nl + 1);
      dec.feed_text_line(line, ctx);
      line.clear();
    }
  }
  if (!line.empty()) dec.feed_text_line(line, ctx);
  dec.finish(ctx);
  counters_.messages += dec.counters().messages;
  counters_.errors += dec.counters().errors;
  if (in.failed()) return {false, fmt::format("{}: read error after byte {}", name, dec.offset())};
  return {};
}

InputStatus TextDecoder::hex(ChunkReader& in, std::string_view name) {
  StreamDecoder dec(parser_, sink_, max_frame_);
  output::RecordContext ctx;
  ctx.input = name;
  // A streaming hex reader: separators (whitespace, ':', '-') and "0x" prefixes are skipped;
  // a digit pair may straddle chunks and lines. Positions are counted as line:column.
  std::string bytes;
  int pending = -1;           // high nibble waiting for its partner
  bool zero_seen = false;     // a '0' that may begin "0x"
  std::size_t line = 1, column = 0, pending_line = 0, pending_column = 0;
  InputStatus status;
  auto value = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
  };
  auto digit = [&](int v) {
    if (pending < 0) {
      pending = v;
      pending_line = line;
      pending_column = column;
    } else {
      bytes.push_back(static_cast<char>(pending * 16 + v));
      pending = -1;
    }
  };
  for (std::string_view chunk = in.next(); !chunk.empty() && status.usable; chunk = in.next()) {
    bytes.clear();
    for (char c : chunk) {
      ++column;
      if (zero_seen) {
        zero_seen = false;
        if (c == 'x' || c == 'X') continue;
        digit(0);
      }
      if (c == '0' && pending < 0) {
        zero_seen = true;
      } else if (util::is_hex_digit(c)) {
        digit(value(c));
      } else if (c == '\n') {
        ++line;
        column = 0;
      } else if (!util::is_space(c) && c != ':' && c != '-') {
        status = {false, fmt::format("{}: line {}, column {}: '{}' is not a hex digit", name, line, column, c)};
        break;
      }
    }
    dec.feed(bytes, ctx);
  }
  if (zero_seen) digit(0);
  if (status.usable && pending >= 0)
    status = {false, fmt::format("{}: line {}, column {}: odd number of hex digits, this one has no partner", name,
                                 pending_line, pending_column)};
  if (status.usable && in.failed()) status = {false, fmt::format("{}: read error at line {}", name, line)};
  dec.finish(ctx);
  counters_.messages += dec.counters().messages;
  counters_.errors += dec.counters().errors;
  return status;
}

InputStatus TextDecoder::sms(ChunkReader& in, std::string_view name) {
  output::RecordContext ctx;
  ctx.input = name;
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
