/* cnnc GPU kernel dialect, CUDA C spelling (nvcc -ptx or NVRTC). Work-item indices map to
 * CUDA's x, y, z; a kernel's "global size" is grid * block in each dimension. */
#define KERNEL extern "C" __global__ void
#define DEVICE_FN __device__ __forceinline__
#define GLOBAL
#define LOCAL __shared__
#define RESTRICT __restrict__
#define BARRIER() __syncthreads()
__device__ __forceinline__ int cnnc_lid(int i) { return i == 0 ? (int) threadIdx.x : i == 1 ? (int) threadIdx.y : (int) threadIdx.z; }
__device__ __forceinline__ int cnnc_group(int i) { return i == 0 ? (int) blockIdx.x : i == 1 ? (int) blockIdx.y : (int) blockIdx.z; }
__device__ __forceinline__ int cnnc_lsize(int i) { return i == 0 ? (int) blockDim.x : i == 1 ? (int) blockDim.y : (int) blockDim.z; }
#define GID(i) (cnnc_group(i) * cnnc_lsize(i) + cnnc_lid(i))
#define LID(i) cnnc_lid(i)
#define GROUP(i) cnnc_group(i)
#define LSIZE(i) cnnc_lsize(i)
#define EXP(v) expf(v)
#define LOG(v) logf(v)
#define TANH(v) tanhf(v)
#define ERF(v) erff(v)
#define SQRT(v) sqrtf(v)
#define FABS(v) fabsf(v)
#define FMAX(a, b) fmaxf(a, b)
#define FMIN(a, b) fminf(a, b)
#define ISNAN(v) isnan(v)
#define NEG_INF (-__int_as_float(0x7f800000))
#define QNAN __int_as_float(0x7fc00000)
