package io.cnnc.dsl;

import io.cnnc.dsl.ast.Ast.*;
import io.cnnc.dsl.grammar.CnnParser;
import io.cnnc.dsl.grammar.CnnParser.*;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

/** Turns ANTLR's parse tree into the syntax tree; reports literals that do not fit. */
final class AstBuilder {

    private final SourceFile source;
    private final Diagnostics diagnostics;

    AstBuilder(SourceFile source, Diagnostics diagnostics) {
        this.source = source;
        this.diagnostics = diagnostics;
    }

    CnnFile file(FileContext ctx) {
        List<NetworkDecl> networks = new ArrayList<>();
        List<BlockDecl> blocks = new ArrayList<>();
        List<TrainDecl> trains = new ArrayList<>();
        for (ToplevelContext top : ctx.toplevel()) {
            if (top.network() != null) networks.add(network(top.network()));
            else if (top.block() != null) blocks.add(block(top.block()));
            else if (top.train() != null) trains.add(train(top.train()));
        }
        return new CnnFile(source, networks, blocks, trains);
    }

    private NetworkDecl network(NetworkContext ctx) {
        return new NetworkDecl(text(ctx.NAME()), span(ctx.NAME()), body(ctx.body()));
    }

    private BlockDecl block(BlockContext ctx) {
        List<Param> params = new ArrayList<>();
        if (ctx.params() != null) {
            for (ParamContext p : ctx.params().param()) {
                params.add(new Param(text(p.NAME()), span(p.NAME()), p.constExpr() == null ? null : constant(p.constExpr())));
            }
        }
        return new BlockDecl(text(ctx.NAME()), span(ctx.NAME()), params, body(ctx.body()));
    }

    private TrainDecl train(TrainContext ctx) {
        List<Setting> settings = new ArrayList<>();
        if (ctx.trainBody() != null) {
            requireSeparators(ctx.trainBody());
            for (SettingContext s : ctx.trainBody().setting()) {
                List<SettingValue> values = new ArrayList<>();
                for (SettingValueContext v : s.settingValue()) {
                    values.add(v.call() != null
                            ? new SettingValue(call(v.call()), null, span(v))
                            : new SettingValue(null, constant(v.constExpr()), span(v)));
                }
                settings.add(new Setting(text(s.NAME()), span(s.NAME()), values));
            }
        }
        return new TrainDecl(text(ctx.NAME()), span(ctx.NAME()), settings);
    }

    private List<Stmt> body(BodyContext ctx) {
        List<Stmt> out = new ArrayList<>();
        if (ctx == null) return out;
        requireSeparators(ctx);
        for (StatementContext s : ctx.statement()) {
            Stmt stmt = statement(s);
            if (stmt != null) out.add(stmt);
        }
        return out;
    }

    /** Two statements on one line need a ';' between them (unless that line already has an error). */
    private void requireSeparators(ParserRuleContext body) {
        boolean separated = true;
        for (int i = 0; i < body.getChildCount(); i++) {
            var child = body.getChild(i);
            if (child instanceof SepContext) {
                separated = true;
            } else if (child instanceof JunkContext || child instanceof LineJunkContext) {
                Token first = ((ParserRuleContext) child).getStart();
                boolean lineHasError = diagnostics.errors().stream().anyMatch(d -> d.span().line() == first.getLine());
                if (!lineHasError) {
                    diagnostics.error(span(first), "unexpected '" + first.getText() + "'"
                            + (first.getType() == io.cnnc.dsl.grammar.CnnLexer.RPAREN ? " (unbalanced parentheses?)" : ""));
                }
                separated = true;
            } else if (child instanceof ParserRuleContext statement) {
                if (!separated) {
                    Span at = span(statement.getStart());
                    boolean lineHasError = diagnostics.errors().stream().anyMatch(d -> d.span().line() == at.line());
                    if (!lineHasError) diagnostics.error(at, "expected a new line or ';' before '" + statement.getStart().getText() + "'");
                }
                separated = false;
            }
        }
    }

    private Stmt statement(StatementContext ctx) {
        return switch (ctx) {
            case InputStatementContext c -> {
                List<Long> dims = new ArrayList<>();
                if (c.shape() != null) for (TerminalNode n : c.shape().INT()) dims.add(integer(n.getSymbol()));
                yield new InputStmt(text(c.NAME()), span(c.NAME()), dims, c.shape() == null ? span(c) : span(c.shape()));
            }
            case BindStatementContext c -> new BindStmt(text(c.NAME()), span(c.NAME()), chain(c.chain()));
            case RepeatStatementContext c -> new RepeatStmt(constant(c.constExpr()), span(c.REPEAT().getSymbol()),
                    c.call() == null ? null : call(c.call()),
                    c.call() == null ? body(c.body()) : null);
            case OutputStatementContext c -> {
                List<Ident> names = new ArrayList<>();
                for (TerminalNode n : c.NAME()) names.add(new Ident(text(n), span(n)));
                yield new OutputStmt(names, span(c.OUTPUT().getSymbol()));
            }
            case ChainStatementContext c -> new ChainStmt(chain(c.chain()), span(c));
            default -> null; // a statement the parser could not make sense of; already reported
        };
    }

    private Expr chain(ChainContext ctx) {
        if (ctx == null || ctx.sum() == null) return placeholder(ctx);
        Expr head = sum(ctx.sum());
        if (ctx.call().isEmpty()) return head;
        List<Call> calls = new ArrayList<>();
        for (CallContext c : ctx.call()) calls.add(call(c));
        return new Chain(head, calls, span(ctx));
    }

    private Expr sum(SumContext ctx) {
        if (ctx.product().isEmpty()) return placeholder(ctx);
        List<Expr> terms = new ArrayList<>();
        for (ProductContext p : ctx.product()) terms.add(product(p));
        if (terms.size() == 1) return terms.getFirst();
        List<Span> ops = ctx.PLUS().stream().map(t -> span(t.getSymbol())).toList();
        return new Sum(terms, ops, span(ctx));
    }

    private Expr product(ProductContext ctx) {
        if (ctx.atom().isEmpty()) return placeholder(ctx);
        List<Expr> factors = new ArrayList<>();
        for (AtomContext a : ctx.atom()) factors.add(atom(a));
        if (factors.size() == 1) return factors.getFirst();
        List<Span> ops = ctx.STAR().stream().map(t -> span(t.getSymbol())).toList();
        return new Product(factors, ops, span(ctx));
    }

    private Expr atom(AtomContext ctx) {
        return switch (ctx) {
            case ConcatAtomContext c -> new Concat(c.chain().stream().map(this::chain).toList(), span(c.CONCAT().getSymbol()));
            case CallAtomContext c -> new CallExpr(call(c.call()));
            case ParenAtomContext c -> chain(c.chain());
            default -> placeholder(ctx); // an atom the parser could not finish; already reported
        };
    }

    private Call call(CallContext ctx) {
        if (ctx == null) return new Call("<missing>", Span.NONE, false, List.of());
        List<Arg> args = new ArrayList<>();
        if (ctx.args() != null) {
            for (ArgContext a : ctx.args().arg()) {
                switch (a) {
                    case NamedArgContext n -> args.add(new Arg(text(n.NAME()), span(n.NAME()), constant(n.constExpr())));
                    case PositionalArgContext p -> args.add(new Arg(null, span(p), constant(p.constExpr())));
                    default -> { } // an argument the parser could not finish; already reported
                }
            }
        }
        return new Call(text(ctx.NAME()), span(ctx.NAME()), ctx.LPAREN() != null, args);
    }

    private Const constant(ConstExprContext ctx) {
        if (ctx == null) return new IntConst(0, Span.NONE);
        List<Const> terms = new ArrayList<>();
        for (ConstTermContext t : ctx.constTerm()) terms.add(term(t));
        return leftAssociated(terms, ctx.ops, ctx);
    }

    private Const term(ConstTermContext ctx) {
        List<Const> factors = new ArrayList<>();
        for (ConstFactorContext f : ctx.constFactor()) factors.add(factor(f));
        return leftAssociated(factors, ctx.ops, ctx);
    }

    /** {@code a op b op c} as {@code (a op b) op c}, built in a loop however long the expression. */
    private static Const leftAssociated(List<Const> operands, List<Token> ops, ParserRuleContext ctx) {
        if (operands.isEmpty()) return new IntConst(0, span(ctx)); // unfinished after a syntax error; already reported
        Const result = operands.getFirst();
        for (int i = 1; i < operands.size() && i <= ops.size(); i++) {
            Token op = ops.get(i - 1);
            result = new BinaryConst(op.getText().charAt(0), result, operands.get(i), span(op));
        }
        return result;
    }

    private Const factor(ConstFactorContext ctx) {
        return switch (ctx) {
            case NegConstContext c when c.constFactor() == null -> new IntConst(0, span(c));
            case NegConstContext c -> new NegConst(factor(c.constFactor()), span(c));
            case ParenConstContext c when c.constExpr().isEmpty() -> new IntConst(0, span(c));
            case ParenConstContext c when c.constExpr().size() == 1 -> constant(c.constExpr().getFirst());
            case ParenConstContext c -> new TupleConst(c.constExpr().stream().map(this::constant).toList(), span(c));
            case IntConstContext c -> new IntConst(integer(c.INT().getSymbol()), span(c));
            case FloatConstContext c -> new FloatConst(Double.parseDouble(c.FLOAT().getText()), span(c));
            case StringConstContext c -> new StringConst(unquote(c.STRING().getText()), span(c));
            case BoolConstContext c -> new BoolConst(c.TRUE() != null, span(c));
            case NameConstContext c -> new NameConst(c.NAME().getText(), span(c));
            default -> new IntConst(0, span(ctx)); // unfinished after a syntax error; already reported
        };
    }

    /** Stands in for an expression the parser could not finish; the syntax error is already reported. */
    private static Expr placeholder(ParserRuleContext ctx) {
        return new CallExpr(new Call("<error>", ctx == null ? Span.NONE : span(ctx), false, List.of()));
    }

    private long integer(Token token) {
        if (token == null || token.getText() == null || token.getText().isEmpty() || token.getTokenIndex() < 0) return 0;
        try {
            return Long.parseLong(token.getText());
        } catch (NumberFormatException e) {
            diagnostics.error(span(token), "integer " + token.getText() + " is too large");
            return 0;
        }
    }

    private static String unquote(String quoted) {
        String body = quoted.length() >= 2 ? quoted.substring(1, quoted.length() - 1) : quoted;
        return body.replace("\\\"", "\"").replace("\\\\", "\\");
    }

    private static String text(TerminalNode node) {
        return node == null ? "<missing>" : node.getText();
    }

    private static Span span(TerminalNode node) {
        return node == null ? Span.NONE : span(node.getSymbol());
    }

    static Span span(Token token) {
        int length = token.getStopIndex() >= token.getStartIndex() ? token.getStopIndex() - token.getStartIndex() + 1 : 1;
        return new Span(token.getLine(), token.getCharPositionInLine() + 1, length);
    }

    private static Span span(ParserRuleContext ctx) {
        Token start = ctx.getStart();
        Token stop = ctx.getStop();
        Span first = span(start);
        if (stop == null || stop.getLine() != start.getLine() || stop.getStopIndex() < start.getStartIndex()) return first;
        return new Span(first.line(), first.column(), stop.getStopIndex() - start.getStartIndex() + 1);
    }

    @SuppressWarnings("unused")
    private static final Class<?> GENERATED = CnnParser.class;
}
