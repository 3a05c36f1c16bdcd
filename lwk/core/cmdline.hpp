// The LWK's command line (mkctl boot --cmdline): space-separated key=value.
#pragma once

#include <cstddef>

namespace lwk::cmdline {

// The value of key ("" for a bare key), or nullptr when absent. The result
// points into a copy that lives as long as the LWK.
const char* get(const char* key);
bool has(const char* key, const char* value);

} // namespace lwk::cmdline
