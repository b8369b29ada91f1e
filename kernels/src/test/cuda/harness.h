/* Host helpers shared by the CUDA kernel checks: scripts/cuda-kernel-check.sh puts this file
 * between the kernel library and each harness. */
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cuda_runtime.h>
#include <vector>
typedef std::vector<float> V;
static float *up(const V &v) {
    float *d;
    cudaMalloc(&d, (v.size() ? v.size() : 1) * 4);
    if (v.size())
        cudaMemcpy(d, v.data(), v.size() * 4, cudaMemcpyHostToDevice);
    return d;
}
static V down(float *d, size_t n) {
    V v(n);
    cudaMemcpy(v.data(), d, n * 4, cudaMemcpyDeviceToHost);
    return v;
}
static V rnd(size_t n, unsigned s) {
    V v(n);
    srand(s);
    for (auto &x : v)
        x = rand() / (float)RAND_MAX * 2 - 1;
    return v;
}
