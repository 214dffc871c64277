// Floating point whose bits do not depend on the platform. IEEE 754 rounds + - * / and sqrt
// exactly, so only those are used; the logarithm and the exponential are written here instead
// of taken from the maths library, whose last bits differ between implementations.
//
// A multiply and an add must not be fused either: GCC's ISO mode (-std=c++20, no GNU
// extensions) keeps -ffp-contract=off, the build adds the flag for every compiler, and Clang
// honours this pragma in each file that includes the header. GCC 12 and Clang 14 at -O0..-O3,
// with and without -march=native -ffp-contract=fast, write the same sample bytes.
#pragma once

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

namespace make_book {

// Natural logarithm of x > 0.
double portable_log(double x);
// e^x for |x| < 700.
double portable_exp(double x);

}  // namespace make_book
