package io.cnnc.runtime.embed;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.codegen.CompileOptions;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.cpu.Parallel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One Model shared by several threads gives every call the result it gives that input alone. */
class ModelConcurrencyTest {

    static final int THREADS = 4;
    static final int CALLS = 150;

    private static CompiledModel compiled() throws Exception {
        Graph graph = Compiler.compile(new SourceFile("m.cnn", """
                network Shared { input x: [3, 16, 16]
                  conv(8, 3, pad=1) -> bn -> relu
                  conv(8, 3, pad=1) -> relu -> maxpool(2)
                  flatten -> dense(10)
                }""")).networks().getFirst();
        Map<String, float[]> raw = new HashMap<>();
        io.cnnc.runtime.weights.WeightInitializer.initialize(graph, 3).forEach((k, v) -> raw.put(k, v.data()));
        return CompiledModel.compile(graph, raw, CompileOptions.defaults().withThreads(1));
    }

    private static float[] input(int i) {
        Random r = new Random(i);
        float[] x = new float[3 * 16 * 16];
        for (int j = 0; j < x.length; j++) x[j] = (float) r.nextGaussian();
        return x;
    }

    /** Each thread calls predict (or predictInto) on its own inputs; returns the calls whose result differs from the lone one. */
    private static List<String> mismatches(Model model) throws Exception {
        int inputs = THREADS * CALLS;
        float[][] alone = new float[inputs][];
        for (int i = 0; i < inputs; i++) alone[i] = model.predict(input(i));
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    List<String> wrong = new ArrayList<>();
                    for (int c = 0; c < CALLS; c++) {
                        int i = thread * CALLS + c;
                        float[] y;
                        if (c % 2 == 0) {
                            y = model.predict(input(i));
                        } else {
                            y = new float[model.outputLength()];
                            model.predictInto(input(i), y);
                        }
                        if (!java.util.Arrays.equals(y, alone[i])) wrong.add("input " + i);
                    }
                    return wrong;
                }));
            }
            List<String> wrong = new ArrayList<>();
            for (Future<List<String>> f : results) wrong.addAll(f.get(120, TimeUnit.SECONDS));
            return wrong;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aModelThatMakesInstancesGivesEveryThreadItsOwnResult() throws Exception {
        CompiledModel m = compiled();
        Model model = Model.of(() -> m.instantiate(Parallel.serial()), "Shared", new int[] {3, 16, 16}, new int[] {10, 1, 1});
        assertThat(mismatches(model)).isEmpty();
    }

    @Test
    void aModelOfOneInstanceLetsThreadsTakeTurns() throws Exception {
        CompiledModel m = compiled();
        Model model = Model.of(m.instantiate(Parallel.serial()), "Shared", new int[] {3, 16, 16}, new int[] {10, 1, 1});
        assertThat(mismatches(model)).isEmpty();
    }
}
