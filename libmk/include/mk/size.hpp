// Memory sizes as users write them: "512M", "4G", "2GiB", "1048576".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mk {

// Parses a size with an optional binary suffix K, M, G, T (case-insensitive,
// optionally followed by "iB" or "B"); a bare number is bytes. Throws
// mk::Error on malformed input, zero or overflow.
uint64_t parse_size(std::string_view text);

// "512 MiB", "1.5 GiB", "2 MiB"; exact byte counts below 1 KiB.
std::string format_size(uint64_t bytes);

} // namespace mk
