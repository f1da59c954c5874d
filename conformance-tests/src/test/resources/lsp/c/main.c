#include <stdio.h>
#include "lib.h"

int main(void) {
  FILE *out = stdout;
  fprintf(out, "%d\n", add(1, 2));
  printf("done\n");
  return 0;
}
