package io.cnnc.runtime.viz;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.dsl.SourceFile;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.weights.WeightInitializer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Luo et al.'s observation on a randomly initialised stack of 3x3 convolutions: the effective
 * receptive field is centred on the unit, falls off from the centre outwards like a Gaussian, and
 * holds 95% of its mass well inside the nominal field.
 */
class EffectiveReceptiveFieldTest {

    @Test
    void aRandomStackOfConvolutionsSeesLessThanItsNominalField() throws Exception {
        Graph graph = Compiler.compile(new SourceFile("stack.cnn", """
                block layer() { conv(8, 3, pad=1) -> relu }
                network Stack {
                  input x: [1, 64, 64]
                  repeat 15 layer()
                  conv(8, 3, pad=1, name="top")
                }""")).networks().getFirst();
        Map<String, Tensor> params = WeightInitializer.initialize(graph, 1);
        Node top = graph.nodes().stream().filter(n -> n.name().equals("top")).findFirst().orElseThrow();
        EffectiveReceptiveField.Result r = EffectiveReceptiveField.of(graph, params, top, 20, 2);
        // Nominal: 16 layers of 3x3 see 33 x 33 around the unit at (32, 32), 16 pixels each way; measured: 9.5.
        assertThat(r.centreY()).isCloseTo(32, org.assertj.core.data.Offset.offset(1.0));
        assertThat(r.centreX()).isCloseTo(32, org.assertj.core.data.Offset.offset(1.0));
        assertThat(r.radius95()).as("half-width of the square holding 95%").isLessThan(0.75 * 16);
        assertThat(r.ringMean(0, 3)).isGreaterThan(r.ringMean(5, 8));
        assertThat(r.ringMean(5, 8)).isGreaterThan(r.ringMean(10, 13));
        assertThat(r.ringMean(25, 60)).as("beyond the nominal field").isZero();
    }
}
