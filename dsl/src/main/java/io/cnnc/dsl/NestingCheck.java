package io.cnnc.dsl;

import io.cnnc.dsl.grammar.CnnLexer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.antlr.v4.runtime.Token;

/**
 * Refuses text nested deeper than {@link #MAX_DEPTH} levels before the parser sees it: the
 * parser, the tree builder and the checker recurse once per level, and a deep enough file
 * would otherwise end in a StackOverflowError.
 */
final class NestingCheck {

    /** Levels of {@code (}, {@code [}, <code>{</code> and prefix {@code -} around any token. */
    static final int MAX_DEPTH = 256;

    private NestingCheck() {}

    /** Reports the first token past the limit; true when there is none. */
    static boolean within(List<Token> tokens, Diagnostics diagnostics) {
        // Each open bracket remembers how many levels it opened: itself and the '-' signs before it.
        Deque<Integer> open = new ArrayDeque<>();
        int depth = 0;
        int signs = 0;
        for (Token t : tokens) {
            switch (t.getType()) {
                case CnnLexer.MINUS -> signs++;
                case CnnLexer.LPAREN, CnnLexer.LBRACK, CnnLexer.LBRACE -> {
                    open.push(signs + 1);
                    depth += signs + 1;
                    signs = 0;
                }
                case CnnLexer.RPAREN, CnnLexer.RBRACK, CnnLexer.RBRACE -> {
                    if (!open.isEmpty()) depth -= open.pop();
                    signs = 0;
                }
                default -> signs = 0;
            }
            if (depth + signs > MAX_DEPTH) {
                diagnostics.error(AstBuilder.span(t), "nesting deeper than " + MAX_DEPTH
                        + " levels (of brackets, braces and '-' signs); the limit is " + MAX_DEPTH);
                return false;
            }
        }
        return true;
    }
}
