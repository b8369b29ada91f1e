package io.cnnc.runtime.cli;

import io.cnnc.compiler.codegen.CompileOptions;
import io.cnnc.compiler.schedule.TuningCache;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** How the CPU compiler chooses conv strategies: shared by {@code compile} and {@code run}. */
final class ChoiceOptions {

    @Option(names = "--tune", description = "time every candidate strategy inside the network instead of trusting the cost model; results are cached")
    boolean tune;

    @Option(names = "--tuning-cache", paramLabel = "FILE", description = "tuning cache file (default: $CNNC_TUNING_CACHE or ~/.cache/cnnc/tuning.properties)")
    Path tuningCache;

    @Option(names = "--no-winograd", description = "never choose Winograd (exact to float rounding; see docs/kernels.md for its error)")
    boolean noWinograd;

    @Option(names = "--strategies", split = ",", paramLabel = "NAME",
            description = "only these conv strategies (comma-separated; layers none of them computes use any; "
                    + "inverted-residual: every block the fused kernel computes, fused): ${COMPLETION-CANDIDATES}",
            completionCandidates = StrategyNames.class)
    List<String> strategies = List.of();

    CompileOptions options(int batch, int threads) {
        for (String s : strategies) {
            if (!new StrategyNames().contains(s)) {
                throw new UserError("--strategies: no conv strategy '" + s + "'; known: " + String.join(", ", new StrategyNames()));
            }
        }
        return new CompileOptions(batch, threads, tune, tuningCache != null ? tuningCache : TuningCache.defaultLocation(), !noWinograd,
                Set.copyOf(strategies));
    }
}
