// Turns framer pieces into message and error records; the one place where parse results and
// framing problems become output.
#include "vt106/decode/stream_decoder.hpp"

#include <fmt/format.h>

#include "vt106/util/text.hpp"

namespace vt106::decode {

namespace {
// A body that does not even begin like a frame: uplink bodies start with the identifier's
// digits, commands with ':' (or "RESET!").
bool looks_like_frame_start(std::string_view body) {
  body = util::trim(body);
  return !body.empty() && (util::is_digit(body.front()) || body.front() == ':' || body.starts_with("RESET!"));
}
// A body that began before the stream did: accept it only when it starts with a full
// 15-digit identifier and a comma, or is a command.
bool complete_without_opener(std::string_view body) {
  body = util::trim(body);
  if (!body.empty() && (body.front() == ':' || body.starts_with("RESET!"))) return true;
  std::size_t n = 0;
  while (n < body.size() && util::is_digit(body[n])) ++n;
  return n >= 15 && n < body.size() && body[n] == ',';
}
}  // namespace

void StreamDecoder::feed(std::string_view bytes, output::RecordContext& ctx) {
  splitter_.feed(bytes, [&](const gotop::Piece& p) { on_piece(p, ctx); });
}

void StreamDecoder::gap(std::uint64_t missing, output::RecordContext& ctx) {
  in_gap_ = true;
  splitter_.gap(missing, [&](const gotop::Piece& p) { on_piece(p, ctx); });
  in_gap_ = false;
  after_gap_ = true;
}

void StreamDecoder::finish(output::RecordContext& ctx) {
  splitter_.finish([&](const gotop::Piece& p) { on_piece(p, ctx); });
}

void StreamDecoder::feed_text_line(std::string_view line, output::RecordContext& ctx) {
  const std::string_view body = util::trim(line);
  if (line.find('#') != std::string_view::npos || splitter_.open_body() || body.empty()) {
    feed(line, ctx);
    return;
  }
  const std::uint64_t at = splitter_.offset() + static_cast<std::uint64_t>(body.data() - line.data());
  // Keep offsets true: the framer skips the line as whitespace-free data it never sees.
  splitter_.gap(line.size(), [&](const gotop::Piece& p) { on_piece(p, ctx); });
  decode_body(body, body, at, 0, true, ctx);
}

void StreamDecoder::decode_line(std::string_view text, std::uint64_t offset, output::RecordContext& ctx) {
  splitter_.restart_at(offset);
  after_gap_ = false;
  const auto last = text.rfind('#');
  if (last == std::string_view::npos) {  // a bare body, as some logs quote frames
    const std::string_view body = util::trim(text);
    if (!body.empty())
      decode_body(body, body, offset + static_cast<std::uint64_t>(body.data() - text.data()), 0, true, ctx);
    splitter_.restart_at(offset + text.size());
    return;
  }
  // What follows the last '#' of a frame is the log's own text ("… (19 bytes)"), unless it
  // starts a frame that the line cut short; after the only '#' it is that frame, unclosed.
  const std::string_view tail = text.substr(last + 1);
  if (last > 0 && (!looks_like_frame_start(tail) || util::trim(tail).size() != tail.size()))
    text = text.substr(0, last + 1);
  feed(text, ctx);
  splitter_.finish([&](const gotop::Piece& p) { on_piece(p, ctx); });
}

namespace {
// Where a frame starts, as the reader of the input will look for it: "line 12, column 34" in
// text inputs, "byte 1234" in streams.
std::string where(const output::RecordContext& ctx, std::uint64_t offset) {
  if (ctx.line && ctx.line_offset && offset >= *ctx.line_offset)
    return fmt::format("line {}, column {}", *ctx.line, offset - *ctx.line_offset + 1);
  return fmt::format("byte {}", offset);
}
}  // namespace

void StreamDecoder::on_piece(const gotop::Piece& p, output::RecordContext& ctx) {
  using Kind = gotop::Piece::Kind;
  if (p.opened) after_gap_ = false;
  output::ErrorRecord e;
  ctx.offset = p.offset;
  ctx.column.reset();
  if (p.kind == Kind::frame) {
    decode_body(p.body, p.text, p.offset, static_cast<std::size_t>(p.body.data() - p.text.data()), p.opened, ctx);
    return;
  }
  if (p.kind == Kind::too_long) {
    e.code = "frame_too_long";
    e.message = fmt::format("{}: frame at {} is {} bytes long, over the limit of {} (raw shows its start)",
                            ctx.input, where(ctx, p.offset), p.length, p.text.size() - (p.opened ? 1 : 0));
  } else {
    e.code = "truncated";
    e.message = in_gap_ ? fmt::format("{}: bytes missing from the capture cut short the frame that starts at {} "
                                      "({} bytes before the gap)", ctx.input, where(ctx, p.offset), p.length)
                        : ctx.line ? fmt::format("{}: the line ended inside a frame that starts at {} ({} bytes, no closing '#')",
                                                 ctx.input, where(ctx, p.offset), p.length)
                                   : fmt::format("{}: input ended inside a frame that starts at {} ({} bytes, no closing '#')",
                                                 ctx.input, where(ctx, p.offset), p.length);
  }
  e.raw = p.text;
  e.length = p.length;
  e.dir = stream_dir_;
  ++counters_.errors;
  sink_->error(ctx, e);
}

void StreamDecoder::decode_body(std::string_view body, std::string_view raw, std::uint64_t offset,
                                std::size_t body_at, bool opened, output::RecordContext& ctx) {
  ctx.offset = offset;
  ctx.column.reset();
  output::ErrorRecord e;
  e.raw = raw;
  e.dir = stream_dir_;
  if (!looks_like_frame_start(body) || (!opened && !complete_without_opener(body))) {
    e.code = "junk";
    if (opened)
      e.message = fmt::format("{}: {} bytes at {} are not a GOTOP frame", ctx.input, raw.size(), where(ctx, offset));
    else if (after_gap_)
      e.message = fmt::format("{}: {} bytes at byte {} after missing bytes are the rest of a frame whose start "
                              "is missing", ctx.input, raw.size(), offset);
    else
      e.message = fmt::format("{}: {} bytes at byte {} before the first '#' are not a whole frame "
                              "(text before a frame, or a stream that began mid-frame)", ctx.input, raw.size(), offset);
    ++counters_.errors;
    sink_->error(ctx, e);
    return;
  }
  if (parser_->parse_frame(body, msg_, err_)) {
    msg_.raw = raw;
    if (!msg_.imei.empty()) {
      if (first_imei_.empty()) first_imei_ = msg_.imei;
      if (msg_.dir == gotop::Direction::up && last_imei_ != msg_.imei) last_imei_ = msg_.imei;
    } else if (device_imei_ != nullptr && msg_.dir == gotop::Direction::down) {
      msg_.imei = *device_imei_;
    }
    ++counters_.messages;
    sink_->message(ctx, msg_);
    return;
  }
  e.code = gotop::to_string(err_.code);
  ctx.column = body_at + err_.column;
  e.message = ctx.line && ctx.line_offset
                  ? fmt::format("{}: frame at line {}, column {}: {}", ctx.input, *ctx.line,
                                offset - *ctx.line_offset + *ctx.column + 1, err_.message)
                  : fmt::format("{}: frame at byte {}, column {}: {}", ctx.input, offset, *ctx.column, err_.message);
  e.imei = err_.imei;
  e.type = err_.type;
  e.dir = err_.dir ? err_.dir : stream_dir_;
  ++counters_.errors;
  sink_->error(ctx, e);
}

}  // namespace vt106::decode
