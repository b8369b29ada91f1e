package io.cnnc.runtime.cli;

/** Runs the command line in-process for tests, capturing exit code, stdout and stderr. */
public final class CliTestAccess {

    private CliTestAccess() {}

    public record Result(int code, String out, String err) {}

    public static Result cnnc(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Main.execute(args, new java.io.PrintWriter(out), new java.io.PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }
}
