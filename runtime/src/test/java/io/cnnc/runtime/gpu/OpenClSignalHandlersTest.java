package io.cnnc.runtime.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cnnc.runtime.gpu.opencl.OpenClBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JVM keeps its signal handlers once PoCL (and the LLVM inside it) has been set up and has
 * compiled kernels: without {@link JvmSignalHandlers}, Java's integer division by zero returns 0,
 * and a safepoint reached by two threads while a kernel compiles kills the JVM (exit 139, the
 * crash of the OpenCL tests; docs/gpu.md). The handlers' owner is read with dladdr, independently
 * of what JvmSignalHandlers remembered.
 */
class OpenClSignalHandlersTest {

    private static final int SIGHUP = 1, SIGINT = 2, SIGILL = 4, SIGBUS = 7, SIGFPE = 8, SIGSEGV = 11, SIGUSR2 = 12, SIGTERM = 15;
    private static final AtomicLong UNIQUE = new AtomicLong(System.nanoTime());

    private static GpuBackend device;

    @BeforeAll
    static void openAFreshContext() {
        OpenClTestDevice.get();
        device = OpenClBackend.open();
    }

    @AfterAll
    static void close() {
        if (device != null) device.close();
    }

    @Test
    void theJvmStillOwnsTheSignalsItUsesAfterKernelsAreBuiltAndRun() {
        buildAndRunAFreshKernel();
        for (int signal : new int[] {SIGILL, SIGBUS, SIGFPE, SIGSEGV, SIGUSR2}) {
            assertThat(handlerLibrary(signal)).as("library of the handler for signal %d", signal).endsWith("/libjvm.so");
        }
        // The JVM leaves a shutdown signal its parent ignored (nohup's SIGHUP) ignored: then nobody else may have taken it either.
        for (int signal : new int[] {SIGHUP, SIGINT, SIGTERM}) {
            assertThat(handlerLibrary(signal)).as("library of the handler for signal %d", signal)
                    .satisfiesAnyOf(l -> assertThat(l).endsWith("/libjvm.so"), l -> assertThat(l).isEqualTo("SIG_IGN"));
        }
    }

    @Test
    void javaIntegerDivisionByZeroStillThrowsAfterOpenClIsUsed() {
        buildAndRunAFreshKernel();
        int zero = Integer.parseInt("0");
        assertThatThrownBy(() -> divide(7, zero)).isInstanceOf(ArithmeticException.class);
    }

    /**
     * Three threads run Java code and one forces safepoints while PoCL compiles 30 programs no
     * cache has seen. Before the fix this killed the JVM within 2-19 builds (4 of 4 runs) and
     * failed builds whose temporary files LLVM's handler had deleted.
     */
    @Test
    void compilingWhileJavaThreadsReachSafepointsNeitherCrashesNorFailsBuilds() throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        AtomicLong sink = new AtomicLong();
        for (int t = 0; t < 3; t++) {
            threads.add(Thread.ofPlatform().daemon().start(() -> {
                long s = 0;
                while (!stop.get()) {
                    for (int i = 0; i < 1000; i++) s += i * 31L ^ s;
                    sink.addAndGet(new Object[64].length + s);
                }
            }));
        }
        threads.add(Thread.ofPlatform().daemon().start(() -> {
            while (!stop.get()) {
                System.gc();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }));
        try {
            for (int i = 0; i < 30; i++) buildAndRunAFreshKernel();
        } finally {
            stop.set(true);
            for (Thread t : threads) t.join();
        }
    }

    private static int divide(int a, int b) {
        return a / b;
    }

    /** A kernel whose text no PoCL cache has seen, so LLVM compiles it; its result is checked. */
    private static void buildAndRunAFreshKernel() {
        long k = UNIQUE.incrementAndGet() % 1_000_000;
        device.build("kernel void add_k(global float* x) { x[get_global_id(0)] += " + k + ".0f; }");
        GpuBackend.DeviceBuffer buffer = device.allocate(4);
        try {
            device.write(buffer, new float[] {1, 2, 3, 4});
            device.launch("add_k", new long[] {4, 1, 1}, null, new Object[] {buffer});
            float[] out = new float[4];
            device.read(buffer, out);
            assertThat(out).containsExactly(1 + k, 2 + k, 3 + k, 4 + k);
        } finally {
            device.release(buffer);
        }
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SIGACTION = downcall("sigaction",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle DLADDR = downcall("dladdr",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor);
    }

    /** The shared library holding the signal's current handler (sa_handler is the first field). */
    private static String handlerLibrary(int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment action = arena.allocate(512);
            assertThat((int) SIGACTION.invokeExact(signal, MemorySegment.NULL, action)).isZero();
            long handler = action.get(ValueLayout.JAVA_LONG, 0);
            if (handler <= 1) return handler == 0 ? "SIG_DFL" : "SIG_IGN";
            MemorySegment info = arena.allocate(32);
            if ((int) DLADDR.invokeExact(MemorySegment.ofAddress(handler), info) == 0) return "unknown";
            return info.get(ValueLayout.ADDRESS, 0).reinterpret(4096).getString(0);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }
}
