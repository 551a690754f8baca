// Output text gathered in a string and written to a FILE* in blocks, or after every record.
#pragma once

#include <cstdio>
#include <string>

namespace vt106::output {

class BufferedFile {
 public:
  BufferedFile(std::FILE* out, bool flush_each) : out_(out), flush_each_(flush_each) {}
  ~BufferedFile() { flush(); }
  BufferedFile(const BufferedFile&) = delete;
  BufferedFile& operator=(const BufferedFile&) = delete;

  // Where the text goes; call end_record() after each record.
  std::string& text() { return buf_; }
  void end_record() {
    if (flush_each_ || buf_.size() >= block_bytes) flush();
  }
  void flush() {
    if (!buf_.empty()) {
      std::fwrite(buf_.data(), 1, buf_.size(), out_);
      buf_.clear();
    }
    std::fflush(out_);
  }

 private:
  static constexpr std::size_t block_bytes = 1 << 16;
  std::FILE* out_;
  bool flush_each_;
  std::string buf_;
};

}  // namespace vt106::output
