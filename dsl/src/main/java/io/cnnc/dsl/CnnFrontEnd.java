package io.cnnc.dsl;

import io.cnnc.dsl.ast.Ast.CnnFile;
import io.cnnc.dsl.grammar.CnnLexer;
import io.cnnc.dsl.grammar.CnnParser;
import java.util.List;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;

/** Parses .cnn text into a syntax tree, reporting every syntax error it finds. */
public final class CnnFrontEnd {

    /**
     * Texts beyond this many characters (and files beyond this many bytes, see
     * {@link SourceFile#read}) are refused before lexing: they are not hand-written networks.
     */
    public static final int MAX_SOURCE_CHARS = 4 * 1024 * 1024;

    private CnnFrontEnd() {}

    /** Returns the tree, possibly partial when {@code diagnostics} has errors. */
    public static CnnFile parse(SourceFile source, Diagnostics diagnostics) {
        if (source.text().length() > MAX_SOURCE_CHARS) {
            diagnostics.error(new Span(1, 1, 1), "file is " + source.text().length()
                    + " characters long; the limit is " + MAX_SOURCE_CHARS);
            return empty(source);
        }
        CnnLexer lexer = new CnnLexer(CharStreams.fromString(source.text(), source.name()));
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        CnnParser parser = new CnnParser(tokens);
        SyntaxErrorListener listener = new SyntaxErrorListener(diagnostics);
        lexer.removeErrorListeners();
        lexer.addErrorListener(listener);
        parser.removeErrorListeners();
        parser.addErrorListener(listener);
        tokens.fill();
        if (!NestingCheck.within(tokens.getTokens(), diagnostics)) return empty(source);
        // The 'junk' rule makes most decisions ambiguous up to the line's end, where full-context
        // prediction would read at every one (quadratic); SLL takes the statement at once, as LL would.
        parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
        CnnParser.FileContext tree = parser.file();
        return new AstBuilder(source, diagnostics).file(tree);
    }

    private static CnnFile empty(SourceFile source) {
        return new CnnFile(source, List.of(), List.of(), List.of());
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
