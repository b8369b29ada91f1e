package io.cnnc.dsl.ast;

import io.cnnc.dsl.SourceFile;
import io.cnnc.dsl.Span;
import java.util.List;

/**
 * The syntax tree of a .cnn file: what was written, with places, before any meaning is
 * given to names. The compiler turns it into IR.
 */
public final class Ast {

    private Ast() {}

    public record CnnFile(SourceFile source, List<NetworkDecl> networks, List<BlockDecl> blocks, List<TrainDecl> trains) {}

    public record NetworkDecl(String name, Span span, List<Stmt> body) {}

    public record BlockDecl(String name, Span span, List<Param> params, List<Stmt> body) {}

    /** A block parameter; {@code defaultValue} is null when the caller must supply it. */
    public record Param(String name, Span span, Const defaultValue) {}

    public record TrainDecl(String network, Span span, List<Setting> settings) {}

    /** {@code key value, value...} in a train section. */
    public record Setting(String key, Span span, List<SettingValue> values) {}

    /** Either a call ({@code sgd(lr=0.1)}, {@code hflip}) or a constant ({@code 64}, {@code "data/"}). */
    public record SettingValue(Call call, Const constant, Span span) {}

    public sealed interface Stmt permits InputStmt, BindStmt, ChainStmt, RepeatStmt, OutputStmt {
        Span span();
    }

    public record InputStmt(String name, Span span, List<Long> shape, Span shapeSpan) implements Stmt {}

    public record BindStmt(String name, Span span, Expr value) implements Stmt {}

    public record ChainStmt(Expr value, Span span) implements Stmt {}

    /** {@code repeat N call} (body null) or {@code repeat N { body }} (call null). */
    public record RepeatStmt(Const count, Span span, Call call, List<Stmt> body) implements Stmt {}

    public record OutputStmt(List<Ident> names, Span span) implements Stmt {}

    public record Ident(String name, Span span) {}

    public sealed interface Expr permits Chain, Sum, Product, Concat, CallExpr {
        Span span();
    }

    /** {@code head -> call -> call}. */
    public record Chain(Expr head, List<Call> calls, Span span) implements Expr {}

    /** {@code a + b + c}; {@code operators} are the places of the {@code +} signs. */
    public record Sum(List<Expr> terms, List<Span> operators, Span span) implements Expr {}

    /** {@code a * b}; {@code operators} are the places of the {@code *} signs. */
    public record Product(List<Expr> factors, List<Span> operators, Span span) implements Expr {}

    public record Concat(List<Expr> parts, Span span) implements Expr {}

    /** A bare name or a call: a value reference, a layer, or a block; decided by the compiler. */
    public record CallExpr(Call call) implements Expr {
        public Span span() {
            return call.span();
        }
    }

    public record Call(String name, Span span, boolean parenthesized, List<Arg> args) {}

    /** A positional ({@code name} null) or named argument. */
    public record Arg(String name, Span span, Const value) {}

    public sealed interface Const permits IntConst, FloatConst, StringConst, BoolConst, TupleConst, NameConst, NegConst, BinaryConst {
        Span span();
    }

    public record IntConst(long value, Span span) implements Const {}

    public record FloatConst(double value, Span span) implements Const {}

    public record StringConst(String value, Span span) implements Const {}

    public record BoolConst(boolean value, Span span) implements Const {}

    /** {@code (a, b)} or longer, e.g. {@code (top, left, bottom, right)} padding. */
    public record TupleConst(List<Const> items, Span span) implements Const {}

    public record NameConst(String name, Span span) implements Const {}

    public record NegConst(Const operand, Span span) implements Const {}

    public record BinaryConst(char operator, Const left, Const right, Span span) implements Const {}
}
