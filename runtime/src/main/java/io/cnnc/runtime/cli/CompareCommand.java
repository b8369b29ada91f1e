package io.cnnc.runtime.cli;

import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.Npy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare two .npy tensors (e.g. cnnc's output and PyTorch's): max absolute and relative difference. "
                + "Exit 1 when they differ by more than --atol + --rtol * |expected|.")
final class CompareCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "ACTUAL", description = "the .npy to check")
    Path actual;

    @Parameters(index = "1", paramLabel = "EXPECTED", description = "the reference .npy")
    Path expected;

    @Option(names = "--atol", defaultValue = "1e-5", description = "absolute tolerance (default: ${DEFAULT-VALUE})")
    double atol;

    @Option(names = "--rtol", defaultValue = "1e-4", description = "relative tolerance (default: ${DEFAULT-VALUE})")
    double rtol;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Tensor a = Npy.read(actual);
        Tensor b = Npy.read(expected);
        if (a.size() != b.size()) {
            throw new UserError("sizes differ: " + actual + " " + a.shapeString() + " vs " + expected + " " + b.shapeString());
        }
        double maxAbs = 0;
        double maxRel = 0;
        long bad = 0;
        for (int i = 0; i < a.data().length; i++) {
            double x = a.data()[i];
            double y = b.data()[i];
            double d = Math.abs(x - y);
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            maxAbs = Math.max(maxAbs, d);
            maxRel = Math.max(maxRel, d / Math.max(Math.abs(y), 1e-30));
            if (d > atol + rtol * Math.abs(y)) bad++;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%d values: max abs diff %.3g, max rel diff %.3g; %s (atol %.1g, rtol %.1g)%n", a.size(), maxAbs, maxRel,
                bad == 0 ? "MATCH" : bad + " values DIFFER", atol, rtol);
        return bad == 0 ? 0 : 1;
    }
}
