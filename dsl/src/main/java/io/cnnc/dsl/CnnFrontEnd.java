package io.cnnc.dsl;

import io.cnnc.dsl.ast.Ast.CnnFile;
import io.cnnc.dsl.grammar.CnnLexer;
import io.cnnc.dsl.grammar.CnnParser;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;

/** Parses .cnn text into a syntax tree, reporting every syntax error it finds. */
public final class CnnFrontEnd {

    /** Files beyond this size are refused before lexing: they are not hand-written networks. */
    public static final int MAX_SOURCE_CHARS = 4 * 1024 * 1024;

    private CnnFrontEnd() {}

    /** Returns the tree, possibly partial when {@code diagnostics} has errors. */
    public static CnnFile parse(SourceFile source, Diagnostics diagnostics) {
        if (source.text().length() > MAX_SOURCE_CHARS) {
            diagnostics.error(new Span(1, 1, 1), "file is " + source.text().length()
                    + " characters long; the limit is " + MAX_SOURCE_CHARS);
            return new CnnFile(source, java.util.List.of(), java.util.List.of(), java.util.List.of());
        }
        CnnLexer lexer = new CnnLexer(CharStreams.fromString(source.text(), source.name()));
        CnnParser parser = new CnnParser(new CommonTokenStream(lexer));
        SyntaxErrorListener listener = new SyntaxErrorListener(diagnostics);
        lexer.removeErrorListeners();
        lexer.addErrorListener(listener);
        parser.removeErrorListeners();
        parser.addErrorListener(listener);
        CnnParser.FileContext tree = parser.file();
        return new AstBuilder(source, diagnostics).file(tree);
    }

    /** Parses and throws if anything was wrong. */
    public static CnnFile parseOrThrow(SourceFile source) throws CompileException {
        Diagnostics diagnostics = new Diagnostics(source);
        CnnFile file = parse(source, diagnostics);
        if (diagnostics.hasErrors()) throw new CompileException(diagnostics);
        return file;
    }

    private static final class SyntaxErrorListener extends BaseErrorListener {
        private final Diagnostics diagnostics;

        SyntaxErrorListener(Diagnostics diagnostics) {
            this.diagnostics = diagnostics;
        }

        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int col, String msg, RecognitionException e) {
            Span span = offending instanceof Token t && t.getType() != Token.EOF
                    ? AstBuilder.span(t) : new Span(line, col + 1, 1);
            diagnostics.error(span, SyntaxMessages.humanize(msg, offending instanceof Token t ? t : null));
        }
    }
}
