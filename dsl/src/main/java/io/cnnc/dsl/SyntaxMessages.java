package io.cnnc.dsl;

import io.cnnc.dsl.grammar.CnnLexer;
import org.antlr.v4.runtime.Token;

/** Rewrites ANTLR's generic messages into words a model author understands. */
final class SyntaxMessages {

    private SyntaxMessages() {}

    static String humanize(String antlrMessage, Token offending) {
        String what = describe(offending);
        String expecting = expected(antlrMessage);
        if (antlrMessage.startsWith("token recognition error")) {
            return "unexpected character " + antlrMessage.replaceFirst("token recognition error at: ", "");
        }
        if (offending != null && offending.getType() == CnnLexer.UNKNOWN) {
            return "unexpected character '" + offending.getText() + "'";
        }
        if (antlrMessage.startsWith("missing ")) {
            return "missing " + tokenWords(antlrMessage.substring(8).replaceFirst(" at .*$", "")) + " before " + what;
        }
        if (expecting != null) return "unexpected " + what + ", expected " + expecting;
        return "unexpected " + what;
    }

    private static String describe(Token t) {
        if (t == null) return "input";
        if (t.getType() == Token.EOF) return "end of file";
        if (t.getType() == CnnLexer.NL) return "end of line";
        return "'" + t.getText() + "'";
    }

    private static String expected(String msg) {
        int i = msg.indexOf("expecting ");
        if (i < 0) return null;
        String list = msg.substring(i + 10).trim();
        if (list.startsWith("{")) {
            String[] items = list.substring(1, list.length() - 1).split(",\\s*");
            if (items.length > 6) return null;
            StringBuilder out = new StringBuilder();
            for (int k = 0; k < items.length; k++) {
                if (k > 0) out.append(k == items.length - 1 ? " or " : ", ");
                out.append(tokenWords(items[k]));
            }
            return out.toString();
        }
        return tokenWords(list);
    }

    private static String tokenWords(String token) {
        return switch (token) {
            case "NAME" -> "a name";
            case "INT" -> "an integer";
            case "FLOAT" -> "a number";
            case "STRING" -> "a string";
            case "NL" -> "a new line";
            case "<EOF>" -> "end of file";
            default -> token;
        };
    }
}
