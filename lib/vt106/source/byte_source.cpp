// Byte sources: read(2) with pause and stop handling, memory, gzip (zlib), peeking, lines.
#include "vt106/source/byte_source.hpp"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace vt106::source {

namespace {
const volatile std::sig_atomic_t* stop_flag = nullptr;
constexpr int stop_check_ms = 200;  // how often a wait on a quiet pipe looks at the stop flag
}  // namespace

void set_stop_flag(const volatile std::sig_atomic_t* flag) { stop_flag = flag; }
bool stop_requested() { return stop_flag != nullptr && *stop_flag != 0; }

// ---- FdSource --------------------------------------------------------------------------------

FdSource::FdSource(int fd, bool owned) : fd_(fd), owned_(owned) {
  struct stat st {};
  regular_ = ::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode);
}

FdSource::~FdSource() {
  if (owned_ && fd_ >= 0) ::close(fd_);
}

std::size_t FdSource::read(char* into, std::size_t n) {
  if (n == 0 || errno_ != 0) return 0;
  for (;;) {
    if (stop_requested()) {
      stopped_ = true;
      return 0;
    }
    if (!regular_) {
      // Nothing to read now: the input paused, which is when output should reach its reader.
      pollfd p{fd_, POLLIN, 0};
      int ready = ::poll(&p, 1, 0);
      if (ready == 0) {
        if (on_pause_) on_pause_();
        ready = ::poll(&p, 1, stop_check_ms);
      }
      if (ready == 0 || (ready < 0 && errno == EINTR)) continue;
    }
    const ssize_t got = ::read(fd_, into, n);
    if (got >= 0) {
      position_ += static_cast<std::uint64_t>(got);
      return static_cast<std::size_t>(got);
    }
    if (errno == EINTR || errno == EAGAIN) continue;
    errno_ = errno;
    return 0;
  }
}

bool FdSource::ready() {
  if (regular_) return true;
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, 0) != 0;
}

std::string FdSource::error() const {
  if (errno_ == 0) return {};
  if (errno_ == EISDIR) return "is a directory";
  return fmt::format("read failed after byte {}: {}", position_, std::strerror(errno_));
}

// ---- MemorySource ----------------------------------------------------------------------------

std::size_t MemorySource::read(char* into, std::size_t n) {
  const std::size_t take = std::min(n, bytes_.size() - at_);
  if (take > 0) std::memcpy(into, bytes_.data() + at_, take);
  at_ += take;
  position_ += take;
  return take;
}

// ---- GzipSource ------------------------------------------------------------------------------

struct GzipSource::State {
  z_stream z{};
  char in[1 << 16];
  bool ready = false;
  bool member_done = false;  // between members: more input may start another one
  std::uint64_t compressed = 0;
};

bool GzipSource::magic(std::string_view b) {
  return b.size() >= 2 && static_cast<unsigned char>(b[0]) == 0x1f && static_cast<unsigned char>(b[1]) == 0x8b;
}

GzipSource::GzipSource(ByteSource& compressed) : in_(compressed), z_(std::make_unique<State>()) {
  // 15 + 16: gzip framing only, the largest window.
  if (inflateInit2(&z_->z, 15 + 16) != Z_OK) error_ = "cannot start gzip decompression";
  else z_->ready = true;
}

GzipSource::~GzipSource() {
  if (z_->ready) inflateEnd(&z_->z);
}

std::size_t GzipSource::read(char* into, std::size_t n) {
  if (!error_.empty() || n == 0) return 0;
  z_stream& z = z_->z;
  z.next_out = reinterpret_cast<Bytef*>(into);
  z.avail_out = static_cast<uInt>(std::min<std::size_t>(n, 1u << 30));
  while (z.avail_out == static_cast<uInt>(std::min<std::size_t>(n, 1u << 30))) {
    if (z.avail_in == 0) {
      const std::size_t got = in_.read(z_->in, sizeof z_->in);
      if (got == 0) {
        if (!z_->member_done && z_->compressed > 0 && !in_.failed() && !in_.stopped())
          error_ = fmt::format("gzip data ends early, at compressed byte {}", z_->compressed);
        return 0;
      }
      z.next_in = reinterpret_cast<Bytef*>(z_->in);
      z.avail_in = static_cast<uInt>(got);
    }
    if (z_->member_done) {  // another member follows
      inflateReset(&z);
      z_->member_done = false;
    }
    const uInt before = z.avail_in;
    const int rc = inflate(&z, Z_NO_FLUSH);
    z_->compressed += before - z.avail_in;
    if (rc == Z_STREAM_END) {
      z_->member_done = true;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      error_ = fmt::format("gzip data damaged at compressed byte {}: {}", z_->compressed, z.msg ? z.msg : "bad data");
      break;
    }
  }
  const std::size_t out = std::min<std::size_t>(n, 1u << 30) - z.avail_out;
  position_ += out;
  return out;
}

// ---- PeekSource ------------------------------------------------------------------------------

std::string_view PeekSource::peek(std::size_t n, std::size_t lines) {
  while (head_.size() < n && !ended_) {
    if (lines > 0) {
      const auto have = static_cast<std::size_t>(std::count(head_.begin(), head_.end(), '\n'));
      if (have >= lines || (have > 0 && !in_.ready())) break;
    }
    const std::size_t old = head_.size();
    head_.resize(std::max(n, old + 4096));
    const std::size_t got = in_.read(head_.data() + old, head_.size() - old);
    head_.resize(old + got);
    if (got == 0) ended_ = true;
  }
  return std::string_view(head_).substr(at_);
}

std::size_t PeekSource::read(char* into, std::size_t n) {
  if (at_ < head_.size()) {
    const std::size_t take = std::min(n, head_.size() - at_);
    std::memcpy(into, head_.data() + at_, take);
    at_ += take;
    position_ += take;
    if (at_ == head_.size()) {
      head_.clear();
      head_.shrink_to_fit();
      at_ = 0;
    }
    return take;
  }
  if (ended_) return 0;
  const std::size_t got = in_.read(into, n);
  position_ += got;
  return got;
}

// ---- LineReader ------------------------------------------------------------------------------

bool LineReader::next(Line& line) {
  constexpr std::size_t chunk = 1 << 16;
  for (;;) {
    const std::size_t nl = buf_.find('\n', scanned_);
    const bool too_long = (nl == std::string::npos ? buf_.size() : nl) - begin_ > max_line_;
    const bool whole = nl != std::string::npos && !too_long;
    const bool piece = too_long;
    const bool last = !whole && !piece && ended_ && begin_ < buf_.size();
    if (whole || last || piece) {
      std::size_t end = whole ? nl : piece ? begin_ + max_line_ : buf_.size();
      std::string_view text(buf_.data() + begin_, end - begin_);
      if (!piece && !text.empty() && text.back() == '\r') text.remove_suffix(1);
      line.text = text;
      line.number = in_long_ ? number_ : ++number_;
      line.continued = in_long_;
      line.partial = piece;
      line.offset = offset_;
      in_long_ = piece;
      const std::size_t used = (whole ? nl + 1 : end) - begin_;
      offset_ += used;
      begin_ += used;
      scanned_ = whole || piece ? begin_ : buf_.size();
      return true;
    }
    if (ended_) return false;
    scanned_ = buf_.size();
    if (begin_ > 0) {
      buf_.erase(0, begin_);
      scanned_ -= begin_;
      begin_ = 0;
    }
    const std::size_t old = buf_.size();
    buf_.resize(old + chunk);
    const std::size_t got = in_.read(buf_.data() + old, chunk);
    buf_.resize(old + got);
    if (got == 0) ended_ = true;
  }
}

}  // namespace vt106::source
