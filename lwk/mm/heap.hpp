// The kernel heap: small objects from size classes, large ones from pages.
#pragma once

#include <cstddef>

namespace lwk::mm {

void* kmalloc(size_t size);   // 16-byte aligned; nullptr when out of memory
void* kzalloc(size_t size);
void kfree(void* p);

} // namespace lwk::mm
