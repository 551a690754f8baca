// Splits a GOTOP byte stream into frames. Uplink frames are '#'+body+'#' and downlink frames
// ':'+password+command+'#'; bodies never contain '#', so every '#' is a boundary and the
// splitter resynchronises by itself after garbage (GOTOP V5.0 sheet; Traccar splits on '#').
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "vt106/util/text.hpp"

namespace vt106::gotop {

// Default cap on a frame body, as in Traccar's '#' frame decoder; TL402 bodies stay below 300.
inline constexpr std::size_t default_max_frame = 1024;

struct Piece {
  enum class Kind : std::uint8_t {
    frame,      // a candidate frame: body between two boundaries (or the stream start)
    too_long,   // a body longer than the limit; `text` holds its first max_frame bytes
    truncated,  // the stream ended (or a gap came) inside a body
  };
  Kind kind = Kind::frame;
  std::string_view text;    // the frame as received, with its delimiters when present
  std::string_view body;    // text without delimiters
  std::uint64_t offset = 0; // stream offset of text[0]
  std::uint64_t length = 0; // bytes the piece covers in the stream (> text.size() for too_long)
  bool opened = true;       // false when no '#' came before the body (stream start or after a gap)
};

// How a stream begins, judged by GOTOP's framing alone: a frame ('#' and a digit), a command
// (':' and a digit, or "RESET!") or a bare body (a digit) is `gotop`; anything else is `other`;
// `undecided` while only blanks, or a lone '#' or ':', have come. Live endpoints, the capture
// decoder and the listener all decide with this one rule.
enum class StreamStart : std::uint8_t { gotop, other, undecided };
StreamStart classify_stream_start(std::string_view first_bytes);
// A flow is GOTOP when its first bytes say so, or — since a capture may begin mid-frame — when
// a "#<IMEI>," frame follows some leading text. False while undecided. Decode's flows and the
// Wireshark dissector's conversations are judged by this rule.
bool starts_like_gotop(std::string_view first_bytes);

class FrameSplitter {
 public:
  explicit FrameSplitter(std::size_t max_frame = default_max_frame) : max_frame_(max_frame) {}

  // Feeds the next bytes of the stream; calls on_piece(const Piece&) for every complete piece.
  template <class OnPiece>
  void feed(std::string_view data, OnPiece&& on_piece) {
    std::size_t pos = 0;
    while (pos < data.size()) {
      // Frames follow each other ("#…##…#"): the next '#' is often the very next byte.
      const void* hit = data[pos] == '#' ? data.data() + pos : std::memchr(data.data() + pos, '#', data.size() - pos);
      const std::size_t end = hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - data.data())
                                  : data.size();
      // The common case: a whole frame in these bytes, its opening '#' at pos - 1 and nothing
      // buffered. It is passed on where it lies, with no copy; the state stays "just opened".
      if (hit && pos > 0 && fresh() && end - pos <= max_frame_ && (end == pos || !util::is_space(data[pos]))) {
        if (end > pos) {
          Piece p{Piece::Kind::frame, data.substr(pos - 1, end - pos + 2), data.substr(pos, end - pos), seg_offset_,
                  end - pos + 2, true};
          trim_downlink_opener(p);
          on_piece(p);
        }
        offset_ += end - pos;
        seg_offset_ = offset_;  // the closing '#' opens the next segment
        ++offset_;
        pos = end + 1;
        continue;
      }
      append(data.substr(pos, end - pos));
      offset_ += end - pos;
      pos = end;
      if (hit) {
        close_segment(on_piece);
        ++offset_;
        ++pos;
      }
    }
  }

  // Bytes of the stream are missing (a capture gap): the open body cannot be completed.
  template <class OnPiece>
  void gap(std::uint64_t missing, OnPiece&& on_piece) {
    flush_partial(on_piece);
    offset_ += missing;
    start_segment(false);
  }

  // The stream ended: a body still open is reported as truncated.
  template <class OnPiece>
  void finish(OnPiece&& on_piece) {
    flush_partial(on_piece);
    start_segment(false);
  }

  // Forgets the open body (the caller reported or finished it) and goes on at stream offset
  // `offset`: text inputs decode each line on its own, with offsets true to the input.
  void restart_at(std::uint64_t offset) {
    offset_ = offset;
    start_segment(false);
  }
  std::uint64_t offset() const { return offset_; }
  // True while a body has begun (anything but whitespace since the last boundary).
  bool open_body() const { return overflow_ > 0 || !blank(); }

 private:
  void append(std::string_view bytes);
  // Just after an opening '#', with nothing buffered or skipped.
  bool fresh() const { return opened_ && buf_.size() == 1 && overflow_ == 0 && skipped_ == 0 && !skipping_blank_; }

  void start_segment(bool opened);
  bool blank() const;
  std::size_t head() const { return opened_ ? 1 : 0; }

  template <class OnPiece>
  void close_segment(OnPiece&& on_piece) {
    if (overflow_ > 0) {
      Piece p{Piece::Kind::too_long, buf_, body_view(), piece_offset(), covered(head() + overflow_ + 1), opened_};
      on_piece(p);
    } else if (!blank()) {
      buf_.push_back('#');
      Piece p{Piece::Kind::frame, buf_, body_view(), piece_offset(), covered(buf_.size()), opened_};
      trim_downlink_opener(p);
      on_piece(p);
    }
    start_segment(true);
  }

  template <class OnPiece>
  void flush_partial(OnPiece&& on_piece) {
    if (overflow_ > 0) {
      Piece p{Piece::Kind::too_long, buf_, body_view(), piece_offset(), covered(head() + overflow_), opened_};
      on_piece(p);
    } else if (!blank()) {
      Piece p{Piece::Kind::truncated, buf_, body_view(), piece_offset(), covered(buf_.size()), opened_};
      on_piece(p);
    }
  }

  // Skipped whitespace lies between the opening '#' and the body, or before an unopened body.
  std::uint64_t piece_offset() const { return seg_offset_ + (opened_ ? 0 : skipped_); }
  std::uint64_t covered(std::uint64_t kept) const { return kept + (opened_ ? skipped_ : 0); }
  static std::size_t skip_blank(std::string_view& bytes);

  std::string_view body_view() const;
  void trim_downlink_opener(Piece& p) const;

  std::size_t max_frame_;
  std::string buf_;            // the open segment, with its opening '#' when there was one
  std::uint64_t offset_ = 0;   // stream offset of the next byte fed
  std::uint64_t seg_offset_ = 0;
  std::uint64_t overflow_ = 0; // body bytes seen in the open segment once it went over the limit
  std::uint64_t skipped_ = 0;  // whitespace before the body, dropped because there was too much of it
  bool skipping_blank_ = false; // dropping that whitespace until the body begins
  bool opened_ = false;
};

}  // namespace vt106::gotop
