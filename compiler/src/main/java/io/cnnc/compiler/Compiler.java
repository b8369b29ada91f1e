package io.cnnc.compiler;

import io.cnnc.compiler.ir.Graph;
import io.cnnc.compiler.layers.LayerCatalog;
import io.cnnc.compiler.lower.Lowering;
import io.cnnc.compiler.lower.UnusedBlockCheck;
import io.cnnc.compiler.train.TrainConfig;
import io.cnnc.compiler.train.TrainSectionChecker;
import io.cnnc.dsl.CnnFrontEnd;
import io.cnnc.dsl.CompileException;
import io.cnnc.dsl.Diagnostics;
import io.cnnc.dsl.SourceFile;
import io.cnnc.dsl.Span;
import io.cnnc.dsl.ast.Ast.*;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Source text to checked IR: parse, resolve, expand, infer shapes; all errors at once. */
public final class Compiler {

    private Compiler() {}

    public static CompiledFile compile(SourceFile source) throws CompileException {
        Diagnostics diagnostics = new Diagnostics(source);
        CompiledFile result = compile(source, diagnostics);
        if (diagnostics.hasErrors()) throw new CompileException(diagnostics);
        return result;
    }

    /** Reports into {@code diagnostics}; the result is meaningful only when it stays empty. */
    public static CompiledFile compile(SourceFile source, Diagnostics diagnostics) {
        CnnFile file = CnnFrontEnd.parse(source, diagnostics);
        if (diagnostics.hasErrors()) {
            // Meaning given to a tree with syntax errors would mostly be noise about the repairs.
            return new CompiledFile(source, List.of(), List.of());
        }
        Map<String, BlockDecl> blocks = new LinkedHashMap<>();
        for (BlockDecl b : file.blocks()) {
            if (LayerCatalog.find(b.name()) != null) {
                diagnostics.error(b.span(), "block '" + b.name() + "' has the name of a built-in layer");
            } else if (blocks.putIfAbsent(b.name(), b) != null) {
                diagnostics.error(b.span(), "block '" + b.name() + "' is defined twice");
            }
            checkParams(b, diagnostics);
        }
        Set<String> networkNames = new HashSet<>();
        Set<String> expanded = new HashSet<>();
        List<Graph> graphs = new ArrayList<>();
        for (NetworkDecl n : file.networks()) {
            if (!networkNames.add(n.name())) diagnostics.error(n.span(), "network '" + n.name() + "' is defined twice");
            graphs.add(new Lowering(diagnostics, blocks, expanded).lower(n));
        }
        for (BlockDecl b : blocks.values()) {
            if (!expanded.contains(b.name())) UnusedBlockCheck.check(b, blocks, diagnostics);
        }
        if (file.networks().isEmpty() && !diagnostics.hasErrors()) {
            diagnostics.error(new Span(1, 1, 1), "no network in this file; define one with 'network Name { input x: [C, H, W] ... }'");
        }
        List<TrainConfig> trains = new ArrayList<>();
        TrainSectionChecker checker = new TrainSectionChecker(diagnostics);
        Set<String> trained = new HashSet<>();
        for (TrainDecl t : file.trains()) {
            if (!trained.add(t.network())) diagnostics.error(t.span(), "second train section for '" + t.network() + "'");
            TrainConfig c = checker.check(t, networkNames);
            if (c != null) trains.add(c);
        }
        return new CompiledFile(source, graphs, trains);
    }

    private static void checkParams(BlockDecl b, Diagnostics diagnostics) {
        Set<String> seen = new HashSet<>();
        boolean sawDefault = false;
        for (Param p : b.params()) {
            if (!seen.add(p.name())) diagnostics.error(p.span(), "parameter '" + p.name() + "' appears twice in block '" + b.name() + "'");
            if (p.name().equals("in")) diagnostics.error(p.span(), "'in' is reserved for the block's input");
            if (p.defaultValue() != null) sawDefault = true;
            else if (sawDefault) diagnostics.error(p.span(), "parameter '" + p.name() + "' without a default follows one with a default");
        }
    }

    /** Names of the networks, for messages. */
    public static String names(List<Graph> graphs) {
        return graphs.stream().map(Graph::name).collect(Collectors.joining(", "));
    }
}
