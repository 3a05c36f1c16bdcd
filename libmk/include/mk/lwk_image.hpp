// The LWK image: where the tools find it, and reading it with validation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mk {

// $MK_LWK_IMAGE, else the image next to this program's build or install tree.
std::string default_image_path();

// Reads and validates the image (the same checks mk.ko makes). Throws
// mk::Error saying what is wrong with it.
std::vector<uint8_t> read_image(const std::string& path);

} // namespace mk
