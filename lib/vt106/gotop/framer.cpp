// '#' frame splitting: buffering, the frame length limit, and raw-text bookkeeping.
#include <cstring>

#include "vt106/gotop/framer.hpp"

#include "vt106/util/text.hpp"

namespace vt106::gotop {

using util::is_space;

StreamStart classify_stream_start(std::string_view b) {
  const std::string_view t = util::trim(b);
  if (t.empty()) return StreamStart::undecided;
  const char c = t.front();
  if (util::is_digit(c) || t.starts_with("RESET!")) return StreamStart::gotop;
  if (c != '#' && c != ':') return StreamStart::other;
  if (t.size() == 1) return StreamStart::undecided;  // the next byte decides
  return util::is_digit(t[1]) ? StreamStart::gotop : StreamStart::other;  // "##,imei:" is GPS103
}

bool starts_like_gotop(std::string_view b) {
  switch (classify_stream_start(b)) {
    case StreamStart::gotop: return true;
    case StreamStart::undecided: return false;  // wait for more bytes
    case StreamStart::other: break;
  }
  const std::string_view t = util::trim(b);
  for (std::size_t at = t.find('#'); at != std::string_view::npos; at = t.find('#', at + 1)) {
    std::size_t n = 0;
    while (at + 1 + n < t.size() && util::is_digit(t[at + 1 + n])) ++n;
    if (n >= 15 && at + 1 + n < t.size() && t[at + 1 + n] == ',') return true;
  }
  return false;
}

void FrameSplitter::start_segment(bool opened) {
  buf_.clear();
  overflow_ = 0;
  skipped_ = 0;
  skipping_blank_ = false;
  opened_ = opened;
  // Called with offset_ at the opening '#' (or at the first byte of an unopened segment).
  seg_offset_ = offset_;
  if (opened) buf_.push_back('#');
}

std::size_t FrameSplitter::skip_blank(std::string_view& bytes) {
  std::size_t lead = 0;
  while (lead < bytes.size() && is_space(bytes[lead])) ++lead;
  bytes.remove_prefix(lead);
  return lead;
}

void FrameSplitter::append(std::string_view bytes) {
  if (bytes.empty()) return;
  if (overflow_ > 0) {
    overflow_ += bytes.size();
    return;
  }
  if (skipping_blank_) {
    skipped_ += skip_blank(bytes);
    if (bytes.empty()) return;
    skipping_blank_ = false;  // the body begins
  }
  const std::size_t body_now = buf_.size() - head();
  if (body_now + bytes.size() > max_frame_) {
    // Whitespace between frames never counts towards the limit of a frame that has not begun:
    // once more of it than the limit has come, all of it up to the body is skipped (and counted
    // in the piece's length), however the bytes were sliced.
    if (blank()) {
      std::string_view rest = bytes;
      const std::size_t lead = skip_blank(rest);
      if (body_now + lead > max_frame_) {
        skipped_ += body_now + lead;
        buf_.resize(head());
        skipping_blank_ = rest.empty();
        append(rest);
        return;
      }
    }
    const std::size_t room = max_frame_ - body_now;
    buf_.append(bytes.substr(0, room));
    overflow_ = body_now + bytes.size();
    return;
  }
  buf_.append(bytes);
}

bool FrameSplitter::blank() const {
  for (std::size_t i = opened_ ? 1 : 0; i < buf_.size(); ++i)
    if (!is_space(buf_[i])) return false;
  return true;
}

std::string_view FrameSplitter::body_view() const {
  std::string_view v(buf_);
  if (opened_ && !v.empty()) v.remove_prefix(1);
  if (!v.empty() && v.back() == '#') v.remove_suffix(1);
  return v;
}

void FrameSplitter::trim_downlink_opener(Piece& p) const {
  // ":123456F#" glued after another frame shares that frame's '#'; it is not part of the command.
  std::string_view b = p.body;
  std::size_t lead = 0;
  while (lead < b.size() && is_space(b[lead])) ++lead;
  if (lead < b.size() && b[lead] == ':') {
    const std::size_t skip = (p.opened ? 1 : 0) + lead;
    p.text.remove_prefix(skip);
    p.body.remove_prefix(lead);
    p.offset += skip + (p.opened ? skipped_ : 0);
    p.length -= skip + (p.opened ? skipped_ : 0);
  }
}

}  // namespace vt106::gotop
