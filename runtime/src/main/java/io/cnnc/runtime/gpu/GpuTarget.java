package io.cnnc.runtime.gpu;

import io.cnnc.kernels.gpu.Dialect;
import io.cnnc.runtime.gpu.cuda.CudaBackend;
import io.cnnc.runtime.gpu.opencl.OpenClBackend;

/** The GPU back ends: which device API, which kernel dialect. */
public enum GpuTarget {
    OPENCL("opencl", Dialect.OPENCL),
    CUDA("cuda", Dialect.CUDA);

    private final String label;
    private final Dialect dialect;

    GpuTarget(String label, Dialect dialect) {
        this.label = label;
        this.dialect = dialect;
    }

    public String label() {
        return label;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Opens this target's device, or throws IllegalStateException saying why there is none. */
    public GpuBackend open() {
        return switch (this) {
            case OPENCL -> OpenClBackend.open();
            case CUDA -> CudaBackend.open();
        };
    }
}
