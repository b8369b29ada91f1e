package io.cnnc.runtime.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ops.ActivationOp;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.ActivationKind;
import org.junit.jupiter.api.Test;

/** `cnnc devices --check` covers every activation, a new one included, with no edit to GpuSelfCheck. */
class GpuSelfCheckNetworkTest {

    @Test
    void theSelfCheckNetworkCompilesAndUsesEveryActivation() throws Exception {
        Graph graph = Compiler.compile(new SourceFile("selfcheck.cnn", GpuSelfCheck.NETWORK)).networks().getFirst();
        assertThat(graph.nodes().stream().filter(n -> n.op() instanceof ActivationOp).map(n -> ((ActivationOp) n.op()).kind()))
                .contains(ActivationKind.values());
    }
}
