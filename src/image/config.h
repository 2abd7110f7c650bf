// The OCI image config (image-spec config.md) embedded in every image: what bale sets in it,
// and the edits `pack` and `build` make to it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace bale::image {

struct ConfigEdits {
  std::optional<std::vector<std::string>> entrypoint, cmd;
  std::vector<std::string> env;  // K=V, replacing an earlier K
  std::optional<std::string> workdir, user, stop_signal;
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::string> expose;  // "80", "53/udp"
  std::vector<std::string> volumes;
};

// {"architecture": <this machine's GOARCH>, "os": "linux", "config": {}, ...}
nlohmann::json new_config();
// Parses a config JSON (an OCI image config); `where` names the source in errors.
nlohmann::json parse_config(std::string_view text, std::string_view where);
// Keeps only what describes the image (drops history, container config, docker's extras) and
// checks the type of every field kept. Throws bale::Error naming `where` and the field.
// A signal as STOPSIGNAL and `docker kill -s` take it: SIGTERM, TERM, term, RTMIN+3, or 1-64;
// its number, or nullopt.
std::optional<int> signal_number(std::string_view s);
inline bool is_signal(const std::string& s) { return signal_number(s).has_value(); }
// Throws naming the field when a field of config.config that bale reads has the wrong type
// (Env, Cmd, Entrypoint: arrays of strings; User, WorkingDir, StopSignal: strings; ...).
void check_config_fields(const nlohmann::json& config, std::string_view where);
nlohmann::json sanitize_config(const nlohmann::json& in, std::string_view where);
// What starting an image reads: its config's "config" object (Env, Cmd, Entrypoint, User, ...),
// the fields checked as check_config_fields does; {} for an image without a config (unsigned)
// or with a null one. `where` names the image in errors.
nlohmann::json run_config(std::string_view config_text, std::string_view where);
// The strings of a JSON array (Env, Cmd, Entrypoint); anything else gives none.
std::vector<std::string> string_list(const nlohmann::json& j);
// Sets K=V in an Env list, replacing an earlier K.
void set_env(std::vector<std::string>& env, const std::string& kv);
// The one rootfs.diff_ids entry ("sha256:<64 hex>"); throws bale::Error if there is not one.
std::string single_diff_id(const nlohmann::json& config, std::string_view where);
// The config's rootfs.diff_ids, which must be `layers` sha256 digests; throws bale::Error
// naming `where` otherwise.
std::vector<std::string> layer_diff_ids(const nlohmann::json& config, size_t layers, std::string_view where);
void apply_edits(nlohmann::json& config, const ConfigEdits& edits);
// Sets rootfs.diff_ids to the one layer and "created" (SOURCE_DATE_EPOCH if set, else now).
void finalize_config(nlohmann::json& config, const std::string& tar_sha256_hex,
                     const std::string& created_by);
// Canonical bytes: sorted keys, no whitespace.
std::string serialize_config(const nlohmann::json& config);

// SOURCE_DATE_EPOCH if set and valid, else nullopt. Invalid values are an error.
std::optional<int64_t> source_date_epoch();
std::string rfc3339_utc(int64_t seconds);
std::string goarch();

}  // namespace bale::image
