package io.cnnc.runtime.gpu;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs every OpenCL test class the given number of times in this one JVM (scripts/opencl-soak.sh):
 * the check that the back end survives repeated contexts, builds and launches. Exit status 1 on
 * the first round with a failure; a crash ends the JVM itself.
 */
public final class OpenClSoak {

    private static final List<String> CLASSES = List.of(OpenClLayersTest.class.getName(), OpenClModelsTest.class.getName(),
            OpenClTrainingTest.class.getName(), OpenClConvStrategiesTest.class.getName(), OpenClSignalHandlersTest.class.getName(),
            OpenClActivationCodesTest.class.getName(), "io.cnnc.runtime.cli.GpuCliTest");

    private OpenClSoak() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(CLASSES.stream().map(c -> selectClass(c)).toList()).build();
        for (int round = 1; round <= rounds; round++) {
            long start = System.nanoTime();
            SummaryGeneratingListener listener = new SummaryGeneratingListener();
            LauncherFactory.create().execute(request, listener);
            TestExecutionSummary s = listener.getSummary();
            System.out.printf("round %d of %d: %d passed, %d failed, %d skipped in %.1f s%n", round, rounds, s.getTestsSucceededCount(),
                    s.getTotalFailureCount(), s.getTestsSkippedCount() + s.getTestsAbortedCount(), (System.nanoTime() - start) / 1e9);
            if (s.getTotalFailureCount() > 0 || s.getTestsSucceededCount() == 0) {
                s.printFailuresTo(new java.io.PrintWriter(System.out, true), 20);
                System.exit(1);
            }
        }
    }
}
