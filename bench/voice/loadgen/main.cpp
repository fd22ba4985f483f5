// voice_loadgen: the media half of bench/voice (see fleet.hpp for the
// protocol on stdin/stdout, bench/voice/run for the whole benchmark).
#include "fleet.hpp"

#include <sys/prctl.h>

#include <csignal>

int main() {
    // Die with the driver that feeds us.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    std::signal(SIGPIPE, SIG_IGN);
    driftway::bench::fleet f;
    return f.run();
}
