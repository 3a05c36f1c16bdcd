// C++ with iostreams, strings, containers and an exception.
#include <iostream>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

int main()
{
    std::vector<int> v(100);
    std::iota(v.begin(), v.end(), 1);
    std::string s = "hello from C++";
    try {
        throw std::runtime_error("caught");
    } catch (const std::exception& e) {
        s += ", exception " + std::string(e.what());
    }
    std::cout << s << ", sum " << std::accumulate(v.begin(), v.end(), 0) << std::endl;
    return 0;
}
