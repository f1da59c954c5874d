#ifndef LIB_H
#define LIB_H

/* Adds two numbers. */
static inline int add(int a, int b) {
  return a + b;
}

#endif
