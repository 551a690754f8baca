// GOTOP in Wireshark and tshark: an epan plugin over vt106's own decoder. The frames, messages,
// fields and error codes are those of `vt106 decode`: the bytes go through decode::decode_segment
// (the stream decoder), and every message's fields come from output::visit_message_fields, the
// list the NDJSON record is written from. This file only maps them onto Wireshark's tree.
//
// Wireshark reports errors by longjmp. Nothing here can raise one: every item is added inside
// the bytes the packet captured, and the decoder has finished with the bytes by the time its
// records are turned into items (records come from a sink; no Wireshark call runs under a
// C++ object that needs destroying other than the decoder's frames, which own no resources
// Wireshark could skip).
#include <cctype>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

extern "C" {
#include <epan/conversation.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto_data.h>
#include <ws_version.h>
}

#include "vt106/decode/segment.hpp"
#include "vt106/gotop/message.hpp"
#include "vt106/gotop/parser.hpp"
#include "vt106/output/message_fields.hpp"

using vt106::output::Field;
using vt106::output::FieldKind;

extern "C" {
extern WS_DLL_PUBLIC_DEF const gchar plugin_version[];
extern WS_DLL_PUBLIC_DEF const int plugin_want_major;
extern WS_DLL_PUBLIC_DEF const int plugin_want_minor;
WS_DLL_PUBLIC void plugin_register(void);
}
const gchar plugin_version[] = VT106_PLUGIN_VERSION;  // the project's version, from CMake
const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

namespace {

constexpr std::size_t field_count = vt106::output::message_fields.size();
constexpr std::size_t error_count = static_cast<std::size_t>(vt106::gotop::ErrorCode::bad_sms) + 1;

int proto_gotop = -1;
dissector_handle_t tcp_handle;
dissector_handle_t udp_handle;

// Field ids: one per entry of message_fields, and the nested ones.
int hf_field[field_count];
int hf_dir = -1;
int hf_flag[vt106::output::flag_keys.size()];
int hf_cell[vt106::output::cell_keys.size()];
int hf_wifi[vt106::output::radio_keys.size()];
int hf_ble[vt106::output::radio_keys.size()];
int hf_error = -1;
int hf_error_message = -1;
int hf_error_column = -1;

gint ett_message = -1;
gint ett_nested = -1;
gint ett_error = -1;

expert_field ei_code[error_count];

// Registration keeps pointers into these arrays and the strings they hold for the life of the
// program: they are made once and never freed.
template <class T>
T* forever(std::size_t n) {
  return new T[n]();
}
const char* forever_text(std::string_view s) { return g_strndup(s.data(), s.size()); }

// What a conversation remembers across its packets: the device's identifier, which commands
// from the platform carry none of. Per packet, the identifier known when it was first
// dissected, so that dissecting it again (in any order) gives the same tree.
struct ConversationState {
  char* imei;    // wmem_file_scope, or null
  bool judged;   // its first bytes were seen: `gotop` says what they were
  bool gotop;
};

// One packet's records, turned into tree items.
class TreeSink final : public vt106::output::RecordSink {
 public:
  TreeSink(tvbuff_t* tvb, packet_info* pinfo, proto_tree* tree, std::string_view bytes)
      : tvb_(tvb), pinfo_(pinfo), tree_(tree), bytes_(bytes) {}

  void message(const vt106::output::RecordContext& ctx, const vt106::gotop::Message& m) override {
    const int at = static_cast<int>(ctx.offset.value_or(0));
    const int len = static_cast<int>(m.raw.size());
    frame_ = {at, len};
    raw_ = m.raw;
    proto_item* ti = proto_tree_add_item(tree_, proto_gotop, tvb_, at, len, ENC_NA);
    const std::string_view event = vt106::gotop::to_string(m.event);
    proto_item_append_text(ti, ", %s", summary(m, event).c_str());
    sub_ = proto_item_add_subtree(ti, ett_message);
    generated(proto_tree_add_string(sub_, hf_dir, tvb_, at, len, text(vt106::gotop::to_string(m.dir))));
    vt106::output::visit_message_fields(m, *this);
    column(m, event);
  }

  void error(const vt106::output::RecordContext& ctx, const vt106::output::ErrorRecord& e) override {
    const int at = static_cast<int>(ctx.offset.value_or(0));
    const int len = static_cast<int>(std::min<std::uint64_t>(e.length.value_or(e.raw.size()), bytes_.size() - at));
    proto_item* ti = proto_tree_add_item(tree_, proto_gotop, tvb_, at, len, ENC_NA);
    proto_item_append_text(ti, ", error %.*s", static_cast<int>(e.code.size()), e.code.data());
    proto_tree* sub = proto_item_add_subtree(ti, ett_error);
    proto_item* code = proto_tree_add_string(sub, hf_error, tvb_, at, len, text(e.code));
    generated(code);
    generated(proto_tree_add_string(sub, hf_error_message, tvb_, at, len, text(e.message)));
    if (ctx.column) {
      const int col = static_cast<int>(*ctx.column);
      const int where = at + col < static_cast<int>(bytes_.size()) ? at + col : at;
      generated(proto_tree_add_uint64(sub, hf_error_column, tvb_, where, where == at ? len : 1, *ctx.column));
    }
    // The code first, as decode's record has it, then decode's message.
    if (expert_field* ei = expert_for(e.code))
      expert_add_info_format(pinfo_, code, ei, "%.*s: %s", static_cast<int>(e.code.size()), e.code.data(), e.message.c_str());
    col_append_sep_fstr(pinfo_->cinfo, COL_INFO, " | ", "error %.*s", static_cast<int>(e.code.size()), e.code.data());
  }

  // visit_message_fields hands each field here.
  void text(Field f, std::string_view v) {
    const auto [at, len] = place(v);
    proto_item* it = proto_tree_add_string(sub_, hf(f), tvb_, at, len, text(v));
    if (!inside(v)) generated(it);
  }
  void name(Field f, std::string_view v) {
    generated(proto_tree_add_string(sub_, hf(f), tvb_, frame_.at, frame_.len, text(v)));
  }
  void boolean(Field f, bool v) { proto_tree_add_boolean(sub_, hf(f), tvb_, frame_.at, frame_.len, v ? 1 : 0); }
  void time(Field f, std::int64_t seconds) {
    nstime_t t{static_cast<time_t>(seconds), 0};
    proto_tree_add_time(sub_, hf(f), tvb_, frame_.at, frame_.len, &t);
  }
  void number(Field f, double v) { proto_tree_add_double(sub_, hf(f), tvb_, frame_.at, frame_.len, v); }
  void integer(Field f, std::int64_t v) { proto_tree_add_int64(sub_, hf(f), tvb_, frame_.at, frame_.len, v); }
  void flags(const vt106::gotop::StatusFlags& s) {
    proto_tree* t = nested(Field::flags);
    const bool values[] = {s.external_power, s.gps_enabled, s.charging};
    for (std::size_t i = 0; i < std::size(values); ++i)
      proto_tree_add_boolean(t, hf_flag[i], tvb_, frame_.at, frame_.len, values[i] ? 1 : 0);
  }
  void cell(const vt106::gotop::Cell& c) {
    proto_tree* t = nested(Field::cell);
    const std::int64_t values[] = {c.mcc, c.mnc, c.lac, c.cid};
    for (std::size_t i = 0; i < std::size(values); ++i)
      proto_tree_add_int64(t, hf_cell[i], tvb_, frame_.at, frame_.len, values[i]);
  }
  void radio(Field f, const std::vector<vt106::gotop::RadioObservation>& items) {
    const int* ids = f == Field::wifi ? hf_wifi : hf_ble;
    for (const auto& r : items) {
      const auto [at, len] = place(r.mac);
      proto_tree* t = nested(f);
      proto_tree_add_string(t, ids[0], tvb_, at, len, text(r.mac));
      proto_tree_add_int64(t, ids[1], tvb_, frame_.at, frame_.len, r.rssi);
    }
  }
  void list(Field f, const std::vector<std::string_view>& items) {
    for (auto v : items) text(f, v);
  }

 private:
  struct Range {
    int at = 0;
    int len = 0;
  };

  static int hf(Field f) { return hf_field[static_cast<std::size_t>(f)]; }
  static void generated(proto_item* it) { proto_item_set_generated(it); }

  // Text for Wireshark: NUL-terminated, in the packet's memory.
  const char* text(std::string_view v) const { return wmem_strndup(pinfo_->pool, v.data(), v.size()); }

  // A field's bytes, when it is text the frame carries; else the whole frame.
  bool inside(std::string_view v) const {
    return !v.empty() && v.data() >= raw_.data() && v.data() + v.size() <= raw_.data() + raw_.size();
  }
  Range place(std::string_view v) const {
    if (!inside(v)) return frame_;
    return {frame_.at + static_cast<int>(v.data() - raw_.data()), static_cast<int>(v.size())};
  }

  proto_tree* nested(Field f) {
    proto_item* it = proto_tree_add_item(sub_, hf(f), tvb_, frame_.at, frame_.len, ENC_NA);
    return proto_item_add_subtree(it, ett_nested);
  }

  static std::string summary(const vt106::gotop::Message& m, std::string_view event) {
    std::string s = fmt::format("{} {}", vt106::gotop::to_string(m.dir), event);
    if (!m.imei.empty()) s += fmt::format(", IMEI {}", m.imei);
    if (!m.type.empty()) s += fmt::format(", {}", m.type);
    if (!m.summary.empty()) s += fmt::format(", {}", m.summary);
    if (m.lat && m.lon) s += fmt::format(", {} {}", *m.lat, *m.lon);
    return s;
  }

  void column(const vt106::gotop::Message& m, std::string_view event) {
    std::string s = fmt::format("{} {}", vt106::gotop::to_string(m.dir), event);
    if (!m.imei.empty()) s += fmt::format(" {}", m.imei);
    if (!m.summary.empty()) s += fmt::format(" ({})", m.summary);
    col_append_sep_str(pinfo_->cinfo, COL_INFO, " | ", text(s));
  }

  static expert_field* expert_for(std::string_view code) {
    for (std::size_t i = 0; i < error_count; ++i)
      if (vt106::gotop::to_string(static_cast<vt106::gotop::ErrorCode>(i)) == code) return &ei_code[i];
    return nullptr;
  }

  tvbuff_t* tvb_;
  packet_info* pinfo_;
  proto_tree* tree_;
  std::string_view bytes_;
  proto_tree* sub_ = nullptr;
  Range frame_;
  std::string_view raw_;
};

// The identifier this packet's commands take: the conversation's device, as it stood when the
// packet was first dissected.
std::string device_imei(packet_info* pinfo, ConversationState* conv) {
  if (PINFO_FD_VISITED(pinfo)) {
    const auto* kept = static_cast<const char*>(p_get_proto_data(wmem_file_scope(), pinfo, proto_gotop, 0));
    return kept ? kept : "";
  }
  if (conv->imei && !p_get_proto_data(wmem_file_scope(), pinfo, proto_gotop, 0))
    p_add_proto_data(wmem_file_scope(), pinfo, proto_gotop, 0, conv->imei);
  return conv->imei ? conv->imei : "";
}

ConversationState* conversation_state(packet_info* pinfo) {
  conversation_t* conv = find_or_create_conversation(pinfo);
  auto* state = static_cast<ConversationState*>(conversation_get_proto_data(conv, proto_gotop));
  if (!state) {
    state = wmem_new0(wmem_file_scope(), ConversationState);
    conversation_add_proto_data(conv, proto_gotop, state);
  }
  return state;
}

int dissect(tvbuff_t* tvb, packet_info* pinfo, proto_tree* tree, bool stream) {
  const guint captured = tvb_captured_length(tvb);
  if (captured == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(tvb_get_ptr(tvb, 0, static_cast<gint>(captured))),
                               captured);
  col_set_str(pinfo->cinfo, COL_PROTOCOL, "GOTOP");
  col_clear(pinfo->cinfo, COL_INFO);

  ConversationState* conv = conversation_state(pinfo);
  const std::string imei = device_imei(pinfo, conv);
  vt106::decode::SegmentOptions options;
  // Whole reassembly needs the whole payload; a packet cut by the snapshot length is decoded
  // as far as it goes.
  options.more_may_come = stream && pinfo->can_desegment > 0 && captured == tvb_reported_length(tvb);
  options.device_imei = imei.empty() ? nullptr : &imei;
  const std::string input = fmt::format("packet {}", pinfo->num);
  vt106::output::RecordContext ctx;
  ctx.input = input;
  vt106::gotop::Parser parser;
  TreeSink sink(tvb, pinfo, tree, bytes);
  const auto r = vt106::decode::decode_segment(bytes, options, parser, sink, ctx);
  if (!r.last_imei.empty() && !PINFO_FD_VISITED(pinfo)) conv->imei = wmem_strdup(wmem_file_scope(), r.last_imei.c_str());
  if (r.pending < bytes.size()) {
    pinfo->desegment_offset = static_cast<int>(r.pending);
    pinfo->desegment_len = DESEGMENT_ONE_MORE_SEGMENT;
  }
  return static_cast<int>(captured);
}

bool all_text(std::string_view b) {
  for (unsigned char c : b)
    if (c < 0x20 && c != '\r' && c != '\n' && c != '\t') return false;
  return true;
}

// Offered a packet because of its port (8888, 5050 or the preference's): the conversation is
// GOTOP once a packet's bytes begin like GOTOP, or carry a "#<IMEI>," frame after leading text
// (gotop::starts_like_gotop, the rule decode judges a flow by). A conversation that begins like
// another protocol (another tracker on the shared port, which decode reports as foreign) is
// left to other dissectors, and so are the packets before the first that says GOTOP: a
// capture that begins in the middle of a frame shows that frame's end as data.
bool claimed_by_port(tvbuff_t* tvb, packet_info* pinfo) {
  ConversationState* state = conversation_state(pinfo);
  if (state->judged) return state->gotop;
  const guint n = std::min<guint>(tvb_captured_length(tvb), 4096);
  const std::string_view head(reinterpret_cast<const char*>(tvb_get_ptr(tvb, 0, static_cast<gint>(n))), n);
  if (vt106::gotop::starts_like_gotop(head)) {
    state->judged = state->gotop = true;
    return true;
  }
  const auto start = vt106::gotop::classify_stream_start(head);
  if (start == vt106::gotop::StreamStart::undecided) return true;  // blanks or a lone '#'
  // The first bytes begin like something else: another protocol, unless the capture began
  // inside a frame (text, and a '#'), which a later packet will tell.
  if (head.find('#') == std::string_view::npos || !all_text(head)) state->judged = true;
  return false;
}

int dissect_tcp(tvbuff_t* tvb, packet_info* pinfo, proto_tree* tree, void*) {
  if (!claimed_by_port(tvb, pinfo)) return 0;
  return dissect(tvb, pinfo, tree, true);
}

int dissect_udp(tvbuff_t* tvb, packet_info* pinfo, proto_tree* tree, void*) {
  if (!claimed_by_port(tvb, pinfo)) return 0;
  return dissect(tvb, pinfo, tree, false);
}

// Any port: only a packet that begins with a GOTOP frame that parses.
bool heuristic_match(tvbuff_t* tvb) {
  const guint n = tvb_captured_length(tvb);
  if (n < 2) return false;
  const std::string_view bytes(reinterpret_cast<const char*>(tvb_get_ptr(tvb, 0, static_cast<gint>(n))), n);
  vt106::gotop::Parser parser;
  return vt106::decode::segment_starts_with_gotop(bytes, parser);
}

// The conversation is GOTOP from now on: its later packets come straight to the dissector.
void adopt(packet_info* pinfo, dissector_handle_t handle) {
  ConversationState* state = conversation_state(pinfo);
  state->judged = state->gotop = true;
  conversation_set_dissector(find_or_create_conversation(pinfo), handle);
}

gboolean heuristic_tcp(tvbuff_t* tvb, packet_info* pinfo, proto_tree* tree, void*) {
  if (!heuristic_match(tvb)) return FALSE;
  adopt(pinfo, tcp_handle);
  dissect(tvb, pinfo, tree, true);
  return TRUE;
}

gboolean heuristic_udp(tvbuff_t* tvb, packet_info* pinfo, proto_tree* tree, void*) {
  if (!heuristic_match(tvb)) return FALSE;
  adopt(pinfo, udp_handle);
  dissect(tvb, pinfo, tree, false);
  return TRUE;
}

ftenum field_type(FieldKind kind) {
  switch (kind) {
    case FieldKind::text:
    case FieldKind::name:
    case FieldKind::list: return FT_STRING;
    case FieldKind::boolean: return FT_BOOLEAN;
    case FieldKind::time: return FT_ABSOLUTE_TIME;
    case FieldKind::number: return FT_DOUBLE;
    case FieldKind::integer: return FT_INT64;
    case FieldKind::flags:
    case FieldKind::cell:
    case FieldKind::radio: return FT_NONE;
  }
  return FT_NONE;
}

int field_display(ftenum type) {
  switch (type) {
    case FT_ABSOLUTE_TIME: return ABSOLUTE_TIME_UTC;
    case FT_INT64:
    case FT_UINT64: return BASE_DEC;
    default: return BASE_NONE;
  }
}

// "external_power" → "External power", "mcc" → "MCC".
std::string label_of(std::string_view key) {
  std::string s(key);
  for (char& c : s) {
    if (c == '_') c = ' ';
    else if (key.size() <= 4) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

hf_register_info field(int* id, std::string_view label, std::string_view abbrev, ftenum type,
                       std::string_view blurb = {}) {
  return hf_register_info{id, {forever_text(label), forever_text(abbrev), type, field_display(type), nullptr, 0,
                               blurb.empty() ? nullptr : forever_text(blurb), HFILL}};
}

void register_protocol() {
  proto_gotop = proto_register_protocol("GOTOP GPS tracker protocol", "GOTOP", "gotop");

  std::vector<hf_register_info> fields;
  fields.push_back(field(&hf_dir, "Direction", "gotop.dir", FT_STRING, "up (device to platform), down (a command) or sms"));
  for (const auto& info : vt106::output::message_fields) {
    const std::string abbrev = fmt::format("gotop.{}", info.key);
    fields.push_back(field(&hf_field[static_cast<std::size_t>(info.field)], info.label, abbrev,
                           field_type(info.kind), fmt::format("as `vt106 decode` writes \"{}\"", info.key)));
  }
  for (std::size_t i = 0; i < vt106::output::flag_keys.size(); ++i)
    fields.push_back(field(&hf_flag[i], label_of(vt106::output::flag_keys[i]), fmt::format("gotop.flags.{}", vt106::output::flag_keys[i]),
                           FT_BOOLEAN));
  for (std::size_t i = 0; i < vt106::output::cell_keys.size(); ++i)
    fields.push_back(field(&hf_cell[i], label_of(vt106::output::cell_keys[i]), fmt::format("gotop.cell.{}", vt106::output::cell_keys[i]),
                           FT_INT64));
  for (std::size_t i = 0; i < vt106::output::radio_keys.size(); ++i) {
    const ftenum type = i == 0 ? FT_STRING : FT_INT64;
    fields.push_back(field(&hf_wifi[i], label_of(vt106::output::radio_keys[i]), fmt::format("gotop.wifi.{}", vt106::output::radio_keys[i]), type));
    fields.push_back(field(&hf_ble[i], label_of(vt106::output::radio_keys[i]), fmt::format("gotop.ble.{}", vt106::output::radio_keys[i]), type));
  }
  fields.push_back(field(&hf_error, "Error", "gotop.error", FT_STRING, "the code `vt106 decode` writes in its error record"));
  fields.push_back(field(&hf_error_message, "Error message", "gotop.error.message", FT_STRING));
  fields.push_back(field(&hf_error_column, "Error column", "gotop.error.column", FT_UINT64,
                         "where in the frame the problem was found"));
  auto* kept = forever<hf_register_info>(fields.size());
  std::copy(fields.begin(), fields.end(), kept);
  proto_register_field_array(proto_gotop, kept, static_cast<int>(fields.size()));

  static gint* subtrees[] = {&ett_message, &ett_nested, &ett_error};
  proto_register_subtree_array(subtrees, static_cast<int>(std::size(subtrees)));

  auto* errors = forever<ei_register_info>(error_count);
  for (std::size_t i = 0; i < error_count; ++i) {
    const auto code = static_cast<vt106::gotop::ErrorCode>(i);
    const std::string_view name = vt106::gotop::to_string(code);
    // Bytes that are not a frame at all are a warning; a frame that does not parse is malformed.
    const int severity = code == vt106::gotop::ErrorCode::junk ? PI_WARN : PI_ERROR;
    errors[i].ids = &ei_code[i];
    errors[i].eiinfo = expert_field_info{forever_text(fmt::format("gotop.error.{}", name)), PI_MALFORMED, severity,
                                         forever_text(fmt::format("GOTOP {}", name)), EXPFILL};
    ei_code[i] = EI_INIT;
  }
  expert_module_t* expert = expert_register_protocol(proto_gotop);
  expert_register_field_array(expert, errors, static_cast<int>(error_count));

  tcp_handle = register_dissector("gotop.tcp", dissect_tcp, proto_gotop);
  udp_handle = register_dissector("gotop.udp", dissect_udp, proto_gotop);
}

void register_handoff() {
  dissector_add_uint_range_with_preference("tcp.port", "5050,8888", tcp_handle);
  dissector_add_uint_range_with_preference("udp.port", "5050,8888", udp_handle);
  heur_dissector_add("tcp", heuristic_tcp, "GOTOP over TCP", "gotop_tcp", proto_gotop, HEURISTIC_ENABLE);
  heur_dissector_add("udp", heuristic_udp, "GOTOP over UDP", "gotop_udp", proto_gotop, HEURISTIC_ENABLE);
}

}  // namespace

void plugin_register(void) {
  static proto_plugin plugin;
  plugin.register_protoinfo = register_protocol;
  plugin.register_handoff = register_handoff;
  proto_register_plugin(&plugin);
}
