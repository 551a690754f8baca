// Inputs by name: open, decompress, recognise.
#include "vt106/decode/input.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace vt106::decode {

namespace {
bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() > tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}
}  // namespace

OpenedInput::OpenedInput(const std::string& name) : name_(name) {
  fd_ = name == "-" ? STDIN_FILENO : ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    error_ = fmt::format("{}: cannot open: {}", name, std::strerror(errno));
    return;
  }
  file_ = std::make_unique<source::FdSource>(fd_, name != "-");
  raw_ = std::make_unique<source::PeekSource>(*file_);
  in_ = raw_.get();
}

OpenedInput::~OpenedInput() = default;

void OpenedInput::on_pause(std::function<void()> callback) {
  if (file_) file_->on_pause(std::move(callback));
}

Sniffed OpenedInput::kind() {
  if (!in_) return Sniffed::text;
  if (!gunzip_ && source::GzipSource::magic(raw_->peek(2))) {  // a rotated log or capture, compressed
    gunzip_ = std::make_unique<source::GzipSource>(*raw_);
    inflated_ = std::make_unique<source::PeekSource>(*gunzip_);
    in_ = inflated_.get();
  }
  Sniffed k = sniff_source(*in_);
  std::string_view base = name_;
  if (ends_with(base, ".gz")) base.remove_suffix(3);
  for (const char* ext : {".pcap", ".pcapng", ".cap"})
    if (ends_with(base, ext)) k = Sniffed::capture;
  return k;
}

source::ByteSource& OpenedInput::bytes() { return *in_; }

bool OpenedInput::gzip_failed() const { return gunzip_ && gunzip_->failed(); }
std::string OpenedInput::gzip_error() const { return gunzip_ ? gunzip_->error() : std::string(); }

Sniffed sniff_source(source::PeekSource& in) {
  constexpr std::size_t head_bytes = 4096, head_lines = 4;
  if (const Sniffed k = sniff(in.peek(4)); k == Sniffed::capture) return k;
  // A read may bring more than was asked for: cut to what the rule looks at, so that the answer
  // does not depend on how the bytes arrived.
  std::string_view head = in.peek(head_bytes, head_lines).substr(0, head_bytes);
  std::size_t at = 0;
  for (std::size_t n = 0; n < head_lines; ++n) {
    const std::size_t nl = head.find('\n', at);
    if (nl == std::string_view::npos) break;
    at = nl + 1;
    if (n + 1 == head_lines) head = head.substr(0, at);
  }
  return sniff(head);
}

std::vector<std::string> expand_inputs(const std::vector<std::string>& names, std::vector<std::string>& problems) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const auto& name : names) {
    std::error_code ec;
    if (name == "-" || !fs::is_directory(name, ec)) {
      out.push_back(name);
      continue;
    }
    std::vector<std::string> files;
    fs::recursive_directory_iterator it(name, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      const auto base = it->path().filename().string();
      if (!base.empty() && base.front() == '.') {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec)) files.push_back(it->path().string());
    }
    if (ec) problems.push_back(fmt::format("{}: cannot read the directory: {}", name, ec.message()));
    else if (files.empty()) problems.push_back(fmt::format("{}: the directory holds no files to decode", name));
    std::sort(files.begin(), files.end());
    for (auto& f : files) out.push_back(std::move(f));
  }
  return out;
}

}  // namespace vt106::decode
