package io.cnnc.kernels.cpu;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * A fixed team of worker threads for back-to-back parallel loops, OpenMP style: the caller
 * publishes a loop, takes tasks itself alongside the workers, and spins until all are done.
 *
 * <p>Tasks are shared out statically first, as OpenMP's static schedule: the caller takes the
 * first contiguous share, worker i the (i+1)-th, and only a participant done with its own share
 * takes what is left of the others'. So a layer's tasks land on the same core at every pass, and
 * the output and scratch lines a core writes are the ones it wrote last time, still in its L2;
 * with tasks taken first come, first served, half the lines moved between the cores at every
 * layer; stealing keeps a core that a neighbour slows from holding the loop up.
 *
 * Workers spin a little after each loop before parking, because the next layer's loop usually
 * follows within microseconds, and a fork-join pool's per-loop cost is most of a small layer's
 * time (measurements: docs/kernels.md, "Threads").
 */
final class WorkerTeam {

    /**
     * How long an idle worker spins before parking ({@code -Dcnnc.spin.us}): a network has serial
     * stretches between parallel loops (a small layer, a pad copy), and a worker that parked
     * during one costs a wake-up at the next loop. ONNX Runtime's pool spins too, by default.
     */
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(Long.getLong("cnnc.spin.us", 1000));
    /**
     * How long a caller spins for the last tasks before parking. Kept short, so that a spinning
     * caller does not keep a preempted worker off its core.
     */
    private static final long CALLER_SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(Long.getLong("cnnc.callerspin.us", 20));

    /**
     * One loop's state. Each loop gets its own, so a worker still finishing with the previous
     * loop can only find that loop's counters exhausted, never take a task of the next one.
     */
    private static final class Loop {
        final IntConsumer body;
        final int tasks;
        /** Per participant (the caller first, then the workers): the next task of its share, and where the share ends. */
        final AtomicInteger[] cursor;
        final int[] end;
        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        /** The caller, once it stops spinning; whoever finishes the last task wakes it. */
        volatile Thread waiter;

        Loop(IntConsumer body, int tasks, int participants) {
            this.body = body;
            this.tasks = tasks;
            cursor = new AtomicInteger[participants];
            end = new int[participants];
            for (int k = 0; k < participants; k++) {
                cursor[k] = new AtomicInteger((int) ((long) k * tasks / participants));
                end[k] = (int) ((long) (k + 1) * tasks / participants);
            }
        }

        /** Participant {@code me}'s share in order, then what is left of the others'. */
        void work(int me) {
            for (int i = 0; i < cursor.length; i++) {
                int k = (me + i) % cursor.length;
                for (int t = cursor[k].getAndIncrement(); t < end[k]; t = cursor[k].getAndIncrement()) run(t);
            }
        }

        private void run(int t) {
            try {
                body.accept(t);
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            } finally {
                if (done.incrementAndGet() == tasks) {
                    Thread w = waiter;
                    if (w != null) LockSupport.unpark(w);
                }
            }
        }
    }

    private final Thread[] workers;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Loop current;

    WorkerTeam(int threads) {
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int me = i + 1;
            Thread t = new Thread(() -> workerLoop(me), "cnnc-worker-" + i);
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    void run(int taskCount, IntConsumer body) {
        // A loop started from inside one of this team's tasks runs inline: the team is busy.
        if (lock.isHeldByCurrentThread() || isWorker(Thread.currentThread())) {
            for (int t = 0; t < taskCount; t++) body.accept(t);
            return;
        }
        lock.lock();
        try {
            Loop loop = new Loop(body, taskCount, workers.length + 1);
            current = loop;
            for (Thread w : workers) LockSupport.unpark(w);
            loop.work(0);
            awaitDone(loop);
            Throwable f = loop.failure.get();
            if (f instanceof RuntimeException e) throw e;
            if (f instanceof Error e) throw e;
            if (f != null) throw new IllegalStateException(f);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Spins briefly (the other tasks usually end within microseconds), then parks: when the
     * machine has more runnable threads than cores, spinning would keep the very worker it
     * waits for off the core.
     */
    private static void awaitDone(Loop loop) {
        long spinUntil = System.nanoTime() + CALLER_SPIN_NANOS;
        while (loop.done.get() < loop.tasks) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                loop.waiter = Thread.currentThread();
                // Timed, so a wake-up that raced with setting waiter costs at most this long.
                if (loop.done.get() < loop.tasks) LockSupport.parkNanos(loop, 50_000);
            }
        }
    }

    private boolean isWorker(Thread t) {
        for (Thread w : workers) if (w == t) return true;
        return false;
    }

    private void workerLoop(int me) {
        Loop seen = null;
        while (true) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            Loop loop;
            while ((loop = current) == seen) {
                if (System.nanoTime() < spinUntil) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            seen = loop;
            loop.work(me);
        }
    }
}
