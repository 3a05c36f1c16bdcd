#include <catch2/catch.hpp>

#include <mk/json.hpp>

#include <sstream>

TEST_CASE("JSON objects and arrays nest with one key per line", "[json]")
{
    std::ostringstream out;
    {
        mk::JsonWriter j(out);
        j.begin_object();
        j.field("state", "reserved");
        j.key("cpus").begin_array().value(2).value(3).end_array();
        j.key("empty").begin_array().end_array();
        j.field("ok", true);
        j.field("ratio", 0.5);
        j.end_object();
    }
    CHECK(out.str() ==
        "{\n"
        "  \"state\": \"reserved\",\n"
        "  \"cpus\": [\n"
        "    2,\n"
        "    3\n"
        "  ],\n"
        "  \"empty\": [],\n"
        "  \"ok\": true,\n"
        "  \"ratio\": 0.5\n"
        "}\n");
}

TEST_CASE("JSON strings are escaped", "[json]")
{
    CHECK(mk::JsonWriter::escape("a\"b\\c\nd\x01") == "a\\\"b\\\\c\\nd\\u0001");
}

TEST_CASE("JSON writer refuses malformed nesting", "[json]")
{
    std::ostringstream out;
    mk::JsonWriter j(out);
    j.begin_object();
    CHECK_THROWS(j.value(1));
    CHECK_THROWS(j.end_array());
    j.key("k");
    CHECK_THROWS(j.key("again"));
}
