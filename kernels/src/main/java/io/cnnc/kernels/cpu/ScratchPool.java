package io.cnnc.kernels.cpu;

import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Scratch buffers shared by the kernels of a network, last given back first taken. Layers run
 * one after another, so the next layer that asks for a buffer of the same kind gets the one the
 * last layer left in cache; a buffer per kernel instance is instead cold on every call inside a
 * network (its last use was a whole forward pass ago), and writing it costs a trip to memory.
 *
 * <p>The key says which buffers are interchangeable: the size alone for buffers a kernel writes
 * in full before reading, the whole layout for buffers whose padding is written once (zero) and
 * never again, so that every user of a key writes exactly the same positions.
 */
public final class ScratchPool {

    private static final Map<Object, Deque<float[]>> FREE = new ConcurrentHashMap<>();

    private ScratchPool() {}

    /**
     * A buffer of {@code size} floats for {@code key} (which must determine the size): a
     * given-back one if there is one, else a new zeroed one.
     */
    public static float[] take(Object key, int size) {
        Deque<float[]> free = FREE.get(key);
        float[] a = free == null ? null : free.pollFirst();
        if (a != null && a.length == size) return a;
        return new float[size];
    }

    /** Returns a buffer taken under {@code key} for reuse. */
    public static void give(Object key, float[] a) {
        FREE.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>()).offerFirst(a);
    }
}
