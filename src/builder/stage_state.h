// What a stage has become after each instruction: its cache key, its layers, its image config,
// and what only the build sees (SHELL, the ARGs in scope).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dockerfile/expand.h"

namespace bale::builder {

using namespace bale::dockerfile;  // the language the engine carries out

struct StageState {
  std::string key;                  // hex; chains every instruction so far
  std::vector<std::string> lowers;  // the layers, bottom first
  std::string base_image;           // the image file whose tree is lowers[0] ("" for scratch)
  nlohmann::json config;            // the OCI image config the stage would be written with
  std::vector<std::string> shell{"/bin/sh", "-c"};
  std::map<std::string, std::string> args;  // ARGs declared in this stage, with their values
  bool cmd_set = false;  // CMD given in this stage (an ENTRYPOINT then keeps it)

  nlohmann::json& c() { return config["config"]; }
  // The variables instructions see: ENV first (it wins over ARG), then the stage's ARGs.
  Vars vars(std::set<std::string>* used = nullptr) const;
  // ENV as K=V strings.
  std::vector<std::string> env() const;
  std::string workdir() const;  // "/" when unset
  std::string user() const;
};

}  // namespace bale::builder
