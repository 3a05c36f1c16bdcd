// libFuzzer: the LWK boot image's checker (<mk/lwk_image.h>), which mk.ko
// runs on the bytes mkctl hands it before anything is copied.
#include <mk/lwk_image.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::vector<uint8_t> img(data, data + size); // exactly size bytes: ASan sees an overread
    mk_image_layout l{};
    if (mk_image_check_bytes(img.data(), img.size(), &l))
        return 0;
    // Accepted: what mk.ko then reads must lie in the file.
    const uint8_t* t = mk_image_bytes(img.data(), img.size(), l.trampoline, l.trampoline_size);
    if (t && l.trampoline_size) {
        volatile uint8_t sum = 0;
        for (uint64_t i = 0; i < l.trampoline_size; ++i)
            sum = sum + t[i];
    }
    return 0;
}
