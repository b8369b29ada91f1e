package io.cnnc.compiler.lower;

import io.cnnc.compiler.layers.LayerCatalog;
import io.cnnc.compiler.layers.Suggestions;
import io.cnnc.dsl.Diagnostics;
import io.cnnc.dsl.ast.Ast.*;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Blocks no network calls are never expanded, so shapes cannot be checked in them; their
 * names still can: an unknown layer or block in a library of blocks is reported here.
 */
public final class UnusedBlockCheck {

    private UnusedBlockCheck() {}

    public static void check(BlockDecl block, Map<String, BlockDecl> blocks, Diagnostics diagnostics) {
        Set<String> values = new HashSet<>();
        values.add("in");
        collectBindings(block.body(), values);
        List<String> candidates = new ArrayList<>(LayerCatalog.allNames());
        candidates.addAll(blocks.keySet());
        new Object() {
            void statements(List<Stmt> body) {
                for (Stmt s : body) {
                    switch (s) {
                        case BindStmt b -> expr(b.value());
                        case ChainStmt c -> expr(c.value());
                        case RepeatStmt r -> {
                            if (r.call() != null) call(r.call(), false);
                            else statements(r.body());
                        }
                        default -> { }
                    }
                }
            }

            void expr(Expr e) {
                switch (e) {
                    case CallExpr c -> call(c.call(), true);
                    case Chain c -> {
                        expr(c.head());
                        c.calls().forEach(x -> call(x, false));
                    }
                    case Sum s -> s.terms().forEach(this::expr);
                    case Product p -> p.factors().forEach(this::expr);
                    case Concat c -> c.parts().forEach(this::expr);
                }
            }

            void call(Call c, boolean mayBeValue) {
                if (mayBeValue && !c.parenthesized() && values.contains(c.name())) return;
                if (LayerCatalog.find(c.name()) == null && !blocks.containsKey(c.name())) {
                    diagnostics.error(c.span(), "unknown layer or block '" + c.name() + "'"
                            + Suggestions.didYouMean(c.name(), candidates) + " (in block '" + block.name() + "')");
                }
            }
        }.statements(block.body());
    }

    private static void collectBindings(List<Stmt> body, Set<String> out) {
        for (Stmt s : body) {
            if (s instanceof BindStmt b) out.add(b.name());
            if (s instanceof RepeatStmt r && r.body() != null) collectBindings(r.body(), out);
        }
    }
}
