#include <mk/error.hpp>
#include <mk/lwk_image.hpp>
#include <mk/lwk_image.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace mk {

std::string default_image_path()
{
    if (const char* env = std::getenv("MK_LWK_IMAGE"); env && *env)
        return env;
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    std::vector<fs::path> candidates;
    if (!ec) {
        candidates.push_back(exe.parent_path() / "../../lwk/mk-lwk.elf"); // build/user/bin
        candidates.push_back(exe.parent_path() / "../lib/mk/mk-lwk.elf"); // PREFIX/bin
    }
    candidates.push_back("/usr/lib/mk/mk-lwk.elf");
    for (const auto& c : candidates)
        if (fs::exists(c, ec))
            return fs::weakly_canonical(c, ec).string();
    throw Error("cannot find the LWK image: give --image PATH or set MK_LWK_IMAGE");
}

std::vector<uint8_t> read_image(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot read the LWK image " + path + ": " + std::strerror(errno));
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.size() > (64ULL << 20))
        throw Error("the LWK image " + path + " is larger than 64 MiB");
    // Keep the ELF structures aligned for the checker.
    std::vector<uint64_t> aligned((bytes.size() + 7) / 8);
    std::memcpy(aligned.data(), bytes.data(), bytes.size());
    mk_image_layout layout{};
    const char* why = mk_image_check_bytes(reinterpret_cast<const uint8_t*>(aligned.data()), bytes.size(), &layout);
    if (why)
        throw Error("the LWK image " + path + " cannot be booted: " + why);
    return bytes;
}

} // namespace mk
