// Commands put into a platform's stream to a device without breaking a frame of its own. The
// platform's bytes pass on unchanged and at once; a command waits until the stream is between
// frames: at its start, or after a '#' (the end of every GOTOP frame) followed by nothing but
// blanks. The bytes of a frame the platform has begun and not finished are never split.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>

namespace vt106::live {

class Splicer {
 public:
  // Queues a command (a whole frame) for the device; false when `max_waiting` are already
  // waiting (nothing queued).
  bool add(std::string frame, std::size_t max_waiting = 64);
  std::size_t waiting() const { return waiting_.size(); }
  // True when the platform's stream is between frames (a command would go out now).
  bool between_frames() const { return between_; }

  // The platform's next bytes: calls emit(std::string_view bytes, bool injected) for each piece
  // of what goes to the device, in order (the platform's bytes, and the commands where they fit).
  template <class Emit>
  void platform(std::string_view bytes, Emit&& emit) {
    release(emit);
    std::size_t at = 0;
    while (at < bytes.size()) {
      // Commands wait only while a frame is open; the first '#' ends it and they go right after.
      const std::size_t hash = waiting_.empty() ? std::string_view::npos : bytes.find('#', at);
      const std::string_view piece = bytes.substr(at, hash == std::string_view::npos ? std::string_view::npos : hash + 1 - at);
      note(piece);
      emit(piece, false);
      at += piece.size();
      release(emit);
    }
  }

  // Takes the first waiting command back (the connection ended before it could go); false when
  // none waits.
  bool take_unsent(std::string& frame) {
    if (waiting_.empty()) return false;
    frame = std::move(waiting_.front());
    waiting_.pop_front();
    return true;
  }

  // Sends the waiting commands now if the stream is between frames (a command queued while the
  // platform is silent goes out at once).
  template <class Emit>
  void release(Emit&& emit) {
    if (!between_) return;
    while (!waiting_.empty()) {
      emit(std::string_view(waiting_.front()), true);
      waiting_.pop_front();
    }
  }

 private:
  void note(std::string_view bytes);  // follows the platform's frames

  std::deque<std::string> waiting_;
  bool between_ = true;
};

}  // namespace vt106::live
