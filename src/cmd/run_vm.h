// `bale run --vm`: the container's spec (argv, env, workdir, user) carried out in a microVM.
#pragma once

#include "cmd/commands.h"
#include "runtime/container.h"
#include "store/acquire.h"

namespace bale::cmd {

// The options `bale run --vm` refuses (a container's, with no meaning in a VM yet), as a usage
// error; then the VM's exit status.
int run_in_vm(const RunOptions& o, const runtime::ContainerSpec& spec, const store::ReadyImage& img,
              const store::Store& st);

}  // namespace bale::cmd
