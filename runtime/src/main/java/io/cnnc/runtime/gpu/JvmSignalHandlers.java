package io.cnnc.runtime.gpu;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Puts the JVM's signal handlers back after a device library has replaced them.
 *
 * <p>PoCL, setting up its CPU device, makes LLVM install its own handlers for SIGSEGV, SIGBUS,
 * SIGILL, SIGINT, SIGTERM and others, and installs one of its own for SIGFPE. The JVM takes
 * SIGSEGV on purpose (safepoint polls, implicit null checks) and SIGFPE for integer division by
 * zero. LLVM's handler is one-shot (SA_RESETHAND): while it hands the first fault back to the
 * JVM, a second thread's poll finds the default action and the process dies (exit 139, no
 * hs_err); it also deletes the compiler's temporary files, failing builds in flight. PoCL's
 * SIGFPE handler skips the faulting division, so Java's {@code x / 0} returns without an
 * ArithmeticException. docs/gpu.md tells how this was found.
 *
 * <p>{@link #remember()} records the handlers before the first call into the device library;
 * {@link #reinstate()} writes back every one that changed since. LLVM registers its handlers
 * once per process and does not notice they are gone, so one reinstatement after the device is
 * set up holds; the back ends call it after each step that may load or run the compiler anyway.
 * Linux only (where PoCL does this); elsewhere both calls do nothing.
 */
public final class JvmSignalHandlers {

    /** Larger than any libc's struct sigaction (glibc x86-64: 152 bytes); copied as opaque bytes. */
    private static final long SIGACTION_BYTES = 512;
    private static final int SIGKILL = 9;
    private static final int SIGSTOP = 19;
    private static final int LAST_STANDARD_SIGNAL = 31;

    private static final Optional<MethodHandle> SIGACTION = lookupSigaction();
    private static MemorySegment[] remembered;

    private JvmSignalHandlers() {}

    private static Optional<MethodHandle> lookupSigaction() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) return Optional.empty();
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find("sigaction").map(address -> linker.downcallHandle(address,
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS)));
    }

    /** Records the current handlers; only the first call in a process records anything. */
    public static synchronized void remember() {
        if (remembered != null || SIGACTION.isEmpty()) return;
        MemorySegment[] now = new MemorySegment[LAST_STANDARD_SIGNAL + 1];
        for (int signal = 1; signal <= LAST_STANDARD_SIGNAL; signal++) {
            if (signal == SIGKILL || signal == SIGSTOP) continue;
            MemorySegment action = Arena.global().allocate(SIGACTION_BYTES);
            if (sigaction(signal, MemorySegment.NULL, action) == 0) now[signal] = action;
        }
        remembered = now;
    }

    /** Writes back each remembered handler that has been replaced; returns those signals. */
    public static synchronized List<Integer> reinstate() {
        List<Integer> restored = new ArrayList<>();
        if (remembered == null) return restored;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment current = arena.allocate(SIGACTION_BYTES);
            for (int signal = 1; signal <= LAST_STANDARD_SIGNAL; signal++) {
                MemorySegment mine = remembered[signal];
                if (mine == null || sigaction(signal, MemorySegment.NULL, current) != 0) continue;
                if (current.mismatch(mine) != -1 && sigaction(signal, mine, MemorySegment.NULL) == 0) restored.add(signal);
            }
        }
        return restored;
    }

    private static int sigaction(int signal, MemorySegment action, MemorySegment old) {
        try {
            return (int) SIGACTION.orElseThrow().invokeExact(signal, action, old);
        } catch (Throwable e) {
            throw new IllegalStateException("sigaction(" + signal + ") failed", e);
        }
    }
}
