package io.cnnc.runtime.train;

import io.cnnc.compiler.layers.BoundArgs;
import io.cnnc.compiler.train.TrainConfig;
import io.cnnc.compiler.train.TrainConfig.Choice;
import io.cnnc.compiler.train.UpdateRule;

/**
 * The effective training recipe: the file's train section with command-line overrides applied.
 * Null fields in {@link Overrides} keep the section's value (or its documented default).
 */
public record TrainingOptions(String data, String optimizer, double lr, double momentum, double weightDecay, boolean nesterov,
                              double beta1, double beta2, double eps, String schedule, int warmup, int stepEvery,
                              double stepGamma, double labelSmoothing, int batch, int epochs, int cropPad, double flip, long seed) {

    public record Overrides(String data, String optimizer, Double lr, Double momentum, Double weightDecay, Boolean nesterov,
                            String schedule, Integer warmup, Double labelSmoothing, Integer batch, Integer epochs, Long seed,
                            boolean noAugment) {
        /** The train section as written. */
        public static final Overrides NONE = new Overrides(null, null, null, null, null, null, null, null, null, null, null, null, false);
    }

    public static TrainingOptions resolve(TrainConfig section, Overrides o) {
        Choice opt = section == null ? null : section.optimizer();
        String optimizer = o.optimizer() != null ? o.optimizer() : opt == null ? "sgd" : opt.name();
        BoundArgs a = opt != null && opt.name().equals(optimizer) ? opt.args() : null;
        boolean adam = optimizer.startsWith("adam");
        Choice sch = section == null ? null : section.schedule();
        String schedule = o.schedule() != null ? o.schedule() : sch == null ? "constant" : sch.name();
        BoundArgs s = sch != null && sch.name().equals(schedule) ? sch.args() : null;
        int cropPad = 0;
        double flip = 0;
        if (section != null && !o.noAugment()) {
            for (Choice c : section.augment()) {
                if (c.name().equals("randomcrop")) cropPad = c.args().integer("pad");
                if (c.name().equals("hflip")) flip = c.args().number("p");
            }
        }
        String data = o.data() != null ? o.data() : section == null || section.data() == null ? null
                : section.data().name().equals("folder") ? ((io.cnnc.compiler.lower.ConstValue.StringValue) section.data().args().values().get("path")).value()
                : section.data().name();
        double smoothing = o.labelSmoothing() != null ? o.labelSmoothing()
                : section == null ? 0 : section.loss().args().number("label_smoothing");
        return new TrainingOptions(data, optimizer,
                pick(o.lr(), a, "lr", adam ? 1e-3 : 0.01),
                pick(o.momentum(), a, "momentum", 0),
                pick(o.weightDecay(), a, "weight_decay", optimizer.equals("adamw") ? 0.01 : 0),
                o.nesterov() != null ? o.nesterov() : a != null && a.has("nesterov") && a.bool("nesterov"),
                pick(null, a, "beta1", 0.9), pick(null, a, "beta2", 0.999), pick(null, a, "eps", 1e-8),
                schedule,
                o.warmup() != null ? o.warmup() : s != null && s.has("warmup") ? s.integer("warmup") : 0,
                s != null && s.has("every") ? s.integer("every") : 30,
                s != null && s.has("gamma") ? s.number("gamma") : 0.1,
                smoothing,
                o.batch() != null ? o.batch() : section == null ? 64 : section.batch(),
                o.epochs() != null ? o.epochs() : section == null ? 10 : section.epochs(),
                cropPad, flip,
                o.seed() != null ? o.seed() : section == null ? 0 : section.seed());
    }

    private static double pick(Double override, BoundArgs args, String name, double fallback) {
        if (override != null) return override;
        return args != null && args.has(name) ? args.number(name) : fallback;
    }

    /** The training plan's update step for this recipe. */
    public UpdateRule updateRule() {
        return switch (optimizer) {
            case "sgd" -> new UpdateRule.Sgd(momentum, weightDecay, nesterov);
            case "adam" -> new UpdateRule.Adam(beta1, beta2, eps, weightDecay, false);
            case "adamw" -> new UpdateRule.Adam(beta1, beta2, eps, weightDecay, true);
            default -> throw new IllegalArgumentException("unknown optimizer '" + optimizer + "' (sgd, adam, adamw)");
        };
    }

    public Optimizer newOptimizer() {
        return new RuleOptimizer(updateRule());
    }
}
