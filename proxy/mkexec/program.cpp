#include "program.hpp"

#include <mk/elf64.h>

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

std::vector<uint8_t> read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ProgramError(path + ": " + std::strerror(errno), 126);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

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
    prog.file = read_file(prog.path);
    char real[PATH_MAX];
    prog.absolute = ::realpath(prog.path.c_str(), real) ? real : prog.path;

    // As execve(2) does: the interpreter must exist and be a regular file
    // (a missing one is "required file not found" to a shell: 127).
    prog.interp_path = elf_interpreter(prog.file);
    if (!prog.interp_path.empty()) {
        const std::string its = prog.path + ": its ELF interpreter " + prog.interp_path;
        if (::stat(prog.interp_path.c_str(), &st) != 0)
            throw ProgramError(its + ": " + std::strerror(errno), errno == ENOENT ? 127 : 126);
        if (!S_ISREG(st.st_mode))
            throw ProgramError(its + ": not a regular file", 126);
        prog.interp = read_file(prog.interp_path);
    }
    return prog;
}

std::string elf_interpreter(const std::vector<uint8_t>& file)
{
    mk_elf64_ehdr eh;
    if (file.size() < sizeof eh || std::memcmp(file.data(), "\x7f" "ELF", 4) != 0)
        return {};
    std::memcpy(&eh, file.data(), sizeof eh);
    if (eh.e_ident[4] != MK_ELFCLASS64 || eh.e_phentsize != sizeof(mk_elf64_phdr) || eh.e_phoff > file.size() ||
        uint64_t(eh.e_phnum) * sizeof(mk_elf64_phdr) > file.size() - eh.e_phoff)
        return {};
    for (unsigned i = 0; i < eh.e_phnum; ++i) {
        mk_elf64_phdr ph;
        std::memcpy(&ph, file.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type != MK_PT_INTERP)
            continue;
        if (ph.p_offset > file.size() || ph.p_filesz > file.size() - ph.p_offset || ph.p_filesz < 2)
            return {};
        const char* name = reinterpret_cast<const char*>(file.data() + ph.p_offset);
        return std::string(name, strnlen(name, ph.p_filesz));
    }
    return {};
}

Staging build_staging(const Program& prog, const std::vector<std::string>& argv, char** envp)
{
    mk_spawn_strings hdr{};
    std::string strings;
    strings.append(prog.path).push_back('\0');
    hdr.path_bytes = static_cast<uint32_t>(prog.path.size() + 1);
    strings.append(prog.absolute).push_back('\0');
    hdr.exe_bytes = static_cast<uint32_t>(prog.absolute.size() + 1);
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
    uint64_t end = prog.file.size();
    s.interp_offset = 0;
    if (!prog.interp.empty()) {
        s.interp_offset = (end + 4095) & ~uint64_t(4095);
        end = s.interp_offset + prog.interp.size();
    }
    s.strings_offset = (end + 7) & ~uint64_t(7);
    s.header_and_strings.resize(sizeof hdr + strings.size());
    std::memcpy(s.header_and_strings.data(), &hdr, sizeof hdr);
    std::memcpy(s.header_and_strings.data() + sizeof hdr, strings.data(), strings.size());
    s.bytes = s.strings_offset + s.header_and_strings.size();
    return s;
}

} // namespace mkexec
