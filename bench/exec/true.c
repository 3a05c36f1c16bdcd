/* A static program that does nothing: the floor of starting one. */
int main(void) { return 0; }
