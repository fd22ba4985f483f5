#pragma once
// The voice service's settings from [voice], and `driftway voice`: the SFU
// and its signaling socket alone, for the cluster shape.
#include "driftway/core/config.hpp"
#include "driftway/voice/service.hpp"

#include <string>

namespace driftway::app {

voice::service_options voice_service_options(const config& c);

// Runs until SIGTERM/SIGINT; returns the process exit code.
int serve_voice(const config& c, const std::string& version);

}  // namespace driftway::app
