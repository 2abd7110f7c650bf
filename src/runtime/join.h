// `bale exec`: a command started inside a running container. It joins the container's user
// namespace (a rootless container's), mount namespace and root (the PID, network and devices are the host's for every bale container
// anyway) and becomes the command, so its exit status is the command's own.
#pragma once

#include "runtime/container.h"
#include "runtime/run_record.h"

namespace bale::runtime {

// The environment the container's target was started with (/proc/PID/environ).
std::vector<std::string> target_environment(const RunRecord& r);

// Joins `r`'s container and execs `spec.argv` with spec's env, user and workdir (only those
// fields are used). Never returns: throws bale::Error (126/127 as `run`'s; the caller maps the
// rest with Error::before_target), also when the container exits while exec joins it.
[[noreturn]] void join_and_exec(const RunRecord& r, const ContainerSpec& spec);

}  // namespace bale::runtime
