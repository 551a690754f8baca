// A sticky cursor for checking text signatures step by step: each step either consumes input,
// hits the end of what arrived (the message may still be valid: need more bytes) or finds a
// contradiction; after the first end or contradiction the remaining steps do nothing.
#pragma once

#include <cstddef>
#include <string_view>

#include "vt106/detect/bytes.hpp"

namespace vt106::detect {

class Cursor {
 public:
  enum class State : std::uint8_t { ok, end, bad };

  explicit Cursor(const Bytes& b, std::size_t pos = 0) : b_(b), pos_(pos) {}

  bool ok() const { return state_ == State::ok; }
  bool ended() const { return state_ == State::end; }  // agrees so far, input ran out
  bool bad() const { return state_ == State::bad; }
  std::size_t pos() const { return pos_; }
  State state() const { return state_; }

  // Exactly these bytes.
  Cursor& lit(std::string_view s) {
    for (std::size_t i = 0; i < s.size() && ok(); ++i) {
      const int c = b_.at(pos_);
      if (c < 0) state_ = State::end;
      else if (c != static_cast<unsigned char>(s[i])) state_ = State::bad;
      else ++pos_;
    }
    return *this;
  }
  // A run of between min and max bytes satisfying `pred`, ended by a byte that does not (which
  // is not consumed). `count`, when given, receives the run's length.
  template <class Pred>
  Cursor& run(Pred pred, std::size_t min, std::size_t max, std::size_t* count = nullptr) {
    if (!ok()) return *this;
    std::size_t n = 0;
    while (n <= max && pred(b_.at(pos_ + n))) ++n;
    if (count) *count = n;
    if (n > max) {
      state_ = State::bad;
    } else if (b_.at(pos_ + n) < 0) {
      pos_ += n;
      state_ = State::end;
    } else if (n < min) {
      state_ = State::bad;
    } else {
      pos_ += n;
    }
    return *this;
  }
  Cursor& digits(std::size_t min, std::size_t max, std::size_t* count = nullptr) {
    return run([](int c) { return c >= '0' && c <= '9'; }, min, max, count);
  }
  Cursor& hex(std::size_t min, std::size_t max, std::size_t* count = nullptr) {
    return run([](int c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); },
               min, max, count);
  }
  Cursor& upper(std::size_t min, std::size_t max, std::size_t* count = nullptr) {
    return run([](int c) { return c >= 'A' && c <= 'Z'; }, min, max, count);
  }
  Cursor& alnum(std::size_t min, std::size_t max, std::size_t* count = nullptr) {
    return run(is_alnum, min, max, count);
  }
  // One byte satisfying `pred`.
  template <class Pred>
  Cursor& one(Pred pred) {
    if (!ok()) return *this;
    const int c = b_.at(pos_);
    if (c < 0) state_ = State::end;
    else if (!pred(c)) state_ = State::bad;
    else ++pos_;
    return *this;
  }
  // Printable text up to and including `stop`, within `max` bytes.
  Cursor& text_until(char stop, std::size_t max) {
    if (!ok()) return *this;
    for (std::size_t n = 0; n <= max; ++n) {
      const int c = b_.at(pos_ + n);
      if (c < 0) {
        pos_ += n;
        state_ = State::end;
        return *this;
      }
      if (c == static_cast<unsigned char>(stop)) {
        pos_ += n + 1;
        return *this;
      }
      if (!is_printable(c)) break;
    }
    state_ = State::bad;
    return *this;
  }

 private:
  const Bytes& b_;
  std::size_t pos_;
  State state_ = State::ok;
};

}  // namespace vt106::detect
