// Opening an input by name for every subcommand that reads files: the file or standard input
// read as its bytes arrive, decompressed when it is gzip, and what it holds told from its first
// bytes (and, for captures, from its name, so that a damaged header is reported as such).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vt106/decode/text_decode.hpp"
#include "vt106/source/byte_source.hpp"

namespace vt106::decode {

class OpenedInput {
 public:
  // Opens `name` ("-": standard input). When it cannot be opened, error() says why.
  explicit OpenedInput(const std::string& name);
  ~OpenedInput();
  OpenedInput(const OpenedInput&) = delete;
  OpenedInput& operator=(const OpenedInput&) = delete;

  const std::string& error() const { return error_; }
  int fd() const { return fd_; }
  // Called when the input pauses (to flush output); set before reading.
  void on_pause(std::function<void()> callback);
  // What the input holds, from its first bytes (waits only for them).
  Sniffed kind();
  // The bytes, decompressed; the first ones that kind() looked at are read again.
  source::ByteSource& bytes();
  // Decompression failed part way (the records before it were decoded).
  bool gzip_failed() const;
  std::string gzip_error() const;

 private:
  std::string name_;
  std::string error_;
  int fd_ = -1;
  std::unique_ptr<source::FdSource> file_;
  std::unique_ptr<source::PeekSource> raw_;
  std::unique_ptr<source::GzipSource> gunzip_;
  std::unique_ptr<source::PeekSource> inflated_;
  source::PeekSource* in_ = nullptr;
};

// What the bytes of `in` hold, from their first bytes: four for a capture or gzip, else the first
// lines (at most four and 4 KiB, fewer when the input pauses or ends first). Only what it looked
// at decides, however the bytes arrived.
Sniffed sniff_source(source::PeekSource& in);

// The files a list of names stands for: a directory is every regular file below it in name
// order (hidden ones left out); problems (an unreadable or empty directory) are appended.
std::vector<std::string> expand_inputs(const std::vector<std::string>& names, std::vector<std::string>& problems);

}  // namespace vt106::decode
