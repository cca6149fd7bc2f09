#pragma once

namespace dk {
inline constexpr const char* kVersion = "0.1.0";
}
