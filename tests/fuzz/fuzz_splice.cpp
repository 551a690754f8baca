// Fuzz target: a platform's stream to a device with commands put in (live::Splicer, vt106 proxy).
// Input: a script of operations, each a byte and what follows it: 'c' LEN: a command of LEN bytes
// is added; anything else LEN: the platform's next LEN bytes. Invariants: the platform's bytes
// reach the device unchanged and in order; a command goes out only where the platform's stream
// is between frames (nothing, or blanks after a '#', since its last frame), whole and in the order
// added; none waits once the stream is between frames; at most 64 wait.
#include <algorithm>
#include <deque>
#include <string>

#include "fuzz_support.hpp"
#include "vt106/live/splice.hpp"

namespace {

bool between(const std::string& platform_so_far) {
  const auto hash = platform_so_far.rfind('#');
  const std::size_t from = hash == std::string::npos ? 0 : hash + 1;
  for (std::size_t i = from; i < platform_so_far.size(); ++i) {
    const char c = platform_so_far[i];
    if (c != '\0' && c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\v' && c != '\f') return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using vt106::fuzz::check;
  vt106::live::Splicer splicer;
  std::string platform_in, platform_out;  // what the platform sent; its bytes as the device got them
  std::deque<std::string> added;          // commands added and not yet out
  std::size_t n_added = 0, n_out = 0;
  auto emit = [&](std::string_view piece, bool injected) {
    if (!injected) {
      platform_out.append(piece);
      return;
    }
    check(between(platform_out), "a command went out inside a frame of the platform's");
    check(!added.empty() && added.front() == piece, "a command went out changed, or out of order");
    added.pop_front();
    ++n_out;
  };
  std::size_t at = 0;
  while (at + 1 < size) {
    const char op = static_cast<char>(data[at]);
    const std::size_t len = std::min<std::size_t>(data[at + 1], size - at - 2);
    const std::string bytes(reinterpret_cast<const char*>(data + at + 2), len);
    at += 2 + len;
    if (op == 'c') {
      if (splicer.add(bytes)) {
        added.push_back(bytes);
        ++n_added;
      } else {
        check(splicer.waiting() >= 64, "a command was refused with room to wait");
      }
      splicer.release(emit);
    } else {
      platform_in.append(bytes);
      splicer.platform(bytes, emit);
    }
    check(platform_out == platform_in, "the platform's bytes were changed, lost or reordered");
    check(splicer.waiting() == added.size() && splicer.waiting() <= 64, "the commands waiting are miscounted");
    check(splicer.between_frames() == between(platform_in), "the splicer lost track of the platform's frames");
    if (splicer.between_frames()) check(added.empty(), "a command waits while the stream is between frames");
  }
  check(n_out + added.size() == n_added, "a command was lost");
  return 0;
}
