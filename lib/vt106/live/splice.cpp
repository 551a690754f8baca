// Following a platform's stream to a device frame by frame.
#include "vt106/live/splice.hpp"

#include "vt106/util/text.hpp"

namespace vt106::live {

bool Splicer::add(std::string frame, std::size_t max_waiting) {
  if (waiting_.size() >= max_waiting) return false;
  waiting_.push_back(std::move(frame));
  return true;
}

void Splicer::note(std::string_view bytes) {
  // Between frames when the last '#' is followed only by blanks (or, with no '#', when we were
  // between frames and only blanks came).
  const std::size_t hash = bytes.rfind('#');
  const std::string_view after = hash == std::string_view::npos ? bytes : bytes.substr(hash + 1);
  bool blank = true;
  for (const char c : after)
    if (!util::is_space(c)) {
      blank = false;
      break;
    }
  if (hash != std::string_view::npos) between_ = blank;
  else if (!blank) between_ = false;
}

}  // namespace vt106::live
