package io.cnnc.runtime.onnx;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.OnnxModel.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Activations an exporter writes as x * F_k(...F_1(x)) where its opset lacks them (for
 * x * tanh(softplus(x)): Softplus, Tanh, Mul), recognized from each definition's
 * onnxDecomposition: the chain's nodes are held back until the Mul that closes it, which becomes
 * the activation on x.
 */
final class DecomposedActivations {

    /** A chain begun on the ONNX value {@code source}, its ops so far. */
    private record Pending(String source, List<String> ops) {}

    private static final Map<List<String>, ActivationKind> CHAINS = Set.of(ActivationKind.values()).stream()
            .filter(k -> !k.definition().onnxDecomposition().isEmpty())
            .collect(Collectors.toUnmodifiableMap(k -> k.definition().onnxDecomposition(), k -> k));

    private final Map<String, Pending> pending = new HashMap<>();

    /** The ops that can only begin a chain: the importer accepts them for that alone. */
    static Set<String> firstOps() {
        return CHAINS.keySet().stream().map(List::getFirst).collect(Collectors.toUnmodifiableSet());
    }

    /** The activation a Mul closes, on the ONNX value the chain began with; null if n closes none. */
    Closed closing(Node n) {
        if (!n.opType().equals("Mul") || n.inputs().size() != 2) return null;
        for (String in : n.inputs()) {
            Pending p = pending.get(in);
            ActivationKind kind = p == null ? null : CHAINS.get(p.ops());
            if (kind != null && n.inputs().contains(p.source())) {
                // The chain's earlier links are done too: they stay held until here so that another reader of one fails clearly.
                pending.values().removeIf(q -> q.source().equals(p.source()) && q.ops().size() <= p.ops().size()
                        && p.ops().subList(0, q.ops().size()).equals(q.ops()));
                return new Closed(kind, p.source());
            }
        }
        return null;
    }

    /**
     * Whether n begins or continues a chain (and is held back); throws for a node that reads a
     * held-back value any other way.
     */
    boolean holds(Node n) throws ImportException {
        Pending p = null;
        for (String in : n.inputs()) if (pending.containsKey(in)) p = pending.get(in);
        if (p == null) {
            if (!firstOps().contains(n.opType())) return false;
            pending.put(n.outputs().getFirst(), new Pending(n.inputs().getFirst(), List.of(n.opType())));
            return true;
        }
        List<String> ops = new ArrayList<>(p.ops());
        ops.add(n.opType());
        if (n.inputs().size() != 1 || CHAINS.keySet().stream().noneMatch(c -> c.size() >= ops.size() && c.subList(0, ops.size()).equals(ops))) {
            throw new ImportException(p.ops().getFirst() + " is imported only inside " + describeChains());
        }
        pending.put(n.outputs().getFirst(), new Pending(p.source(), List.copyOf(ops)));
        return true;
    }

    /** Values still held back once every node is read: a chain that never closed. */
    List<String> unfinished() {
        return pending.values().stream().map(p -> String.join(" -> ", p.ops()) + " on '" + p.source() + "' is imported only inside "
                + describeChains()).toList();
    }

    private static String describeChains() {
        return CHAINS.entrySet().stream().map(e -> e.getValue().definition().name() + "'s x * " + String.join("(", e.getKey().reversed())
                + "(x" + ")".repeat(e.getKey().size())).sorted().collect(Collectors.joining(", "));
    }

    /** A closed chain: the activation, and the ONNX value it applies to. */
    record Closed(ActivationKind kind, String source) {}
}
