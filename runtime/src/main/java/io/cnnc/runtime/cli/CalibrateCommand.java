package io.cnnc.runtime.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "Measure this machine for the cost model (FP32 peak, bandwidth, hand-over and reorder costs, each conv strategy's "
                + "efficiency on 1 and N threads) in under a minute, and cache it for every later compile (docs/compiler.md).")
final class CalibrateCommand implements Callable<Integer> {

    @Option(names = "--threads", description = "the most threads to measure on (default: all cores)")
    Integer threads;

    @Option(names = "--budget", defaultValue = "45", description = "seconds the strategies may take (default: ${DEFAULT-VALUE})")
    double budget;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) throw new UserError("--threads must be at least 1");
        if (!(budget >= 0)) throw new UserError("--budget must be 0 or more seconds");
        Calibrating.run(t, budget, spec.commandLine().getOut());
        return 0;
    }
}
