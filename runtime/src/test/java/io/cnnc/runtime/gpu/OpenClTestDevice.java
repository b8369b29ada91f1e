package io.cnnc.runtime.gpu;

import io.cnnc.runtime.gpu.opencl.OpenClBackend;
import org.junit.jupiter.api.Assumptions;

/**
 * The OpenCL device the tests share (one context per test JVM: building the kernel library is
 * the slow part). Without an OpenCL platform the tests are skipped with the reason in the
 * report; scripts/test installs PoCL first, so in CI they run.
 */
public final class OpenClTestDevice {

    private static OpenClBackend backend;
    private static String unavailable;

    private OpenClTestDevice() {}

    public static synchronized GpuBackend get() {
        if (backend == null && unavailable == null) {
            try {
                backend = OpenClBackend.open();
                System.err.println("OpenCL tests run on " + backend.deviceName());
            } catch (IllegalStateException | LinkageError e) {
                unavailable = e.getMessage();
                System.err.println("OpenCL tests SKIPPED: " + unavailable);
            }
        }
        Assumptions.assumeTrue(backend != null, () -> "OpenCL tests skipped: " + unavailable);
        return backend;
    }
}
