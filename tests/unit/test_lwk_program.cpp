#include <catch2/catch.hpp>

#include <mk/elf64.h>
#include <proc/elf.hpp>
#include <proc/layout.hpp>
#include <proc/stack.hpp>

#include <cstring>
#include <string>
#include <vector>

using namespace lwk::proc;

namespace {

// A small static program: text at 0x401000 (R X), data+bss at 0x403000 (R W).
struct File {
    std::vector<uint8_t> b = std::vector<uint8_t>(0x4000);
    mk_elf64_ehdr& eh() { return *reinterpret_cast<mk_elf64_ehdr*>(b.data()); }
    mk_elf64_phdr& ph(int i) { return reinterpret_cast<mk_elf64_phdr*>(b.data() + 64)[i]; }
    explicit File(uint16_t type = MK_ET_EXEC)
    {
        std::memcpy(eh().e_ident, "\x7f" "ELF", 4);
        eh().e_ident[4] = MK_ELFCLASS64;
        eh().e_ident[5] = MK_ELFDATA2LSB;
        eh().e_type = type;
        eh().e_machine = MK_EM_X86_64;
        eh().e_version = 1;
        eh().e_entry = 0x401010;
        eh().e_phoff = 64;
        eh().e_phentsize = sizeof(mk_elf64_phdr);
        eh().e_phnum = 4;
        ph(0) = {MK_PT_LOAD, MK_PF_R, 0, 0x400000, 0x400000, 0x1000, 0x1000, 0x1000};
        ph(1) = {MK_PT_LOAD, MK_PF_R | MK_PF_X, 0x1000, 0x401000, 0x401000, 0x800, 0x800, 0x1000};
        ph(2) = {MK_PT_LOAD, MK_PF_R | MK_PF_W, 0x3000, 0x403000, 0x403000, 0x100, 0x9000, 0x1000};
        ph(3) = {MK_PT_GNU_STACK, MK_PF_R | MK_PF_W, 0, 0, 0, 0, 0, 16};
    }
    const char* parse(Program& p)
    {
        const char* why = nullptr;
        auto r = parse_program(b.data(), b.size(), p, &why, PIE_BASE, INTERP_BASE);
        return r.is_error() ? why : nullptr;
    }
};

} // namespace

TEST_CASE("a static executable is described for loading", "[lwk_program]")
{
    File f;
    Program p;
    REQUIRE(f.parse(p) == nullptr);
    CHECK_FALSE(p.pie);
    CHECK(p.entry == 0x401010);
    CHECK(p.nr_segments == 3);
    CHECK(p.segments[1].prot == (PROT_R | PROT_X));
    CHECK(p.segments[2].memsz == 0x9000);
    CHECK(p.lo == 0x400000);
    CHECK(p.hi == 0x40c000);
    CHECK(p.phdr == 0x400040); // the headers are in the first segment
    CHECK(p.phnum == 4);
    CHECK_FALSE(p.exec_stack);
}

TEST_CASE("a static PIE is accepted, and a program with an interpreter is described", "[lwk_program]")
{
    File pie(MK_ET_DYN);
    for (int i = 0; i < 3; ++i)
        pie.ph(i).p_vaddr -= 0x400000;
    pie.eh().e_entry -= 0x400000;
    pie.ph(3).p_type = MK_PT_DYNAMIC;
    Program p;
    REQUIRE(pie.parse(p) == nullptr);
    CHECK(p.pie);
    CHECK(p.lo == 0);

    CHECK(p.interp_bytes == 0);

    // PT_INTERP names the interpreter, NUL included, inside the file.
    File dyn;
    const char name[] = "/lib64/ld-linux-x86-64.so.2";
    std::memcpy(dyn.b.data() + 0x2000, name, sizeof name);
    dyn.ph(3) = {MK_PT_INTERP, MK_PF_R, 0x2000, 0x400000, 0x400000, sizeof name, sizeof name, 1};
    REQUIRE(dyn.parse(p) == nullptr);
    CHECK(p.interp_offset == 0x2000);
    CHECK(p.interp_bytes == sizeof name);

    const char* why;
    dyn.b[0x2000 + sizeof name - 1] = 'x'; // no NUL at its end
    CHECK_THAT((why = dyn.parse(p)) ? why : "", Catch::Contains("interpreter name"));
    dyn.b[0x2000 + sizeof name - 1] = 0;
    dyn.b[0x2005] = 0; // a NUL inside
    CHECK_THAT((why = dyn.parse(p)) ? why : "", Catch::Contains("interpreter name"));
    dyn.ph(3).p_offset = 0x3ff0; // past the end
    CHECK_THAT((why = dyn.parse(p)) ? why : "", Catch::Contains("truncated"));
}

TEST_CASE("an interpreter is checked where it is loaded", "[lwk_program]")
{
    // ld.so is an ET_DYN linked at 0: below INTERP_BASE it fits, a limit
    // below its end refuses it.
    File so(MK_ET_DYN);
    for (int i = 0; i < 3; ++i)
        so.ph(i).p_vaddr -= 0x400000;
    so.eh().e_entry -= 0x400000;
    Program p;
    const char* why = nullptr;
    CHECK_FALSE(parse_program(so.b.data(), so.b.size(), p, &why, INTERP_BASE, MMAP_BASE).is_error());
    CHECK(parse_program(so.b.data(), so.b.size(), p, &why, INTERP_BASE, INTERP_BASE + 0x8000).is_error());
    CHECK_THAT(why, Catch::Contains("outside"));
}

TEST_CASE("the image's pages get their segments' rights, shared pages both", "[lwk_program]")
{
    File f;
    // text ends inside the page where data begins: 0x401000..0x403080 R X,
    // data from 0x403080.
    f.ph(1).p_filesz = f.ph(1).p_memsz = 0x2080;
    f.ph(2).p_vaddr = 0x403080;
    f.ph(2).p_offset = 0x3080;
    f.ph(2).p_filesz = 0x80;
    Program p;
    REQUIRE(f.parse(p) == nullptr);
    ImageRange r[2 * MAX_SEGMENTS];
    unsigned n = image_ranges(p, r);
    REQUIRE(n == 4);
    CHECK((r[0].start == 0x400000 && r[0].end == 0x401000 && r[0].prot == PROT_R));
    CHECK((r[1].start == 0x401000 && r[1].end == 0x403000 && r[1].prot == (PROT_R | PROT_X)));
    CHECK((r[2].start == 0x403000 && r[2].end == 0x404000 && r[2].prot == (PROT_R | PROT_W | PROT_X)));
    CHECK((r[3].start == 0x404000 && r[3].end == 0x40d000 && r[3].prot == (PROT_R | PROT_W)));

    // A gap between segments has no rights; ranges cover lo..hi in order.
    File g;
    g.ph(2).p_vaddr = 0x405000;
    g.ph(2).p_offset = 0x3000;
    REQUIRE(g.parse(p) == nullptr);
    n = image_ranges(p, r);
    REQUIRE(n == 4);
    CHECK((r[2].start == 0x402000 && r[2].end == 0x405000 && r[2].prot == 0));
    CHECK(r[3].end == p.hi);
    for (unsigned i = 1; i < n; ++i)
        CHECK(r[i].start == r[i - 1].end);
}

TEST_CASE("corrupt programs are refused with a reason", "[lwk_program]")
{
    struct Case {
        const char* what;
        void (*corrupt)(File&);
        const char* reason;
    };
    const Case cases[] = {
        {"text file", [](File& f) { std::memcpy(f.b.data(), "#!/bin", 6); }, "not an ELF"},
        {"32-bit", [](File& f) { f.eh().e_ident[4] = 1; }, "not a 64-bit"},
        {"core dump", [](File& f) { f.eh().e_type = 4; }, "not an ELF executable"},
        {"headers cut off", [](File& f) { f.eh().e_phoff = 0x3fd0; }, "truncated"},
        {"segment cut off", [](File& f) { f.ph(2).p_filesz = 0x2000; }, "truncated"},
        {"filesz > memsz", [](File& f) { f.ph(1).p_filesz = 0x2000; f.ph(1).p_memsz = 0x1000; }, "more file bytes"},
        {"kernel address", [](File& f) { f.ph(2).p_vaddr = 0xffff800000000000ULL; }, "outside"},
        {"below the window", [](File& f) { f.ph(0).p_vaddr = 0; f.ph(0).p_offset = 0; }, "outside"},
        {"overlap", [](File& f) { f.ph(2).p_vaddr = 0x401000; f.ph(2).p_offset = 0x1000; }, "overlap"},
        {"misaligned", [](File& f) { f.ph(2).p_vaddr = 0x403008; }, "modulo the page size"},
        {"entry in data", [](File& f) { f.eh().e_entry = 0x403000; }, "entry point"},
    };
    for (const Case& c : cases) {
        File f;
        c.corrupt(f);
        Program p;
        INFO(c.what);
        const char* why = f.parse(p);
        REQUIRE(why != nullptr);
        CHECK_THAT(why, Catch::Contains(c.reason));
    }
}

namespace {

// Reads the stack back as a program's startup code would.
struct Parsed {
    uint64_t argc;
    std::vector<std::string> argv, envp;
    std::vector<std::pair<uint64_t, uint64_t>> aux;
};

Parsed parse_stack(const std::vector<uint8_t>& mem, uint64_t top, uint64_t sp)
{
    uint64_t bottom = top - mem.size();
    auto word = [&](uint64_t a) { return *reinterpret_cast<const uint64_t*>(&mem[a - bottom]); };
    auto str = [&](uint64_t a) { return std::string(reinterpret_cast<const char*>(&mem[a - bottom])); };
    Parsed p;
    p.argc = word(sp);
    uint64_t a = sp + 8;
    for (; word(a); a += 8)
        p.argv.push_back(str(word(a)));
    for (a += 8; word(a); a += 8)
        p.envp.push_back(str(word(a)));
    for (a += 8;; a += 16) {
        p.aux.emplace_back(word(a), word(a + 8));
        if (!word(a))
            break;
    }
    return p;
}

} // namespace

TEST_CASE("the initial stack follows the SysV ABI", "[lwk_program]")
{
    const char strings[] = "./hello\0world\0\0HOME=/root\0PATH=/bin";
    const uint8_t random[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    const AuxEntry aux[] = {{6, 4096}, {9, 0x401010}, {17, 100}};
    StackInput in{strings, sizeof strings, 3, 2, "/root/hello", random, aux, 3};
    std::vector<uint8_t> mem(64 * 1024);
    const uint64_t top = STACK_TOP;
    auto sp = build_stack(mem.data(), mem.size(), top, in);
    REQUIRE_FALSE(sp.is_error());
    CHECK(sp.value() % 16 == 0);
    CHECK(sp.value() < top);
    Parsed p = parse_stack(mem, top, sp.value());
    CHECK(p.argc == 3);
    CHECK(p.argv == std::vector<std::string>{"./hello", "world", ""});
    CHECK(p.envp == std::vector<std::string>{"HOME=/root", "PATH=/bin"});
    REQUIRE(p.aux.size() == 7);
    CHECK(p.aux[0] == std::make_pair(uint64_t(6), uint64_t(4096)));
    CHECK(p.aux.back().first == 0);
    bool random_ok = false, execfn_ok = false;
    for (auto [type, value] : p.aux) {
        if (type == 25)
            random_ok = std::memcmp(&mem[value - (top - mem.size())], random, 16) == 0;
        if (type == 31)
            execfn_ok = std::string(reinterpret_cast<const char*>(&mem[value - (top - mem.size())])) ==
                "/root/hello";
    }
    CHECK(random_ok);
    CHECK(execfn_ok);
}

TEST_CASE("an empty argv and oversized or malformed strings are handled", "[lwk_program]")
{
    const uint8_t random[16] = {};
    std::vector<uint8_t> mem(4096);
    StackInput none{"", 0, 0, 0, "/x", random, nullptr, 0};
    auto sp = build_stack(mem.data(), mem.size(), STACK_TOP, none);
    REQUIRE_FALSE(sp.is_error());
    Parsed p = parse_stack(mem, STACK_TOP, sp.value());
    CHECK(p.argc == 0);
    CHECK(p.argv.empty());
    CHECK(p.envp.empty());

    std::string big(8000, 'a');
    big.push_back('\0');
    StackInput huge{big.data(), big.size(), 1, 0, "/x", random, nullptr, 0};
    CHECK(build_stack(mem.data(), mem.size(), STACK_TOP, huge).error().code == int(lwk::Errno::TOOBIG));

    const char short_strings[] = "one\0two";
    StackInput missing{short_strings, sizeof short_strings, 3, 0, "/x", random, nullptr, 0};
    CHECK(build_stack(mem.data(), mem.size(), STACK_TOP, missing).error().code == int(lwk::Errno::INVAL));
}
