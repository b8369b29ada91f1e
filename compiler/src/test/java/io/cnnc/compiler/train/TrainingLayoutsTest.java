package io.cnnc.compiler.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.CompileTestSupport;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.schedule.Machine;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.layout.Nchwc;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which tensors the training step keeps blocked, for kernels forced blocked or planar: the
 * regions batch norm, adds and ReLUs connect take one layout; a tensor a reader cannot take
 * blocked (a dense layer, the network's output), the input, and channels that do not fill blocks
 * stay NCHW.
 */
class TrainingLayoutsTest {

    private static final int C = Nchwc.BLOCK;

    private static final String NET = """
            network T {
              input x: [3, 16, 16]
              a = x -> conv(%1$d, 3, pad=1, bias=false) -> bn -> relu
              b = a -> conv(%1$d, 3, pad=1, bias=false) -> bn
              s = a + b -> relu
              t = s -> conv(%2$d, 3, pad=1) -> relu
              u = t -> conv(%1$d, 3, stride=2, pad=1) -> bn -> relu -> gap -> flatten -> dense(10)
              output u
            }
            """.formatted(C, C + 4);

    @BeforeEach
    void blockedKernelsExist() {
        Assumptions.assumeTrue(Nchwc.nativeVectors(), "no blocked kernels on this CPU");
    }

    /**
     * conv1 to add1 are one region (batch norm, its ReLU and the add join them). conv4's output
     * stays NCHW: its blocked forward would save the reorder of its output, but its data gradient
     * by phases reads dy as NCHW, which would cost it back.
     */
    @Test
    void blockedKernelsBlockTheRegionsBetweenThem() {
        assertThat(blockedNames(name -> ConvStrategies.byName(name).blocked())).containsExactly("conv1", "bn1", "conv2", "bn2", "add1");
    }

    @Test
    void planarKernelsBlockNothing() {
        assertThat(blockedNames(name -> !ConvStrategies.byName(name).blocked())).isEmpty();
    }

    /** conv3's output has C + 4 channels, which do not fill blocks, and is read by conv4 only. */
    @Test
    void channelsThatDoNotFillBlocksStayNchw() {
        assertThat(blockedNames(name -> ConvStrategies.byName(name).blocked())).doesNotContain("conv3");
    }

    @Test
    void explainNamesEachRegionAndItsScore() {
        Graph g = CompileTestSupport.graph(NET);
        TrainingPlan plan = TrainingPlan.derive(g, Set.of());
        var convs = TrainingConvStrategies.choose(plan, Machine.shipped(), 2, name -> ConvStrategies.byName(name).blocked(), TrainingLayouts.planar());
        assertThat(TrainingLayouts.choose(plan, convs).explain())
                .contains("layout " + Nchwc.NAME.toLowerCase(java.util.Locale.ROOT) + ": conv1, bn1 ... add1 (5 nodes) (+")
                .contains("layout nchw: conv4, bn3 (");
    }

    private static java.util.List<String> blockedNames(Predicate<String> wanted) {
        Graph g = CompileTestSupport.graph(NET);
        TrainingPlan plan = TrainingPlan.derive(g, Set.of());
        var convs = TrainingConvStrategies.choose(plan, Machine.shipped(), 2, wanted, TrainingLayouts.planar());
        return TrainingLayouts.choose(plan, convs).blockedNames(plan);
    }
}
