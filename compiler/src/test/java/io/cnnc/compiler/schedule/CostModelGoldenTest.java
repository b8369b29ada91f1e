package io.cnnc.compiler.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cnnc.compiler.Compiler;
import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.ir.Node;
import io.cnnc.compiler.ops.FusedConvOp;
import io.cnnc.compiler.passes.InferencePipeline;
import io.cnnc.dsl.SourceFile;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.VectorRegisters;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.ConvStrategy;
import io.cnnc.kernels.cpu.conv.ConvWork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The cost model's work, estimate and choice for every conv layer of the networks in examples/
 * and of bench's layer sets, on every {@link CpuKind}'s machine and table, on 1, 2 and 4
 * threads, for every strategy that computes the layer: compared exactly (doubles by their
 * shortest round-tripping text) with a golden file written by the code before strategies
 * owned their cost, so that moving the arithmetic changes no number and no choice.
 * <p>
 * The model reads the register blocks of this CPU (PackedGemm's MR and NR), so the golden file
 * is per vector shape, named by lanes and registers; a shape with no file is skipped. AVX-512's
 * and AVX2's are committed, AVX2's written on an AVX-512 machine with
 * {@code JAVA_TOOL_OPTIONS=-XX:UseAVX=2} before the command below. Written with {@code mvn -B -o -q -pl compiler -am test
 * -Dtest=CostModelGoldenTest -Dgolden.update=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class CostModelGoldenTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden/cost-model");
    private static final Path EXAMPLES = Path.of("..", "examples");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");
    private static final int[] THREADS = {1, 2, 4};

    /** bench's ConvLayers and CalibrateCostModel.LAYERS (the bench module is not visible from here). */
    private static final List<ConvGeometry> BENCH_LAYERS = List.of(
            conv(64, 56, 64, 3, 1, 1, 1), conv(256, 14, 256, 3, 1, 1, 1), conv(128, 28, 128, 3, 1, 1, 1),
            conv(64, 56, 128, 3, 2, 1, 1), conv(256, 56, 64, 1, 1, 0, 1), conv(144, 56, 144, 3, 1, 1, 144),
            conv(3, 224, 64, 7, 2, 3, 1), conv(1, 28, 6, 5, 1, 2, 1), conv(512, 7, 512, 3, 1, 1, 1),
            conv(16, 32, 16, 3, 1, 1, 1), conv(32, 16, 32, 3, 1, 1, 1), conv(64, 8, 64, 3, 1, 1, 1),
            conv(128, 28, 256, 3, 2, 1, 1), conv(64, 56, 256, 1, 1, 0, 1), conv(64, 56, 128, 1, 2, 0, 1),
            conv(384, 14, 64, 1, 1, 0, 1), conv(64, 14, 384, 1, 1, 0, 1), conv(960, 7, 160, 1, 1, 0, 1),
            conv(160, 7, 960, 1, 1, 0, 1), conv(1, 28, 6, 5, 1, 0, 1), conv(96, 112, 96, 3, 2, 1, 96),
            conv(960, 7, 960, 3, 1, 1, 960), conv(32, 28, 32, 3, 1, 1, 2),
            // Register-block tails: 1, 2, 3, 5 and 6 output blocks, planar input, odd pixel counts.
            conv(16, 9, 16, 3, 1, 1, 1), conv(32, 11, 32, 3, 1, 1, 1), conv(48, 13, 48, 3, 1, 1, 1),
            conv(80, 7, 80, 3, 1, 1, 1), conv(96, 5, 96, 3, 1, 1, 1), conv(3, 17, 48, 3, 1, 1, 1),
            conv(24, 15, 40, 5, 2, 2, 1), conv(64, 10, 64, 3, 1, 0, 4));

    private static ConvGeometry conv(int inC, int hw, int outC, int k, int stride, int pad, int groups) {
        return new ConvGeometry(inC, hw, hw, outC, k, k, stride, stride, pad, pad, pad, pad, 1, 1, groups);
    }

    @Test
    void workEstimatesAndChoicesMatchTheGoldenFile() throws Exception {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        Path path = GOLDEN.resolve("lanes" + lanes + "-registers" + VectorRegisters.COUNT + ".txt");
        String actual = table(geometries());
        if (UPDATE) {
            Files.createDirectories(path.getParent());
            Files.writeString(path, actual, StandardCharsets.UTF_8);
            return;
        }
        assumeTrue(Files.exists(path), "no golden cost-model file for " + lanes + "-lane vectors and " + VectorRegisters.COUNT + " registers");
        String expected = Files.readString(path, StandardCharsets.UTF_8);
        List<String> want = expected.lines().toList(), got = actual.lines().toList();
        for (int i = 0; i < Math.min(want.size(), got.size()); i++) assertThat(got.get(i)).as(path + " line " + (i + 1)).isEqualTo(want.get(i));
        assertThat(got).hasSameSizeAs(want);
    }

    /** Every distinct conv geometry of the examples' optimized graphs, then bench's. */
    private static Set<ConvGeometry> geometries() throws Exception {
        Set<ConvGeometry> out = new LinkedHashSet<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            files = s.filter(p -> p.toString().endsWith(".cnn")).sorted().toList();
        }
        for (Path file : files) {
            for (Graph g : Compiler.compile(SourceFile.read(file)).networks()) {
                for (Node n : InferencePipeline.standard().apply(g).nodes()) {
                    if (n.op() instanceof FusedConvOp f) out.add(f.conv().geometry(n.inputShapes().getFirst()));
                }
            }
        }
        out.addAll(BENCH_LAYERS);
        return out;
    }

    /**
     * Per geometry and candidate: its key, layout and gathers, then per thread count its work and
     * its estimate on each kind's machine (the why only where it changes, the reason only where it adds
     * to the why); then per thread count each kind's choice (its reason where it is not the estimate's).
     */
    private static String table(Set<ConvGeometry> geometries) {
        StringBuilder sb = new StringBuilder();
        sb.append("# CostModelGoldenTest: ").append(geometries.size()).append(" geometries; see its Javadoc for how it is written\n");
        Set<String> all = ConvStrategies.all().stream().map(ConvStrategy::name).collect(Collectors.toSet());
        Map<CpuKind, CostModel> models = new java.util.EnumMap<>(CpuKind.class);
        for (CpuKind kind : CpuKind.values()) {
            models.put(kind, new CostModel(new Machine(kind.name(), kind.peakGflopsPerCore(), 17, 29, kind.gatherNanos(), kind.efficiencyTable())));
        }
        for (ConvGeometry g : geometries) {
            sb.append("geometry ").append(text(g)).append('\n');
            for (ConvStrategy s : ConvStrategies.all()) {
                if (!s.computes(g)) continue;
                sb.append(String.format(Locale.ROOT, "  %s key=%s blocked=%s gathers=%s%n", s.name(), s.efficiencyKey(g), s.blocked(),
                        s.work(g, 1).gathers()));
                String firstWhy = null;
                for (int threads : THREADS) {
                    ConvWork w = s.work(g, threads);
                    sb.append(String.format(Locale.ROOT, "    t=%d flops=%s bytes=%s%s%n", threads, w.flops(), w.bytes(),
                            w.explained().equals(firstWhy) ? "" : " why=" + w.explained()));
                    if (firstWhy == null) firstWhy = w.explained();
                    sb.append("     ");
                    for (CpuKind kind : CpuKind.values()) {
                        CostModel.Estimate e = models.get(kind).estimate(s, g, threads);
                        sb.append(' ').append(kind).append('=').append(e.ms());
                        if (!e.reason().equals(w.explained())) sb.append(" (").append(e.reason().substring(w.explained().length())).append(')');
                    }
                    sb.append('\n');
                }
            }
            for (int threads : THREADS) {
                for (CpuKind kind : CpuKind.values()) {
                    Choice c = new StrategyChooser(models.get(kind), threads, name -> true, all).choose(g);
                    String estimated = models.get(kind).estimate(ConvStrategies.byName(c.strategy()), g, c.threads()).reason();
                    sb.append(String.format(Locale.ROOT, "  choice t=%d %s %s on %d, %s ms%s%n", threads, kind, c.strategy(), c.threads(), c.expected(),
                            c.reason().equals(estimated) ? "" : ": " + c.reason()));
                }
            }
        }
        return sb.toString();
    }

    private static String text(ConvGeometry g) {
        return String.format(Locale.ROOT, "in=%dx%dx%d out=%d k=%dx%d s=%dx%d pad=%d,%d,%d,%d d=%dx%d groups=%d", g.inC(), g.inH(), g.inW(), g.outC(),
                g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.padTop(), g.padLeft(), g.padBottom(), g.padRight(), g.dilationH(),
                g.dilationW(), g.groups());
    }
}
