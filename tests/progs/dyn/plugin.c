/* A library the tests dlopen. */
int mkdyn_plugin_square(int x) { return x * x; }
