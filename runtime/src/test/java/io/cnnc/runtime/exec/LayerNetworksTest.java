package io.cnnc.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.codegen.CompileOptions;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.cpu.CompiledNetwork;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.weights.WeightInitializer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Layers on the CPU paths beyond their kernels, each in a network that uses it as models do:
 * in generated code (batch 1 and 3, one and two threads, with the cost model's strategies and
 * between blocked convs), and in the TornadoVM plain-Java fallback, against the reference executor.
 */
class LayerNetworksTest {

    static Stream<Arguments> networks() {
        return Stream.of(
                // A ShuffleNet-style unit: split-free, two branches mixed by shuffles (between blocked convs the layout pass reorders around them).
                Arguments.of("ChannelShuffle.forward(", """
                        network Shuffle { input x: [16, 9, 10]
                          a = conv(32, 1, groups=4) -> bn -> relu
                          b = a -> channelshuffle(4) -> dwconv(3, pad=1) -> bn -> conv(32, 1, groups=4) -> relu
                          c = concat(b, a -> channelshuffle(8)) -> channelshuffle(2)
                          c -> conv(16, 3, stride=2, pad=1) -> gap -> flatten -> dense(5)
                        }"""),
                // A ShuffleNetV2 unit: its input cut in two, one half through a branch, concatenated and shuffled.
                Arguments.of("ChannelSlice.forward(", """
                        network ShuffleUnit { input x: [32, 9, 10]
                          a = x -> slice(0, 16)
                          b = x -> slice(16, 32) -> conv(16, 1) -> bn -> relu -> dwconv(3, pad=1) -> bn -> conv(16, 1) -> bn -> relu
                          c = concat(a, b) -> channelshuffle(2)
                          c -> slice(5, 29) -> conv(8, 3, stride=2, pad=1) -> gap -> flatten -> dense(5)
                        }"""),
                // An encoder-decoder: a strided conv down, transposed convs back up with a skip connection, as U-Net and FCN heads.
                Arguments.of("TransposedConv.forward(", """
                        network UpDown { input x: [32, 9, 10]
                          a = x -> conv(32, 3, stride=2, pad=1) -> bn -> relu
                          b = a -> deconv(32, 4, stride=2, pad=1, output_pad=0) -> relu
                          c = concat(b -> conv(16, 3, pad=(1, 1, 0, 1)), x -> conv(20, 1) -> slice(2, 18))
                          c -> deconv(8, 3, stride=2, pad=1, output_pad=1, groups=2, bias=false) -> deconv(3, (1, 2), dilation=2)
                        }"""),
                Arguments.of("GroupNorm.forward(", """
                        network Norms { input x: [32, 9, 10]
                          a = x -> conv(32, 3, pad=1) -> groupnorm(8) -> relu -> conv(32, 3, pad=1) -> instancenorm(affine=true)
                          (a + x) -> relu -> groupnorm(4, affine=false) -> instancenorm -> conv(8, 1)
                        }"""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void compiledNetworkMatchesTheReferenceExecutor(String call, String source) throws Exception {
        Graph graph = Compiler.compile(new SourceFile("n.cnn", source)).networks().getFirst();
        Map<String, Tensor> weights = WeightInitializer.initialize(graph, 7);
        for (Set<String> strategies : List.of(Set.<String>of(), Set.of("direct-nchwc"))) {
            for (int batch : new int[] {1, 3}) {
                for (int threads : new int[] {1, 2}) {
                    CompiledModel model = CompiledModel.compile(graph, raw(weights),
                            CompileOptions.defaults().withBatch(batch).withThreads(threads).withStrategies(strategies));
                    assertThat(model.javaSource()).contains(call);
                    Tensor x = input(graph, batch, 11 + batch);
                    float[] got = model.instantiate(Parallel.of(threads)).forward(new float[][] {x.data()})[0];
                    float[] want = new ReferenceExecutor(graph, weights).run(List.of(x)).getFirst().data();
                    assertClose(got, want, strategies + " batch " + batch + " threads " + threads);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void tornadoJavaFallbackMatchesTheReference(String call, String source) throws Exception {
        Graph graph = Compiler.compile(new SourceFile("n.cnn", source)).networks().getFirst();
        Map<String, Tensor> weights = WeightInitializer.initialize(graph, 4);
        CompiledModel model = CompiledModel.compile(graph, raw(weights), CompileOptions.defaults().withBatch(2).withThreads(1));
        CompiledNetwork net = model.instantiate(model.tornadoSource(false), Parallel.serial());
        Tensor x = input(graph, 2, 8);
        float[] got = net.forward(new float[][] {x.data()})[0];
        float[] want = new ReferenceExecutor(graph, weights).run(List.of(x)).getFirst().data();
        assertClose(got, want, "tornado fallback");
    }

    private static Map<String, float[]> raw(Map<String, Tensor> weights) {
        Map<String, float[]> raw = new HashMap<>();
        weights.forEach((k, v) -> raw.put(k, v.data()));
        return raw;
    }

    private static Tensor input(Graph graph, int batch, long seed) {
        var s = graph.inputs().getFirst().shape();
        java.util.Random r = new java.util.Random(seed);
        float[] x = new float[Math.toIntExact(batch * s.size())];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
        return Tensor.of(x, batch, s.c(), s.h(), s.w());
    }

    private static void assertClose(float[] got, float[] want, String what) {
        assertThat(got).hasSameSizeAs(want);
        double scale = 0;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < want.length; i++) {
            assertThat((double) Math.abs(got[i] - want[i])).as("%s element %d", what, i).isLessThanOrEqualTo(1e-4 * scale);
        }
    }
}
