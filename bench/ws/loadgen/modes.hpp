#pragma once
// The four measurements. Each prints its results on stdout as key=value
// lines (progress goes to stderr) and returns the process exit status.
#include "options.hpp"

namespace loadgen {

int run_idle(const options& o);
int run_burst(const options& o);
int run_chat(const options& o);
int run_inserts(const options& o);

}  // namespace loadgen
