// Protocol detection for every flow of a capture: the first bytes of each side are held (at
// most detect::max_inspect from the device) until a verdict is certain or the flow ends.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vt106/detect/detect.hpp"
#include "vt106/net/flow_table.hpp"

namespace vt106::decode {

struct FlowVerdict {
  std::uint64_t flow = 0;
  std::string transport, client, server;
  std::int64_t ts_ns = 0;  // when the verdict was reached
  detect::Verdict verdict;
};

class FlowDetector final : public net::FlowObserver {
 public:
  explicit FlowDetector(std::function<void(const FlowVerdict&)> on_verdict);
  ~FlowDetector() override;

  void on_flow_open(const net::FlowInfo& flow) override;
  void on_stream_data(const net::FlowInfo& flow, net::Side from, std::string_view bytes, std::int64_t ts_ns) override;
  void on_datagram(const net::FlowInfo& flow, net::Side from, std::string_view bytes, std::int64_t ts_ns) override;
  void on_flow_close(const net::FlowInfo& flow, net::CloseReason reason, std::int64_t ts_ns) override;

 private:
  struct Held;
  Held& held(const net::FlowInfo& flow);
  void judge(Held& h, const net::FlowInfo& flow, std::int64_t ts_ns, bool final);

  std::function<void(const FlowVerdict&)> on_verdict_;
  std::vector<std::unique_ptr<Held>> flows_;  // by FlowInfo::slot
};

}  // namespace vt106::decode
