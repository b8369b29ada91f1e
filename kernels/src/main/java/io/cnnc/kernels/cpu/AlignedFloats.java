package io.cnnc.kernels.cpu;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Float ranges that start on a 64-byte cache line, for the arrays the register blocks read a
 * whole 512-bit vector at a time (packed weights, partial sums). A float[]'s data starts 16
 * bytes into the object, so with the JVM's 8-byte object alignment most vectors straddle two
 * cache lines and each costs two loads: aligned, the layers measured on the Xeon ran 8-18%
 * faster (docs/kernels.md, "Cache-line alignment of vector operands").
 *
 * <p>Java says nothing of where an array lies, so this leans on two things HotSpot does:
 * with {@code -XX:ObjectAlignmentInBytes=64} every object starts on a line; and G1 puts an
 * object of at least half a region (a "humongous" one) at the start of a region of its own.
 * Ranges are therefore cut from slabs of a whole region each, 64-byte steps from the first
 * line of data. Under another collector, or an unknown header size, ranges are plain arrays:
 * a wrong guess costs speed, never correctness, as every reader takes the offset it is given.
 */
public final class AlignedFloats {

    /** Floats per cache line. */
    static final int LINE = 16;

    /** A range of {@code array} from {@code offset} on. */
    public record Slice(float[] array, int offset) {

        /** The array, with {@code offsets} (positions laid out from 0) moved to where the slice starts. */
        public float[] shifting(int[] offsets) {
            for (int i = 0; i < offsets.length; i++) offsets[i] += offset;
            return array;
        }
    }

    /** A scratch range that grows to the largest size asked for: {@code array} from {@code at} on, {@code room} floats. */
    public static class Growable {
        public float[] array = new float[0];
        public int at;
        private int room;

        /** Makes room for {@code floats} (zeroed when new; what was there is dropped). */
        public Growable fit(int floats) {
            if (room < floats) {
                Slice s = allocate(floats);
                array = s.array();
                at = s.offset();
                room = floats;
            }
            return this;
        }
    }

    private static final Layout LAYOUT = Layout.detect();
    private static float[] slab;
    private static int used;

    private AlignedFloats() {}

    /** {@code floats} zeroed floats, starting on a cache line where this JVM allows it. */
    public static Slice allocate(int floats) {
        Layout l = LAYOUT;
        if (l.lead < 0) return new Slice(new float[floats], 0);
        if (l.everyObject) return new Slice(new float[floats + l.lead], l.lead);
        // An array of its own from half a slab on: humongous, so it starts on a region too.
        if ((long) floats + l.lead >= l.slabFloats / 2) return new Slice(new float[Math.max(floats + l.lead, l.slabFloats / 2 + LINE)], l.lead);
        return cut(floats, l);
    }

    private static synchronized Slice cut(int floats, Layout l) {
        if (slab == null || used + floats > slab.length) {
            slab = new float[l.slabFloats];
            used = l.lead;
        }
        Slice s = new Slice(slab, used);
        used += (floats + LINE - 1) / LINE * LINE;
        return s;
    }

    /**
     * Where this JVM puts arrays: {@code lead}, the floats from an array's first element to the
     * next line when the object starts on one (-1: unknown); whether every object does; and a
     * G1 region's floats (a slab).
     */
    private record Layout(int lead, boolean everyObject, int slabFloats) {
        static Layout detect() {
            try {
                HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
                // A float[]'s header: mark word, class pointer and length, 16 bytes; 12 with compact headers.
                int header = Boolean.parseBoolean(vm.getVMOption("UseCompactObjectHeaders").getValue()) ? 12 : 16;
                int lead = (64 - header) / 4;
                if (Integer.parseInt(vm.getVMOption("ObjectAlignmentInBytes").getValue()) >= 64) return new Layout(lead, true, 0);
                if (!Boolean.parseBoolean(vm.getVMOption("UseG1GC").getValue())) return new Layout(-1, false, 0);
                long region = Long.parseLong(vm.getVMOption("G1HeapRegionSize").getValue());
                // A slab's object (data and header) fills one region exactly.
                return new Layout(lead, false, (int) Math.min(Integer.MAX_VALUE - 64, region / 4 - LINE));
            } catch (RuntimeException | LinkageError e) {
                return new Layout(-1, false, 0);
            }
        }
    }
}
