package io.cnnc.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.dsl.ast.Ast.*;
import org.junit.jupiter.api.Test;

/** Deep nesting ends in a diagnostic at its place, never in a StackOverflowError. */
class NestingLimitTest {

    private static final String HEAD = "network N {\n  input x: [1, 28, 28]\n";

    private static Diagnostics parse(String body) {
        Diagnostics d = new Diagnostics(new SourceFile("deep.cnn", HEAD + body + "\n}\n"));
        CnnFrontEnd.parse(d.source(), d);
        return d;
    }

    private static String nested(String open, String inner, String close, int levels) {
        return open.repeat(levels) + inner + close.repeat(levels);
    }

    @Test
    void fiftyThousandParenthesesAreRefusedAtTheFirstOneTooDeep() {
        Diagnostics d = parse("  " + nested("(", "x", ")", 50_000));
        // The network's brace is the first level, so the 256th parenthesis is one too many.
        String rendered = d.render();
        assertThat(rendered).startsWith("deep.cnn:3:258: error: nesting deeper than 256 levels")
                .endsWith("1 error in deep.cnn\n");
        assertThat(rendered.lines()).allSatisfy(line -> assertThat(line).hasSizeLessThan(200));
    }

    @Test
    void aHundredThousandNestedRepeatsAreRefused() {
        Diagnostics d = parse("  " + nested("repeat 1 {", "relu", "}", 100_000));
        assertThat(d.render()).startsWith("deep.cnn:3:").contains(": error: nesting deeper than 256 levels");
        assertThat(d.count()).isEqualTo(1);
    }

    @Test
    void parenthesesInAConstantAreRefused() {
        Diagnostics d = parse("  dense(" + nested("(", "4", ")", 200_000) + ")");
        assertThat(d.render()).contains("deep.cnn:3:263: error: nesting deeper than 256 levels");
    }

    @Test
    void longRunsOfMinusSignsCount() {
        Diagnostics d = parse("  dense(" + "-".repeat(300_000) + "4)");
        assertThat(d.render()).contains("error: nesting deeper than 256 levels");
        // Signs and brackets add up: each '-' before '(' is a level inside it.
        assertThat(parse("  dense(" + nested("-(", "4", ")", 200)).render()).contains("nesting deeper than 256 levels");
    }

    @Test
    void nestingUpToTheLimitParses() {
        // The network's brace, dense's parenthesis and 254 more: 256 levels in all.
        Diagnostics d = parse("  dense(" + nested("(", "4", ")", 254) + ")\n  " + nested("(", "x", ")", 255) + " -> relu");
        assertThat(d.hasErrors()).as(d.render()).isFalse();
        assertThat(parse("  dense(" + nested("(", "4", ")", 255) + ")").render()).contains("nesting deeper than 256 levels");
    }

    @Test
    void aLongConstantSumIsBuiltWithoutDeepRecursion() {
        Diagnostics d = parse("  dense(" + "1 + ".repeat(300_000) + "1)");
        assertThat(d.hasErrors()).as(d.render()).isFalse();
    }

    @Test
    void longSumsAndChainsOfValuesParse() {
        Diagnostics d = parse("  y = x\n  " + "x + ".repeat(300_000) + "y\n  x" + " -> relu".repeat(300_000));
        assertThat(d.hasErrors()).as(d.render()).isFalse();
    }

    @Test
    void aConstantInParenthesesIsOneValueAndWithCommasATuple() {
        Diagnostics d = new Diagnostics(new SourceFile("t.cnn", ""));
        CnnFile f = CnnFrontEnd.parse(new SourceFile("t.cnn", "network N { input x: [1, 8, 8]\n conv(4, ((3)), pad=((1), 2 - 1 * 2), stride=-(-2)) }"), d);
        assertThat(d.hasErrors()).as(d.render()).isFalse();
        var args = ((CallExpr) ((ChainStmt) f.networks().getFirst().body().get(1)).value()).call().args();
        assertThat(args.get(1).value()).isInstanceOf(IntConst.class);
        TupleConst pad = (TupleConst) args.get(2).value();
        assertThat(pad.items().get(0)).isInstanceOf(IntConst.class);
        BinaryConst minus = (BinaryConst) pad.items().get(1);
        assertThat(minus.operator()).isEqualTo('-');
        assertThat(((BinaryConst) minus.right()).operator()).isEqualTo('*');
        assertThat(args.get(3).value()).isInstanceOf(NegConst.class);
    }
}
