#include "program.hpp"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace mkexec {
namespace {

bool executable_file(const std::string& p)
{
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

} // namespace

Program load_program(const std::string& name)
{
    Program prog;
    if (name.find('/') != std::string::npos) {
        prog.path = name;
    } else {
        const char* path = std::getenv("PATH");
        std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
        size_t pos = 0;
        while (pos <= dirs.size()) {
            size_t colon = dirs.find(':', pos);
            std::string dir = dirs.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
            std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
            if (executable_file(candidate)) {
                prog.path = candidate;
                break;
            }
            if (colon == std::string::npos)
                break;
            pos = colon + 1;
        }
        if (prog.path.empty())
            throw ProgramError(name + ": command not found", 127);
    }
    struct stat st;
    if (::stat(prog.path.c_str(), &st) != 0)
        throw ProgramError(prog.path + ": " + std::strerror(errno), errno == ENOENT ? 127 : 126);
    if (!S_ISREG(st.st_mode))
        throw ProgramError(prog.path + ": not a regular file", 126);
    if (::access(prog.path.c_str(), X_OK) != 0)
        throw ProgramError(prog.path + ": " + std::strerror(errno), 126);
    std::ifstream in(prog.path, std::ios::binary);
    if (!in)
        throw ProgramError(prog.path + ": " + std::strerror(errno), 126);
    prog.file.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    char real[PATH_MAX];
    prog.absolute = ::realpath(prog.path.c_str(), real) ? real : prog.path;
    return prog;
}

Staging build_staging(const Program& prog, const std::vector<std::string>& argv, char** envp)
{
    mk_spawn_strings hdr{};
    std::string strings;
    strings.append(prog.path).push_back('\0');
    hdr.path_bytes = static_cast<uint32_t>(prog.path.size() + 1);
    for (const auto& a : argv)
        strings.append(a).push_back('\0');
    hdr.argc = static_cast<uint32_t>(argv.size());
    for (char** e = envp; e && *e; ++e) {
        strings.append(*e).push_back('\0');
        ++hdr.envc;
    }
    hdr.bytes = static_cast<uint32_t>(strings.size());
    if (getrandom(hdr.random, sizeof hdr.random, 0) != sizeof hdr.random)
        throw std::runtime_error(std::string("getrandom: ") + std::strerror(errno));
    struct utsname u;
    ::uname(&u);
    const char* fields[6] = {u.sysname, u.nodename, u.release, u.version, u.machine, u.domainname};
    for (int i = 0; i < 6; ++i)
        std::strncpy(hdr.uname[i], fields[i], sizeof hdr.uname[i] - 1);

    Staging s;
    s.strings_offset = (prog.file.size() + 7) & ~uint64_t(7);
    s.header_and_strings.resize(sizeof hdr + strings.size());
    std::memcpy(s.header_and_strings.data(), &hdr, sizeof hdr);
    std::memcpy(s.header_and_strings.data() + sizeof hdr, strings.data(), strings.size());
    s.bytes = s.strings_offset + s.header_and_strings.size();
    return s;
}

} // namespace mkexec
