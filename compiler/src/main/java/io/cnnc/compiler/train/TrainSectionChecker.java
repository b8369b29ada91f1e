package io.cnnc.compiler.train;

import static io.cnnc.compiler.layers.ArgSpec.optional;

import io.cnnc.compiler.layers.ArgBinder;
import io.cnnc.compiler.layers.ArgBinder.Given;
import io.cnnc.compiler.layers.ArgSpec;
import io.cnnc.compiler.layers.ArgType;
import io.cnnc.compiler.layers.BoundArgs;
import io.cnnc.compiler.layers.Suggestions;
import io.cnnc.compiler.lower.ConstValue;
import io.cnnc.compiler.lower.ConstValue.*;
import io.cnnc.compiler.lower.Constants;
import io.cnnc.compiler.train.TrainConfig.Choice;
import io.cnnc.dsl.Diagnostics;
import io.cnnc.dsl.ast.Ast.*;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks a train section (docs/language.md, "Training section") against the options cnnc knows. */
public final class TrainSectionChecker {

    private static final Map<String, List<ArgSpec>> DATA = Map.of(
            "mnist", List.of(), "fashion_mnist", List.of(), "cifar10", List.of());
    private static final Map<String, List<ArgSpec>> LOSS = Map.of(
            "crossentropy", List.of(optional("label_smoothing", ArgType.FLOAT, new FloatValue(0), 0)));
    private static final Map<String, List<ArgSpec>> OPTIMIZER = Map.of(
            "sgd", List.of(optional("lr", ArgType.FLOAT, new FloatValue(0.01), 0),
                    optional("momentum", ArgType.FLOAT, new FloatValue(0), 0),
                    optional("weight_decay", ArgType.FLOAT, new FloatValue(0), 0),
                    optional("nesterov", ArgType.BOOL, new BoolValue(false), 0)),
            "adam", adam(0), "adamw", adam(0.01));
    private static final Map<String, List<ArgSpec>> SCHEDULE = Map.of(
            "constant", List.of(optional("warmup", ArgType.INT, new IntValue(0), 0)),
            "cosine", List.of(optional("warmup", ArgType.INT, new IntValue(0), 0)),
            "step", List.of(optional("every", ArgType.INT, new IntValue(30), 1),
                    optional("gamma", ArgType.FLOAT, new FloatValue(0.1), 0),
                    optional("warmup", ArgType.INT, new IntValue(0), 0)));
    private static final Map<String, List<ArgSpec>> AUGMENT = Map.of(
            "randomcrop", List.of(optional("pad", ArgType.INT, new IntValue(4), 0)),
            "hflip", List.of(optional("p", ArgType.FLOAT, new FloatValue(0.5), 0)));
    private static final List<String> KEYS = List.of("data", "loss", "optimizer", "schedule", "batch", "epochs", "augment", "seed");

    private final Diagnostics diagnostics;

    public TrainSectionChecker(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    private static List<ArgSpec> adam(double weightDecay) {
        return List.of(optional("lr", ArgType.FLOAT, new FloatValue(1e-3), 0),
                optional("beta1", ArgType.FLOAT, new FloatValue(0.9), 0),
                optional("beta2", ArgType.FLOAT, new FloatValue(0.999), 0),
                optional("eps", ArgType.FLOAT, new FloatValue(1e-8), Double.MIN_VALUE),
                optional("weight_decay", ArgType.FLOAT, new FloatValue(weightDecay), 0));
    }

    /** Null after reporting errors. */
    public TrainConfig check(TrainDecl decl, Set<String> networks) {
        int before = diagnostics.count();
        if (!networks.contains(decl.network())) {
            diagnostics.error(decl.span(), "train section names unknown network '" + decl.network() + "'"
                    + Suggestions.didYouMean(decl.network(), networks));
        }
        Choice data = null;
        Choice loss = choice("crossentropy", LOSS);
        Choice optimizer = choice("sgd", OPTIMIZER);
        Choice schedule = choice("constant", SCHEDULE);
        int batch = 64;
        int epochs = 10;
        long seed = 0;
        List<Choice> augment = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Setting s : decl.settings()) {
            if (!KEYS.contains(s.key())) {
                diagnostics.error(s.span(), "unknown train setting '" + s.key() + "'" + Suggestions.didYouMean(s.key(), KEYS)
                        + "; known: " + String.join(", ", KEYS));
                continue;
            }
            if (!seen.add(s.key())) {
                diagnostics.error(s.span(), "train setting '" + s.key() + "' given twice");
                continue;
            }
            if (!s.key().equals("augment") && s.values().size() != 1) {
                diagnostics.error(s.span(), "train setting '" + s.key() + "' takes one value");
                continue;
            }
            SettingValue v = s.values().getFirst();
            switch (s.key()) {
                case "data" -> data = data(v);
                case "loss" -> loss = choice(v, LOSS, "loss");
                case "optimizer" -> optimizer = choice(v, OPTIMIZER, "optimizer");
                case "schedule" -> schedule = choice(v, SCHEDULE, "schedule");
                case "batch" -> batch = positive(v, "batch");
                case "epochs" -> epochs = positive(v, "epochs");
                case "seed" -> seed = positive(v, "seed");
                case "augment" -> {
                    for (SettingValue a : s.values()) {
                        Choice c = choice(a, AUGMENT, "augmentation");
                        if (c != null) augment.add(c);
                    }
                }
                default -> throw new IllegalStateException(s.key());
            }
        }
        if (data == null && !seen.contains("data")) {
            diagnostics.error(decl.span(), "train section needs 'data' (mnist, fashion_mnist, cifar10 or a \"path\")");
        }
        if (diagnostics.count() > before) return null;
        return new TrainConfig(decl.network(), data, loss, optimizer, schedule, batch, epochs, augment, seed);
    }

    private Choice data(SettingValue v) {
        if (v.constant() instanceof StringConst s) {
            Map<String, ConstValue> args = new LinkedHashMap<>();
            args.put("path", new StringValue(s.value()));
            return new Choice("folder", new BoundArgs(args));
        }
        return choice(v, DATA, "data set");
    }

    private int positive(SettingValue v, String what) {
        if (v.constant() instanceof IntConst i && i.value() >= 1 && i.value() <= Integer.MAX_VALUE) return (int) i.value();
        diagnostics.error(v.span(), what + " must be a positive integer");
        return 1;
    }

    private Choice choice(SettingValue v, Map<String, List<ArgSpec>> options, String what) {
        Call call = v.call();
        if (call == null) {
            diagnostics.error(v.span(), what + " must be one of " + String.join(", ", options.keySet().stream().sorted().toList()));
            return null;
        }
        List<ArgSpec> signature = options.get(call.name());
        if (signature == null) {
            diagnostics.error(call.span(), "unknown " + what + " '" + call.name() + "'"
                    + Suggestions.didYouMean(call.name(), options.keySet())
                    + "; known: " + String.join(", ", options.keySet().stream().sorted().toList()));
            return null;
        }
        List<Given> given = new ArrayList<>();
        for (Arg a : call.args()) given.add(new Given(a.name(), Constants.evaluate(a.value(), diagnostics), a.span()));
        BoundArgs args = ArgBinder.bind(call.name(), call.span(), signature, given, diagnostics);
        return args == null ? null : new Choice(call.name(), args);
    }

    private static Choice choice(String name, Map<String, List<ArgSpec>> options) {
        Map<String, ConstValue> args = new LinkedHashMap<>();
        for (ArgSpec a : options.get(name)) args.put(a.name(), a.defaultValue());
        return new Choice(name, new BoundArgs(args));
    }

}
