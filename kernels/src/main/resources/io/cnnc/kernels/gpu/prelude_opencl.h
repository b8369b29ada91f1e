/* cnnc GPU kernel dialect, OpenCL C 1.2 spelling. Every kernel source is written with these
 * macros only, so the same text also compiles as CUDA C under prelude_cuda.h. */
#define KERNEL __kernel void
#define DEVICE_FN inline
#define GLOBAL __global
#define LOCAL __local
#define RESTRICT restrict
#define BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
#define GID(i) ((int) get_global_id(i))
#define LID(i) ((int) get_local_id(i))
#define GROUP(i) ((int) get_group_id(i))
#define LSIZE(i) ((int) get_local_size(i))
#define EXP(v) exp(v)
#define LOG(v) log(v)
#define TANH(v) tanh(v)
#define ERF(v) erf(v)
#define SQRT(v) sqrt(v)
#define FABS(v) fabs(v)
#define FMAX(a, b) fmax(a, b)
#define FMIN(a, b) fmin(a, b)
#define ISNAN(v) isnan(v)
#define NEG_INF (-INFINITY)
#define QNAN NAN
