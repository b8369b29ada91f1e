package io.cnnc.runtime.train;

/**
 * Learning rate per iteration: linear warm-up over the first {@code warmupEpochs}, then
 * constant, cosine annealing to zero at the end of training, or steps of {@code gamma} every
 * {@code every} epochs.
 */
public record LearningRateSchedule(String kind, double base, int warmupEpochs, int every, double gamma,
                                   int epochs, int itersPerEpoch) {

    public double at(int epoch, int iter) {
        double t = epoch + (double) iter / itersPerEpoch;
        if (t < warmupEpochs) return base * (epoch * itersPerEpoch + iter + 1) / (warmupEpochs * (double) itersPerEpoch);
        return switch (kind) {
            case "cosine" -> {
                double span = Math.max(1e-9, epochs - warmupEpochs);
                yield base * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, (t - warmupEpochs) / span)));
            }
            case "step" -> base * Math.pow(gamma, Math.floor(epoch / (double) every));
            default -> base;
        };
    }
}
