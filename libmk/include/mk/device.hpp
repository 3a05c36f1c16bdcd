// An open /dev/mk: RAII over the file descriptor and typed ioctl calls.
#pragma once

#include <mk/ioctl.h>

#include <string>

namespace mk {

class Device {
public:
    // Opens /dev/mk (or path). Throws mk::Error with advice when the module
    // is not loaded or the caller lacks permission.
    explicit Device(const std::string& path = MK_DEVICE_PATH);
    ~Device();
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    int fd() const { return fd_; }

    // The module's version; throws if its ABI major differs from ours.
    mk_version version() const;

private:
    int fd_;
};

} // namespace mk
