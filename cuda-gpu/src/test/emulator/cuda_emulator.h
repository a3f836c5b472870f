// Test fixture, not part of descent: lets g++ compile src/main/cuda/descent_kernels.cu as plain C++ for the host
// emulator (emulator.cpp). Blocks run one after another; the threads of a block run as cooperative fibers, so
// __syncthreads() is a real barrier and __shared__ arrays (static here) are shared by the threads of the block.
#ifndef DESCENT_CUDA_EMULATOR_H
#define DESCENT_CUDA_EMULATOR_H

#include <math.h>
#include <string.h>

struct EmuDim3 {
    unsigned int x, y, z;
};

extern EmuDim3 threadIdx;
extern EmuDim3 blockIdx;
extern EmuDim3 blockDim;
extern EmuDim3 gridDim;

void emu_syncthreads();

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __syncthreads() emu_syncthreads()

// Threads of one block never run at the same time (fibers switch only at barriers), so plain code is atomic.
inline int atomicCAS(int *address, int compare, int value) {
    int old = *address;
    if (old == compare) {
        *address = value;
    }
    return old;
}

// Bit casts between float and unsigned int, double and long long, as CUDA's intrinsics.
inline float __uint_as_float(unsigned int bits) {
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

inline unsigned int __float_as_uint(float f) {
    unsigned int bits;
    memcpy(&bits, &f, sizeof bits);
    return bits;
}

inline long long __double_as_longlong(double d) {
    long long bits;
    memcpy(&bits, &d, sizeof bits);
    return bits;
}

inline double __longlong_as_double(long long bits) {
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

#endif
