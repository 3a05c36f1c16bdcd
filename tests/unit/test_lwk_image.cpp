#include <catch2/catch.hpp>

#include <mk/lwk_image.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

constexpr uint64_t TEXT = 0xffffffff80200000ULL;
constexpr uint64_t DATA = 0xffffffff80400000ULL;

// A minimal bootable image: a text segment starting with the mk image
// header (trampoline one page in), and a data segment with bss.
struct Image {
    std::vector<uint64_t> words = std::vector<uint64_t>(0x4000 / 8);
    uint8_t* bytes() { return reinterpret_cast<uint8_t*>(words.data()); }
    size_t size = 0x4000;
    mk_elf64_ehdr& eh() { return *reinterpret_cast<mk_elf64_ehdr*>(bytes()); }
    mk_elf64_phdr& ph(int i) { return reinterpret_cast<mk_elf64_phdr*>(bytes() + 64)[i]; }
    mk_image_header& hdr() { return *reinterpret_cast<mk_image_header*>(bytes() + 0x1000); }

    Image()
    {
        std::memcpy(eh().e_ident, "\x7f" "ELF", 4);
        eh().e_ident[4] = MK_ELFCLASS64;
        eh().e_ident[5] = MK_ELFDATA2LSB;
        eh().e_type = MK_ET_EXEC;
        eh().e_machine = MK_EM_X86_64;
        eh().e_version = MK_EV_CURRENT;
        eh().e_entry = TEXT + 0x40;
        eh().e_phoff = 64;
        eh().e_phentsize = sizeof(mk_elf64_phdr);
        eh().e_phnum = 2;
        ph(0) = {MK_PT_LOAD, MK_PF_R | MK_PF_X, 0x1000, TEXT, TEXT, 0x2000, 0x2000, 0x1000};
        ph(1) = {MK_PT_LOAD, MK_PF_R | MK_PF_W, 0x3000, DATA, DATA, 0x100, 0x5000, 0x1000};
        hdr() = {MK_IMAGE_MAGIC, MK_IMAGE_VERSION, sizeof(mk_image_header), TEXT + 0x1000, 0x100, 0};
    }
    const char* check(mk_image_layout* l = nullptr)
    {
        mk_image_layout tmp{};
        return mk_image_check_bytes(bytes(), size, l ? l : &tmp);
    }
};

} // namespace

TEST_CASE("a well-formed LWK image passes and its layout is described", "[lwk_image]")
{
    Image img;
    mk_image_layout l{};
    REQUIRE(img.check(&l) == nullptr);
    CHECK(l.entry == TEXT + 0x40);
    CHECK(l.virt_start == TEXT);
    CHECK(l.virt_end == DATA + 0x200000); // 2 MiB-rounded end of the bss
    CHECK(l.trampoline == TEXT + 0x1000);
    CHECK(l.trampoline_size == 0x100);
    CHECK(l.nr_load == 2);
    CHECK(mk_image_bytes(img.bytes(), img.size, l.trampoline, l.trampoline_size) == img.bytes() + 0x2000);
}

TEST_CASE("corrupt LWK images are refused with a reason", "[lwk_image]")
{
    struct Case {
        const char* what;
        void (*corrupt)(Image&);
        const char* reason;
    };
    const Case cases[] = {
        {"not ELF", [](Image& i) { i.bytes()[1] = 'X'; }, "not an ELF file"},
        {"32-bit", [](Image& i) { i.eh().e_ident[4] = 1; }, "not a 64-bit"},
        {"other machine", [](Image& i) { i.eh().e_machine = 183; }, "not a 64-bit"},
        {"shared object", [](Image& i) { i.eh().e_type = MK_ET_DYN; }, "not an ELF executable"},
        {"no program headers", [](Image& i) { i.eh().e_phnum = 0; }, "bad program header table"},
        {"program headers past the end", [](Image& i) { i.eh().e_phoff = 0x3ff0; }, "truncated"},
        {"truncated file", [](Image& i) { i.size = 0x2800; }, "truncated"},
        {"segment offset overflows", [](Image& i) { i.ph(0).p_offset = ~0ULL - 4; }, "truncated"},
        {"filesz > memsz", [](Image& i) { i.ph(1).p_filesz = 0x6000; }, "more file bytes"},
        {"user-space address", [](Image& i) { i.ph(1).p_vaddr = 0x400000; }, "outside the LWK's kernel"},
        {"wrapping segment", [](Image& i) { i.ph(1).p_memsz = ~0ULL - 0x1000; }, "outside the LWK's kernel"},
        {"overlapping segments", [](Image& i) { i.ph(1).p_vaddr = TEXT + 0x1000; }, "overlap"},
        {"entry in data", [](Image& i) { i.eh().e_entry = DATA; }, "entry point"},
        {"entry outside", [](Image& i) { i.eh().e_entry = 0x1000; }, "entry point"},
        {"interpreter", [](Image& i) { i.ph(1).p_type = MK_PT_INTERP; }, "dynamically linked"},
        {"no mk header", [](Image& i) { i.hdr().magic = 0; }, "no mk image header"},
        {"other header version", [](Image& i) { i.hdr().version = 99; }, "another version"},
        {"misaligned trampoline", [](Image& i) { i.hdr().trampoline += 8; }, "trampoline"},
        {"oversized trampoline", [](Image& i) { i.hdr().trampoline_size = 8192; }, "trampoline"},
        {"trampoline outside the file", [](Image& i) { i.hdr().trampoline = DATA + 0x1000; }, "trampoline"},
    };
    for (const Case& c : cases) {
        Image img;
        c.corrupt(img);
        INFO(c.what);
        const char* why = img.check();
        REQUIRE(why != nullptr);
        CHECK_THAT(why, Catch::Contains(c.reason));
    }
    uint8_t tiny[8] = {0x7f, 'E', 'L', 'F'};
    mk_image_layout l{};
    CHECK(mk_image_check_bytes(tiny, sizeof tiny, &l) != nullptr);
}

TEST_CASE("the built LWK image passes the same checks", "[lwk_image]")
{
    std::ifstream in(MK_SOURCE_DIR "/build/lwk/mk-lwk.elf", std::ios::binary);
    if (!in) {
        WARN("build/lwk/mk-lwk.elf is not built; run make");
        return;
    }
    std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<uint64_t> aligned((raw.size() + 7) / 8);
    std::memcpy(aligned.data(), raw.data(), raw.size());
    mk_image_layout l{};
    const char* why = mk_image_check_bytes(reinterpret_cast<const uint8_t*>(aligned.data()), raw.size(), &l);
    CHECK(why == nullptr);
    CHECK(l.virt_start == MK_LWK_KERNEL_BASE + 0x200000);
    CHECK(l.trampoline_size <= MK_TRAMP_MAX_SIZE);
}

TEST_CASE("a segment without memory is never read from, whatever its file offset says", "[lwk_image]")
{
    // Found by fuzzing: a PT_LOAD with p_memsz 0 is skipped by the checks,
    // so its file offset and size were never validated, yet the header
    // lookup used it and read far past the file.
    Image img;
    img.eh().e_phnum = 3;
    img.ph(2) = img.ph(1);
    img.ph(1) = img.ph(0);
    // First in the table, its address range covering where the header is looked up.
    img.ph(0) = {MK_PT_LOAD, MK_PF_R, 0x7fffffff0000ULL, TEXT, TEXT, 0x200000, 0, 0x1000};
    REQUIRE(img.check() == nullptr); // it is ignored, as an empty segment
    const uint8_t* at = mk_image_bytes(img.bytes(), img.size, TEXT, sizeof(mk_image_header));
    REQUIRE(at != nullptr);
    CHECK(at >= img.bytes());
    CHECK(at + sizeof(mk_image_header) <= img.bytes() + img.size);
}

TEST_CASE("an image header at an odd file offset is refused", "[lwk_image]")
{
    Image img;
    img.ph(0).p_offset = 0x1004; // the header would be read 4 bytes into the page
    CHECK(std::string(img.check() ? img.check() : "") == "the mk image header is not 8-byte aligned in the file");
}
