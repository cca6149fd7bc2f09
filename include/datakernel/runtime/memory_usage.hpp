// The process's memory, as the operating system counts it: the peak resident set size so far (getrusage's
// ru_maxrss, which only grows) and the resident set size now (/proc/self/statm). Recorded after each stage of a
// comparison (CompareResult::peak_rss), printed by `datakernel compare --verbose` and written to --timings.
#pragma once

#include <cstdint>

namespace dk {

std::uint64_t peak_rss_bytes();
std::uint64_t current_rss_bytes();  // 0 where /proc is not available

}  // namespace dk
