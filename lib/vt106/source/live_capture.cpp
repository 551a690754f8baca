// Live capture with libpcap: activation errors mapped to what the user must do, packets
// delivered in the kernel's blocks (at most packet_delay_ms late), and a save file kept
// readable on every stop.
#include "vt106/source/live_capture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pcap/pcap.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "vt106/net/packet.hpp"
#include "vt106/net/pcapng_writer.hpp"

namespace vt106::source {

struct LiveCapture::Handle {
  pcap_t* pcap = nullptr;
  std::FILE* save_file = nullptr;                // -w: every packet as captured, in pcapng
  std::unique_ptr<net::PcapngWriter> saver;
  const std::function<void(const Packet&)>* on_packet = nullptr;
  LiveCapture* owner = nullptr;
  bool nano = false;
};

namespace {

std::string address_text(const sockaddr* sa) {
  if (sa == nullptr) return {};
  char buf[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
  } else if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

}  // namespace

LiveCapture::LiveCapture(const LiveOptions& o) : handle_(new Handle) {
  handle_->owner = this;
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  const std::string& ifname = o.interface;
  auto fail = [&](LiveCaptureError::Kind kind, const std::string& message) {
    if (handle_->pcap) pcap_close(handle_->pcap);
    delete handle_;
    handle_ = nullptr;
    throw LiveCaptureError(kind, message);
  };
  handle_->pcap = pcap_create(ifname.c_str(), errbuf);
  if (handle_->pcap == nullptr) fail(LiveCaptureError::Kind::other, fmt::format("{}: {}", ifname, errbuf));
  pcap_set_snaplen(handle_->pcap, o.snaplen);
  pcap_set_promisc(handle_->pcap, o.promiscuous ? 1 : 0);
  // Not immediate mode: on Linux that gives a ring of snaplen-sized slots (128 packets in 32 MiB
  // at the default snaplen), which a burst overflows. Packets come in the kernel's blocks instead,
  // packed, each handed over when full or at most o.packet_delay_ms after its first packet.
  pcap_set_timeout(handle_->pcap, o.packet_delay_ms);
  if (o.buffer_size > 0) pcap_set_buffer_size(handle_->pcap, static_cast<int>(std::min<std::size_t>(o.buffer_size, 1u << 30)));
  handle_->nano = pcap_set_tstamp_precision(handle_->pcap, PCAP_TSTAMP_PRECISION_NANO) == 0;
  const int rc = pcap_activate(handle_->pcap);
  if (rc < 0) {
    const std::string detail = pcap_geterr(handle_->pcap);
    switch (rc) {
      case PCAP_ERROR_PERM_DENIED:
        fail(LiveCaptureError::Kind::permission,
             fmt::format("capturing on {} is not permitted ({}): run as root, or give the binary the "
                         "capability once with: setcap cap_net_raw,cap_net_admin=eip {}",
                         ifname, detail, "$(command -v vt106)"));
        break;
      case PCAP_ERROR_NO_SUCH_DEVICE:
        fail(LiveCaptureError::Kind::no_such_device,
             fmt::format("there is no interface named '{}' ({}); 'vt106 capture -D' lists them", ifname, detail));
        break;
      default:
        fail(LiveCaptureError::Kind::other, fmt::format("cannot capture on {}: {}", ifname, detail));
    }
  }
  linktype_ = static_cast<std::uint32_t>(pcap_datalink(handle_->pcap));
  // Non-blocking reads behind our own poll(): a read never waits longer than the timeout,
  // whatever the kernel's ring-buffer mode, so stop requests and --duration are seen in time.
  if (pcap_setnonblock(handle_->pcap, 1, errbuf) != 0)
    fail(LiveCaptureError::Kind::other, fmt::format("cannot capture on {}: {}", ifname, errbuf));
  read_timeout_ms_ = o.read_timeout_ms;
  if (!o.filter.empty()) {
    bpf_program prog{};
    if (pcap_compile(handle_->pcap, &prog, o.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
      fail(LiveCaptureError::Kind::bad_filter,
           fmt::format("filter '{}': {}", o.filter, pcap_geterr(handle_->pcap)));
    const int set = pcap_setfilter(handle_->pcap, &prog);
    pcap_freecode(&prog);
    if (set != 0)
      fail(LiveCaptureError::Kind::bad_filter, fmt::format("filter '{}': {}", o.filter, pcap_geterr(handle_->pcap)));
  }
  if (!o.write_path.empty()) {
    handle_->save_file = std::fopen(o.write_path.c_str(), "wb");
    if (handle_->save_file == nullptr)
      fail(LiveCaptureError::Kind::write_failed, fmt::format("cannot write {}: {}", o.write_path, std::strerror(errno)));
    handle_->saver = std::make_unique<net::PcapngWriter>(handle_->save_file, "vt106 capture", linktype_, handle_->nano);
  }
}

LiveCapture::~LiveCapture() {
  if (handle_ == nullptr) return;
  close_save_file();
  if (handle_->pcap) pcap_close(handle_->pcap);
  delete handle_;
}

std::vector<InterfaceInfo> LiveCapture::list_interfaces() {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_if_t* all = nullptr;
  if (pcap_findalldevs(&all, errbuf) != 0) throw LiveCaptureError(LiveCaptureError::Kind::other, errbuf);
  std::vector<InterfaceInfo> out;
  for (pcap_if_t* d = all; d != nullptr; d = d->next) {
    InterfaceInfo info;
    info.name = d->name;
    if (d->description) info.description = d->description;
    info.up = (d->flags & PCAP_IF_UP) != 0;
    info.running = (d->flags & PCAP_IF_RUNNING) != 0;
    info.loopback = (d->flags & PCAP_IF_LOOPBACK) != 0;
    for (pcap_addr_t* a = d->addresses; a != nullptr; a = a->next) {
      std::string text = address_text(a->addr);
      if (!text.empty()) info.addresses.push_back(text);
    }
    out.push_back(std::move(info));
  }
  pcap_freealldevs(all);
  return out;
}

bool LiveCapture::dispatch(const std::function<void(const Packet&)>& on_packet) {
  if (handle_ == nullptr || stopped_) return false;
  const int fd = pcap_get_selectable_fd(handle_->pcap);
  if (fd >= 0) {
    pollfd pfd{fd, POLLIN, 0};
    const int ready = poll(&pfd, 1, read_timeout_ms_);
    if (stopped_) return false;
    if (ready <= 0) return true;  // timeout, or a signal: the caller looks at its clock and flags
  }
  handle_->on_packet = &on_packet;
  const int n = pcap_dispatch(
      handle_->pcap, -1,
      [](u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
        auto* self = reinterpret_cast<Handle*>(user);
        Packet p;
        const std::int64_t frac = self->nano ? h->ts.tv_usec : std::int64_t{h->ts.tv_usec} * 1000;
        p.ts_ns = std::int64_t{h->ts.tv_sec} * 1'000'000'000 + frac;
        if (self->saver)
          self->saver->captured(p.ts_ns, {reinterpret_cast<const char*>(bytes), h->caplen}, h->len);
        p.linktype = self->owner->linktype_;
        p.orig_len = h->len;
        p.data = std::span<const std::byte>(reinterpret_cast<const std::byte*>(bytes), h->caplen);
        p.number = ++self->owner->packets_;
        (*self->on_packet)(p);
      },
      reinterpret_cast<u_char*>(handle_));
  handle_->on_packet = nullptr;
  if (handle_->saver) handle_->saver->flush();
  if (n == PCAP_ERROR_BREAK || stopped_) return false;
  if (n < 0) {
    error_ = pcap_geterr(handle_->pcap);
    return false;
  }
  return true;
}

void LiveCapture::run(PacketQueue& queue) {
  PacketBatch batch;
  std::uint64_t dropped_seen = 0;
  auto next_stats = std::chrono::steady_clock::now();
  auto take_drops = [&] {
    pcap_stat ps{};
    if (handle_ == nullptr || pcap_stats(handle_->pcap, &ps) != 0 || ps.ps_drop <= dropped_seen) return;
    batch.dropped += ps.ps_drop - dropped_seen;
    dropped_seen = ps.ps_drop;
    batch.seen_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
  };
  // The same read as dispatch(); each packet is copied into the batch (which push() refills).
  const std::function<void(const Packet&)> add = [&batch](const Packet& p) {
    batch.add(p.ts_ns, p.orig_len, p.data, p.number);
  };
  const auto give_up = [this] { return stopped_.load(); };
  for (;;) {
    const bool more = dispatch(add);
    // The kernel's drop counter, read every read timeout (a system call each): drops are
    // reported where they happened, within that time.
    if (const auto now = std::chrono::steady_clock::now(); now >= next_stats) {
      next_stats = now + std::chrono::milliseconds(read_timeout_ms_);
      take_drops();
    }
    if (!more) break;
    if (!batch.empty() && !queue.push(batch, give_up)) break;
  }
  // What was read before the stop still goes to the decoder, with the last drops.
  take_drops();
  if (!batch.empty()) queue.push(batch, [] { return false; });
  queue.close();
}

void LiveCapture::stop() {
  stopped_ = true;
  if (handle_ && handle_->pcap) pcap_breakloop(handle_->pcap);
}

void LiveCapture::close_save_file() {
  if (handle_ && handle_->saver) {
    handle_->saver->flush();
    handle_->saver.reset();
    std::fclose(handle_->save_file);
    handle_->save_file = nullptr;
  }
}

LiveStats LiveCapture::stats() {
  LiveStats s;
  s.packets = packets_;
  pcap_stat ps{};
  if (handle_ && handle_->pcap && pcap_stats(handle_->pcap, &ps) == 0) {
    s.kernel_received = ps.ps_recv;
    s.kernel_dropped = ps.ps_drop;
    s.interface_dropped = ps.ps_ifdrop;
  }
  return s;
}

}  // namespace vt106::source
