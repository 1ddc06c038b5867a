#include <stdio.h>

int main(void) {
  puts("compiled from the lower layer");
  return 0;
}
