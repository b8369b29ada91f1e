package io.cnnc.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.dsl.ast.Ast.*;
import org.junit.jupiter.api.Test;

class CnnFrontEndTest {

    private static CnnFile parse(String text, Diagnostics d) {
        return CnnFrontEnd.parse(new SourceFile("t.cnn", text), d);
    }

    private static CnnFile parseOk(String text) {
        Diagnostics d = new Diagnostics(new SourceFile("t.cnn", text));
        CnnFile f = parse(text, d);
        assertThat(d.render()).as("diagnostics").isEqualTo("0 errors in t.cnn\n");
        return f;
    }

    @Test
    void parsesTheSpecExample() {
        CnnFile f = parseOk("""
                // LeNet-5
                network LeNet5 {
                  input image: [1, 28, 28]           // C, H, W
                  conv(6, 5, pad=2) -> relu
                  maxpool(2)
                  dense(10)
                }
                """);
        NetworkDecl n = f.networks().getFirst();
        assertThat(n.name()).isEqualTo("LeNet5");
        assertThat(n.body()).hasSize(4);
        assertThat(n.body().getFirst()).isInstanceOf(InputStmt.class);
        Chain chain = (Chain) ((ChainStmt) n.body().get(1)).value();
        assertThat(((CallExpr) chain.head()).call().args()).hasSize(3);
        assertThat(chain.calls().getFirst().name()).isEqualTo("relu");
    }

    @Test
    void arrowBindsLooserThanPlusAndTimes() {
        CnnFile f = parseOk("network N { input x: [1,2,2]\n y = x\n y + x * x -> relu }");
        Chain chain = (Chain) ((ChainStmt) f.networks().getFirst().body().get(2)).value();
        Sum sum = (Sum) chain.head();
        assertThat(sum.terms().get(1)).isInstanceOf(Product.class);
    }

    @Test
    void newlinesContinueAfterArrowCommaAndOpenBracket() {
        CnnFile f = parseOk("""
                network N {
                  input x: [3, 8, 8]
                  conv(4,
                       3) ->
                    relu
                  y = concat(
                    conv(2, 1),
                    conv(2, 1)
                  )
                }
                """);
        assertThat(f.networks().getFirst().body()).hasSize(3);
    }

    @Test
    void semicolonsSeparateStatementsAndBlockCommentsAreSkipped() {
        CnnFile f = parseOk("network N { input x: [3, 8, 8]; relu; /* a\n comment */ sigmoid }");
        assertThat(f.networks().getFirst().body()).hasSize(3);
    }

    @Test
    void parsesBlocksRepeatTrainAndConstantArithmetic() {
        CnnFile f = parseOk("""
                block basic(c, stride=1) {
                  s = in -> conv(c * 4, 1, stride=(stride, 1)) -> bn
                  conv(c / 2 - 1, 3, pad="same") + s -> relu
                }
                network N {
                  input x: [3, 32, 32]
                  repeat 2 basic(16)
                  repeat 3 { conv(8, 3, pad=1); bn }
                  output
                }
                train N {
                  data mnist
                  optimizer sgd(lr=0.05, momentum=0.9, weight_decay=5e-4)
                  augment randomcrop(pad=4), hflip
                  batch 64
                }
                """);
        BlockDecl b = f.blocks().getFirst();
        assertThat(b.params()).extracting(Param::name).containsExactly("c", "stride");
        assertThat(f.trains().getFirst().settings()).extracting(Setting::key).containsExactly("data", "optimizer", "augment", "batch");
        assertThat(f.trains().getFirst().settings().get(2).values()).hasSize(2);
        FloatConst wd = (FloatConst) f.trains().getFirst().settings().get(1).values().getFirst().call().args().get(2).value();
        assertThat(wd.value()).isEqualTo(5e-4);
    }

    @Test
    void reportsEverySyntaxErrorWithPlace() {
        Diagnostics d = new Diagnostics(new SourceFile("bad.cnn", "network N {\n  input x: [3, 8 8]\n  conv(4, 3 -> relu\n}\nnetwork { }\n"));
        parse(d.source().text(), d);
        assertThat(d.count()).isGreaterThanOrEqualTo(2);
        String text = d.render();
        assertThat(text).contains("bad.cnn:2:").contains("bad.cnn:5:").contains("^");
    }

    @Test
    void rendersSourceLineAndCaret() {
        SourceFile src = new SourceFile("m.cnn", "network N {\n  input x: [3, 8, 8]\n  conv(4, 3) $ relu\n}\n");
        Diagnostics d = new Diagnostics(src);
        CnnFrontEnd.parse(src, d);
        assertThat(d.render()).isEqualTo("m.cnn:3:14: error: unexpected character '$'\n    conv(4, 3) $ relu\n               ^\n1 error in m.cnn\n");
    }

    @Test
    void statementsOnOneLineNeedASemicolon() {
        Diagnostics d = new Diagnostics(new SourceFile("t.cnn", ""));
        parse("network N { input x: [3, 8, 8]\n relu sigmoid }", d);
        assertThat(d.render()).contains("t.cnn:2:7: error: expected a new line or ';' before 'sigmoid'");
    }

    @Test
    void aLineStartingWithAnArrowContinuesTheChain() {
        CnnFile f = parseOk("network N {\n  input x: [3, 8, 8]\n  y = conv(4, 3)\n\n    -> relu\n    -> sigmoid\n  y\n}\n");
        Chain chain = (Chain) ((BindStmt) f.networks().getFirst().body().get(1)).value();
        assertThat(chain.calls()).extracting(Call::name).containsExactly("relu", "sigmoid");
    }

    @Test
    void oneMistakeGivesOneErrorAndLaterStatementsAreStillParsed() {
        Diagnostics d = new Diagnostics(new SourceFile("t.cnn", ""));
        parse("block b(c) {\n  conv(c, 3))\n  relu\n}\nnetwork N { input x: [3, 8, 8]\n  ] relu\n  b(4)\n}\n", d);
        assertThat(d.render()).contains("t.cnn:2:13: error: unexpected ')' (unbalanced parentheses?)")
                .contains("t.cnn:6:3: error: unexpected ']'").contains("2 errors in t.cnn");
    }

    @Test
    void aLineStartingWithAnOperatorOrCommaIsOneErrorAndParsingGoesOn() {
        Diagnostics d = new Diagnostics(new SourceFile("t.cnn", ""));
        parse("network N {\n  input x: [1, 8, 8]\n  + relu\n  , conv(4, 3)\n  conv(4, 3) * relu\n  relu )\n}\n", d);
        assertThat(d.render()).contains("t.cnn:3:3: error: unexpected '+'\n").contains("t.cnn:4:3: error: unexpected ','\n")
                .contains("t.cnn:6:8: error: unexpected ')'").contains("3 errors in t.cnn");
    }

    @Test
    void tooLargeIntegerIsADiagnostic() {
        Diagnostics d = new Diagnostics(new SourceFile("t.cnn", ""));
        parse("network N { input x: [99999999999999999999, 1, 1] }", d);
        assertThat(d.render()).contains("integer 99999999999999999999 is too large");
    }
}
