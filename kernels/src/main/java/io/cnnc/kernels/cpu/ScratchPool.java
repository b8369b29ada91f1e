package io.cnnc.kernels.cpu;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Scratch buffers shared by the kernels of a network, last given back first taken. Layers run
 * one after another, so the next layer that asks for a buffer of the same kind gets the one the
 * last layer left in cache; a buffer per kernel instance is instead cold on every call inside a
 * network (its last use was a whole forward pass ago), and writing it costs a trip to memory.
 *
 * <p>The key says which buffers are interchangeable: the size alone for buffers a kernel writes
 * in full before reading, the whole layout for buffers whose padding is written once (zero) and
 * never again, so that every user of a key writes exactly the same positions.
 *
 * <p>Buffers are kept per thread: a buffer last written by the other core is in that core's L2,
 * and moving it over cost more than it saved (docs/kernels.md, "Threads"). A buffer goes back to
 * the pool of the thread that gives it back.
 */
public final class ScratchPool {

    private static final ThreadLocal<Map<Object, ArrayDeque<Object>>> FREE = ThreadLocal.withInitial(HashMap::new);

    private ScratchPool() {}

    /**
     * A buffer of {@code size} floats for {@code key} (which must determine the size): a
     * given-back one if there is one, else a new zeroed one.
     */
    public static float[] take(Object key, int size) {
        ArrayDeque<Object> free = FREE.get().get(key);
        Object a = free == null ? null : free.pollFirst();
        if (a instanceof float[] f && f.length == size) return f;
        return new float[size];
    }

    /**
     * A set of buffers (a kernel's scratch object) for {@code key}, which must determine
     * everything {@code create} sizes: a given-back one if there is one, else a new one.
     */
    @SuppressWarnings("unchecked")
    public static <T> T take(Object key, Supplier<T> create) {
        ArrayDeque<Object> free = FREE.get().get(key);
        Object a = free == null ? null : free.pollFirst();
        return a != null ? (T) a : create.get();
    }

    /** Returns a buffer (or set of buffers) taken under {@code key} for reuse. */
    public static void give(Object key, Object a) {
        FREE.get().computeIfAbsent(key, k -> new ArrayDeque<>()).offerFirst(a);
    }
}
