package io.cnnc.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AlignedFloatsTest {

    /** Ranges cut from one slab must never overlap: a kernel writing its own would corrupt another's weights. */
    @Test
    void rangesAreZeroedInBoundsAndDisjoint() {
        Random r = new Random(3);
        Map<float[], List<int[]>> byArray = new IdentityHashMap<>();
        for (int i = 0; i < 400; i++) {
            int n = 1 + r.nextInt(i % 50 == 0 ? 3_000_000 : 20_000);
            AlignedFloats.Slice s = AlignedFloats.allocate(n);
            assertThat(s.offset()).isNotNegative();
            assertThat((long) s.offset() + n).isLessThanOrEqualTo(s.array().length);
            for (int k = s.offset(); k < s.offset() + n; k += 97) assertThat(s.array()[k]).isZero();
            List<int[]> ranges = byArray.computeIfAbsent(s.array(), a -> new ArrayList<>());
            for (int[] o : ranges) assertThat(s.offset() >= o[1] || s.offset() + n <= o[0]).as("overlap").isTrue();
            ranges.add(new int[] {s.offset(), s.offset() + n});
            // Fill it, so a later overlapping range would not read as zero.
            java.util.Arrays.fill(s.array(), s.offset(), s.offset() + n, 1f);
        }
    }

    /** Ranges sharing a slab start a whole number of cache lines apart, so if one is aligned all are. */
    @Test
    void rangesInOneSlabStartWholeLinesApart() {
        AlignedFloats.Slice a = AlignedFloats.allocate(5);
        AlignedFloats.Slice b = AlignedFloats.allocate(7);
        if (a.array() == b.array()) assertThat((b.offset() - a.offset()) % AlignedFloats.LINE).isZero();
        assertThat(a.offset() % AlignedFloats.LINE).isEqualTo(b.offset() % AlignedFloats.LINE);
    }

    /** A growable range keeps its range while it is big enough and takes a new one, as large as asked, when not. */
    @Test
    void growableGrowsOnlyWhenTooSmall() {
        AlignedFloats.Growable g = new AlignedFloats.Growable().fit(100);
        float[] first = g.array;
        int at = g.at;
        g.fit(40);
        assertThat(g.array).isSameAs(first);
        assertThat(g.at).isEqualTo(at);
        g.fit(5_000);
        assertThat((long) g.at + 5_000).isLessThanOrEqualTo(g.array.length);
        assertThat(g.array != first || g.at != at).isTrue();
    }
}
