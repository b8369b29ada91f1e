package io.cnnc.kernels.cpu.conv;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.layout.Nchwc;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DirectNchwcStrategyTest {

    /** Same float-summation argument as for the GEMM strategies: up to 16*49 products, 1e-5 relative. */
    private static final double TOLERANCE = 1e-5;

    private final DirectNchwcStrategy strategy = new DirectNchwcStrategy();

    static Stream<ConvGeometry> geometries() {
        return Stream.concat(Stream.of(
                ConvStrategyCheck.geometry(16, 9, 16, 3, 1, 1, 1),
                ConvStrategyCheck.geometry(32, 30, 16, 3, 1, 1, 1),
                ConvStrategyCheck.geometry(16, 29, 32, 3, 2, 1, 1),
                ConvStrategyCheck.geometry(16, 17, 16, 5, 1, 2, 1),
                ConvStrategyCheck.geometry(16, 20, 48, 1, 2, 0, 1),
                ConvStrategyCheck.geometry(16, 3, 16, 7, 1, 3, 1),
                new ConvGeometry(16, 19, 23, 16, 3, 3, 1, 2, 0, 2, 1, 0, 2, 2, 1),
                new ConvGeometry(32, 14, 40, 16, 3, 1, 2, 1, 1, 0, 1, 0, 1, 1, 1),
                // Output groups of 4 blocks with tails of 3 and 1 blocks, pixel counts that are no
                // multiple of the register block (7x7, 13x13 at stride 2), more pixels than one task.
                ConvStrategyCheck.geometry(32, 7, 112, 3, 1, 1, 1),
                ConvStrategyCheck.geometry(48, 26, 80, 3, 2, 1, 1),
                ConvStrategyCheck.geometry(16, 40, 64, 3, 1, 1, 1),
                // 4-block groups whose last register block is a tail of 2, 3 or 4 pixels.
                new ConvGeometry(16, 2, 4, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                ConvStrategyCheck.geometry(16, 3, 64, 3, 1, 1, 1),
                ConvStrategyCheck.geometry(32, 4, 64, 3, 1, 1, 1)),
                eightChannelBlocks());
    }

    /** With 8-channel blocks (AVX2's), channel counts no multiple of 16: groups of 2 blocks with a tail of 1. */
    static Stream<ConvGeometry> eightChannelBlocks() {
        return Nchwc.BLOCK != 8 ? Stream.empty() : Stream.of(
                ConvStrategyCheck.geometry(8, 9, 8, 3, 1, 1, 1),
                ConvStrategyCheck.geometry(24, 11, 40, 3, 1, 1, 1),
                ConvStrategyCheck.geometry(40, 13, 24, 3, 2, 1, 1),
                ConvStrategyCheck.geometry(24, 5, 56, 1, 1, 0, 1));
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void matchesReferenceWithEveryEpilogue(ConvGeometry g) {
        ConvStrategyCheck.assertMatchesWithEveryEpilogue(strategy, g, ActivationKind.SILU, TOLERANCE);
    }

    /** The same kernel on NCHW tensors: the input blocked by its border copy, the output scattered back to planes. */
    @ParameterizedTest
    @MethodSource("geometries")
    void planarVariantMatchesReferenceWithEveryEpilogue(ConvGeometry g) {
        ConvStrategy planar = DirectNchwcStrategy.planarIo();
        assertThat(planar.blocked()).isFalse();
        ConvStrategyCheck.assertMatchesWithEveryEpilogue(planar, g, ActivationKind.SILU, TOLERANCE);
    }

    /** Inputs whose channels do not fill blocks, read as NCHW: the 7x7 stride-2 stem (smaller), odd sizes, no padding, 2 output blocks, 1x1. */
    static Stream<ConvGeometry> planarInputs() {
        return Stream.concat(Stream.of(
                ConvStrategyCheck.geometry(3, 38, 64, 7, 2, 3, 1),
                ConvStrategyCheck.geometry(3, 13, 48, 3, 1, 1, 1),
                ConvStrategyCheck.geometry(5, 11, 32, 5, 1, 0, 1),
                ConvStrategyCheck.geometry(20, 9, 16, 3, 2, 1, 1),
                new ConvGeometry(1, 7, 10, 16, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1),
                new ConvGeometry(3, 12, 15, 80, 3, 3, 2, 1, 1, 2, 0, 1, 2, 1, 1)),
                // With 8-channel blocks, an odd count of output blocks: the last group half wide.
                Nchwc.BLOCK != 8 ? Stream.empty() : Stream.of(
                        ConvStrategyCheck.geometry(3, 13, 24, 3, 1, 1, 1),
                        ConvStrategyCheck.geometry(3, 20, 40, 7, 2, 3, 1)));
    }

    @ParameterizedTest
    @MethodSource("planarInputs")
    void planarInputVariantMatchesReferenceWithEveryEpilogue(ConvGeometry g) {
        ConvStrategy s = DirectNchwcStrategy.planarIn();
        assertThat(s.blocked()).isTrue();
        ConvStrategyCheck.assertMatchesWithEveryEpilogue(s, g, ActivationKind.SILU, TOLERANCE);
    }

    @Test
    void planarInputVariantTakesOnlyInputsThatDoNotBlock() {
        ConvStrategy s = DirectNchwcStrategy.planarIn();
        assertThat(s.computes(ConvStrategyCheck.geometry(3, 9, 16, 3, 1, 1, 1))).isTrue();
        assertThat(s.computes(ConvStrategyCheck.geometry(16, 9, 16, 3, 1, 1, 1))).as("blocked input").isFalse();
        assertThat(s.computes(ConvStrategyCheck.geometry(3, 9, Nchwc.BLOCK + 4, 3, 1, 1, 1))).as("output not blocked").isFalse();
        assertThat(s.computes(new ConvGeometry(3, 9, 9, 16, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1))).as("dilated").isFalse();
    }

    @Test
    void refusesChannelsThatDoNotBlockAndGroups() {
        assertThat(strategy.computes(ConvStrategyCheck.geometry(3, 9, 16, 3, 1, 1, 1))).isFalse();
        assertThat(strategy.computes(ConvStrategyCheck.geometry(16, 9, Nchwc.BLOCK + 4, 3, 1, 1, 1))).isFalse();
        assertThat(strategy.computes(ConvStrategyCheck.geometry(32, 9, 32, 3, 1, 1, 2))).isFalse();
        assertThat(strategy.supports(ConvStrategyCheck.geometry(32, 9, 32, 3, 1, 1, 2))).isFalse();
    }

    /** Where a block's vector is not native (16-channel blocks forced on AVX2) the kernel computes but is never a candidate. */
    @Test
    void isACandidateOnlyWhereItsVectorsAreNative() {
        ConvGeometry g = ConvStrategyCheck.geometry(32, 9, 32, 3, 1, 1, 1);
        assertThat(strategy.computes(g)).isTrue();
        assertThat(strategy.supports(g)).isEqualTo(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() >= Nchwc.BLOCK);
        assertThat(ConvStrategies.candidates(g)).extracting(ConvStrategy::name)
                .as("candidates on %d-lane vectors", jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length())
                .matches(names -> names.contains("direct-nchwc") == Nchwc.nativeVectors());
    }

    @Test
    void reordersAreInversesAndPutChannelsInnermost() {
        int c = 32, hw = 5;
        float[] x = new float[2 * c * hw];
        Random r = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        float[] blocked = new float[x.length];
        Nchwc.toBlocked(x, blocked, 2, c, hw);
        // sample 1, channel B + 1 (block 1, lane 1), pixel 3
        int b = Nchwc.BLOCK;
        assertThat(blocked[(1 * c + b) * hw + 3 * b + 1]).isEqualTo(x[(1 * c + b + 1) * hw + 3]);
        float[] back = new float[x.length];
        Nchwc.toPlanar(blocked, back, 2, c, hw);
        assertThat(back).containsExactly(x);
    }
}
