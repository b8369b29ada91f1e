package io.cnnc.runtime.cli;

import io.cnnc.compiler.schedule.InvertedResidualFusion;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.ConvStrategy;
import java.util.ArrayList;

/** The CPU conv strategies' names and the fused inverted residual block's, for --strategies' help and its error message. */
final class StrategyNames extends ArrayList<String> {

    StrategyNames() {
        super(ConvStrategies.all().stream().map(ConvStrategy::name).toList());
        add(InvertedResidualFusion.EFFICIENCY_KEY);
    }
}
